"""Ctrl-C (or SIGTERM, as CI cancels a job) during apply: acknowledged at once, saying what
the run is finishing, so nobody presses it again out of doubt."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


class UnderWay:
    """Wraps an apply's ``on_step``: counts the steps started and not yet finished (a step
    waiting for a build holds no request, yet the run finishes it)."""

    def __init__(self, on_step: Callable[[Any, str], None]) -> None:
        self._on_step = on_step
        self._lock = threading.Lock()
        self._started: set[int] = set()

    def __call__(self, step: Any, event: str) -> None:
        with self._lock:
            if event == "start":
                self._started.add(step.index)
            else:
                self._started.discard(step.index)
        self._on_step(step, event)

    def count(self) -> int:
        with self._lock:
            return len(self._started)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def interrupt_line(requests: int, steps: int) -> str:
    """What the run says the moment it is interrupted: the requests in flight, and the steps
    under way beside them (builds and deploys being waited for)."""
    if requests and steps > requests:
        what = f"{_plural(requests, 'request')} in flight and {_plural(steps, 'step')} under way"
    elif requests:
        what = f"{_plural(requests, 'request')} in flight"
    elif steps:
        what = f"{_plural(steps, 'step')} under way (waiting for Auth0)"
    else:
        what = "what is under way"
    return f"interrupt received: finishing {what}, starting nothing new"


@contextlib.contextmanager
def graceful_stop(stop: threading.Event, in_flight: Callable[[], int] = lambda: 0,
                  under_way: Callable[[], int] = lambda: 0) -> Iterator[None]:
    """Requests in flight and started hand-overs finish, nothing new starts; the caller
    releases the lease and exits 130."""

    def handler(signum: int, frame: object) -> None:
        if not stop.is_set():
            # os.write: no buffered stream (the signal may land while one is being written)
            os.write(2, f"\n{interrupt_line(in_flight(), under_way())}\n".encode())
        stop.set()

    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
