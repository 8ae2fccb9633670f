"""The plan as GitHub-flavoured markdown: the body of the sticky pull-request comment.

Layout, top to bottom:

1. a heading naming the tenant and the summary line;
2. what a reviewer must not miss, outside any ``<details>``: a ``[!CAUTION]`` alert with
   the deletes and the triggers whose enabled hook changes (hand-overs), then a
   ``[!WARNING]`` alert with skipped changes (deletes that are off, hooks that cannot be
   changed) and the plan's warnings;
3. one collapsed ``<details>`` block per changed hook, with its field changes and script
   diffs in fenced ``diff`` blocks.

GitHub refuses comment bodies over 65,536 characters. When the body would be longer, the
*middle* is shortened (per-hook details, the largest first, then whole entries from the
end); the heading, summary and alerts are always kept, and a note says what was left out.

Only what the :class:`~reconciler.resources.hooks.plan.Plan` holds is rendered, and a plan holds no secret
value (secret fields carry key names and ``(sensitive)``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from reconciler.text import plural as _count
from reconciler.resources.hooks.diff import FieldChange
from reconciler.resources.hooks.plan import ChangeKind, HookChange, Plan
from reconciler.render.text import NO_CHANGES, REVIEW_ONLY, SYMBOLS  # the terminal plan's wording and symbols

__all__ = ["GITHUB_COMMENT_LIMIT", "NO_CHANGES", "render_markdown"]

GITHUB_COMMENT_LIMIT = 65536

_BACKTICKS = re.compile(r"`+")


def render_markdown(plan: Plan, *, tenant: str = "default", limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The plan as markdown, at most ``limit`` characters long."""
    head = _head(plan, tenant)
    entries = [_Entry.of(change) for change in plan.changes if not change.skipped]
    if plan.parts:  # other resource types (Actions): their own block, first of the entries
        from reconciler.resources.actions.render import markdown_lines, summary

        block = "\n".join(markdown_lines(plan.parts, _fence, _code, _plain)).strip()
        if block:
            entries.insert(0, _Entry(None, block, f"- {_plain(summary(plan.parts))} · _details omitted_"))
    if not entries:
        return _fit_head(head, [], limit)
    return _fit(head, entries, limit)


# ---------------------------------------------------------------------------- the head


def _head(plan: Plan, tenant: str) -> list[str]:
    """Blocks that are never dropped (``_fit_head`` may only shorten the alert lists)."""
    blocks = [f"### Auth0 hooks plan for tenant `{_plain(tenant)}`"]
    skipped = [c for c in plan.changes if c.skipped]
    if plan.has_changes:
        blocks.append(f"**{plan.summary.line()}**")
    elif skipped or plan.warnings or (plan.parts and plan.has_drift):
        blocks.append("**No changes to apply.**")
    else:
        blocks.append(f"**{NO_CHANGES}**")
    caution = _caution(plan)
    if caution:
        blocks.append(caution)
    warning = _warning(plan, skipped)
    if warning:
        blocks.append(warning)
    if plan.review_only:
        blocks.append(f"> [!NOTE]\n> {REVIEW_ONLY}")
    return blocks


def _caution(plan: Plan) -> str:
    deletes = [c for c in plan.changes if c.kind is ChangeKind.DELETE and not c.skipped]
    replaces = [c for c in plan.changes if c.kind is ChangeKind.REPLACE and not c.skipped]
    sections: list[list[str]] = []
    if deletes:
        sections.append(
            [f"> **{_count(len(deletes), 'hook')} will be deleted:**"]
            + [f"> - `{_plain(c.name)}` ({_plain(c.trigger_id)})" for c in deletes]
        )
    if replaces:
        sections.append(
            ["> **Replaced (the old hook is deleted, a new one created):**"]
            + [
                f"> - `{_plain(c.name)}`: {_plain(c.previous_trigger_id or '?')} → {_plain(c.trigger_id)}"
                for c in replaces
            ]
        )
    if plan.handovers:
        lines = ["> **The enabled hook changes on these triggers:**"]
        for handover in plan.handovers:
            before = ", ".join(_plain(name) for name in handover.before) or "(none)"
            after = _plain(handover.after) if handover.after else "(none)"
            lines.append(f"> - {_plain(handover.trigger_id)}: {before} → {after}")
        sections.append(lines)
    cutovers = getattr(plan, "cutovers", ())  # a plan with Actions: hooks-to-Actions cutovers
    if cutovers:
        sections.append(["> **Cutovers, hooks to Actions** (two adjacent requests per trigger):"]
                        + [f"> - {_plain(c.describe())}" for c in cutovers])
    return _alert("CAUTION", sections)


def _warning(plan: Plan, skipped: list[HookChange]) -> str:
    # The planner reports each hook once: as a skipped change or as a warning, not both.
    warnings = plan.warnings
    sections: list[list[str]] = []
    if skipped:
        sections.append(
            [f"> **Left as they are ({_count(len(skipped), 'hook')}):**"]
            + [f"> - `{_plain(c.name)}` ({_plain(c.trigger_id)}): {_plain(c.skipped)}" for c in skipped]
        )
    if warnings:
        sections.append(["> **Warnings:**"] + [f"> - {_plain(w)}" for w in warnings])
    return _alert("WARNING", sections)


