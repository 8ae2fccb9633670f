"""The plan as GitHub-flavoured markdown: the body of the sticky pull-request comment.

Layout, top to bottom:

1. a heading naming the tenant and the summary line;
2. what a reviewer must not miss, outside any ``<details>``: a ``[!CAUTION]`` alert with
   each type's sections (hooks: deletes, replacements, the triggers whose enabled hook
   changes), then a ``[!WARNING]`` alert with skipped changes and the plan's warnings;
3. one collapsed ``<details>`` block per changed resource, with its field changes and
   script diffs in fenced ``diff`` blocks.

Any resource types: what names a type's fields comes from its render blocks
(``resources.blocks``); this module lays out and fits.

GitHub refuses comment bodies over 65,536 characters. When the body would be longer, the
*middle* is shortened (per-hook details, the largest first, then whole entries from the
end); the heading, summary and alerts are always kept, and a note says what was left out.

Only what the :class:`~reconciler.core.plan.Plan` holds is rendered, and a plan holds no secret
value (secret fields carry key names and ``(sensitive)``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reconciler.core.changes import Change, FieldChange
from reconciler.core.plan import Plan
from reconciler.core.scope import SCOPE_WARNING
from reconciler.escape import md_code, md_fence, md_text
from reconciler.render.blocks import blocks_for, word
from reconciler.render.keyword_lines import keyword_lines
from reconciler.render.text import (  # the terminal plan's wording and symbols
    NO_CHANGES,
    NO_CHANGES_IN_SCOPE,
    REVIEW_ONLY,
)
from reconciler.resources.builtin import registry
from reconciler.text import plural as _count

__all__ = ["GITHUB_COMMENT_LIMIT", "render_markdown"]

GITHUB_COMMENT_LIMIT = 65536

def render_markdown(plan: Plan, *, tenant: str = "default", limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The plan as markdown, at most ``limit`` characters long."""
    head = _head(plan, tenant)
    entries = [_Entry.of(change) for change in plan.changes if not change.skipped]
    noun = _one(plan)
    if not entries:
        return _fit_head(head, [], limit)
    return _fit(head, entries, limit, noun)


def _one(plan: Plan) -> str:
    """What an entry is called in notes: the type's word when the plan has one type."""
    types = {change.type for change in plan.changes} or set(plan.types)
    return blocks_for(types.pop()).one if len(types) == 1 else "change"


# ---------------------------------------------------------------------------- the head


def _title(plan: Plan) -> str:
    # Actions first, hooks last: Hooks are the legacy part (Auth0 ended them in 2026).
    types = sorted(plan.types, key=lambda name: name == "hook")
    nouns = [registry().get(t).noun for t in types] or ["hooks"]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]


def _head(plan: Plan, tenant: str) -> list[str]:
    """Blocks that are never dropped (``_fit_head`` may only shorten the alert lists)."""
    domain = f" ({_code(plan.domain)})" if plan.domain else ""
    blocks = [f"### Auth0 {_title(plan)} plan for tenant {_code(tenant)}{domain}"]
    skipped = [c for c in plan.changes if c.skipped]
    if plan.has_changes:
        blocks.append(f"**{plan.summary.line()}**")
    elif skipped or any(word(w) != SCOPE_WARNING for w in plan.warnings):
        blocks.append("**No changes to apply.**")
    else:
        blocks.append(f"**{NO_CHANGES_IN_SCOPE if plan.scope.limited else NO_CHANGES}**")
    if plan.scope.limited:  # the scope sits right under the summary: it qualifies it
        blocks.append("\n".join(f"Scope: {_plain(line)}  " for line in plan.scope.lines()).rstrip())
    caution = _alert("CAUTION", [s for t in plan.types for s in blocks_for(t).md_caution(plan)])
    if caution:
        blocks.append(caution)
    important = _alert("IMPORTANT", [s for t in plan.types for s in blocks_for(t).md_important(plan)])
    if important:
        blocks.append(important)
    warning = _warning(plan, skipped)
    if warning:
        blocks.append(warning)
    if plan.review_only:
        blocks.append(f"> [!NOTE]\n> {REVIEW_ONLY}")
    lines = keyword_lines(plan, _code)
    if lines:
        kind = "IMPORTANT" if plan.keywords and (plan.keywords.added or plan.keywords.removed) else "NOTE"
        blocks.append(f"> [!{kind}]\n" + "\n".join(f"> {line}" if i == 0 else f"> - {line}" for i, line in enumerate(lines)))
    return blocks


def _warning(plan: Plan, skipped: list[Change]) -> str:
    # The planner reports each resource once: as a skipped change or as a warning, not both.
    sections: list[list[str]] = []
    for type_name in plan.types:
        mine = [c for c in skipped if c.type == type_name]
        if mine:
            blocks = blocks_for(type_name)
            sections.append(
                [f"> **Left as they are ({_count(len(mine), blocks.one)}):**"]
                + [f"> - {_code(c.key)}" + (f" ({blocks.md_where(c)})" if blocks.md_where(c) else "")
                   + f": {_plain(word(c.skipped))}" for c in mine]
            )
    if plan.warnings:
        sections.append(["> **Warnings:**"] + [f"> - {_plain(word(w))}" for w in plan.warnings])
    return _alert("WARNING", sections)


def _alert(kind: str, sections: list[list[str]]) -> str:
    """A GitHub alert; sections are separated by an empty quoted line so lists end cleanly."""
    if not sections:
        return ""
    return f"> [!{kind}]\n" + "\n>\n".join("\n".join(lines) for lines in sections)


# ---------------------------------------------------------------------------- per change


@dataclass
class _Entry:
    change: Change
    full: str  # the <details> block with every field
    short: str  # one line, without the field changes

    @classmethod
    def of(cls, change: Change) -> _Entry:
        summary = blocks_for(change.type).md_summary(change)
        body = _fields(change)
        if body:
            full = f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"
        else:
            full = f"<details><summary>{summary}</summary>\n\n_No field changes._\n\n</details>"
        # Without its details, a hook is one list line (and the note says diffs were omitted).
        short = f"- {summary} · _diff omitted_"
        return cls(change, full, short)


def _fields(change: Change) -> str:
    return "\n\n".join(_field(f, change.key) for f in change.fields)


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


def _omitted_note(omitted: int, unlisted: int, one: str = "hook") -> str:
    text = (
        f"… {omitted} {one} {'diff' if omitted == 1 else 'diffs'} omitted (body limit); "
        "run `reconciler plan` to see everything."
    )
    if unlisted:
        text += f" {_count(unlisted, one)} {'is' if unlisted == 1 else 'are'} not listed at all."
    return f"> [!NOTE]\n> {text}"


def _join(blocks: list[str]) -> str:
    return "\n\n".join(b for b in blocks if b) + "\n"


def _fit(head: list[str], entries: list[_Entry], limit: int, one: str = "hook") -> str:
    blocks = [e.full for e in entries]
    body = _join(head + blocks)
    if len(body) <= limit:
        return body
    # Reserve room for the note (its widest form), then shorten from the largest details.
    note_room = len(_omitted_note(len(entries), len(entries), one)) + 2
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
    note = _omitted_note(omitted, unlisted, one) if omitted else ""
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
# Names and text from a config or a tenant: reconciler.escape says how and why.
_plain = md_text
_code = md_code
_fence = md_fence
