"""The generic executor: graph order, barrier, strict pairs, stop, guard and polling,
with generic steps of two made-up resource types (no hooks)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import Any

from reconciler.core.executor import Dispatch, Results, execute
from reconciler.core.steps import Phase, Step, Wait
from reconciler.errors import ApplyError


class Recorder:
    def __init__(self, fail: AbstractSet[int] = frozenset(), refuse: AbstractSet[int] = frozenset(), polls: int = 0) -> None:
        self.calls: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.fail, self.refuse, self.polls = fail, refuse, polls
        self.hook: Callable[[Step], None] | None = None

    def guard(self, step: Step, results: Results) -> None:
        if step.index in self.refuse:
            raise ApplyError(f"refused {step.key}")

    def run(self, step: Step, results: Results) -> str:
        with self.lock:
            self.calls.append((step.operation, step.index))
        if self.hook:
            self.hook(step)
        if step.index in self.fail:
            raise ApplyError(f"failed {step.key}")
        return f"id-{step.index}"

    def done(self, step: Step, started: object, results: Results) -> bool:
        with self.lock:
            self.calls.append(("poll", step.index))
            self.polls -= 1
            return self.polls < 0


def s(index: int, op: str = "create", after: tuple[int, ...] = (), **kw: Any) -> Step:
    return Step(index, kw.pop("type", "thing"), f"k{index}", op, after=after, **kw)


def test_dependencies_and_the_remove_barrier_order_the_run() -> None:
    steps = [s(0), s(1, after=(0,)), s(2, "delete", phase=Phase.REMOVE), s(3)]
    runner = Recorder()
    report = execute(steps, runner, max_workers=1)
    assert report.ok and [i for _, i in runner.calls] == [0, 1, 3, 2]


def test_first_failure_stops_new_steps() -> None:
    steps = [s(0), s(1, after=(0,)), s(2, after=(1,))]
    report = execute(steps, Recorder(fail={1}), max_workers=1)
    assert [f.step.index for f in report.failed] == [1] and [x.index for x in report.not_run] == [2]
    assert report.failed[0].message == "failed k1"


def test_a_started_strict_pair_finishes_even_when_stopped() -> None:
    stop = threading.Event()
    steps = [s(0, "disable", first=True), s(1, "enable", after=(0,), follows=0), s(2)]
    runner = Recorder()
    runner.hook = lambda step: stop.set() if step.index == 0 else None
    report = execute(steps, runner, max_workers=1, stop=stop)
    assert [i for _, i in runner.calls] == [0, 1]
    assert report.interrupted and [x.index for x in report.not_run] == [2]


def test_the_guard_refuses_a_step_before_its_request() -> None:
    runner = Recorder(refuse={0})
    report = execute([s(0)], runner)
    assert runner.calls == [] and report.failed[0].message == "refused k0"


def test_a_polled_step_runs_to_completion_and_later_steps_see_its_result() -> None:
    seen: list[None] = []
    runner = Recorder(polls=2)
    runner.hook = lambda step: seen.append(None) if step.index == 1 else None
    steps = [s(0, "deploy", wait=Wait(timeout=10, interval=1)), s(1, after=(0,))]
    sleeps: list[float] = []
    report = execute(steps, runner, sleep=sleeps.append, clock=lambda: float(len(sleeps)))
    assert report.ok and runner.calls == [("deploy", 0), ("poll", 0), ("poll", 0), ("poll", 0), ("create", 1)]
    assert sleeps == [1, 1]


def test_a_poll_that_never_finishes_fails_after_its_timeout() -> None:
    runner = Recorder(polls=10**6)
    sleeps: list[float] = []
    report = execute([s(0, "deploy", wait=Wait(timeout=3, interval=1))], runner, sleep=sleeps.append, clock=lambda: float(len(sleeps)))
    assert not report.ok and "not finished after 3s" in report.failed[0].message and len(sleeps) == 3


def test_dispatch_sends_each_step_to_its_type() -> None:
    a, b = Recorder(), Recorder()
    report = execute([s(0, type="a"), s(1, type="b", after=(0,))], Dispatch({"a": a, "b": b}))
    assert report.ok and a.calls == [("create", 0)] and b.calls == [("create", 1)]
    report = execute([s(0, type="c")], Dispatch({"a": a}))
    assert "no operations for resource type 'c'" in report.failed[0].message


def test_steps_waiting_on_the_server_hold_no_request_slot() -> None:
    # With one request slot, three builds still wait side by side: each build's poll blocks
    # until all three have started, which would deadlock if a waiting step held the slot.
    started = threading.Barrier(3, timeout=10)

    class Builds(Recorder):
        def done(self, step: Step, started_value: object, results: Results) -> bool:
            if step.operation == "create":
                started.wait()
            return True

    runner = Builds()
    steps = [s(i, "create", wait=Wait(timeout=30, interval=1)) for i in range(3)] + [s(3, "bind", after=(0, 1, 2))]
    report = execute(steps, runner, max_workers=1)
    assert report.ok and [op for op, _ in runner.calls] == ["create", "create", "create", "bind"]
