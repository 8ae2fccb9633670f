"""``demo``: the config planned, applied and planned again against a throwaway emulator.
The CLI starts the emulator (one of the two commands allowed to import it) and runs the
sequence with the plan and apply use cases; here: loading with visible dummy keyword
values, and what the emulator saw, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.config import Settings
from reconciler.usecases.loading import Loaded, load_desired


def demo_value(keyword: str) -> str:
    """A keyword's value when the demo runs without it: visibly not a real one."""
    return f"demo-value-for-{keyword}"


def load_for_demo(config: str, settings: Settings) -> Loaded:
    """The config, unset keywords filled with :func:`demo_value` (``filled_keywords``)."""
    return load_desired(config, settings.keyword_source(), fill_missing=demo_value)


@dataclass(frozen=True)
class DemoTraffic:
    """What the emulator saw during the demo."""

    requests: int
    writes: int
    most_enabled: int  # the most hooks ever enabled on one trigger at once
    versions: tuple[tuple[str, int], ...] = ()  # Actions versions created, by action
    bound: Mapping[str, Any] = field(default_factory=dict)  # bindings per trigger

    @classmethod
    def from_stats(cls, stats: Mapping[str, Any]) -> DemoTraffic:
        return cls(
            requests=stats["requests"],
            writes=stats["writes"],
            most_enabled=max(stats["max_enabled_per_trigger"].values(), default=0),
            versions=tuple(sorted((stats.get("versions_created") or {}).items())),
            bound=stats.get("bound_per_trigger", {}),
        )
