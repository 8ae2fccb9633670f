"""Diffs people read: a script's unified diff and a dependency map's changes (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping


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
    """Readable lines such as ``+ axios 1.6.8`` / ``~ lodash 4.17.20 -> 4.17.21``.

    Dependencies are flat ``name -> version`` maps (the schema allows nothing else), so set
    operations say it all. DeepDiff was used here first; it cost half of planning 10,000
    hooks and reported a map whose every key changed as one change at its root.
    """
    lines = [f"+ {name} {after[name]}" for name in after.keys() - before.keys()]
    lines += [f"- {name} {before[name]}" for name in before.keys() - after.keys()]
    lines += [
        f"~ {name} {before[name]} -> {after[name]}"
        for name in before.keys() & after.keys()
        if before[name] != after[name]
    ]
    return sorted(lines, key=lambda line: line[2:])
