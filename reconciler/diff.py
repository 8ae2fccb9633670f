"""Field-by-field differences between one desired hook and its live counterpart (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Mapping

from deepdiff import DeepDiff

from reconciler.model import Hook, LiveHook


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. Secret fields carry key names only, never values."""

    field: str
    before: Any
    after: Any
    diff: str = ""  # unified diff, for scripts

    def to_dict(self) -> dict[str, Any]:
        data = {"field": self.field, "before": self.before, "after": self.after}
        if self.diff:
            data["diff"] = self.diff
        return data


def script_diff(before: str, after: str, name: str) -> str:
    """A unified diff of two scripts, labelled like git's."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"live/{name}.js",
        tofile=f"desired/{name}.js",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def dependency_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Readable lines such as ``+ axios 1.6.8`` / ``~ lodash 4.17.20 -> 4.17.21``."""
    if all(isinstance(v, str) for v in (*before.values(), *after.values())):
        # Flat name -> version maps (all a valid config or the API has): a set comparison,
        # same lines as DeepDiff. DeepDiff costs ~0.3 ms a call, half of planning 10,000 hooks.
        lines = [f"+ {k} {after[k]}" for k in after.keys() - before.keys()]
        lines += [f"- {k} {before[k]}" for k in before.keys() - after.keys()]
        lines += [f"~ {k} {before[k]} -> {after[k]}" for k in before.keys() & after.keys() if before[k] != after[k]]
        return sorted(lines, key=lambda line: line[2:])
    delta = DeepDiff(dict(before), dict(after), verbose_level=2)
    lines: list[str] = []
    for path, version in delta.get("dictionary_item_added", {}).items():
        lines.append(f"+ {_key(path)} {version}")
    for path, version in delta.get("dictionary_item_removed", {}).items():
        lines.append(f"- {_key(path)} {version}")
    for path, change in delta.get("values_changed", {}).items():
        lines.append(f"~ {_key(path)} {change['old_value']} -> {change['new_value']}")
    for path, change in delta.get("type_changes", {}).items():
        lines.append(f"~ {_key(path)} {change['old_value']} -> {change['new_value']}")
    return sorted(lines, key=lambda line: line[2:])


def _key(deepdiff_path: str) -> str:
    # DeepDiff paths look like root['axios'].
    return deepdiff_path[len("root['") : -len("']")]


def content_changes(desired: Hook, live: LiveHook) -> list[FieldChange]:
    """Changes to what PATCH can set besides ``enabled``: name, script, dependencies."""
    changes: list[FieldChange] = []
    if desired.name != live.name:
        changes.append(FieldChange("name", live.name, desired.name))
    if desired.script != live.script:
        changes.append(
            FieldChange("script", None, None, script_diff(live.script, desired.script, desired.name))
        )
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
