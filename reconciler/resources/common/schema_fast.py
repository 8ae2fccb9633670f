"""A yes/no validator compiled from the subset of JSON Schema our schemas use.

jsonschema is ~10x slower and only needed for the messages of a failure, so a valid document
skips it. The fast check is built from the schema itself (no second copy of the rules to
drift), and only when every keyword the schema uses is one it knows; tests check it agrees
with jsonschema on the whole bad-config corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["Check", "compile_fast"]

Check = Callable[[Any], bool]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples"}
_KNOWN = {"type", "enum", "pattern", "minLength", "maxLength", "maxProperties", "required",
          "properties", "additionalProperties", "propertyNames", "items", "minItems", "maxItems"}
_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def compile_fast(node: Any) -> Check | None:
    """A yes/no validator for the subset of JSON Schema our schemas use, else None."""
    if node is True or node == {}:
        return lambda v: True
    if node is False:
        return lambda v: False
    if not isinstance(node, dict):
        return None
    if set(node) - _KNOWN - _ANNOTATIONS:
        return None
    checks: list[Check] = []
    if "type" in node:
        if not isinstance(node["type"], str) or node["type"] not in _TYPES:
            return None
        checks.append(_TYPES[node["type"]])
    if "enum" in node:
        options = [(type(o), o) for o in node["enum"]]
        checks.append(lambda v: any(type(v) is t and v == o for t, o in options))
    strings: list[Check] = []
    if "pattern" in node:
        regex = re.compile(node["pattern"])
        strings.append(lambda v: regex.search(v) is not None)
    strings += _sizes(node, "minLength", "maxLength")
    if strings:
        checks.append(lambda v: not isinstance(v, str) or all(c(v) for c in strings))
    arrays = _sizes(node, "minItems", "maxItems")
    if "items" in node:
        item_check = compile_fast(node["items"])
        if item_check is None:
            return None
        arrays.append(lambda v: all(item_check(x) for x in v))
    if arrays:
        checks.append(lambda v: not isinstance(v, list) or all(c(v) for c in arrays))
    objects: list[Check] = []
    if "maxProperties" in node:
        most = node["maxProperties"]
        objects.append(lambda v: len(v) <= most)
    if "required" in node:
        required = list(node["required"])
        objects.append(lambda v: all(k in v for k in required))
    props = {k: compile_fast(sub) for k, sub in node.get("properties", {}).items()}
    extra = compile_fast(node.get("additionalProperties", True))
    names = compile_fast(node.get("propertyNames", True))
    if None in props.values() or extra is None or names is None:
        return None

    def members(v: dict[str, Any]) -> bool:
        for key, item in v.items():
            if not names(key):
                return False
            check = props.get(key, extra)
            if not check(item):  # type: ignore[misc]
                return False
        return True

    objects.append(members)
    checks.append(lambda v: not isinstance(v, dict) or all(c(v) for c in objects))
    return lambda v: all(c(v) for c in checks)


def _sizes(node: dict[str, Any], fewest: str, most: str) -> list[Check]:
    """Checks of ``len(v)`` against the node's ``fewest`` and ``most`` keywords, when present."""
    checks: list[Check] = []
    if fewest in node:
        low = node[fewest]
        checks.append(lambda v: len(v) >= low)
    if most in node:
        high = node[most]
        checks.append(lambda v: len(v) <= high)
    return checks
