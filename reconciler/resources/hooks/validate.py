"""Validation: the JSON Schema plus the rules a schema can't express, all problems at once.

``check()`` never raises for bad input and never touches the network: it returns a
``Report`` whose ``state`` is the DesiredState only when there are no errors.

This module is the driver (and the import path other modules and tests use); the rules live in
``schema`` (the JSON Schema, with ``schema_fast`` and ``schema_messages``) and ``rules``
(secrets, unique names, one enabled hook per trigger).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping

from reconciler.keywords import KeywordError, Keywords, MAPPINGS_VAR, unknown_whole
from reconciler.problems import NOTE, UNSET, WARNING, Problem, error
from reconciler.resources.hooks.load import Loaded, build_hook, read_config
from reconciler.resources.common.documents import read_script
from reconciler.resources.hooks.model import DesiredState, Hook
from reconciler.resources.hooks.rules import duplicate_names, enabled_per_trigger, secret_problems
from reconciler.resources.common.templates import keys_in

from reconciler.resources.hooks.schema import schema_problems as _schema_problems

__all__ = ["Report", "check"]

_KEYWORD = re.compile(r"unresolved keyword (?:##|@@)(\w+)(?:##|@@)")


@dataclass(frozen=True)
class Report:
    state: DesiredState | None  # None when errors prevent building it
    problems: tuple[Problem, ...]
    filled_keywords: tuple[str, ...] = ()  # keywords given a dummy value by fill_missing
    hooks_checked: int = 0  # hook documents read (with ``offline``, some are not built)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == WARNING)

    @property
    def notes(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == NOTE)

    @property
    def unset_keywords(self) -> tuple[str, ...]:
        """Keywords without a value (notes with ``offline``), as written."""
        found = (_KEYWORD.search(p.message) for p in self.problems if p.severity in (UNSET, NOTE))
        return tuple(sorted({m.group(1) for m in found if m}))

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


def check(
    config: str | os.PathLike[str],
    env: Mapping[str, object] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
    offline: bool = False,
) -> Report:
    """Load and validate ``config``; every problem found, and the DesiredState if none is an error.

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
        report = _check(read_config(config, keywords), keywords, offline)
        return _with_actions(report, config, keywords, offline)
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
            hook_problems = _soften(hook_problems)
        problems.extend(hook_problems)
        if result is not None and result.text is not None and not any(p.is_error for p in hook_problems) and not source.unresolved:
            unknown = result.unknown | (keys_in(result.text) - set(result.values))
            hooks.append(build_hook(source, result.text, result.values, unknown, secrets_from=secrets_from or ""))
    problems.extend(duplicate_names(loaded.sources))
    problems.extend(enabled_per_trigger(loaded.sources))
    if offline:
        problems = _soften(problems)
    problems = list(dict.fromkeys(problems))  # one message per fact
    ok = not any(p.is_error for p in problems)
    state = DesiredState(tuple(hooks), loaded.source, manages_hooks=loaded.manages_hooks) if ok else None
    return Report(state, tuple(problems), keywords.filled, len(loaded.sources))


def _soften(problems: Iterable[Problem]) -> list[Problem]:
    return [dataclasses.replace(p, severity=NOTE) if p.severity == UNSET else p for p in problems]


def _with_actions(report: Report, config: str | os.PathLike[str], keywords: Keywords, offline: bool = False) -> Report:
    """The hooks report plus the Actions part of the config (reconciler.resources.actions)."""
    from reconciler.resources.actions.rules import check_config  # imported here: it reuses this package's helpers

    desired, found = check_config(config, keywords)
    if offline:
        found = _soften(found)
    problems = tuple(dict.fromkeys((*report.problems, *found)))
    ok = not any(p.is_error for p in problems) and report.state is not None
    state = replace(report.state, actions=desired) if ok and report.state is not None else None
    return Report(state, problems, keywords.filled, report.hooks_checked)
