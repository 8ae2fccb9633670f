"""The live tenant written as a ``tenant-config/`` directory (deploy-cli layout).

Secret values cannot be read from Auth0, so each secret becomes a ``##KEY##`` keyword: set
``KEY`` in the environment (or ``AUTH0_KEYWORD_REPLACE_MAPPINGS``) before planning. Hooks
sharing a key name share the keyword, which is what a team reusing a name usually means;
the result names them so the user can split them.

Live scripts hold keyword values (they were filled on the way in). Every value given in
``AUTH0_KEYWORD_REPLACE_MAPPINGS`` is written back as its ``##KEY##``, so an export never
writes a known keyword value to disk, and planning the export with the same values is a no-op.

Names come from the server and are not trusted to choose where files go: a name that is not a
plain file name (``../x``, a slash, NUL, a leading dot, a Windows device name, ...) is written
under an encoded file name (``hook-<hash>``), its real name kept inside the JSON. Nothing is
written outside ``<directory>/hooks``, and no existing file is replaced without ``force``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.common.templates import masked
from reconciler.resources.export_files import make_dir, refuse_existing, safe_stems, write_new
from reconciler.resources.hooks.model import LiveState

__all__ = ["ExportResult", "existing_files", "export_live", "write_config", "write_hook"]


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    hooks: int
    keywords: tuple[str, ...]
    shared_keywords: Mapping[str, tuple[str, ...]]  # keyword -> the hooks that share it (2+)
    encoded: Mapping[str, str]  # hook name -> the safe file stem used instead


def existing_files(live: LiveState, directory: str | Path) -> list[Path]:
    """What exporting ``live`` to ``directory`` would replace (``--force`` needed)."""
    hooks_dir = Path(directory) / "hooks"
    stems = safe_stems([hook.name for hook in live.hooks], "hook")
    paths = (hooks_dir / f"{stem}{suffix}" for stem in stems.values() for suffix in (".json", ".js"))
    return [path for path in paths if os.path.lexists(path)]


def export_live(
    live: LiveState, directory: str | Path, values: Mapping[str, object] | None = None, *, force: bool = False
) -> ExportResult:
    """Write ``live`` under ``directory``; ``values`` (keyword -> value) are masked back to ``##KEY##``."""
    hooks_dir = Path(directory) / "hooks"
    hooks = sorted(live.hooks, key=lambda h: h.name)
    stems = safe_stems([hook.name for hook in hooks], "hook")
    if not force:
        refuse_existing(hooks_dir, existing_files(live, directory))
    make_dir(hooks_dir)
    users: dict[str, list[str]] = {}
    for hook in hooks:
        keys = sorted(user_keys(hook.secret_keys))
        for key in keys:
            users.setdefault(key, []).append(hook.name)
        metadata = {
            "name": hook.name,
            "triggerId": hook.trigger_id,
            "enabled": hook.enabled,
            "script": "",  # set by write_hook; here for the key order
            "dependencies": dict(hook.dependencies),
            "secrets": {key: f"##{key}##" for key in keys},
        }
        try:
            write_hook(hooks_dir, metadata, masked(hook.script, values or {}), stem=stems[hook.name])
        except OSError as error:
            raise ReconcilerError(
                f"{hooks_dir}: cannot write {stems[hook.name]} ({error.strerror})"
            ) from None
    return ExportResult(
        Path(directory),
        len(hooks),
        tuple(sorted(users)),
        {key: tuple(names) for key, names in sorted(users.items()) if len(names) > 1},
        {name: stem for name, stem in stems.items() if stem != name},
    )


def write_config(directory: str | Path, hooks: Iterable[Mapping[str, Any]]) -> Path:
    """A config directory from hook dicts whose ``script`` is the source text (tests, benches,
    generators). Replaces whatever ``directory/hooks`` held."""
    hooks_dir = Path(directory) / "hooks"
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for old in hooks_dir.iterdir():
        old.unlink()
    for hook in hooks:
        write_hook(hooks_dir, dict(hook), hook["script"])
    return Path(directory)


def write_hook(hooks_dir: Path, metadata: dict[str, Any], script: str, *, stem: str | None = None) -> None:
    """One hook in deploy-cli's layout: ``<stem>.json`` pointing at ``./<stem>.js`` (stem: the
    name, by default). A file already there is replaced, a symlink there is never followed."""
    stem = stem or metadata["name"]
    write_new(hooks_dir / f"{stem}.js", script)
    metadata = {**metadata, "script": f"./{stem}.js"}
    write_new(hooks_dir / f"{stem}.json", json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
