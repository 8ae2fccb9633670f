"""PairedRunner: a cutover pair's checks run before either request, its two requests back to
back; a failed check sends nothing; a failed second request is that step's failure."""

from __future__ import annotations

from typing import Any

from reconciler.core.executor import execute
from reconciler.core.planner import with_pairs
from reconciler.core.steps import Step
from reconciler.errors import ApplyError
from reconciler.resources.cutover_wiring import PairedRunner


class Recorder:
    def __init__(self, fail: tuple[str, int] | None = None) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def _do(self, what: str, step: Any) -> None:
        self.calls.append(f"{what} {step.index}")
        if self.fail == (what, step.index):
            raise ApplyError(f"{what} {step.index} failed")

    def guard(self, step: Any, results: Any) -> None:
        self._do("guard", step)

    def run(self, step: Any, results: Any) -> Any:
        self._do("run", step)
        return f"result {step.index}"

    def done(self, step: Any, started: Any, results: Any) -> bool:
        return True


STEPS = (Step(0, "action", "a", "deploy"), Step(1, "bindings", "t", "bind", after=(0,)), Step(2, "hook", "h", "disable", after=(0, 1)))
PAIRS = ((1, 2),)  # bind, then disable (both run for one request); merge_plan made 2 wait for 1


def run(inner: Recorder) -> Any:
    jobs = with_pairs({s.index: s.job() for s in STEPS}, PAIRS)
    return execute(STEPS, PairedRunner(inner, STEPS, PAIRS, client=None), max_workers=4, job_of=lambda s: jobs[s.index])


def test_both_checks_then_both_requests() -> None:
    inner = Recorder()
    report = run(inner)
    assert report.ok and [s.index for s in report.done] == [0, 1, 2]
    assert inner.calls == ["guard 0", "run 0", "guard 1", "guard 2", "run 1", "run 2"]


def test_a_failed_check_of_the_second_step_sends_neither() -> None:
    inner = Recorder(fail=("guard", 2))
    report = run(inner)
    assert "run 1" not in inner.calls and "run 2" not in inner.calls
    assert [f.step.index for f in report.failed] == [1] and [s.index for s in report.not_run] == [2]


def test_a_failed_second_request_is_reported_as_that_step() -> None:
    inner = Recorder(fail=("run", 2))
    report = run(inner)
    assert [s.index for s in report.done] == [0, 1]
    assert [(f.step.index, f.message) for f in report.failed] == [(2, "run 2 failed")]


NEITHER_STEPS = (Step(0, "action", "a", "deploy"), Step(1, "hook", "sms", "disable"),
                 Step(2, "bindings", "send-phone-message", "bind", after=(0, 1)))
NEITHER = ((1, 2),)  # disable, then bind (neither runs for one request)


class Undoing(Recorder):
    def __init__(self, fail: tuple[str, int], undo_fails: bool = False) -> None:
        super().__init__(fail)
        self.undo_fails = undo_fails

    def guard(self, step: Any, results: Any) -> None:
        self.calls.append(f"guard {step.index}")

    def undo(self, step: Any, results: Any) -> None:
        self.calls.append(f"undo {step.index}")
        if self.undo_fails:
            raise ApplyError("the server refused")


def run_neither(inner: Recorder) -> Any:
    jobs = with_pairs({s.index: s.job() for s in NEITHER_STEPS}, NEITHER)
    runner = PairedRunner(inner, NEITHER_STEPS, NEITHER, client=None)
    return execute(NEITHER_STEPS, runner, max_workers=4, job_of=lambda s: jobs[s.index])


def test_a_neither_cutover_whose_bind_fails_puts_the_hook_back() -> None:
    inner = Undoing(fail=("run", 2))
    report = run_neither(inner)
    calls = inner.calls
    # After the failed bind, its check again (the list is unchanged: it did not land), then undo.
    assert calls.index("run 2") < len(calls) - 1 - calls[::-1].index("guard 2") < calls.index("undo 1")
    (failure,) = report.failed
    assert failure.step.index == 2 and "hook sms was enabled again" in failure.message


def test_a_hook_that_cannot_be_put_back_is_said_loudly() -> None:
    report = run_neither(Undoing(fail=("run", 2), undo_fails=True))
    (failure,) = report.failed
    assert "send-phone-message RUNS NOTHING now" in failure.message and "enable sms" in failure.message
