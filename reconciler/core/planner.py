"""The planner driver: asks each resource type for its steps and merges them into one plan.

Each type plans on its own and numbers its steps from 0; a step may wait for another
type's step by naming it (``StepRef``: type, key, operation), because indexes are only
known once the parts are merged. Types are merged in the order given (the registry's
dependency order), so a referenced step always has its index when the reference is
resolved. The core knows no resource type: planners are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol, Sequence

from reconciler.core.changes import Change
from reconciler.core.reasons import Reason
from reconciler.core.steps import StepRef
from reconciler.errors import PlanError


class Shiftable(Protocol):
    """A step that can be renumbered when merged (indexes it holds move by ``offset``)."""

    @property
    def index(self) -> int: ...

    def shifted(self, offset: int, extra_after: Iterable[int] = ()) -> Any: ...


@dataclass(frozen=True)
class TypePlan:
    """One resource type's part of a plan, indexes local to the part."""

    type: str
    steps: tuple[Any, ...] = ()
    # (local step index, a step of another type it must wait for)
    edges: tuple[tuple[int, StepRef], ...] = ()
    changes: tuple[Change, ...] = ()
    warnings: tuple[Reason, ...] = ()
    # Type-specific extras its renderers show (hooks: hand-overs, unmanaged names).
    extras: tuple[tuple[str, Any], ...] = field(default=())


Planner = Callable[[], TypePlan]


def merge(parts: Sequence[TypePlan]) -> tuple[Any, ...]:
    """All parts' steps, renumbered into one sequence, cross-type edges resolved."""
    merged: list[Any] = []
    known: dict[tuple[str, str, str], int] = {}
    for part in parts:
        offset = len(merged)
        extra: dict[int, set[int]] = {}
        for local, ref in part.edges:
            target = known.get((ref.type, ref.key, ref.operation))
            if target is None:
                raise PlanError(
                    f"{part.type} step {local + 1} waits for {ref.operation} {ref.type} {ref.key}, "
                    "which no earlier resource type planned"
                )
            extra.setdefault(local, set()).add(target)
        for step in part.steps:
            moved = step.shifted(offset, extra.get(step.index, ()))
            merged.append(moved)
            known.setdefault((_type(moved, part), _key(moved), _operation(moved)), moved.index)
    _check_acyclic(merged)
    return tuple(merged)


def _type(step: Any, part: TypePlan) -> str:
    return str(getattr(step, "type", part.type))


def _key(step: Any) -> str:
    return str(getattr(step, "key"))


def _operation(step: Any) -> str:
    return str(getattr(step, "operation"))


def _check_acyclic(steps: Sequence[Any]) -> None:
    """Every edge points backwards (parts are merged in dependency order; a type's own
    steps only wait for earlier ones): so the graph has no cycle."""
    for step in steps:
        for before in step.after:
            if not 0 <= before < step.index:
                raise PlanError(f"step {step.index + 1} waits for step {before + 1}, which does not come before it")
