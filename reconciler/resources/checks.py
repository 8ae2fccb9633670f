"""Field checks for reading a plan file as hostile input: one wrong field, one message
naming it (``Malformed``). Shared by the plan-file reader and the types' codecs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.resources.blocks import Malformed


def short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise Malformed(f"{where}.{key} is missing")
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int in Python; a JSON true is never an index.
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise Malformed(f"{where}.{key} must be {names}, not {short(value)}")
    return value


def list_of(data: Mapping[str, Any], key: str, kind: type, where: str, *, optional: bool = False) -> list[Any]:
    values = field(data, key, list, where, optional=optional) or []
    for i, value in enumerate(values):
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise Malformed(f"{where}.{key}[{i}] must be {kind.__name__}, not {short(value)}")
    return values


def choice(data: Mapping[str, Any], key: str, allowed: type, where: str) -> None:
    value = field(data, key, str, where)
    if value not in {str(member) for member in allowed}:  # type: ignore[attr-defined]
        raise Malformed(f"{where}.{key}: unknown value {short(value)}")
