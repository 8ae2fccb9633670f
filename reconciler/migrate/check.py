"""The proof: a hook and its action run on the same events must have the same effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.runner.outcome import Effects
from reconciler.runner.samples import Sample
from reconciler.runner.targets import KeywordValues, Target, run_target, samples_for


@dataclass(frozen=True)
class Comparison:
    """One event: what the hook did and what the action did (masked)."""

    event: str
    hook: Effects
    action: Effects

    @property
    def same(self) -> bool:
        return self.hook == self.action

    def differing(self) -> list[str]:
        """The effect fields that differ, e.g. ``["scopes"]``."""
        mine, theirs = self.hook.to_dict(), self.action.to_dict()
        return [key for key in mine if mine[key] != theirs[key]]

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event, "differs": self.differing(), "hook": self.hook.to_dict(),
                "action": self.action.to_dict()}


def compare(hook: Target, action: Target, samples: tuple[Sample, ...], values: KeywordValues) -> list[Comparison]:
    """Run both on every sample (Node required: ``NodeNotFound`` otherwise)."""
    hooks = run_target(hook, samples, values)
    actions = run_target(action, samples, values)
    return [Comparison(s.name, h.effects, a.effects) for s, h, a in zip(samples, hooks, actions)]


def events(trigger: str, config: str) -> tuple[Sample, ...]:
    """The trigger's built-in samples and the config's ``tests/events/<trigger>/*.json``."""
    return samples_for(trigger, config)


def first_difference(comparisons: list[Comparison]) -> str | None:
    """``"on event X (scopes, error)"`` for the first differing event, or None."""
    for comparison in comparisons:
        if not comparison.same:
            return f"on event {comparison.event!r} ({', '.join(comparison.differing())})"
    return None
