"""The emulator's Actions statistics in a form end-to-end tests can assert on.

``GET /__emulator/stats`` carries, for Actions (see reconciler/emulator/app.py):

- ``versions_created``: action name -> versions ever created (deploys and rollbacks; kept
  across a delete, so a re-created name keeps counting),
- ``bound_per_trigger``: trigger -> the bound action names now, in execution order,
- ``binding_history``: trigger -> every change of that list, ``{seq, time, actions}``,
- ``trigger_timeline``: trigger -> every change of what runs there, ``{seq, time, hooks,
  actions}`` (hooks: the enabled hooks' names).

``seq`` counts every /api/v2 request (reads too): the window between two entries is measured
in requests, never in wall-clock time. Works with the subprocess handle
(``reconciler.emulator.process.EmulatorProcess``) and the in-process one
(``reconciler.emulator.start``): both have ``stats()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Names = tuple[str, ...]


@dataclass(frozen=True)
class Moment:
    """One change of a trigger: what ran there from request number ``seq`` on."""

    seq: int
    actions: Names
    hooks: Names = ()
    time: float = 0.0  # the emulator's clock (seconds): only to report a window, never to assert


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ActionsStats:
    versions_created: Mapping[str, int] = field(default_factory=dict)
    bound: Mapping[str, Names] = field(default_factory=dict)  # now, per trigger (bound triggers only)
    history: Mapping[str, tuple[Moment, ...]] = field(default_factory=dict)  # binding changes
    timeline: Mapping[str, tuple[Moment, ...]] = field(default_factory=dict)  # hooks and actions together
    requests: int = 0

    def __post_init__(self) -> None:
        for name in ("versions_created", "bound", "history", "timeline"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def versions(self, name: str) -> int:
        """Versions created for the action ``name`` (0 if it was never deployed)."""
        return self.versions_created.get(name, 0)

    def total_versions(self) -> int:
        return sum(self.versions_created.values())

    def bound_to(self, trigger: str) -> Names:
        """The trigger's bound action names now, in order (``()`` when nothing is bound)."""
        return self.bound.get(trigger, ())

    def orders(self, trigger: str) -> list[Names]:
        """Every list the trigger had, oldest first, starting from the empty one."""
        return [()] + [m.actions for m in self.history.get(trigger, ())]

    def ever_bound(self, trigger: str, name: str) -> bool:
        return any(name in m.actions for m in self.history.get(trigger, ()))

    def both_ran(self, trigger: str) -> list[Moment]:
        """The moments a hook and an action both ran on the trigger (migration windows)."""
        return [m for m in self.timeline.get(trigger, ()) if m.hooks and m.actions]

    def since(self, before: ActionsStats) -> ActionsDelta:
        """What changed between two readings (``before`` taken first)."""
        names = set(self.versions_created) | set(before.versions_created)
        made = {n: self.versions(n) - before.versions(n) for n in sorted(names)}
        changes = {
            t: tuple(moments[len(before.history.get(t, ())):]) for t, moments in self.history.items()
            if len(moments) > len(before.history.get(t, ()))
        }
        return ActionsDelta({n: k for n, k in made.items() if k}, changes)


@dataclass(frozen=True)
class ActionsDelta:
    versions_created: Mapping[str, int]  # name -> versions created in between (only non-zero)
    binding_changes: Mapping[str, tuple[Moment, ...]]  # trigger -> its changes in between

    @property
    def versions(self) -> int:
        return sum(self.versions_created.values())

    @property
    def nothing(self) -> bool:
        """No version created and no binding list changed (what a no-op apply must show)."""
        return not self.versions_created and not self.binding_changes


def _moments(entries: Mapping[str, Any]) -> dict[str, tuple[Moment, ...]]:
    return {
        trigger: tuple(
            Moment(int(e["seq"]), tuple(e.get("actions") or ()), tuple(e.get("hooks") or ()), float(e.get("time") or 0))
            for e in items
        )
        for trigger, items in (entries or {}).items()
    }


def actions_stats(emulator: Any) -> ActionsStats:
    """Read ``emulator.stats()`` once and keep the Actions part."""
    raw = emulator.stats()
    return ActionsStats(
        versions_created={str(k): int(v) for k, v in (raw.get("versions_created") or {}).items()},
        bound={str(t): tuple(names) for t, names in (raw.get("bound_per_trigger") or {}).items()},
        history=_moments(raw.get("binding_history") or {}),
        timeline=_moments(raw.get("trigger_timeline") or {}),
        requests=int(raw.get("requests") or 0),
    )
