"""The plan for terminals, Terraform-like: ``+`` create, ``~`` update, ``-`` delete, ``-/+`` replace.

Any resource types: each change's lines, each type's extra blocks and each step's words
come from its type's render blocks (``resources.blocks``); this module lays them out.
Colour comes from ``click.style``; ``click.echo`` strips it when output is not a terminal.
"""

from __future__ import annotations

import click

from reconciler.core.plan import Plan
from reconciler.escape import terminal_safe
from reconciler.render.blocks import blocks_for, word
from reconciler.render.keyword_lines import keyword_lines

__all__ = ["NO_CHANGES", "NO_CHANGES_IN_SCOPE", "NOTHING_TO_APPLY", "REVIEW_ONLY", "render_text"]

NO_CHANGES = "No changes. The tenant matches the configuration."
# A scoped plan (--only/--target) compared only part of the tenant: it never claims all of it.
NO_CHANGES_IN_SCOPE = "No changes within the scope. The rest of the tenant was not compared."
# No request to make, but the tenant still differs (unmanaged hooks, skipped changes).
NOTHING_TO_APPLY = "No changes to apply. The tenant differs from the configuration as shown above."
REVIEW_ONLY = (
    "Planned without keyword values: secret values were not compared, and this plan is for "
    "review only (apply makes its own)."
)


def render_text(plan: Plan, *, show_steps: bool = True) -> str:
    # Names, scripts and reasons come from a config or a tenant: no control code of theirs
    # reaches the terminal (the colours below are the only escape sequences).
    plan = terminal_safe(plan)
    lines: list[str] = [f"Tenant: {plan.domain}", ""] if plan.domain else []
    if plan.scope.limited:
        lines.extend([click.style(f"Scope: {line}", bold=True) for line in plan.scope.lines()] + [""])
    for change in plan.changes:
        lines.extend(blocks_for(change.type).text_change(change))
        lines.append("")
    for type_name in plan.types:
        lines.extend(blocks_for(type_name).text_extras(plan))
    if show_steps and plan.steps:
        lines.append(click.style("Requests, in order:", bold=True))
        for step in plan.steps:
            after = f" after {', '.join(str(i + 1) for i in step.after)}" if step.after else ""
            reason = word(step.reason)
            reason = f"  # {reason}" if reason else ""
            lines.append(f"  {step.index + 1:>3}. [{step.phase}] {blocks_for(step.type).text_step(step)}{after}{reason}")
        lines.append("")
    for warning in plan.warnings:
        lines.append(click.style(f"Warning: {word(warning)}", fg="yellow"))
    if plan.warnings:
        lines.append("")
    if plan.review_only:
        lines.append(click.style(f"Note: {REVIEW_ONLY}", dim=True))
    for line in keyword_lines(plan, lambda name: name):
        lines.append(click.style(line, fg="yellow") if line.startswith("New keyword") else line)
    if plan.has_changes:
        lines.append(click.style(plan.summary.line(), bold=True))
    else:
        lines.append(NOTHING_TO_APPLY if plan.has_drift else NO_CHANGES_IN_SCOPE if plan.scope.limited else NO_CHANGES)
    return "\n".join(lines) + "\n"
