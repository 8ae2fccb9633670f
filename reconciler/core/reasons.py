"""Why a step exists, why a change is skipped, what a warning says: data, not prose.

A ``Reason`` is a code plus arguments. Only the resource type that made it words it (its
``wording`` module); renderers ask the registry for the words, and tests compare codes and
arguments, never sentences they did not write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# (code, args) -> one line of text; each resource type registers one.
Words = Callable[["Reason"], str]

# A reason known only by its words: read back from a plan file, which holds words, not codes.
WORDED = "worded"


@dataclass(frozen=True)
class Reason:
    """``code`` is dotted by resource type (``"hook.handover.fix"``); ``args`` hold plain
    values (str, int, bool, tuples of those) and never a secret value."""

    code: str
    args: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **args: Any) -> Reason:
        return cls(code, tuple(sorted((k, _frozen(v)) for k, v in args.items())))

    @classmethod
    def worded(cls, text: str) -> Reason:
        """A reason read back as text (``code`` ``worded``, worded as ``text`` by everyone)."""
        return cls.of(WORDED, text=text)

    @property
    def kwargs(self) -> Mapping[str, Any]:
        return dict(self.args)

    def arg(self, name: str, default: Any = None) -> Any:
        return self.kwargs.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "args": {k: _plain(v) for k, v in self.args}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls.of(str(data["code"]), **dict(data.get("args") or {}))


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_frozen(v) for v in value]
        return tuple(sorted(items) if isinstance(value, (set, frozenset)) else items)
    return value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
