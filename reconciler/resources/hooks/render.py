"""The hook type's render blocks and plan-file codec (``reconciler.resources.blocks.Blocks``).

What only hooks show: the trigger beside each hook, "renamed from", replacements, the
hand-overs (a trigger whose enabled hook changes), and the JSON shapes saved plans have
always had (``changes[]`` with ``name``/``trigger_id``, ``steps[]`` with ``action``/``hook``,
top-level ``handovers``). Entries without a ``type`` in a plan file are hooks (the old shape).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import click

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.plan import Plan
from reconciler.core.steps import Phase, Step
from reconciler.escape import html_code, md_code, md_text, one_line
from reconciler.resources import checks
from reconciler.resources.blocks import SYMBOLS, Blocks, Malformed, field_lines, word, worded
from reconciler.resources.cutover import TAKEN_OVER_BY, TAKES_BACK_FROM, cutovers_of
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.payloads import payload_from
from reconciler.resources.hooks.plan import (
    Handover,
    detail,
    handed,
    handed_words,
    handovers,
    hook_change,
    payload_of,
    step_from_dict,
    step_to_dict,
)
from reconciler.text import plural


def _is_cutover(plan: Plan, handover: Handover) -> bool:
    """The hand-over is a cutover's hook side: its hook goes off because an action of the
    same plan takes the trigger over (the cutover block says so), not a trigger going dark;
    or a rollback's, the hook taking back the trigger its action leaves."""
    for cutover in cutovers_of(plan):
        if cutover.trigger != handover.trigger_id:
            continue
        if cutover.rollback and handover.after == cutover.hook and not handover.before:
            return True  # a rollback's hook side: the hook takes its trigger back
        if not cutover.rollback and handover.after is None and cutover.hook in handover.before:
            return True
    return False


def _plain_handovers(plan: Plan) -> tuple[Handover, ...]:
    return tuple(h for h in handovers(plan) if not _is_cutover(plan, h))


