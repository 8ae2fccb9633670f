"""Cross-type strict pairs in the planner driver: edges in any direction, a stable
topological renumbering, the leader lifting its follower's waits, and the executor running
the pair back to back."""

from __future__ import annotations

import threading

import pytest

from reconciler.core.executor import execute
from reconciler.core.planner import StrictPair, TypePlan, merge, merge_plan, with_pairs
from reconciler.core.steps import Step, StepRef
from reconciler.errors import PlanError

BIND = StepRef("bindings", "pre-user-registration", "bind")
DISABLE = StepRef("hook", "legacy", "disable")


def parts() -> list[TypePlan]:
    hooks = TypePlan("hook", (
        Step(0, "hook", "legacy", "update"),
        Step(1, "hook", "legacy", "disable", after=(0,)),
        Step(2, "hook", "legacy", "delete", after=(1,)),
    ))
    actions = TypePlan("action", (
        Step(0, "action", "new", "create"),
        Step(1, "action", "new", "deploy", after=(0,)),
    ))
    bindings = TypePlan("bindings", (Step(0, "bindings", "pre-user-registration", "bind"),),
                        edges=((0, StepRef("action", "new", "deploy")),))
    return [hooks, actions, bindings]


def by_name(steps: tuple[Step, ...]) -> dict[tuple[str, str], Step]:
    return {(s.type, s.operation): s for s in steps}


def assert_backwards(steps: tuple[Step, ...]) -> None:
    assert [s.index for s in steps] == list(range(len(steps)))
    for s in steps:
        assert all(b < s.index for b in s.after), s
        assert s.follows is None or s.follows == s.index - 1


def test_without_pairs_the_order_is_unchanged() -> None:
    plain = merge(parts())
    assert [(s.type, s.operation) for s in plain] == [
        ("hook", "update"), ("hook", "disable"), ("hook", "delete"),
        ("action", "create"), ("action", "deploy"), ("bindings", "bind"),
    ]
    assert plain[5].after == (4,)
    assert merge_plan(parts()).pairs == ()


def test_both_binds_first_then_disables_right_after() -> None:
    merged = merge_plan(parts(), [StrictPair(BIND, DISABLE)])
    steps = merged.steps
    assert_backwards(steps)
    s = by_name(steps)
    bind, disable, delete = s["bindings", "bind"], s["hook", "disable"], s["hook", "delete"]
    assert disable.follows == bind.index == disable.index - 1
    assert bind.first
    assert s["action", "deploy"].index in bind.after  # still waits for the deploy
    assert s["hook", "update"].index in bind.after  # lifted from its follower
    assert disable.index in delete.after
    assert merged.pairs == ((bind.index, disable.index),)


def test_neither_disables_first_and_the_disable_waits_for_the_deploy() -> None:
    steps = merge(parts(), [StrictPair(DISABLE, BIND)])
    assert_backwards(steps)
    s = by_name(steps)
    bind, disable = s["bindings", "bind"], s["hook", "disable"]
    assert bind.follows == disable.index == bind.index - 1
    assert s["action", "deploy"].index in disable.after  # lifted: the bind is ready at once
    assert s["hook", "delete"].index > bind.index  # the delete keeps its place after


def test_several_triggers_each_get_their_own_adjacent_pair() -> None:
    hooks = TypePlan("hook", tuple(Step(i, "hook", f"h{i}", "disable") for i in range(3)))
    actions = TypePlan("action", tuple(Step(i, "action", f"a{i}", "deploy") for i in range(3)))
    bindings = TypePlan(
        "bindings", tuple(Step(i, "bindings", f"t{i}", "bind") for i in range(3)),
        edges=tuple((i, StepRef("action", f"a{i}", "deploy")) for i in range(3)),
    )
    pairs = [
        StrictPair(StepRef("bindings", "t0", "bind"), StepRef("hook", "h0", "disable")),
        StrictPair(StepRef("hook", "h1", "disable"), StepRef("bindings", "t1", "bind")),
        StrictPair(StepRef("bindings", "t2", "bind"), StepRef("hook", "h2", "disable")),
    ]
    merged = merge_plan([hooks, actions, bindings], pairs)
    assert_backwards(merged.steps)
    assert len(merged.pairs) == 3
    for leader, follower in merged.pairs:
        assert follower == leader + 1
        assert merged.steps[follower].follows == leader


