"""Rules for hooks that a schema can't express: one problem per fact.

One hook: its secrets (the deploy-cli placeholder, empty after keyword replacement, written
literally). Across hooks: unique names, and at most one enabled hook per trigger.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.keywords import has_keyword
from reconciler.problems import Problem, error, warning
from reconciler.resources.common.documents import Source
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.resources.hooks.model import TRIGGERS
from reconciler.variables import MAPPINGS_VAR

__all__ = ["duplicate_names", "enabled_per_trigger", "secret_problems"]


# --- one hook ------------------------------------------------------------------------------


def secret_problems(source: Source) -> Iterable[Problem]:
    data, raw = source.data, source.raw
    secrets = data.get("secrets") if isinstance(data, dict) else None
    if not isinstance(secrets, dict):
        return
    raw_secrets = raw.get("secrets") if isinstance(raw, dict) else None
    for key, value in secrets.items():
        field = source.field(f"secrets.{key}")
        if not isinstance(value, str) or f"secrets.{key}" in source.unresolved:
            continue
        if value == MASKED_SECRET:
            yield error(
                source.path,
                field,
                f"is {MASKED_SECRET}, the placeholder auth0-deploy-cli exports; applying it would "
                f'overwrite the real secret. Write "##{key}##" and supply {key} via '
                f"{MAPPINGS_VAR} or the environment",
            )
            continue
        raw_value = raw_secrets.get(key) if isinstance(raw_secrets, dict) else None
        literal = isinstance(raw_value, str) and not has_keyword(raw_value)
        if value == "" and not literal:
            yield error(source.path, field, "is empty after keyword replacement (is the variable set?)")
        elif literal:
            yield warning(
                source.path,
                field,
                f'secret value is written literally in the config; write "##{key}##" and supply '
                f"the value via {MAPPINGS_VAR} or the environment",
            )


# --- across hooks --------------------------------------------------------------------------


def _named(sources: Iterable[Source]) -> list[tuple[str, Source]]:
    return [(s.data["name"], s) for s in sources if isinstance(s.data, dict) and isinstance(s.data.get("name"), str)]


def _where(source: Source) -> str:
    return f"{source.path}, {source.prefix.rstrip('.')}" if source.prefix else source.path


def duplicate_names(sources: Iterable[Source]) -> Iterable[Problem]:
    first: dict[str, Source] = {}
    for name, source in _named(sources):
        if name in first:
            yield error(
                source.path,
                source.field("name"),
                f"duplicate hook name {name!r}: also in {_where(first[name])}; names must be unique in the tenant",
            )
        else:
            first[name] = source


def enabled_per_trigger(sources: Iterable[Source]) -> Iterable[Problem]:
    by_trigger: dict[str, list[tuple[str, Source]]] = {}
    for name, source in _named(sources):
        trigger = source.data.get("triggerId")
        if source.data.get("enabled") is True and trigger in TRIGGERS:
            by_trigger.setdefault(trigger, []).append((name, source))
    for trigger, hooks in by_trigger.items():
        if len(hooks) > 1:
            listed = ", ".join(f"{name!r} ({_where(s)})" for name, s in hooks)
            yield error(
                hooks[0][1].path,
                hooks[0][1].field("enabled"),
                f"{len(hooks)} hooks are enabled on trigger {trigger}: {listed}; "
                "Auth0 allows only one enabled hook per trigger",
            )
