"""The live tenant written as a ``tenant-config/`` directory (deploy-cli layout).

Secret values cannot be read from Auth0, so each secret becomes a ``##KEY##`` keyword: set
``KEY`` in the environment (or ``AUTH0_KEYWORD_REPLACE_MAPPINGS``) before planning. Hooks
sharing a key name share the keyword, which is what a team reusing a name usually means.

Live scripts hold keyword values (they were filled on the way in). Every value given in
``AUTH0_KEYWORD_REPLACE_MAPPINGS`` is written back as its ``##KEY##``, so an export never
writes a known keyword value to disk, and planning the export with the same values is a no-op.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from reconciler.errors import ReconcilerError
from reconciler.model import LiveState
from reconciler.secrets import user_keys
from reconciler.templates import masked


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    hooks: int
    keywords: tuple[str, ...]


def export_live(live: LiveState, directory: str | Path, values: Mapping[str, object] | None = None) -> ExportResult:
    hooks_dir = Path(directory) / "hooks"
    try:
        hooks_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReconcilerError(f"{hooks_dir}: cannot create directory ({error.strerror})") from None
    keywords: set[str] = set()
    for hook in sorted(live.hooks, key=lambda h: h.name):
        keys = sorted(user_keys(hook.secret_keys))
        keywords.update(keys)
        metadata = {
            "name": hook.name,
            "triggerId": hook.trigger_id,
            "enabled": hook.enabled,
            "script": f"./{hook.name}.js",
            "dependencies": dict(hook.dependencies),
            "secrets": {key: f"##{key}##" for key in keys},
        }
        try:
            write_hook(hooks_dir, metadata, masked(hook.script, values or {}))
        except OSError as error:
            raise ReconcilerError(f"{hooks_dir}: cannot write {hook.name} ({error.strerror})") from None
    return ExportResult(Path(directory), len(live.hooks), tuple(sorted(keywords)))


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


def write_hook(hooks_dir: Path, metadata: dict[str, Any], script: str) -> None:
    """One hook in deploy-cli's layout: ``<name>.json`` pointing at ``./<name>.js``."""
    name = metadata["name"]
    (hooks_dir / f"{name}.js").write_text(script, encoding="utf-8")
    metadata = {**metadata, "script": f"./{name}.js"}
    (hooks_dir / f"{name}.json").write_text(
        json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
