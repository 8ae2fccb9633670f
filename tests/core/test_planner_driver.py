"""The planner driver merges types' parts and resolves cross-type edges."""

from __future__ import annotations

import pytest

from reconciler.core.planner import TypePlan, merge
from reconciler.core.steps import Step, StepRef
from reconciler.errors import PlanError


def test_parts_are_renumbered_and_cross_type_edges_resolved() -> None:
    hooks = TypePlan("hook", (Step(0, "hook", "h", "create"), Step(1, "hook", "h", "disable", after=(0,))))
    actions = TypePlan(
        "action", (Step(0, "action", "a", "deploy"), Step(1, "action", "a", "bind", after=(0,), follows=0)),
        edges=((1, StepRef("hook", "h", "disable")),),
    )
    merged = merge([hooks, actions])
    assert [(m.type, m.index, m.after) for m in merged] == [
        ("hook", 0, ()), ("hook", 1, (0,)), ("action", 2, ()), ("action", 3, (1, 2)),
    ]
    assert merged[3].follows == 2


def test_an_edge_to_a_step_nobody_planned_is_refused() -> None:
    part = TypePlan("action", (Step(0, "action", "a", "bind"),), edges=((0, StepRef("hook", "h", "disable")),))
    with pytest.raises(PlanError, match="waits for disable hook h"):
        merge([part])


def test_the_hook_step_shifts_its_created_by_too() -> None:
    from reconciler.core.steps import Phase
    from reconciler.resources.hooks.actions import Action
    from reconciler.resources.hooks.plan import hook_step

    step = hook_step(1, Action.SECRETS_ADD, "h", "pre-user-registration", None, 0, {"keys": ["K"]}, (0,), Phase.PREPARE)
    moved = step.shifted(5, [2])
    assert (moved.index, moved.after, moved.payload.created_by, moved.type, moved.key, moved.operation) == (
        6, (2, 5), 5, "hook", "h", "secrets-add")
    # Reordering a merged plan moves the payload's index with the steps'.
    again = moved.renumbered({6: 1, 5: 0, 2: 2}, (0, 2))
    assert (again.index, again.after, again.payload.created_by) == (1, (0, 2), 0)
