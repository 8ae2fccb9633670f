"""The migration as file changes in deploy-cli's directory layout, shown as a diff, written on request.

``actions/<name>.json`` + ``actions/<name>/code.js`` per action, a binding appended to the first
``.json`` file in ``triggers/`` (deploy-cli reads only that one; a new ``triggers/triggers.json``
otherwise), and with ``--disable-hooks`` the hook's ``"enabled": true`` flipped in place.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import LayoutError
from reconciler.migrate.generate import Migrated


@dataclass(frozen=True)
class FileChange:
    path: Path  # as the user would write it (config dir joined)
    old: str | None  # None: a new file
    new: str
    root: Path | None = None  # the config directory: nothing is written outside it


def check_inside(root: Path, path: Path) -> None:
    """Refuse (one line) a path whose folders between ``root`` and the file include a symlink
    or lead outside ``root``: a config's ``actions/<name>/`` linked elsewhere must not make
    ``--write`` create files there."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        raise LayoutError(f"{path}: is outside the config directory {root}; not written") from None
    current = root
    for part in relative.parts[:-1]:
        current = current / part
        if current.is_symlink():
            raise LayoutError(f"{current}: is a symlink; migrate does not write through links")
    real_root, real_parent = os.path.realpath(root), os.path.realpath(path.parent)
    if real_parent != real_root and not real_parent.startswith(real_root.rstrip(os.sep) + os.sep):
        raise LayoutError(f"{path}: resolves outside the config directory {root}; not written")


def action_files(config: Path, migrated: Migrated) -> list[FileChange]:
    """The action's metadata and code, as deploy-cli exports them."""
    name = migrated.name
    document = {
        "name": name,
        "code": f"./actions/{name}/code.js",
        "runtime": "node22",
        "dependencies": [{"name": n, "version": v} for n, v in migrated.dependencies],
        "secrets": [{"name": n, "value": v} for n, v in migrated.secrets],
        "supported_triggers": [{"id": migrated.trigger, "version": "v2"}],
        "deployed": True,
    }
    return [
        _change(config / "actions" / f"{name}.json", json.dumps(document, indent=2) + "\n", config),
        _change(config / "actions" / name / "code.js", migrated.code, config),
    ]


def triggers_file(config: Path) -> Path:
    folder = config / "triggers"
    existing = sorted(p for p in folder.glob("*.json") if not p.name.startswith(".")) if folder.is_dir() else []
    return existing[0] if existing else folder / "triggers.json"


def bind(config: Path, bindings: list[tuple[str, str]]) -> FileChange | None:
    """``triggers.json`` with each (trigger, action) appended where it is not bound yet; never
    drops or reorders a binding. None when nothing changes."""
    path = triggers_file(config)
    check_inside(config, path)
    old = _read(path)
    data: dict[str, Any] = {}
    if old is not None:
        try:
            data = json.loads(old)
        except json.JSONDecodeError as error:
            raise LayoutError(f"{path}: not plain JSON ({error.msg}); add the bindings by hand") from None
        if not isinstance(data, dict):
            raise LayoutError(f"{path}: must be a JSON object of trigger -> bindings")
    changed = False
    for trigger, action in bindings:
        current = data.setdefault(trigger, [])
        if not isinstance(current, list):
            raise LayoutError(f"{path}: {trigger} must be a list of bindings")
        if any(isinstance(b, dict) and b.get("action_name") == action for b in current):
            continue
        current.append({"action_name": action, "display_name": action})
        changed = True
    if not changed:
        return None
    return FileChange(path, old, json.dumps(data, indent=2) + "\n", config)


_JSON_ENABLED = re.compile(r'("enabled"\s*:\s*)true\b')
_YAML_ENABLED = re.compile(r"^(\s*enabled\s*:\s*)(?:true|True|TRUE)\b", re.MULTILINE)


def disable_hook(metadata: Path) -> FileChange:
    """The hook's metadata with ``enabled`` set to false, the rest of the file as it was."""
    old = _read(metadata)
    if old is None:
        raise LayoutError(f"{metadata}: cannot be read to disable the hook")
    pattern = _JSON_ENABLED if metadata.suffix.lower() == ".json" else _YAML_ENABLED
    new, count = pattern.subn(r"\g<1>false", old)
    if count != 1:
        raise LayoutError(f"{metadata}: found {count} `enabled: true` fields; set enabled to false by hand")
    return FileChange(metadata, old, new)


def diff(changes: list[FileChange]) -> str:
    """One unified diff of every change (``git apply`` takes it from the directory migrate ran in)."""
    out: list[str] = []
    for change in changes:
        shown = change.path.as_posix()
        before = (change.old or "").splitlines(keepends=True)
        after = change.new.splitlines(keepends=True)
        lines = difflib.unified_diff(before, after, "/dev/null" if change.old is None else f"a/{shown}", f"b/{shown}")
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write(changes: list[FileChange]) -> None:
    """Write every change, each file atomically (a temporary file renamed over it)."""
    for change in changes:
        if change.root is not None:  # checked again: the tree may have changed since the diff
            check_inside(change.root, change.path)
        change.path.parent.mkdir(parents=True, exist_ok=True)
        if change.root is not None:
            check_inside(change.root, change.path)
        fd, temporary = tempfile.mkstemp(dir=change.path.parent, prefix=f".{change.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
                file.write(change.new)
            if change.old is not None:
                os.chmod(temporary, change.path.stat().st_mode & 0o777)
            else:
                os.chmod(temporary, 0o644)
            os.replace(temporary, change.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _change(path: Path, new: str, root: Path) -> FileChange:
    check_inside(root, path)
    return FileChange(path, _read(path), new, root)


def _read(path: Path) -> str | None:
    if path.is_symlink():
        raise LayoutError(f"{path}: is a symlink; migrate does not write through links")
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise LayoutError(f"{path}: cannot be read ({error})") from None
