"""Render blocks and plan-file codec of the ``action`` and ``bindings`` types
(``resources.blocks``), and of the hooks-to-Actions cutovers, a plan extra of the ``action``
type (``usecases.plan_against`` puts them there; ``resources.cutover`` words them)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import click

from reconciler.core.changes import Change
from reconciler.core.plan import Plan
from reconciler.escape import html_code, md_text
from reconciler.resources.blocks import SYMBOLS, Blocks, Malformed
from reconciler.resources.cutover import CUTOVERS, cutovers_of
from reconciler.text import step_label

ACTION, BINDINGS = "action", "bindings"


class ActionBlocks(Blocks):
    """Both Actions types' blocks; the plan-wide ones (deploys, cutovers, the ``resources``
    JSON key) are written once, by the ``action`` type."""

    def text_change(self, change: Change) -> list[str]:
        from reconciler.resources.actions.render import change_lines

        return change_lines(change)

    def text_extras(self, plan: Plan) -> list[str]:
        if self.name != ACTION:
            return []
        lines: list[str] = []
        deployed = tuple(plan.extra(ACTION, "deploys", ()))
        if deployed:
            lines.append(click.style("Actions deployed (each a new version, live once built):", bold=True))
            lines += ["  " + ", ".join(deployed), ""]
        for title, found in _by_direction(plan):
            lines.append(click.style(f"{title}:", bold=True))
            lines += [f"  {c.describe()}" for c in found] + [""]
        return lines

    def text_step(self, step: Any) -> str:
        return step_label(step)

    def md_where(self, change: Change) -> str:
        """An action's trigger (a replacement: from the old one)."""
        detail = dict(change.detail)
        where = md_text(detail.get("trigger", ""))  # safe in the summary's HTML and in prose
        if change.type != ACTION or not where:
            return ""
        if detail.get("previous_trigger"):
            return f"{md_text(detail['previous_trigger'])} → {where}, forces replacement"
        return where

    def md_summary(self, change: Change) -> str:
        """As the text plan says it: the action, its trigger, whether it is deployed."""
        if change.type == BINDINGS:
            return f"Bindings of {html_code(change.key)} (execution order)"
        symbol, _ = SYMBOLS[change.kind]
        where = self.md_where(change)
        text = f"<code>{html.escape(symbol)}</code> action <b>{md_text(change.key)}</b>"
        text += f" ({where}) {change.kind.value}" if where else f" {change.kind.value}"
        return text + (", then deployed" if dict(change.detail).get("deploy") and not change.skipped else "")

    def md_important(self, plan: Plan) -> list[list[str]]:
        # A cutover is a planned hand-over from a hook to its action, not a trigger going dark:
        # shown apart from the CAUTION alert (deletes, replacements, hooks disabled for nothing).
        if self.name != ACTION:
            return []
        sections = []
        for title, found in _by_direction(plan):
            head, _, rest = title.partition(" (")
            sections.append([f"> **{head}** ({rest}:"] + [f"> - {md_text(c.describe())}" for c in found])
        return sections

    def extras_to_dict(self, plan: Plan) -> dict[str, Any]:
        if self.name != ACTION:
            return {}
        data: dict[str, Any] = {"resources": [
            {"type": t, "steps": len(plan.steps_of(t)), "changes": len(plan.changes_of(t)),
             "deploys": list(plan.extra(t, "deploys", ()))}
            for t in (ACTION, BINDINGS) if t in plan.types
        ]}
        cutovers = cutovers_of(plan)
        if cutovers:
            data[CUTOVERS] = [c.to_dict() for c in cutovers]
        return data

    def extras_from_dict(self, data: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        if self.name != ACTION:
            return ()
        from reconciler.resources.cutover import Cutover

        extras: list[tuple[str, Any]] = [("deploys", tuple(
            name for r in data.get("resources") or () if r.get("type") == ACTION for name in r.get("deploys") or ()
        ))]
        if data.get(CUTOVERS):
            extras.append((CUTOVERS, tuple(Cutover.from_dict(c) for c in data[CUTOVERS])))
        return tuple(extras)

    def check_extras(self, data: Mapping[str, Any]) -> None:
        if self.name != ACTION:
            return
        from reconciler.resources.cutover import Cutover

        resources = data.get("resources", [])
        if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
            raise Malformed("plan.resources must be a list of objects")
        cutovers = data.get(CUTOVERS, [])
        if not isinstance(cutovers, list) or len(cutovers) > 50:
            raise Malformed("plan.cutovers must be a list (one per hook trigger)")
        for i, cutover in enumerate(cutovers):
            try:
                Cutover.from_dict(cutover)
            except ValueError as error:
                raise Malformed(f"plan.cutovers[{i}]: {error}") from None


def action_blocks() -> Blocks:
    return ActionBlocks(ACTION, "action", "actions")


def binding_blocks() -> Blocks:
    return ActionBlocks(BINDINGS, "trigger binding list", "trigger bindings")


def _by_direction(plan: Plan) -> list[tuple[str, tuple[Any, ...]]]:
    """The plan's cutovers, then its rollbacks, each under its title (none: left out)."""
    found = cutovers_of(plan)
    groups = [
        ("Cutovers, hooks to Actions (the action takes over; two adjacent requests per trigger)",
         tuple(c for c in found if not c.rollback)),
        ("Rollbacks, Actions to hooks (the hook takes over again; two adjacent requests per trigger)",
         tuple(c for c in found if c.rollback)),
    ]
    return [(title, cutovers) for title, cutovers in groups if cutovers]
