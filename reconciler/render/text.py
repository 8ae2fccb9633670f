"""The plan for terminals, Terraform-like: ``+`` create, ``~`` update, ``-`` delete, ``-/+`` replace.

Colour comes from ``click.style``; ``click.echo`` strips it when output is not a terminal.
"""

from __future__ import annotations

from typing import Any

import click

from reconciler.resources.hooks.diff import FieldChange
from reconciler.resources.hooks.plan import ChangeKind, HookChange, Plan

SYMBOLS: dict[ChangeKind, tuple[str, str]] = {
    ChangeKind.CREATE: ("+", "green"),
    ChangeKind.UPDATE: ("~", "yellow"),
    ChangeKind.ENABLE: ("~", "yellow"),
    ChangeKind.DISABLE: ("~", "yellow"),
    ChangeKind.DELETE: ("-", "red"),
    ChangeKind.REPLACE: ("-/+", "magenta"),
}

NO_CHANGES = "No changes. The tenant matches the configuration."
# No request to make, but the tenant still differs (unmanaged hooks, skipped changes).
NOTHING_TO_APPLY = "No changes to apply. The tenant differs from the configuration as shown above."
REVIEW_ONLY = (
    "Planned without keyword values: secret values were not compared, and this plan is for "
    "review only (apply makes its own)."
)


def render_text(plan: Plan, *, show_steps: bool = True) -> str:
    lines: list[str] = []
    for change in plan.changes:
        lines.extend(_change_lines(change))
        lines.append("")
    if plan.handovers:
        lines.append(click.style("Hand-overs (disable, then enable, back to back):", bold=True))
        for handover in plan.handovers:
            before = ", ".join(handover.before) or "(none)"
            lines.append(f"  {handover.trigger_id}: {before} -> {handover.after or '(none)'}")
        lines.append("")
    cutovers = getattr(plan, "cutovers", ())  # a plan with Actions: hooks-to-Actions cutovers
    if cutovers:
        lines.append(click.style("Cutovers, hooks to Actions (two adjacent requests per trigger):", bold=True))
        lines.extend(f"  {c.describe()}" for c in cutovers)
        lines.append("")
    if plan.parts:
        from reconciler.resources.actions.render import text_lines

        lines.extend(text_lines(plan.parts))
    if show_steps and plan.has_changes:
        lines.append(click.style("Requests, in order:", bold=True))
        for step in _all_steps(plan):
            after = f" after {', '.join(str(i + 1) for i in step.after)}" if step.after else ""
            lines.append(f"  {step.index + 1:>3}. [{step.phase}] {_step_text(step)}{after}{_reason(step)}")
        lines.append("")
    warnings = list(plan.warnings)
    if plan.parts:
        from reconciler.resources.actions.render import warnings as part_warnings

        warnings += part_warnings(plan.parts)
    for warning in warnings:
        lines.append(click.style(f"Warning: {warning}", fg="yellow"))
    if warnings:
        lines.append("")
    if plan.review_only:
        lines.append(click.style(f"Note: {REVIEW_ONLY}", dim=True))
    if plan.has_changes:
        if plan.steps or not plan.parts:
            lines.append(click.style(plan.summary.line(), bold=True))
        if plan.parts:
            from reconciler.resources.actions.render import summary

            lines.append(click.style(summary(plan.parts), bold=True))
    else:
        lines.append(NOTHING_TO_APPLY if plan.has_drift else NO_CHANGES)
    return "\n".join(lines) + "\n"


def _all_steps(plan: Plan) -> tuple[Any, ...]:
    if not plan.parts:
        return plan.steps
    from reconciler.resources.actions.engine import all_steps

    return all_steps(plan.steps, plan.parts, getattr(plan, "cutovers", ()))


def _step_text(step: Any) -> str:
    if step.type == "hook":
        return f"{step.action} {step.hook} ({step.trigger_id})"
    return f"{step.operation} {step.type} {step.key}"


def _reason(step: Any) -> str:
    if not step.reason:
        return ""
    if isinstance(step.reason, str):
        return f"  # {step.reason}"
    from reconciler.resources.base import registry

    return f"  # {registry().word(step.reason)}"


def _change_lines(change: HookChange) -> list[str]:
    symbol, colour = SYMBOLS[change.kind]
    where = change.trigger_id
    if change.previous_trigger_id:
        where = f"{change.previous_trigger_id} -> {change.trigger_id}, forces replacement"
    title = f"{symbol} {change.name} ({where})"
    if change.previous_name:
        title += f" (renamed from {change.previous_name})"
    if change.skipped:
        return [click.style(f"  {title}: skipped, {change.skipped}", dim=True)]
    lines = [click.style(f"  {title}", fg=colour, bold=True)]
    for field in change.fields:
        lines.extend(_field_lines(field))
    return lines


def _field_lines(field: FieldChange) -> list[str]:
    if field.field == "script":
        out = ["      script:"]
        for line in field.diff.splitlines():
            colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            out.append(click.style(f"        {line}", fg=colour))
        return out
    if field.diff:
        return [f"      {field.field}:"] + [f"        {line}" for line in field.diff.splitlines()]
    if field.before is None:
        return [f"      {field.field}: {_show(field.after)}"]
    return [f"      {field.field}: {_show(field.before)} -> {_show(field.after)}"]


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
