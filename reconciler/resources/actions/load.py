"""Read the Actions half of a config: deploy-cli's directory layout or its single YAML file.

Directory (what ``a0deploy export`` writes)::

    actions/<name>.json        {"name", "code": "./actions/<name>/code.js", "runtime", ...}
    actions/<name>/code.js
    triggers/triggers.json     {"post-login": [{"action_name", "display_name"}], ...}

deploy-cli resolves ``code`` first against ``actions/<name>/`` and then as written (relative to
where it runs, normally the config root); we try the same two places, both inside the config
directory. Only ``.json`` files are read from ``actions/``, and only the first ``.json`` file
(by name) from ``triggers/``, as deploy-cli does. In the YAML format ``code`` is relative to the
YAML file. Reading uses the shared defensive readers (``reconciler.resources.common.documents``:
size caps, symlinks, keywords, duplicate keys, YAML tags): a problem is returned, never raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.keywords import Keywords
from reconciler.problems import Problem, error, warning
from reconciler.resources.common.documents import (
    Source,
    config_files,
    inside,
    os_reason,
    read_config_file,
    read_document,
    read_script,
)
from reconciler.resources.common.parse import kind_bare as _kind

ACTIONS_DIR = "actions"
TRIGGERS_DIR = "triggers"


@dataclass(frozen=True)
class Read:
    """What the config holds about Actions, before validation."""

    actions: tuple[Source, ...] = ()  # one per action document
    triggers: Source | None = None  # the bindings document, None when not managed
    problems: tuple[Problem, ...] = ()
    manages_actions: bool = False  # actions/ (or `actions:`) present: its absence leaves actions alone
    code_bases: tuple[tuple[Path, ...], ...] = ()  # per action: where `code` may be relative to


@dataclass(frozen=True)
class Code:
    template: str | None  # the source as in git (keywords unfilled); None when unusable
    values: dict[str, object]  # keyword -> value, for the keywords the template uses
    problems: tuple[Problem, ...] = ()
    unknown: frozenset[str] = frozenset()  # keywords given a placeholder (--allow-missing-keywords)


def present(config: str | os.PathLike[str]) -> bool:
    """Whether a config directory has an Actions part (for the "nothing to manage" check)."""
    return any(os.path.lexists(os.path.join(config, d)) for d in (ACTIONS_DIR, TRIGGERS_DIR))


def read_actions(config: str | os.PathLike[str], keywords: Keywords) -> Read:
    given = Path(config)
    try:
        if given.is_dir():
            return _read_directory(given, keywords)
        if given.suffix.lower() in (".yaml", ".yml") and given.is_file():
            return _read_yaml(given, keywords)
    except OSError as exc:
        return Read(problems=(error(os.fspath(config), "(config)", f"cannot be read: {os_reason(exc)}"),))
    return Read()  # a missing or odd config path: the hook loader reports it


# --- directory layout ----------------------------------------------------------------------


def _read_directory(config: Path, keywords: Keywords) -> Read:
    root = os.path.realpath(config)
    problems: list[Problem] = []
    sources: list[Source] = []
    bases: list[tuple[Path, ...]] = []
    actions_dir, triggers_dir = config / ACTIONS_DIR, config / TRIGGERS_DIR
    manages = os.path.lexists(actions_dir)
    if manages:
        for path, data, raw, unresolved in _documents(actions_dir, root, keywords, problems, ACTIONS_DIR):
            sources.append(Source(str(path), "", config, str(config), root, data, raw, unresolved, root))
            name = data.get("name") if isinstance(data, dict) else None
            own = (actions_dir / name,) if isinstance(name, str) and name and "/" not in name and name not in (".", "..") else ()
            bases.append((*own, config))
    triggers: Source | None = None
    if os.path.lexists(triggers_dir):
        found = _documents(triggers_dir, root, keywords, problems, TRIGGERS_DIR, first_only=True)
        if found:
            path, data, raw, unresolved = found[0]
            triggers = Source(str(path), "", config, str(config), root, data, raw, unresolved, root)
        elif os.path.isdir(triggers_dir):
            problems.append(warning(triggers_dir, "(dir)", "has no .json file: no trigger bindings are managed"))
    return Read(tuple(sources), triggers, tuple(problems), manages, tuple(bases))


def _documents(
    folder: Path, root: str, keywords: Keywords, problems: list[Problem], what: str, *, first_only: bool = False
) -> list[tuple[Path, Any, Any, frozenset[str]]]:
    """The parsed .json documents of ``folder`` in name order, each checked like a hook file."""
    if not folder.is_dir():
        problems.append(error(folder, "(dir)", f"must be a directory (auth0-deploy-cli's {what}/ folder)"))
        return []
    folder_real = os.path.realpath(folder)
    if not inside(folder_real, root):
        problems.append(error(folder, "(dir)", "is a symlink that resolves outside the config directory"))
        return []
    out: list[Any] = []
    for path in config_files(folder, (".json",), root, folder_real, problems):
        if first_only and out:
            problems.append(warning(str(path), "(file)", f"is ignored: only the first .json file in {what}/ is read ({out[0][0].name}), as deploy-cli does"))
            continue
        doc = read_config_file(path, keywords, problems)
        if doc is not None:
            out.append((path, doc.data, doc.raw, doc.unresolved_under("")))
    return out


# --- single YAML file ----------------------------------------------------------------------


def _read_yaml(config: Path, keywords: Keywords) -> Read:
    shown = str(config)
    root = os.path.dirname(os.path.realpath(config))
    problems: list[Problem] = []
    sources: list[Source] = []
    manages = False
    triggers: Source | None = None
    for key in ("actions", "triggers"):
        doc = read_document(config, shown, keywords, only_under=key)
        if not doc.ok or not isinstance(doc.data, dict) or doc.data.get(key) is None:
            # A broken file, or one with none of any type's keys, is reported by the use case
            # (``usecases.validating``) before any type reads it; `key: null` is deploy-cli's
            # "not managed".
            continue
        problems.extend(p for p in doc.problems if p.field == key or p.field.startswith((f"{key}.", f"{key}[")))
        data, raw = doc.data[key], doc.raw.get(key) if isinstance(doc.raw, dict) else None
        if key == "triggers":
            triggers = Source(shown, "triggers.", config.parent, str(config.parent), root, data, raw,
                              doc.unresolved_under("triggers."), root)
            continue
        manages = True
        if not isinstance(data, list):
            problems.append(error(shown, "actions", f"must be a list of actions, got {_kind(data)}"))
            continue
        aligned = isinstance(raw, list) and len(raw) == len(data)
        for i, item in enumerate(data):
            prefix = f"actions[{i}]."
            sources.append(Source(shown, prefix, config.parent, str(config.parent), root, item,
                                  raw[i] if aligned else None, doc.unresolved_under(prefix), root))  # type: ignore[index]
    bases = tuple((config.parent,) for _ in sources)
    return Read(tuple(sources), triggers, tuple(problems), manages, bases)


# --- code ----------------------------------------------------------------------------------


class _CodeSource(Source):
    """The action's metadata as the shared script reader expects it, naming the field `code`."""

    def field(self, name: str) -> str:
        return super().field("code" if name == "script" else name)


_CODE_STARTS = ("exports.", "module.exports", "const ", "let ", "var ", "require(", "async ", "function", "/*", "//")


def read_code(source: Source, code: str, bases: tuple[Path, ...], keywords: Keywords) -> Code:
    """The action's code template and keyword values, or why it can't be used."""
    if "\n" in code or code.lstrip().startswith(_CODE_STARTS):
        msg = 'must be the path of the code file (e.g. "./actions/<name>/code.js"), not the code itself'
        return Code(None, {}, (error(source.path, source.field("code"), msg),))
    candidates = [_code_source(source, base) for base in bases] or [_code_source(source, source.base_dir)]
    chosen = next((c for c in candidates if os.path.lexists(os.path.join(c.base_dir, code))), candidates[-1])
    # read_script keeps the template and carries its keywords' values beside it.
    result = read_script(chosen, code, keywords)
    if result.text is None:
        return Code(None, {}, result.problems)
    return Code(result.text, dict(result.values), result.problems, result.unknown)


def _code_source(source: Source, base: Path) -> _CodeSource:
    real = os.path.realpath(base)
    return _CodeSource(source.path, source.prefix, base, str(base), source.root, source.data, source.raw,
                       source.unresolved, real)
