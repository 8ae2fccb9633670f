"""What people see of an action's change: code diffs with keywords (never their values),
dependency and secret-name lines (never secret values)."""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.resources.actions.model import Action
from reconciler.resources.common.diff import dependency_changes, script_diff
from reconciler.resources.common.templates import FULL_VIEW, LiveView, shown_live
from reconciler.text import SENSITIVE

Pair = tuple[str, str]


def code_diff(action: Action, live_code: str | None, view: LiveView = FULL_VIEW) -> str:
    """The template against the live code with keyword values put back as keywords (as for
    hook scripts): a change of values only is named by keyword."""
    if live_code is None:
        return _relabel(script_diff("", action.code, action.name))
    shown, differ = shown_live(action.code, action.keyword_values, live_code, view)
    text = _relabel(script_diff(shown, action.code, action.name))
    return text + "".join(f"~ keyword {key}: value changed {SENSITIVE}\n" for key in differ
                          if key not in action.unknown_keywords)


def _relabel(diff: str) -> str:
    # deploy-cli keeps an action's code in actions/<name>/code.js
    lines = diff.splitlines(keepends=True)
    for i, line in enumerate(lines[:2]):
        if line.startswith(("--- ", "+++ ")) and line.rstrip("\n").endswith(".js"):
            lines[i] = line.rstrip("\n")[:-3] + "/code.js\n"
    return "".join(lines)


def dependency_lines(before: Iterable[Pair], after: Iterable[Pair]) -> str:
    return "\n".join(dependency_changes(dict(before), dict(after)))


def secret_lines(add: Iterable[str], update: Iterable[str], remove: Iterable[str]) -> str:
    lines = [f"+ {key} = {SENSITIVE}" for key in sorted(add)]
    lines += [f"~ {key} = {SENSITIVE}" for key in sorted(update)]
    lines += [f"- {key}" for key in sorted(remove)]
    return "\n".join(lines)
