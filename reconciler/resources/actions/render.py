"""The Actions block of a plan in text and markdown: each action's change (code diffs show
keywords, never values; secrets show names), which actions will be deployed, and per trigger
the binding order before and after."""

from __future__ import annotations

from typing import Any, Sequence

import click

from reconciler.core.changes import Change, ChangeKind
from reconciler.core.planner import TypePlan
from reconciler.resources.actions.wording import word

SYMBOLS = {
    ChangeKind.CREATE: ("+", "green"), ChangeKind.UPDATE: ("~", "yellow"), ChangeKind.DELETE: ("-", "red"),
    ChangeKind.REPLACE: ("-/+", "magenta"),
}


def _detail(change: Change) -> dict[str, Any]:
    return dict(change.detail)


def _typed(parts: Sequence[Any]) -> list[TypePlan]:
    return [part for part in parts if isinstance(part, TypePlan)]


def deploys(parts: Sequence[Any]) -> tuple[str, ...]:
    for part in _typed(parts):
        extras = dict(part.extras)
        if "deploys" in extras:
            return tuple(extras["deploys"])
    return ()


def change_lines(change: Change) -> list[str]:
    """One change as text (no colour decisions beyond click.style)."""
    symbol, colour = SYMBOLS.get(change.kind, ("~", "yellow"))
    detail = _detail(change)
    if change.type == "bindings":
        lines = [click.style(f"  ~ bindings of {change.key} (execution order)", fg="yellow", bold=True)]
        lines.append(f"      before: {_order(detail.get('before', ()))}")
        lines.append(f"      after:  {_order(detail.get('after', ()))}")
        return lines
    where = detail.get("trigger", "")
    if detail.get("previous_trigger"):
        where = f"{detail['previous_trigger']} -> {where}, forces replacement"
    title = f"{symbol} action {change.key} ({where})"
    if change.skipped is not None:
        return [click.style(f"  {title}: skipped, {word(change.skipped)}", dim=True)]
    if detail.get("deploy"):
        title += ", then deployed"
    lines = [click.style(f"  {title}", fg=colour, bold=True)]
    for field in change.fields:
        if field.diff:
            lines.append(f"      {field.field}:")
            for line in field.diff.splitlines():
                tint = "green" if line.startswith("+") else "red" if line.startswith("-") else None
                lines.append(click.style(f"        {line}", fg=tint))
        elif field.before is None:
            lines.append(f"      {field.field}: {field.after}")
        else:
            lines.append(f"      {field.field}: {field.before} -> {field.after}")
    return lines


def _order(names: Sequence[str]) -> str:
    return " -> ".join(names) if names else "(none)"


def text_lines(parts: Sequence[Any]) -> list[str]:
    """The block for the text renderer (empty when nothing changes and nothing is said)."""
    lines: list[str] = []
    for part in _typed(parts):
        for change in part.changes:
            lines.extend(change_lines(change))
            lines.append("")
    deployed = deploys(parts)
    if deployed:
        lines.append(click.style("Actions deployed (each a new version, live once built):", bold=True))
        lines.append("  " + ", ".join(deployed))
        lines.append("")
    return lines


def warnings(parts: Sequence[Any]) -> list[str]:
    return [word(reason) for part in _typed(parts) for reason in part.warnings]


def summary(parts: Sequence[Any]) -> str:
    counts = {"create": 0, "update": 0, "delete": 0, "skipped": 0, "bindings": 0}
    for part in _typed(parts):
        for change in part.changes:
            if change.skipped is not None:
                counts["skipped"] += 1
            elif change.type == "bindings":
                counts["bindings"] += 1
            elif change.kind is ChangeKind.REPLACE:
                counts["create"] += 1
                counts["delete"] += 1
            elif str(change.kind) in counts:
                counts[str(change.kind)] += 1
    text = (
        f"Actions: {counts['create']} to create, {counts['update']} to update, {counts['delete']} to delete, "
        f"{len(deploys(parts))} to deploy; {counts['bindings']} trigger binding lists to rewrite."
    )
    return text + (f" ({counts['skipped']} skipped)" if counts["skipped"] else "")


def has_steps(parts: Sequence[Any]) -> bool:
    return any(part.steps for part in _typed(parts))


def has_drift(parts: Sequence[Any]) -> bool:
    return has_steps(parts) or any(
        part.warnings or any(c.skipped is not None for c in part.changes) for part in _typed(parts)
    )


def markdown_lines(parts: Sequence[Any], fence: Any, code: Any, plain: Any) -> list[str]:
    """The block for the markdown renderer, with the renderer's own escaping: ``fence(text,
    info)`` a fenced block, ``code(text)`` an inline code span, ``plain(text)`` prose."""
    typed = _typed(parts)
    if not any(part.changes or part.warnings for part in typed):
        return []
    out = ["#### Actions", "", f"**{plain(summary(parts))}**", ""]
    deployed = deploys(parts)
    if deployed:
        out += ["**Deployed** (a new version each): " + ", ".join(code(n) for n in deployed), ""]
    for part in typed:
        for change in part.changes:
            detail = _detail(change)
            if change.type == "bindings":
                out += [f"**Bindings of {code(change.key)}** (execution order)", "", "| # | before | after |", "|---|---|---|"]
                before, after = list(detail.get("before", ())), list(detail.get("after", ()))
                for i in range(max(len(before), len(after))):
                    cells = [code(x[i]) if i < len(x) else "" for x in (before, after)]
                    out.append(f"| {i + 1} | {cells[0]} | {cells[1]} |")
                out.append("")
                continue
            symbol = SYMBOLS.get(change.kind, ("~", ""))[0]
            where = str(detail.get("trigger", ""))
            if detail.get("previous_trigger"):
                where = f"{detail['previous_trigger']} -> {where}, forces replacement"
            title = f"{code(symbol)} action {code(change.key)} ({plain(where)})"
            if change.skipped is not None:
                out += [f"{title}: skipped, {plain(word(change.skipped))}", ""]
                continue
            out += [title + (", then deployed" if detail.get("deploy") else ""), ""]
            for field in change.fields:
                if field.diff:
                    out += [f"- {plain(field.field)}:", "", fence(field.diff, "diff")]
                elif field.before is None:
                    out.append(f"- {plain(field.field)}: {code(str(field.after))}")
                else:
                    out.append(f"- {plain(field.field)}: {code(str(field.before))} → {code(str(field.after))}")
            out.append("")
    lines = warnings(parts)
    if lines:
        out += ["> [!WARNING]", "> **Actions warnings:**"] + [f"> - {plain(line)}" for line in lines] + [""]
    return out
