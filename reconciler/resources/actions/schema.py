"""The action and triggers JSON Schemas: shipped text, compiled validators, problems in user terms."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reconciler.problems import Problem, error
from reconciler.resources.common.documents import Source
from reconciler.resources.common.schema_fast import compile_fast
from reconciler.resources.common.schema_messages import describe, dotted, hide_value
from reconciler.variables import MAPPINGS_VAR

if TYPE_CHECKING:  # jsonschema loads only when a document fails the fast check (start-up time)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

KINDS = ("action", "triggers")
_HERE = Path(__file__).parent  # symlinks to schemas/*.schema.json; real files in a wheel


def schema_text(kind: str) -> str:
    """The schema exactly as shipped (what `reconciler schema action|triggers` prints)."""
    if kind not in KINDS:
        raise ValueError(f"unknown schema {kind!r}")
    name = f"{kind}.schema.json"
    for candidate in (_HERE / name, _HERE.parents[2] / "schemas" / name):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"{name} is missing from the reconciler package")


@cache
def schema(kind: str) -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(schema_text(kind)))


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(kind))


@cache
def _fast(kind: str) -> Callable[[Any], bool] | None:
    return compile_fast(schema(kind))


def schema_problems(source: Source, kind: str) -> Iterable[Problem]:
    """One problem per field, values quoted only when they came from git and are not secrets."""
    fast = _fast(kind)
    if fast is not None and fast(source.data):
        return  # valid: the full validator (and its messages) is only needed for a failure
    seen: set[str] = set()
    for err in sorted(_validator(kind).iter_errors(source.data), key=lambda e: list(map(str, e.absolute_path))):
        parts = list(err.absolute_path)
        hidden = hide_value(source.raw, parts)
        described = _own(err, dotted(parts), hidden, kind)
        for field, message in described if described is not None else describe(err, hidden):
            if field in seen or any(field == u or field.startswith(u + ".") for u in source.unresolved):
                continue
            seen.add(field)
            yield error(source.path, source.field(field), message)


def _own(err: ValidationError, path: str, hidden: bool, kind: str) -> list[tuple[str, str]] | None:
    """Messages for what the hook schema's describer does not know; None: use it."""
    # A validator always sets these (the stubs allow "unset" for hand-made errors only).
    value: Any = err.instance
    limit: Any = err.validator_value
    if err.validator == "type" and not path:
        what = "a JSON object of action fields" if kind == "action" else "a JSON object of trigger id -> list of bindings"
        return [(path, f"must be {what}, got {_kind(value)}")]
    if "propertyNames" in err.schema_path:  # only the triggers map uses it: an unknown trigger id
        shown = "(from a keyword)" if hidden else repr(value)
        return [(path or "(file)", f"unknown trigger {shown}; known triggers: {', '.join(limit) if isinstance(limit, list) else limit}")]
    if err.validator == "required" and path.startswith("secrets[") and isinstance(value, dict) and "value" not in value:
        # deploy-cli exports secrets without values (Auth0 never returns them).
        return [(f"{path}.value", "is required: Auth0 never returns secret values, so exports have none; "
                 f"write a keyword such as \"##API_KEY##\" and supply the value via {MAPPINGS_VAR} or the environment")]
    if err.validator == "maxItems":
        if limit == 0:
            return [(path, "is not supported by this tool (Action Modules are not managed): remove it")]
        noun = {"dependencies": "dependencies", "secrets": "secrets", "supported_triggers": "triggers"}.get(path, "bindings")
        per = "per trigger" if kind == "triggers" else "per action"
        return [(path, f"has {len(value)} {noun}; Auth0 allows at most {limit} {per}")]
    if err.validator == "minItems":
        return [(path, "must list exactly one trigger {id, version}")]
    if err.validator == "pattern":
        if path.startswith("dependencies") and path.endswith(".name"):
            return [(path, f"{'the value' if hidden else repr(value)} is not an npm package name")]
        if path.endswith(".version") and path.startswith("supported_triggers"):
            return [(path, f"must look like v1, v2, v3, got {'a keyword value' if hidden else repr(value)}")]
        if path.startswith("secrets"):
            return [(path, "must not start or end with whitespace or contain NUL characters")]
        return [(path, "must not contain NUL characters")]
    return None


def _kind(value: Any) -> str:
    from reconciler.text import kind_of

    return kind_of(value)
