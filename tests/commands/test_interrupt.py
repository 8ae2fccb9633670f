"""Ctrl-C during apply is acknowledged at once, naming what the run is finishing: requests in
flight, and steps under way that hold no request (a build being waited for)."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass

import pytest

from reconciler.commands.interrupt import UnderWay, graceful_stop, interrupt_line


@dataclass(frozen=True)
class _Step:
    index: int


@pytest.mark.parametrize("requests,steps,said", [
    (3, 3, "finishing 3 requests in flight, starting nothing new"),
    (1, 4, "finishing 1 request in flight and 4 steps under way, starting nothing new"),
    (0, 2, "finishing 2 steps under way (waiting for Auth0), starting nothing new"),
    (0, 0, "finishing what is under way, starting nothing new"),
])
def test_the_acknowledgement_names_what_is_being_finished(requests: int, steps: int, said: str) -> None:
    assert interrupt_line(requests, steps) == f"interrupt received: {said}"


def test_steps_under_way_are_those_started_and_not_finished() -> None:
    seen: list[tuple[int, str]] = []
    under_way = UnderWay(lambda step, event: seen.append((step.index, event)))
    for index in range(3):
        under_way(_Step(index), "start")
    under_way(_Step(0), "done")
    under_way(_Step(1), "failed")
    assert under_way.count() == 1
    assert seen[-1] == (1, "failed")  # the wrapped callback still sees every event


def test_the_signal_is_acknowledged_before_anything_finishes(capfd: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    with graceful_stop(stop, lambda: 0, lambda: 2):
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.wait(5)
    assert "interrupt received: finishing 2 steps under way" in capfd.readouterr().err
