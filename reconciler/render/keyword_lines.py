"""The plan's keyword lines, shared by the text and markdown renderers: which keywords the
config uses and which ones merging will need set (or no longer needs). Names only."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.core.plan import Plan

# Shown in a plan only when it says something a reviewer acts on: a review-only plan (made
# without the values) or one compared with a base config.


def keyword_lines(plan: Plan, code: Callable[[str], str]) -> list[str]:
    """``code`` formats a name (backticks in markdown, plain on a terminal)."""
    report = plan.keywords
    if report is None or not (plan.review_only or report.added is not None):
        return []
    lines: list[str] = []
    if report.used:
        lines.append("Keywords this config uses: " + ", ".join(code(k) for k in report.used) + ".")
    else:
        lines.append("This config uses no keywords.")
    for name in report.added or ():
        lines.append(f"New keyword {code(name)}: set it in the apply environments before merging.")
    for name in report.removed:
        lines.append(f"Keyword {code(name)} is no longer used: it can be removed from the apply environments after merging.")
    return lines
