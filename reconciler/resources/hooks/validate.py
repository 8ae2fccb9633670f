"""Validation: the JSON Schema plus the rules a schema can't express, all problems at once.

``load()`` is the hooks type's part of loading a config (every type's:
``reconciler.usecases.validating.check``); ``check()`` runs it alone. Neither raises for bad
input nor touches the network: the state is the DesiredState only when there are no errors.

This module is the driver; the rules live in
``schema`` (the JSON Schema, with ``schema_fast`` and ``schema_messages``) and ``rules``
(secrets, unique names, one enabled hook per trigger).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reconciler.keywords import KeywordError, Keywords, unknown_whole
from reconciler.problems import Findings, Problem, error, soften
from reconciler.resources.base import TypeLoad
from reconciler.resources.common.documents import read_script
from reconciler.resources.common.templates import keys_in
from reconciler.resources.hooks.load import Loaded, build_hook, read_config
from reconciler.resources.hooks.model import DesiredState, Hook
from reconciler.resources.hooks.rules import duplicate_names, enabled_per_trigger, secret_problems
from reconciler.resources.hooks.schema import schema_problems as _schema_problems
from reconciler.text import plural
from reconciler.variables import MAPPINGS_VAR

__all__ = ["Report", "check", "load"]


@dataclass(frozen=True)
class Report(Findings):
    state: DesiredState | None  # None when errors prevent building it
    problems: tuple[Problem, ...]
    filled_keywords: tuple[str, ...] = ()  # keywords given a dummy value by fill_missing
    hooks_checked: int = 0  # hook documents read (with ``offline``, some are not built)


def check(
    config: str | os.PathLike[str],
    env: Mapping[str, object] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
    offline: bool = False,
) -> Report:
    """Load and validate the hooks of ``config``; every problem found, and the DesiredState if
    none is an error (``reconciler.usecases.validating.check`` checks every type).

    ``offline`` (``reconciler validate``, like ``terraform validate``): a keyword without a
    value is a note, not an error; hooks whose metadata needs one are checked, not built.
    ``env``: where keyword values come from (``Settings.keyword_source()`` in the CLI); never
    the process environment implicitly."""
    env = {} if env is None else env
    try:
        keywords = Keywords.from_env(env, fill_missing)
    except KeywordError as exc:
        return Report(None, (error(MAPPINGS_VAR, "(environment)", str(exc)),))
    try:
        return _check(read_config(config, keywords), keywords, offline)
    except OSError as exc:  # a file vanished or became unreadable mid-run: still no traceback
        reason = exc.strerror or type(exc).__name__
        where = exc.filename or os.fspath(config)
        return Report(None, (error(where, "(file)", f"cannot be read: {reason}"),), keywords.filled)


def _check(loaded: Loaded, keywords: Keywords, offline: bool = False) -> Report:
    problems: list[Problem] = list(loaded.problems)
    hooks: list[Hook] = []
    for source in loaded.sources:
        secrets_from = unknown_whole(source.data, "secrets")
        if secrets_from:  # "secrets": "@@LIST@@" without a value: the keys are unknown, not wrong
            source = dataclasses.replace(source, data={**source.data, "secrets": {}})
        hook_problems = list(_schema_problems(source))
        script = source.data.get("script") if isinstance(source.data, dict) else None
        result = None
        if isinstance(script, str) and script and "script" not in source.unresolved:
            result = read_script(source, script, keywords)
            hook_problems.extend(result.problems)
        hook_problems.extend(secret_problems(source))
        if offline:  # unset keywords become notes; the script's count as unknown values
            hook_problems = soften(hook_problems)
        problems.extend(hook_problems)
        if result is not None and result.text is not None and not any(p.is_error for p in hook_problems) and not source.unresolved:
            unknown = result.unknown | (keys_in(result.text) - set(result.values))
            hooks.append(build_hook(source, result.text, result.values, unknown, secrets_from=secrets_from or ""))
    problems.extend(duplicate_names(loaded.sources))
    problems.extend(enabled_per_trigger(loaded.sources))
    if offline:
        problems = soften(problems)
    problems = list(dict.fromkeys(problems))  # one message per fact
    ok = not any(p.is_error for p in problems)
    state = DesiredState(tuple(hooks), loaded.source, manages_hooks=loaded.manages_hooks) if ok else None
    return Report(state, tuple(problems), keywords.filled, len(loaded.sources))


def load(config: str | os.PathLike[str], keywords: Keywords, *, offline: bool = False) -> TypeLoad:
    """The hooks type's ``load`` (``reconciler.resources.base.Load``)."""
    loaded = read_config(config, keywords)
    report = _check(loaded, keywords, offline)
    # A config without hooks/ says nothing of hooks ("0 hooks valid" would read as managed).
    said = loaded.manages_hooks or report.hooks_checked
    return TypeLoad(report.state, report.problems, f"{plural(report.hooks_checked, 'hook')} valid" if said else "")
