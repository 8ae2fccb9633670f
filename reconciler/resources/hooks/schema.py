"""The hook JSON Schema: the shipped file, and one problem per field that breaks it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reconciler.problems import Problem, error
from reconciler.resources.common.documents import Source
from reconciler.resources.common.schema_fast import Check, compile_fast
from reconciler.resources.common.schema_messages import describe, hide_value

if TYPE_CHECKING:  # jsonschema loads only when a hook fails the fast check (start-up time)
    from jsonschema import Draft202012Validator

__all__ = ["SCHEMA_FILE", "schema", "schema_problems", "schema_text"]

SCHEMA_FILE = Path(__file__).parent / "hook.schema.json"  # symlink to schemas/hook.schema.json


def schema_text() -> str:
    """The hook JSON Schema exactly as shipped (what `reconciler schema` prints)."""
    for candidate in (SCHEMA_FILE, Path(__file__).parents[3] / "schemas" / "hook.schema.json"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError("hook.schema.json is missing from the reconciler package")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(schema_text()))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # Compiled once per process: building a validator per hook would dominate load time.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


@lru_cache(maxsize=1)
def _fast_check() -> Check | None:
    return compile_fast(schema())


def schema_problems(source: Source) -> Iterable[Problem]:
    """One error per field that breaks the schema, in jsonschema's order; none for a field
    already reported as holding an unresolved keyword."""
    fast = _fast_check()
    if fast is not None and fast(source.data):
        return  # valid: skip jsonschema, which is ~10x slower, and only needed for messages
    seen: set[str] = set()
    for err in _validator().iter_errors(source.data):
        for field, message in describe(err, hide_value(source.raw, list(err.absolute_path))):
            if field in seen:
                continue  # one message per field: "must be a string" says enough
            if any(field == u or field.startswith(u + ".") for u in source.unresolved):
                continue  # already reported as an unresolved keyword
            seen.add(field)
            yield error(source.path, source.field(field), message)
