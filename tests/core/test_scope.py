"""The generic part of --target: the closure (prerequisites, strict pairs, payload indexes)
and the renumbering of what is kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from reconciler.core.planner import StrictPair, TypePlan, merge_plan
from reconciler.core.scope import Scope, closure, keep_steps, payload_refs
from reconciler.core.steps import Step, StepRef


@dataclass(frozen=True)
class Made:
    """A payload naming the step that created its resource (as a hook's ``created_by``)."""

    created_by: int

    def renumbered(self, move: Callable[[int], int]) -> Made:
        return replace(self, created_by=move(self.created_by))

    def to_dict(self) -> dict[str, int]:
        return {"created_by": self.created_by}


def chain() -> tuple[Step, ...]:
    return (
        Step(0, "hook", "a", "create"),
        Step(1, "hook", "b", "update"),
        Step(2, "hook", "a", "secrets", Made(0)),  # names step 0 only through its payload
        Step(3, "hook", "c", "update", after=(1,)),
        Step(4, "hook", "d", "update"),
    )


def test_payload_refs_reads_the_indexes_a_payload_names() -> None:
    assert payload_refs(Made(7)) == (7,)
    assert payload_refs(None) == ()
    assert payload_refs("no renumbered") == ()


def test_closure_takes_prerequisites_transitively_and_payload_indexes() -> None:
    steps = chain()
    assert closure(steps, {3}, ()) == {1, 3}
    assert closure(steps, {2}, ()) == {0, 2}
    assert closure(steps, {4}, ()) == {4}
    assert closure(steps, {99, -1}, ()) == set()  # nothing out of range


def test_closure_keeps_a_strict_pair_whole_from_either_side() -> None:
    steps = chain()
    assert closure(steps, {4}, [(3, 4)]) == {1, 3, 4}
    assert closure(steps, {3}, [(3, 4)]) == {1, 3, 4}


def test_keep_steps_renumbers_edges_pairs_follows_and_payloads() -> None:
    steps = (
        Step(0, "hook", "x", "update"),
        Step(1, "hook", "a", "create"),
        Step(2, "hook", "a", "secrets", Made(1), after=(1,)),
        Step(3, "hook", "b", "disable"),
        Step(4, "hook", "a", "enable", after=(2, 3), follows=3),
    )
    kept = closure(steps, {4}, [(3, 4)])
    assert kept == {1, 2, 3, 4}
    moved, pairs = keep_steps(steps, [(3, 4)], kept)
    assert [s.index for s in moved] == [0, 1, 2, 3]
    assert [(s.key, s.operation) for s in moved] == [("a", "create"), ("a", "secrets"), ("b", "disable"), ("a", "enable")]
    assert moved[1].payload == Made(0) and moved[1].after == (0,)
    assert moved[3].after == (1, 2) and moved[3].follows == 2
    assert pairs == ((2, 3),)


def test_keep_steps_refuses_a_set_that_is_not_closed() -> None:
    with pytest.raises(ValueError, match="needs step 2"):
        keep_steps(chain(), (), {3})


def test_a_merged_cross_type_plan_filtered_keeps_the_cutover_pair_adjacent() -> None:
    hooks = TypePlan("hook", (Step(0, "hook", "other", "update"), Step(1, "hook", "legacy", "disable")))
    actions = TypePlan("action", (Step(0, "action", "new", "create"), Step(1, "action", "new", "deploy", after=(0,))))
    bindings = TypePlan("bindings", (Step(0, "bindings", "pre-user-registration", "bind"),),
                        edges=((0, StepRef("action", "new", "deploy")),))
    merged = merge_plan([hooks, actions, bindings], [StrictPair(
        StepRef("bindings", "pre-user-registration", "bind"), StepRef("hook", "legacy", "disable"))])
    disable = next(s.index for s in merged.steps if s.operation == "disable")
    kept = closure(merged.steps, {disable}, merged.pairs)
    moved, pairs = keep_steps(merged.steps, merged.pairs, kept)
    assert [(s.type, s.operation) for s in moved] == [
        ("action", "create"), ("action", "deploy"), ("bindings", "bind"), ("hook", "disable")]
    assert pairs == ((2, 3),) and moved[3].follows == 2


def test_scope_words() -> None:
    assert Scope().lines() == [] and not Scope().limited
    scope = Scope(("actions",), ("hooks",), ("actions:a",), ("trigger:post-login",))
    assert scope.lines() == [
        "only: actions; hooks not planned",
        "target: actions:a",
        "also planned, as the targets need them: trigger:post-login",
    ]
    assert scope.to_dict()["needed"] == ["trigger:post-login"]