class HookBlocks(Blocks):
    def __init__(self) -> None:
        super().__init__("hook", "hook", "hooks")

    # -- text ---------------------------------------------------------------------------------

    def text_change(self, change: Change) -> list[str]:
        symbol, colour = SYMBOLS[change.kind]
        where = detail(change, "trigger_id")
        if detail(change, "previous_trigger_id"):
            where = f"{detail(change, 'previous_trigger_id')} -> {where}, forces replacement"
        title = f"{symbol} {change.key} ({where})"
        if detail(change, "previous_name"):
            title += f" (renamed from {detail(change, 'previous_name')})"
        if change.skipped:
            return [click.style(f"  {title}: skipped, {word(change.skipped)}", dim=True)]
        lines = [click.style(f"  {title}", fg=colour, bold=True)]
        handed_over = handed_words(change)
        for change_field in change.fields:
            shown = field_lines(change_field)
            if handed_over and change_field.field == "enabled":
                # A cutover's side, on the very line a reviewer reads as "the trigger goes dark".
                shown[-1] += f" ({handed_over})"
            lines.extend(shown)
        return lines

    def text_extras(self, plan: Plan) -> list[str]:
        found = _plain_handovers(plan)
        if not found:
            return []
        lines = [click.style("Hand-overs (disable, then enable, back to back):", bold=True)]
        for handover in found:
            before = ", ".join(handover.before) or "(none)"
            lines.append(f"  {handover.trigger_id}: {before} -> {handover.after or '(none)'}")
        return lines + [""]

    def text_step(self, step: Step) -> str:
        return f"{step.operation} {step.key} ({payload_of(step).trigger_id})"

    # -- markdown -----------------------------------------------------------------------------

    def md_where(self, change: Change) -> str:
        return _md(detail(change, "trigger_id"))

    def md_caution(self, plan: Plan) -> list[list[str]]:
        changes = plan.changes_of("hook")
        deletes = [c for c in changes if c.kind is ChangeKind.DELETE and not c.skipped]
        replaces = [c for c in changes if c.kind is ChangeKind.REPLACE and not c.skipped]
        sections: list[list[str]] = []
        if deletes:
            sections.append(
                [f"> **{plural(len(deletes), 'hook')} will be deleted:**"]
                + [f"> - {md_code(c.key)} ({self.md_where(c)})" for c in deletes]
            )
        if replaces:
            sections.append(
                ["> **Replaced (the old hook is deleted, a new one created):**"]
                + [
                    f"> - {md_code(c.key)}: {_md(detail(c, 'previous_trigger_id') or '?')} → {self.md_where(c)}"
                    for c in replaces
                ]
            )
        found = _plain_handovers(plan)
        if found:
            lines = ["> **The enabled hook changes on these triggers:**"]
            for handover in found:
                before = ", ".join(_md(name) for name in handover.before) or "(none)"
                after = _md(handover.after) if handover.after else "(none)"
                lines.append(f"> - {_md(handover.trigger_id)}: {before} → {after}")
            sections.append(lines)
        return sections

    def md_summary(self, change: Change) -> str:
        symbol, _colour = SYMBOLS[change.kind]
        where = html.escape(one_line(detail(change, "trigger_id")))
        if detail(change, "previous_trigger_id"):
            where = f"{html.escape(one_line(detail(change, 'previous_trigger_id')))} → {where}, forces replacement"
        text = (
            f"<code>{html.escape(symbol)}</code> <b>{md_text(change.key)}</b> "
            f"(<code>{where}</code>) {change.kind.value}"
        )
        if detail(change, "previous_name"):
            text += f", renamed from {html_code(detail(change, 'previous_name'))}"
        if handed_words(change):
            text += f", {html.escape(one_line(handed_words(change)))}"
        return text

    # -- JSON and plan files ------------------------------------------------------------------

    def change_to_dict(self, change: Change) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": str(change.kind),
            "name": change.key,
            "trigger_id": detail(change, "trigger_id"),
            "fields": [f.to_dict() for f in change.fields],
        }
        for key in ("previous_name", "previous_trigger_id"):
            if detail(change, key):
                data[key] = detail(change, key)
        key, actions = handed(change)
        if actions:
            data[key] = list(actions)
        if change.skipped:
            data["skipped"] = word(change.skipped)
        return data

    def change_from_dict(self, data: Mapping[str, Any]) -> Change:
        return hook_change(
            ChangeKind(data["kind"]), data["name"], data["trigger_id"],
            tuple(FieldChange.from_dict(f) for f in data.get("fields", ())),
            previous_name=data.get("previous_name", ""),
            previous_trigger_id=data.get("previous_trigger_id", ""),
            skipped=worded(data["skipped"]) if data.get("skipped") else None,
            handed=next(((k, tuple(data[k])) for k in (TAKEN_OVER_BY, TAKES_BACK_FROM) if data.get(k)), ("", ())),
        )

    def step_to_dict(self, step: Step) -> dict[str, Any]:
        return step_to_dict(step)

    def step_from_dict(self, data: Mapping[str, Any]) -> Step:
        return step_from_dict(data)

    def extras_to_dict(self, plan: Plan) -> dict[str, Any]:
        return {"handovers": [
            {**handover.to_dict(), "cutover": True} if _is_cutover(plan, handover) else handover.to_dict()
            for handover in handovers(plan)
        ]}

    def extras_from_dict(self, data: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        found = tuple(Handover(h["trigger_id"], tuple(h["before"]), h["after"]) for h in data.get("handovers", ()))
        return (("handovers", found),)

    def check_extras(self, data: Mapping[str, Any]) -> None:
        for i, handover in enumerate(checks.list_of(data, "handovers", dict, "plan")):
            where = f"plan.handovers[{i}]"
            checks.field(handover, "trigger_id", str, where)
            checks.list_of(handover, "before", str, where)
            checks.field(handover, "after", (str, type(None)), where)

    def check_change(self, change: Mapping[str, Any], where: str) -> None:
        for key in ("name", "trigger_id"):
            checks.field(change, key, str, where)
        for key in ("previous_name", "previous_trigger_id"):
            checks.field(change, key, str, where, optional=True)
        for key in (TAKEN_OVER_BY, TAKES_BACK_FROM):
            checks.list_of(change, key, str, where, optional=True)

    def check_step(self, step: Mapping[str, Any], i: int, steps: Sequence[Mapping[str, Any]]) -> None:
        where = f"plan.steps[{i}]"
        checks.choice(step, "action", Action, where)
        checks.choice(step, "phase", Phase, where)
        for key in ("hook", "trigger_id"):
            checks.field(step, key, str, where)
        body = checks.field(step, "body", dict, where)
        hook_id = checks.field(step, "hook_id", (str, type(None)), where, optional=True)
        created_by = checks.field(step, "created_by", (int, type(None)), where, optional=True)
        is_create = step["action"] == str(Action.CREATE)
        if is_create != (hook_id is None and created_by is None):
            raise Malformed(f"{where}: a create step has neither hook_id nor created_by; every other step exactly one")
        if hook_id is not None and created_by is not None:
            raise Malformed(f"{where}: has both hook_id and created_by")
        # created_by points backwards: no self reference, no forward reference.
        if created_by is not None:
            if not 0 <= created_by < i:
                raise Malformed(f"{where}.created_by {created_by} does not name an earlier step")
            if steps[created_by].get("action") != str(Action.CREATE):
                raise Malformed(f"{where}.created_by {created_by} is not a create step")
        # The body is what its action sends, nothing more: a key the action never sends
        # would otherwise be dropped on reading and the tampered file pass the comparison.
        try:
            typed = payload_from(Action(step["action"]), step["trigger_id"], hook_id, created_by, body)
        except (TypeError, ValueError) as error:
            raise Malformed(f"{where}.body: {error.__class__.__name__}") from None
        if typed.body() != body:
            raise Malformed(f"{where}.body is not what a {step['action']} step sends")


def _md(text: str) -> str:
    return md_text(text)
