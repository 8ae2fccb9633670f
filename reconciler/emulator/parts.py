"""What the emulator serves: every registered type's routes and scopes, from the registry.

The one module of the emulator that asks the registry (``ResourceType.emulator``); the routes
protocol and the options stay free of it, so the seam can name them without a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.resources.base import EmulatorPart
from reconciler.resources.builtin import registry


def emulator_parts() -> list[EmulatorPart]:
    """What every registered type serves, in the registry's order (hooks, then Actions): asked
    when an emulator starts, so a type registered from the tests is served too."""
    return [r.emulator for r in registry() if r.emulator is not None]


def all_scopes() -> tuple[str, ...]:
    """Every served type's scopes, in the order the token endpoint lists them."""
    return tuple(scope for part in emulator_parts() for scope in part.scopes)


def check_scopes(scopes: Iterable[str], known: tuple[str, ...]) -> None:
    """Refuses a scope no served type's routes ask for (ValueError, one line)."""
    unknown = [s for s in scopes if s not in known]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)} (known: {', '.join(known)})")
