"""Field-by-field differences between one desired hook and its live counterpart (pure)."""

from __future__ import annotations

from reconciler.core.changes import FieldChange
from reconciler.resources.common.diff import dependency_changes, script_diff
from reconciler.resources.common.templates import FULL_VIEW, LiveView, matches, shown_live
from reconciler.resources.hooks.model import Hook, LiveHook
from reconciler.text import SENSITIVE


def script_differs(desired: Hook, live_script: str) -> bool:
    """Whether the live script is not what the desired template produces (unknown keywords
    match whatever the live script holds at their place)."""
    return not matches(desired.script, desired.script_values, desired.unknown_keywords, live_script)


def script_change_diff(desired: Hook, live_script: str | None, view: LiveView = FULL_VIEW) -> str:
    """The diff people see: the template against the live script with keyword values put
    back as keywords, so no value is ever shown. A change of values only is named by keyword."""
    if live_script is None:
        return script_diff("", desired.script, desired.name)
    shown, differ = shown_live(desired.script, desired.script_values, live_script, view)
    text = script_diff(shown, desired.script, desired.name)
    lines = [f"~ keyword {key}: value changed {SENSITIVE}" for key in differ if key not in desired.unknown_keywords]
    return text + "".join(line + "\n" for line in lines)


def content_changes(desired: Hook, live: LiveHook, view: LiveView = FULL_VIEW) -> list[FieldChange]:
    """Changes to what PATCH can set besides ``enabled``: name, script, dependencies. ``view``:
    how much of the live script may be shown (see ``templates.LiveView``)."""
    changes: list[FieldChange] = []
    if desired.name != live.name:
        changes.append(FieldChange("name", live.name, desired.name))
    if script_differs(desired, live.script):
        changes.append(FieldChange("script", None, None, script_change_diff(desired, live.script, view)))
    if dict(desired.dependencies) != dict(live.dependencies):
        changes.append(
            FieldChange(
                "dependencies",
                dict(live.dependencies),
                dict(desired.dependencies),
                "\n".join(dependency_changes(live.dependencies, desired.dependencies)),
            )
        )
    return changes
