"""The migration's last step: a config that deletes the hooks (``migrate --retire-hooks``).

Removing ``hooks/`` would not do it: without the directory hooks are not managed at all
(deploy-cli's rule), so they keep running. What deletes them is a *managed, empty* ``hooks/``:
both this tool and deploy-cli read only the metadata files there (``.json``; this tool also
``.yaml``), so a directory holding just ``README.md`` is an empty list of hooks, and a plan
with ``--allow-delete`` deletes every live hook. Git keeps no empty directory, hence the file.

Refused while a hook of the config has no action of its name yet: retiring it would delete
a hook whose work nothing has taken over.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import MigrateError
from reconciler.migrate.layout import check_inside
from reconciler.runner.targets import load_templates

MARKER = "README.md"
MARKER_TEXT = """\
# Hooks retired

This directory holds no hook on purpose. Because it exists, Hooks are managed, and the
config wants none: `reconciler plan --allow-delete` (and auth0-deploy-cli with
AUTH0_ALLOW_DELETE) deletes every live hook. Do not remove the directory: without it Hooks
are not managed at all and live hooks keep running.

Written by `reconciler migrate --retire-hooks`; see docs/migration-last-mile.md.
"""


@dataclass(frozen=True)
class Retirement:
    hooks_dir: Path
    removed: tuple[tuple[Path, str], ...]  # each file under hooks/ and its text, for the diff
    marker_old: str | None  # README.md as it is (None: new)

    @property
    def changes(self) -> int:
        return len(self.removed) + (self.marker_old != MARKER_TEXT)


def plan_retirement(config: str) -> Retirement:
    """What retiring the hooks would change; nothing is written."""
    root = Path(config)
    hooks_dir = root / "hooks"
    if not root.is_dir():
        raise MigrateError(f"{config}: --retire-hooks needs a config directory (in a YAML file, set `hooks: []` by hand)")
    if hooks_dir.is_symlink() or (hooks_dir.exists() and not hooks_dir.is_dir()):
        raise MigrateError(f"{hooks_dir}: is not a plain directory; retire the hooks by hand")
    if hooks_dir.is_dir():
        _check_migrated(config)
    removed: list[tuple[Path, str]] = []
    marker_old: str | None = None
    for path in _files(hooks_dir):
        if path == hooks_dir / MARKER:
            marker_old = _text(path)
        else:
            removed.append((path, _text(path)))
    return Retirement(hooks_dir, tuple(removed), marker_old)


def _check_migrated(config: str) -> None:
    state = load_templates(config)
    hooks = list(state["hook"].hooks) if state.get("hook") else []
    actions = state["action"].by_name() if state.get("action") else {}
    missing = sorted(h.name for h in hooks if h.name not in actions)
    if missing:
        raise MigrateError(
            f"not retired: {len(missing)} hook(s) have no action yet ({', '.join(missing)}); "
            "run `reconciler migrate --write` first, or delete those hooks' files by hand"
        )
    # An enabled hook whose action is not bound on its trigger is what runs there (a rollback,
    # or an action a person must finish): deleting it would leave the trigger running nothing.
    desired_actions = state.get("action")
    bound = {
        (trigger, name)
        for trigger in getattr(desired_actions, "managed_triggers", ())
        for name, _ in desired_actions.bindings.get(trigger)
    } if desired_actions is not None else set()
    running = sorted(f"{h.name} ({h.trigger_id})" for h in hooks if h.enabled and (h.trigger_id, h.name) not in bound)
    if running:
        raise MigrateError(
            f"not retired: {len(running)} hook(s) still do the work of their trigger, with no action of "
            f"theirs bound there ({', '.join(running)}); bind the action in triggers/triggers.json "
            "(or disable the hook) first"
        )


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for parent, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        found.extend(Path(parent) / name for name in sorted(names))
        # A linked directory is listed as a file to remove (the link, never what it points to).
        found.extend(Path(parent) / d for d in dirs if (Path(parent) / d).is_symlink())
    return sorted(found)


def _text(path: Path) -> str:
    if path.is_symlink():
        return ""
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError as error:
        raise MigrateError(f"{path}: cannot be read ({error.strerror or error})") from None


def diff(retirement: Retirement) -> str:
    """A unified diff of the retirement (deleted files, then the README)."""
    out: list[str] = []
    for path, text in retirement.removed:
        out.extend(difflib.unified_diff(text.splitlines(keepends=True), [], f"a/{path.as_posix()}", "/dev/null"))
    if retirement.marker_old != MARKER_TEXT:
        marker = (retirement.hooks_dir / MARKER).as_posix()
        before = (retirement.marker_old or "").splitlines(keepends=True)
        out.extend(difflib.unified_diff(before, MARKER_TEXT.splitlines(keepends=True),
                                        "/dev/null" if retirement.marker_old is None else f"a/{marker}", f"b/{marker}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def write_retirement(retirement: Retirement, config: str) -> None:
    """Delete every file under hooks/ but the README, their emptied folders, and write it."""
    root = Path(config)
    for path, _ in retirement.removed:
        check_inside(root, path)
        path.unlink(missing_ok=True)
    for parent, dirs, _ in os.walk(retirement.hooks_dir, topdown=False):
        for name in dirs:
            folder = Path(parent) / name
            if not folder.is_symlink() and not any(folder.iterdir()):
                folder.rmdir()
    retirement.hooks_dir.mkdir(parents=True, exist_ok=True)
    marker = retirement.hooks_dir / MARKER
    check_inside(root, marker)
    marker.write_text(MARKER_TEXT, encoding="utf-8")
