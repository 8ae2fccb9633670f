"""Loading and validating a config (``reconciler validate``, and the first step of plan and
apply): every registered type with a ``load`` reads its part, in planning order, and the
states make the ``Desired`` mapping. Never raises for bad input, never touches the network."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from reconciler.keywords import KeywordError, Keywords
from reconciler.problems import Findings, Problem, error, soften
from reconciler.resources.base import Desired
from reconciler.resources.builtin import registry
from reconciler.resources.common.documents import read_document
from reconciler.variables import MAPPINGS_VAR


@dataclass(frozen=True)
class Validation(Findings):
    desired: Desired | None  # every type's state; None when any problem is an error
    problems: tuple[Problem, ...]
    filled_keywords: tuple[str, ...] = ()  # keywords given a dummy value by fill_missing
    summaries: tuple[str, ...] = ()  # each type's words for what it checked, in planning order


def check(
    config: str | os.PathLike[str],
    env: Mapping[str, object] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
    offline: bool = False,
) -> Validation:
    """Every type's part of ``config`` loaded and validated; all problems at once.

    ``offline`` (``reconciler validate``, like ``terraform validate``): a keyword without a
    value is a note, not an error. ``env``: where keyword values come from
    (``Settings.keyword_source()`` in the CLI); never the process environment implicitly."""
    try:
        keywords = Keywords.from_env({} if env is None else env, fill_missing)
    except KeywordError as exc:
        return Validation(None, (error(MAPPINGS_VAR, "(environment)", str(exc)),))
    nothing = _nothing_to_manage(config)
    if nothing is not None:
        return Validation(None, (nothing,), keywords.filled)
    broken = _yaml_without_keys(config, keywords)
    if broken:
        return Validation(None, broken, keywords.filled)
    states: dict[str, object] = {}
    problems: list[Problem] = []
    summaries: list[str] = []
    try:
        for resource in registry().planning_order():
            if resource.load is None:
                continue
            loaded = resource.load(config, keywords, offline=offline)
            states[resource.name] = loaded.state
            problems.extend(loaded.problems)
            summaries += [loaded.summary] if loaded.summary else []
    except OSError as exc:  # a file vanished or became unreadable mid-run: still no traceback
        reason = exc.strerror or type(exc).__name__
        where = exc.filename or os.fspath(config)
        return Validation(None, (error(where, "(file)", f"cannot be read: {reason}"),), keywords.filled)
    found = tuple(dict.fromkeys(soften(problems) if offline else problems))  # one message per fact
    desired = None if any(p.is_error for p in found) else MappingProxyType(states)  # read-only
    return Validation(desired, found, keywords.filled, tuple(summaries))


def _nothing_to_manage(config: str | os.PathLike[str]) -> Problem | None:
    """A config path that does not exist, or a directory with none of any type's folders."""
    shown = os.fspath(config)
    if not os.path.exists(config):
        return error(shown, "(config)", "does not exist")
    if not os.path.isdir(config):
        return None  # a YAML file: each type reads its own key
    folders = [folder for resource in registry().planning_order() for folder in resource.folders]
    if not folders or any(os.path.lexists(os.path.join(config, folder)) for folder in folders):
        return None
    layout = ", ".join(part for resource in registry().planning_order() for part in resource.layout)
    others = " or ".join(f"{folder}/" for folder in folders[1:])
    return error(Path(config), folders[0], f"has no {folders[0]}/ directory, nor {others} "
                 f"(expected auth0-deploy-cli's layout: {layout})")


def _yaml_without_keys(config: str | os.PathLike[str], keywords: Keywords) -> tuple[Problem, ...]:
    """A YAML file that cannot be read, or has none of any type's top-level keys (then
    nothing to manage). Other keys (deploy-cli's ``clients:``, ``tenant:``, ...) are left
    alone: a file exported for every resource of a tenant stays usable."""
    path = Path(config)
    if path.is_dir() or path.suffix.lower() not in (".yaml", ".yml"):
        return ()  # a directory, or a file the types refuse by name
    shown = os.fspath(config)
    try:
        doc = read_document(path, shown, keywords, only_under="")
    except OSError:
        return ()  # the types say why it cannot be read
    if not doc.ok:
        return tuple(doc.problems)
    keys = [key for resource in registry().planning_order() for key in resource.yaml_keys]
    if not keys or isinstance(doc.data, dict) and any(key in doc.data for key in keys):
        return ()
    others = " or ".join(f"`{key}:`" for key in keys[1:])
    return (error(shown, keys[0], f"has no top-level `{keys[0]}:` list{f', nor {others}' if others else ''} "
                  "(auth0-deploy-cli YAML format)"),)
