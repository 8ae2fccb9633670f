"""Generic steps: one request (or one polled operation) on one resource.

A step is keyed by resource ``type`` and ``key`` (the resource's name within its type) and
carries a typed ``payload``: a frozen dataclass of that type, never raw wire JSON; the type
serialises it. ``after`` lists step indexes of the whole plan, of any type: that is how
cross-type ordering is expressed (an Actions binding after a hook's disable, say).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from reconciler.core.reasons import Reason


class Phase(StrEnum):
    PREPARE = "prepare"
    HANDOVER = "handover"
    # Runs only after every other step has succeeded (deletes): a barrier in the executor.
    REMOVE = "remove"


class Payload(Protocol):
    """What a resource type stores in a step: frozen, comparable, serialisable. A payload
    that names other steps by index (a hook created earlier in the plan) also has
    ``renumbered(move)``, ``move`` mapping an old index to its new one, so merging moves
    its indexes with the step's own."""

    def to_dict(self) -> dict[str, Any]: ...


def _moved_payload(payload: Any, move: Callable[[int], int]) -> Any:
    renumber = getattr(payload, "renumbered", None)
    return renumber(move) if renumber is not None else payload


@dataclass(frozen=True)
class Wait:
    """The step's operation is asynchronous (an Actions build or deploy): after the request
    the executor polls until done, at most ``timeout`` seconds, every ``interval``."""

    timeout: float = 120.0
    interval: float = 1.0


@dataclass(frozen=True)
class StepRef:
    """A step of another resource type, named before indexes are known (cross-type edges
    in a type's planner output; the driver resolves them to indexes)."""

    type: str
    key: str
    operation: str


@dataclass(frozen=True)
class Step:
    """One operation of the plan.

    ``follows``: this step runs in the same worker right after that one (and always runs
    once that one succeeded, even when the run is stopping): a hand-over's strict pair.
    ``first``: started before other ready steps (it opens a strict pair).
    """

    index: int
    type: str
    key: str
    operation: str
    payload: Any = None
    after: tuple[int, ...] = ()
    phase: Phase = Phase.PREPARE
    reason: Reason | None = None
    follows: int | None = None
    first: bool = False
    wait: Wait | None = None

    def shifted(self, offset: int, extra_after: Iterable[int] = ()) -> Step:
        """Renumbered by ``offset`` when merged into a plan (``extra_after``: global)."""
        after = {i + offset for i in self.after} | set(extra_after)
        follows = self.follows + offset if self.follows is not None else None
        payload = _moved_payload(self.payload, lambda i: i + offset)
        return replace(
            self, index=self.index + offset, after=tuple(sorted(after)), follows=follows, payload=payload
        )

    def renumbered(self, mapping: Mapping[int, int], after: Iterable[int]) -> Step:
        """Moved to ``mapping[index]`` when a merged plan is reordered (``after``: new
        indexes already; ``follows`` and the payload's indexes are mapped here)."""
        follows = mapping[self.follows] if self.follows is not None else None
        payload = _moved_payload(self.payload, lambda i: mapping[i])
        return replace(
            self, index=mapping[self.index], after=tuple(sorted(after)), follows=follows, payload=payload
        )

    def job(self) -> Job:
        return Job(self.index, self.after, self.phase is Phase.REMOVE, self.first, self.follows, self.wait)


@dataclass(frozen=True)
class Job:
    """What the executor needs to know of a step to schedule it; any step shape (the
    generic ``Step``, or a resource type's own) gives one."""

    index: int
    after: tuple[int, ...] = ()
    last: bool = False  # waits until every non-``last`` job has succeeded
    first: bool = False
    follows: int | None = None
    wait: Wait | None = None


class Schedulable(Protocol):
    """Any step the executor can run: it has an index; its ``Job`` comes from ``step.job()``
    or from the ``job_of`` the caller passes (a type whose steps predate ``Job``)."""

    @property
    def index(self) -> int: ...