def test_an_edge_to_a_later_type_is_resolved() -> None:
    early = TypePlan("hook", (Step(0, "hook", "h", "delete"),), edges=((0, StepRef("bindings", "t", "bind")),))
    late = TypePlan("bindings", (Step(0, "bindings", "t", "bind"),))
    steps = merge([early, late])
    assert [(s.type, s.index, s.after) for s in steps] == [("bindings", 0, ()), ("hook", 1, (0,))]


def test_a_pair_whose_follower_waits_for_its_leader_indirectly_is_refused() -> None:
    hooks = TypePlan("hook", (Step(0, "hook", "h", "disable"), Step(1, "hook", "h", "update", after=(0,))))
    bindings = TypePlan("bindings", (Step(0, "bindings", "t", "bind"),), edges=((0, StepRef("hook", "h", "update")),))
    with pytest.raises(PlanError, match="cannot lead|a cycle"):
        merge([hooks, bindings], [StrictPair(StepRef("hook", "h", "disable"), StepRef("bindings", "t", "bind"))])


def test_a_cycle_between_types_is_refused() -> None:
    a = TypePlan("a", (Step(0, "a", "x", "op"),), edges=((0, StepRef("b", "y", "op")),))
    b = TypePlan("b", (Step(0, "b", "y", "op"),), edges=((0, StepRef("a", "x", "op")),))
    with pytest.raises(PlanError, match="cycle"):
        merge([a, b])


def test_a_step_in_two_pairs_and_unknown_pair_steps_are_refused() -> None:
    with pytest.raises(PlanError, match="at most one strict pair"):
        merge(parts(), [StrictPair(BIND, DISABLE), StrictPair(StepRef("hook", "legacy", "update"), DISABLE)])
    with pytest.raises(PlanError, match="no resource type planned"):
        merge(parts(), [StrictPair(StepRef("bindings", "post-login", "bind"), DISABLE)])


def test_hook_steps_are_renumbered_with_their_created_by() -> None:
    from reconciler.core.steps import Phase
    from reconciler.resources.hooks.actions import Action
    from reconciler.resources.hooks.plan import hook_step as HookStep

    hooks = TypePlan("hook", (
        HookStep(0, Action.CREATE, "n", "pre-user-registration", None, None, {}, (), Phase.PREPARE),
        HookStep(1, Action.SECRETS_ADD, "n", "pre-user-registration", None, 0, {"keys": ["K"]}, (0,), Phase.PREPARE),
        HookStep(2, Action.DISABLE, "old", "pre-user-registration", "id1", None, {"enabled": False}, (1,), Phase.HANDOVER),
    ))
    bindings = TypePlan("bindings", (Step(0, "bindings", "pre-user-registration", "bind"),))
    merged = merge_plan([hooks, bindings], [StrictPair(StepRef("bindings", "pre-user-registration", "bind"), StepRef("hook", "old", "disable"))])
    kinds = [(s.type, s.operation, s.index) for s in merged.steps]
    assert kinds == [("hook", "create", 0), ("hook", "secrets-add", 1), ("bindings", "bind", 2), ("hook", "disable", 3)]
    assert merged.steps[1].payload.created_by == 0 and merged.steps[3].after == (1, 2)
    assert merged.steps[2].after == (1,)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, int]] = []

    def guard(self, step: Step, results: object) -> None:
        return None

    def run(self, step: Step, results: object) -> None:
        with self.lock:
            self.log.append((threading.current_thread().name, step.index))

    def done(self, step: Step, started: object, results: object) -> bool:
        return True


@pytest.mark.parametrize("pair", [StrictPair(BIND, DISABLE), StrictPair(DISABLE, BIND)])
def test_the_executor_runs_the_pair_back_to_back_in_one_worker(pair: StrictPair) -> None:
    merged = merge_plan(parts(), [pair])
    jobs = with_pairs({s.index: s.job() for s in merged.steps}, merged.pairs)
    (leader, follower), = merged.pairs
    assert jobs[follower].follows == leader and jobs[leader].first
    for _ in range(20):
        recorder = Recorder()
        report = execute(merged.steps, recorder, max_workers=4, job_of=lambda s: jobs[s.index])
        assert report.ok
        mine = [i for thread, i in recorder.log if thread == dict((i, t) for t, i in recorder.log)[leader]]
        assert mine[mine.index(leader) + 1] == follower
