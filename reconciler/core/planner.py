"""The planner driver: asks each resource type for its steps and merges them into one plan.

Each type plans on its own and numbers its steps from 0; a step may wait for another
type's step by naming it (``StepRef``: type, key, operation), because indexes are only
known once the parts are merged. The core knows no resource type: planners are passed in.

Merging (``merge_plan``):

1. the parts are concatenated in the order given (the registry's dependency order) and
   every ``StepRef`` is resolved, whichever part it names (a later type's step too);
2. strict pairs declared across types (``StrictPair``, e.g. the hooks-to-Actions cutover:
   bind an action, then disable a hook) become an edge leader -> follower, and the
   leader also waits for everything the follower waits for, so the follower is ready the
   moment its leader finishes and the executor runs the two back to back;
3. the steps are renumbered in a stable topological order (unchanged when every edge
   already points backwards), a follower right after its leader, so every ``after`` and
   ``follows`` points to an earlier step; a cycle is refused with one line.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from reconciler.core.changes import Change
from reconciler.core.reasons import Reason
from reconciler.core.steps import Job, StepRef
from reconciler.errors import PlanError


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


@dataclass(frozen=True)
class StrictPair:
    """Two steps of (usually) different types that run back to back in one worker, the
    follower always once the leader succeeded (the executor's ``follows``/``first``)."""

    leader: StepRef
    follower: StepRef


@dataclass(frozen=True)
class Merged:
    """The merged plan: steps in execution-safe order and the strict pairs as global
    indexes ``(leader, follower)`` (for the executor's jobs: :func:`with_pairs`)."""

    steps: tuple[Any, ...]
    pairs: tuple[tuple[int, int], ...] = ()


def merge(parts: Sequence[TypePlan], pairs: Sequence[StrictPair] = ()) -> tuple[Any, ...]:
    """All parts' steps, renumbered into one sequence, cross-type edges resolved."""
    return merge_plan(parts, pairs).steps


def merge_plan(parts: Sequence[TypePlan], pairs: Sequence[StrictPair] = ()) -> Merged:
    steps, after = _concatenate(parts)
    known: dict[tuple[str, str, str], int] = {}
    for step in steps:
        known.setdefault((str(step.type), str(step.key), str(step.operation)), step.index)

    def find(ref: StepRef, what: str) -> int:
        target = known.get((ref.type, ref.key, ref.operation))
        if target is None:
            raise PlanError(f"{what} {ref.operation} {ref.type} {ref.key}, which no resource type planned")
        return target

    offset = 0
    for part in parts:
        for local, ref in part.edges:
            after[offset + local].add(find(ref, f"{part.type} step {local + 1} waits for"))
        offset += len(part.steps)
    resolved = _resolve_pairs(steps, after, pairs, find)
    order = _topological(len(steps), after, dict(resolved))
    mapping = {old: new for new, old in enumerate(order)}
    moved = tuple(_renumbered(steps[old], mapping, after[old], resolved) for old in order)
    return Merged(moved, tuple(sorted((mapping[leader], mapping[follower]) for leader, follower in resolved)))


def with_pairs(jobs: Mapping[int, Job], pairs: Iterable[tuple[int, int]]) -> dict[int, Job]:
    """The executor's jobs with the merged plan's strict pairs: the leader starts before
    other ready steps, the follower runs right after it in the same worker."""
    out = dict(jobs)
    for leader, follower in pairs:
        out[leader] = replace(out[leader], first=True)
        out[follower] = replace(out[follower], follows=leader)
    return out


# -- the steps of merging ------------------------------------------------------------------


def _concatenate(parts: Sequence[TypePlan]) -> tuple[list[Any], list[set[int]]]:
    """Parts renumbered one after the other (as before pairs existed); ``after`` as sets."""
    steps: list[Any] = []
    for part in parts:
        offset = len(steps)
        for step in part.steps:
            steps.append(step.shifted(offset))
    for i, step in enumerate(steps):
        if step.index != i:
            raise PlanError(f"{step.type} step {step.index + 1} is out of place (indexes must run from 0)")
    return steps, [set(step.after) for step in steps]


def _resolve_pairs(
    steps: Sequence[Any], after: list[set[int]], pairs: Sequence[StrictPair],
    find: Callable[[StepRef, str], int],
) -> list[tuple[int, int]]:
    resolved: list[tuple[int, int]] = []
    leaders: set[int] = set()
    followers: set[int] = set()
    for pair in pairs:
        leader = find(pair.leader, "a strict pair starts with")
        follower = find(pair.follower, "a strict pair ends with")
        if leader == follower or leader in leaders | followers or follower in leaders | followers:
            raise PlanError(
                f"step {follower + 1} cannot follow step {leader + 1} strictly: "
                "a step is in at most one strict pair"
            )
        if getattr(steps[follower], "follows", None) is not None:
            raise PlanError(f"step {follower + 1} already follows another step strictly")
        leaders.add(leader)
        followers.add(follower)
        after[follower].add(leader)
        resolved.append((leader, follower))
    # The leader waits for what its follower waits for: the follower must be ready the
    # moment the leader finishes (else it would be released later, not back to back).
    # Pairs are disjoint, so one pass per pair reaches the fixpoint.
    for _ in range(len(resolved)):
        for leader, follower in resolved:
            after[leader] |= after[follower] - {leader}
    for leader, follower in resolved:
        if leader in after[leader]:
            raise PlanError(
                f"step {leader + 1} cannot lead step {follower + 1}: "
                f"step {follower + 1} waits for something that waits for step {leader + 1}"
            )
    return resolved


def _topological(count: int, after: Sequence[set[int]], follower_of: Mapping[int, int]) -> list[int]:
    """Kahn's algorithm, smallest index first (stable: unchanged when already in order);
    a follower is taken right after its leader."""
    waiting = [len(a) for a in after]
    dependents: list[list[int]] = [[] for _ in range(count)]
    for i, before in enumerate(after):
        for b in before:
            if not 0 <= b < count:
                raise PlanError(f"step {i + 1} waits for step {b + 1}, which is not in the plan")
            dependents[b].append(i)
    ready = [i for i in range(count) if waiting[i] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    handed: int | None = None
    while ready or handed is not None:
        if handed is not None:
            index, handed = handed, None
            ready.remove(index)
            heapq.heapify(ready)
        else:
            index = heapq.heappop(ready)
        order.append(index)
        for d in dependents[index]:
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, d)
                if follower_of.get(index) == d:
                    handed = d
    if len(order) != count:
        stuck = sorted(set(range(count)) - set(order))
        raise PlanError(f"steps {', '.join(str(i + 1) for i in stuck[:5])} wait for each other (a cycle)")
    return order


def _renumbered(step: Any, mapping: Mapping[int, int], after: Iterable[int], pairs: Sequence[tuple[int, int]]) -> Any:
    new_after = tuple(sorted(mapping[i] for i in after))
    renumber = getattr(step, "renumbered", None)
    if renumber is None:
        if mapping[step.index] != step.index or new_after != tuple(sorted(step.after)):
            raise PlanError(f"{step.type} steps cannot be reordered (no renumbered())")
        return step
    moved = renumber(mapping, new_after)
    names = {f.name for f in fields(moved)} if hasattr(moved, "__dataclass_fields__") else set()
    for leader, follower in pairs:
        # A generic Step carries the pair itself (saved plans, ``step.job()``).
        if step.index == follower and "follows" in names:
            moved = replace(moved, follows=mapping[leader])
        if step.index == leader and "first" in names:
            moved = replace(moved, first=True)
    return moved