def _alert(kind: str, sections: list[list[str]]) -> str:
    """A GitHub alert; sections are separated by an empty quoted line so lists end cleanly."""
    if not sections:
        return ""
    return f"> [!{kind}]\n" + "\n>\n".join("\n".join(lines) for lines in sections)


# ---------------------------------------------------------------------------- per hook


@dataclass
class _Entry:
    change: HookChange | None  # None: another resource type's block
    full: str  # the <details> block with every field
    short: str  # one line, without the field changes

    @classmethod
    def of(cls, change: HookChange) -> "_Entry":
        summary = _summary(change)
        body = _fields(change)
        if body:
            full = f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"
        else:
            full = f"<details><summary>{summary}</summary>\n\n_No field changes._\n\n</details>"
        # Without its details, a hook is one list line (and the note says diffs were omitted).
        short = f"- {summary} · _diff omitted_"
        return cls(change, full, short)


def _summary(change: HookChange) -> str:
    symbol, _colour = SYMBOLS[change.kind]
    where = html.escape(change.trigger_id)
    if change.previous_trigger_id:
        where = f"{html.escape(change.previous_trigger_id)} → {where}, forces replacement"
    text = (
        f"<code>{html.escape(symbol)}</code> <b>{html.escape(change.name)}</b> "
        f"(<code>{where}</code>) {change.kind.value}"
    )
    if change.previous_name:
        text += f", renamed from <code>{html.escape(change.previous_name)}</code>"
    return text


def _fields(change: HookChange) -> str:
    return "\n\n".join(_field(f, change.name) for f in change.fields)


def _field(change: FieldChange, hook: str) -> str:
    label = f"**{_plain(change.field)}**"
    if change.field == "secrets":
        # Key names and "(sensitive)" only, by construction of the plan; never a value.
        if change.diff:
            return f"{label} (values are never shown)\n\n{_fence(change.diff, 'diff')}"
        if change.before == change.after:
            return f"{label}: no change to apply"
        return f"{label} (key names): {_code(_show(change.before))} → {_code(_show(change.after))}"
    if change.diff:
        return f"{label}\n\n{_fence(change.diff, 'diff')}"
    if change.before is None:
        return f"{label}: {_code(_show(change.after))}"
    return f"{label}: {_code(_show(change.before))} → {_code(_show(change.after))}"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "null" if value is None else str(value)


# ---------------------------------------------------------------------------- fitting


def _omitted_note(omitted: int, unlisted: int) -> str:
    text = (
        f"… {omitted} hook {'diff' if omitted == 1 else 'diffs'} omitted (body limit); "
        "run `reconciler plan` to see everything."
    )
    if unlisted:
        text += f" {_count(unlisted, 'hook')} {'is' if unlisted == 1 else 'are'} not listed at all."
    return f"> [!NOTE]\n> {text}"


def _join(blocks: list[str]) -> str:
    return "\n\n".join(b for b in blocks if b) + "\n"


def _fit(head: list[str], entries: list[_Entry], limit: int) -> str:
    blocks = [e.full for e in entries]
    body = _join(head + blocks)
    if len(body) <= limit:
        return body
    # Reserve room for the note (its widest form), then shorten from the largest details.
    note_room = len(_omitted_note(len(entries), len(entries))) + 2
    budget = limit - note_room
    total = len(body)
    shortened: set[int] = set()
    for i in sorted(range(len(entries)), key=lambda i: len(entries[i].full), reverse=True):
        if total <= budget:
            break
        saved = len(entries[i].full) - len(entries[i].short)
        if saved > 0:
            blocks[i] = entries[i].short
            total -= saved
            shortened.add(i)
    # Still too long (hundreds of hooks): drop whole entries, from the end.
    unlisted = 0
    while blocks and total > budget:
        dropped = blocks.pop()
        total -= len(dropped) + 2
        shortened.add(len(blocks))
        unlisted += 1
    omitted = len(shortened)
    note = _omitted_note(omitted, unlisted) if omitted else ""
    body = _join(head + blocks + [note])
    if len(body) > limit:
        # Only the head is left and it alone is too long.
        return _fit_head(head, [note] if note else [], limit)
    return body


def _fit_head(head: list[str], tail: list[str], limit: int) -> str:
    """The head alone; alert lists are cut (with a count) only if even they exceed ``limit``."""
    body = _join(head + tail)
    if len(body) <= limit:
        return body
    # The heading and the summary line are never cut; alert items go from the end.
    keep = head[:2]
    alerts = [block.split("\n") for block in head[2:]]
    cut = 0
    while True:
        more = f"> - … {cut} more not shown (body limit); run `reconciler plan` to see everything"
        parts = ["\n".join(lines + ([more] if cut and i == len(alerts) - 1 else [])) for i, lines in enumerate(alerts)]
        body = _join(keep + parts + tail)
        if len(body) <= limit:
            return body
        for lines in reversed(alerts):
            if len(lines) > 2 and lines[-1].startswith("> - "):
                lines.pop()
                cut += 1
                break
        else:
            return _join(keep)[:limit]


# ---------------------------------------------------------------------------- escaping


def _plain(text: str) -> str:
    """Text placed in markdown prose: no HTML, no line breaks that could end an alert."""
    return html.escape(" ".join(str(text).split()), quote=False)


def _code(text: str) -> str:
    """An inline code span that no backtick in ``text`` can close early."""
    text = " ".join(text.split())
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(text: str, info: str) -> str:
    """A fenced block longer than any backtick run inside, so ``` in a script cannot close it."""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


