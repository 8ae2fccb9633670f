import threading

import pytest

from reconciler.core.steps import Phase
from reconciler.progress import LineReporter, progress_bar
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.plan import hook_step

STEP = hook_step(0, Action.CREATE, "h", "pre-user-registration", None, None, {}, (), Phase.PREPARE)
OTHER = hook_step(1, Action.UPDATE, "g", "pre-user-registration", None, None, {}, (), Phase.PREPARE)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_one_line_per_finished_step_with_elapsed_time() -> None:
    lines: list[str] = []
    clock = FakeClock()
    reporter = LineReporter(2, echo=lines.append, clock=clock)
    reporter.on_step(STEP, "start")
    reporter.on_step(OTHER, "start")
    assert lines == []  # a start is not a line: only finished requests are
    clock.now += 2.5
    reporter.on_step(STEP, "done")
    clock.now += 1.0
    reporter.on_step(OTHER, "failed")
    assert lines == ["[1/2] create h: done after 2.5s", "[2/2] update g: FAILED after 3.5s"]


def test_a_noted_step_says_what_it_is_part_of_and_others_do_not() -> None:
    # A cutover's hook request is noted (``resources.cutover.step_notes``), not read as a trigger going dark.
    lines: list[str] = []
    reporter = LineReporter(2, echo=lines.append, clock=FakeClock(),
                            notes={("hook", "h", "create"): "action a takes over in the same step"})
    reporter.on_step(STEP, "done")
    reporter.on_step(OTHER, "done")
    assert lines == ["[1/2] create h (action a takes over in the same step): done after 0.0s",
                     "[2/2] update g: done after 0.0s"]


def test_still_running_names_what_is_in_flight_and_is_silent_when_idle() -> None:
    lines: list[str] = []
    clock = FakeClock()
    reporter = LineReporter(2, echo=lines.append, clock=clock)
    reporter.tick()
    assert lines == []
    reporter.on_step(STEP, "start")
    clock.now += 12
    reporter.tick()
    assert lines == ["Still running... [12s elapsed, 0/2 done] create h (12s)"]


def test_still_running_line_comes_from_a_timer_while_a_step_hangs(capsys: pytest.CaptureFixture[str]) -> None:
    ticked = threading.Event()
    with progress_bar(1, enabled=False, interval=0.01) as on_step:
        on_step(STEP, "start")
        # Wait (bounded) for the timer thread: nothing here depends on how fast it is.
        for _ in range(500):
            if "Still running" in capsys.readouterr().out:
                ticked.set()
                break
            threading.Event().wait(0.01)
        on_step(STEP, "done")
    assert ticked.is_set()
    assert "[1/1] create h: done after" in capsys.readouterr().out


def _two_steps_on_a_bar(capsys: pytest.CaptureFixture[str]) -> str:
    with progress_bar(2, enabled=True, color=False) as on_step:
        for step in (STEP, OTHER):
            on_step(step, "start")
            on_step(step, "done")
    return capsys.readouterr().out


def test_terminal_bar_names_the_step_that_finished(capsys: pytest.CaptureFixture[str]) -> None:
    out = _two_steps_on_a_bar(capsys)
    assert "Applying" in out and "2/2" in out
    assert "done: update g" in out
    assert "\x1b[3" not in out  # color=False: no colour codes


def test_a_finished_bar_leaves_the_list_of_what_was_done(capsys: pytest.CaptureFixture[str]) -> None:
    out = _two_steps_on_a_bar(capsys)
    assert "[1/2] create h: done after" in out and "[2/2] update g: done after" in out


def test_nothing_to_do_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(0, enabled=False):
        pass
    assert capsys.readouterr().out == ""
