"""The name a resource is given while its replacement is prepared (a hook whose triggerId
changes, an action whose trigger changes), so the name is free for the new one and the old
one keeps running until the hand-over. An old copy kept from an earlier replace may hold the
name: then "-2", "-3", ... follow."""

from __future__ import annotations

import re

from reconciler.core.changes import REPLACED_SUFFIX

__all__ = ["REPLACED_SUFFIX", "replaced_base"]

_REPLACED = re.compile(r"^(?P<base>.+)" + re.escape(REPLACED_SUFFIX) + r"(?:-[0-9]+)?$")


def replaced_base(name: str) -> str | None:
    """The name a ``-replaced-by-reconciler`` copy was renamed from, if it is one."""
    match = _REPLACED.match(name)
    return match.group("base") if match else None


def free_replaced_name(base: str, taken: set[str]) -> str:
    name, n = base + REPLACED_SUFFIX, 1
    while name in taken:
        n += 1
        name = f"{base}{REPLACED_SUFFIX}-{n}"
    taken.add(name)
    return name
