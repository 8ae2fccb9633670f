"""Read a tenant config (auth0-deploy-cli directory or YAML layout) into per-hook documents.

Reading never raises for bad input: every problem becomes a ``Problem`` anchored to a file.
Turning documents into ``Hook`` objects happens only after validation (``validate.check``).

Metadata is parsed once, with keywords kept as strings ("raw": what git holds, e.g. literal
secrets); keyword values are then filled into the parsed strings (what Auth0 will get), so no
value can change the file's structure or lose a newline, a quote or a backslash. Scripts stay
templates (``reconciler.resources.common.templates``): their keyword values travel beside them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.keywords import Keywords
from reconciler.problems import Problem, error
from reconciler.resources.common.documents import Source, config_files, os_reason, read_config_file, read_document
from reconciler.resources.common.parse import kind_bare
from reconciler.resources.hooks.model import Hook

METADATA_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Loaded:
    sources: tuple[Source, ...]
    problems: tuple[Problem, ...]
    source: str  # the config path as given
    # False for a config without hooks/ (or a YAML file without `hooks:`): hooks are then not
    # managed at all, as in deploy-cli: not read, not planned, never deleted.
    manages_hooks: bool = True


def read_config(config: str | os.PathLike[str], keywords: Keywords) -> Loaded:
    """All hook documents in ``config`` (a directory or a YAML file), and the problems met."""
    given = Path(config)
    shown = os.fspath(config)
    try:
        if given.is_dir():
            return _read_directory(given, keywords)
        if given.suffix.lower() in (".yaml", ".yml"):
            return _read_yaml_file(given, keywords)
        return Loaded(
            (),
            (error(shown, "(config)", "must be a directory (with hooks/) or a .yaml/.yml file"),),
            shown,
        )
    except OSError as exc:
        return Loaded((), (error(shown, "(config)", f"cannot be read: {os_reason(exc)}"),), shown)


def _read_directory(config: Path, keywords: Keywords) -> Loaded:
    hooks_dir = config / "hooks"
    if not hooks_dir.is_dir():
        if not os.path.lexists(hooks_dir):  # a config with no type's folder is refused by the use case
            return Loaded((), (), str(config), manages_hooks=False)  # hooks are not managed
        # Worded as the Actions loader words its folders: this type speaks only of its own.
        msg = "must be a directory (auth0-deploy-cli's hooks/ folder: hooks/<name>.json next to <name>.js)"
        return Loaded((), (error(hooks_dir, "(dir)", msg),), str(config))
    root = os.path.realpath(config)
    hooks_real = os.path.realpath(hooks_dir)
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in config_files(hooks_dir, METADATA_SUFFIXES, root, hooks_real, problems):
        doc = read_config_file(path, keywords, problems)
        if doc is not None:
            sources.append(
                Source(str(path), "", hooks_dir, str(hooks_dir), root, doc.data, doc.raw, doc.unresolved_under(""), hooks_real)
            )
    return Loaded(tuple(sources), tuple(problems), str(config))


def _read_yaml_file(config: Path, keywords: Keywords) -> Loaded:
    shown = str(config)
    doc = read_document(config, shown, keywords, only_under="hooks")
    if not doc.ok:
        return Loaded((), tuple(doc.problems), shown)
    problems = list(doc.problems)
    if not isinstance(doc.data, dict) or "hooks" not in doc.data:
        # Hooks not managed (another type's file); a file with no type's key at all is refused
        # by the use case before any type reads it.
        return Loaded((), tuple(problems), shown, manages_hooks=False)
    hooks = doc.data["hooks"]
    raw_hooks = doc.raw.get("hooks") if isinstance(doc.raw, dict) else None
    if hooks is None:
        hooks = []  # `hooks:` with nothing under it: no hooks wanted
    if not isinstance(hooks, list):
        problems.append(error(shown, "hooks", f"must be a list of hooks, got {kind_bare(hooks)}"))
        return Loaded((), tuple(problems), shown)
    aligned = isinstance(raw_hooks, list) and len(raw_hooks) == len(hooks)
    root = os.path.dirname(os.path.realpath(config))
    sources = []
    for i, item in enumerate(hooks):
        prefix = f"hooks[{i}]."
        raw = raw_hooks[i] if aligned else None  # type: ignore[index]
        sources.append(
            Source(shown, prefix, config.parent, str(config.parent), root, item, raw, doc.unresolved_under(prefix), root)
        )
    return Loaded(tuple(sources), tuple(problems), shown)


def build_hook(
    source: Source, script: str, values: dict[str, object] | None = None, unknown: frozenset[str] = frozenset(),
    *, secrets_from: str = "",
) -> Hook:
    """A Hook from a document that passed validation; ``script`` is the template."""
    data = source.data
    return Hook(
        name=data["name"],
        trigger_id=data["triggerId"],
        script=script,
        enabled=data.get("enabled", False),
        dependencies=data.get("dependencies") or {},
        secrets=data.get("secrets") or {},
        source=source.path,
        script_values=values or {},
        unknown_keywords=unknown,
        secrets_from=secrets_from,
    )


