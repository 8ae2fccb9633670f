"""An Actions change as text lines (``ActionBlocks.text_change``): each action's change (code
diffs show keywords, never values; secrets show names) and per trigger the binding order
before and after. The plan-wide blocks (deploys, cutovers) and markdown are ``blocks.py``'s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from reconciler.core.changes import Change, ChangeKind
from reconciler.resources.actions.wording import word

SYMBOLS = {
    ChangeKind.CREATE: ("+", "green"), ChangeKind.UPDATE: ("~", "yellow"), ChangeKind.DELETE: ("-", "red"),
    ChangeKind.REPLACE: ("-/+", "magenta"),
}


def _detail(change: Change) -> dict[str, Any]:
    return dict(change.detail)


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
