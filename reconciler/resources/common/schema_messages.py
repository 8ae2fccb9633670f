"""jsonschema errors in the user's terms: one (field, message) pair per fact.

A value is quoted only when it was written in git as such; a value that came out of a keyword
(or sits under ``secrets``) is never shown. The Actions schemas reuse this
(reconciler.resources.actions.schema), adding messages of their own in front.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.keywords import has_keyword
from reconciler.text import join_path as _join
from reconciler.text import kind_of as _kind

if TYPE_CHECKING:  # jsonschema loads only when a document fails the fast check (start-up time)
    from jsonschema.exceptions import ValidationError

__all__ = ["describe", "dotted", "hide_value"]


def hide_value(raw: Any, parts: list[Any]) -> bool:
    """True when the value at ``parts`` came from a keyword (or is under `secrets`): never quote it."""
    if parts[:1] == ["secrets"]:
        return True
    value = raw
    for part in parts:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return True  # not in git as such: it came out of a keyword
    return _mentions_keyword(value)


def _mentions_keyword(value: Any) -> bool:
    if isinstance(value, str):
        return has_keyword(value)
    if isinstance(value, dict):
        return any(_mentions_keyword(k) or _mentions_keyword(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions_keyword(v) for v in value)
    return False


def describe(err: ValidationError, secret: bool) -> Iterable[tuple[str, str]]:
    """(field, message) pairs in the user's terms. Quotes the value only when ``secret`` is False."""
    path = dotted(err.absolute_path)
    kind = err.validator
    # A validator always sets these (the stubs allow "unset" for hand-made errors only).
    value: Any = err.instance
    rule: Any = err.validator_value
    schema: Any = err.schema
    if kind == "required":
        for name in rule:
            if isinstance(value, dict) and name not in value:
                yield _join(path, name), "is required"
    elif kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        for name in value:
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                also = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"
                yield _join(path, name), f"unknown field{also}"
    elif kind == "type":
        what = "a JSON object of hook fields" if not path else _article(rule)
        yield path, f"must be {what}, got {_kind(value)}"
    elif kind == "enum":
        shown = "" if secret else f", got {json.dumps(value)}"
        yield path, f"must be one of: {', '.join(map(str, rule))}{shown}"
    elif kind == "pattern" and "propertyNames" in err.schema_path:
        what = "an npm package name" if path.startswith("dependencies") else "a valid key"
        yield path, f"key {'(from a keyword)' if secret else repr(value)} is not {what}"
    elif kind == "pattern" and path == "name":
        yield path, (
            f"{'the value' if secret else repr(value)} is not a valid hook name: use letters, digits, "
            "spaces and hyphens, starting and ending with a letter or digit"
        )
    elif kind == "maxProperties":
        noun = "secrets" if path == "secrets" else "entries"
        limit = f"Auth0 allows at most {rule} per hook" if path == "secrets" else f"at most {rule} allowed"
        yield path, f"has {len(value)} {noun}; {limit}"
    elif kind == "minLength":
        yield path, ("has an empty key" if "propertyNames" in err.schema_path else "must not be empty")
    elif kind == "maxLength":
        yield path, f"is longer than {rule} characters"
    else:
        yield path, (f"is invalid ({kind})" if secret else err.message)


def dotted(parts: Iterable[Any]) -> str:
    """A jsonschema path as the user writes a field: ``secrets.KEY``, ``hooks[3].name``."""
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, str(part))
    return out


def _article(json_type: Any) -> str:
    if isinstance(json_type, list):
        return " or ".join(map(_article, json_type))
    return {"object": "an object", "array": "an array", "integer": "an integer"}.get(json_type, f"a {json_type}")
