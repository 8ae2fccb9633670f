"""Waiting for the server to finish something (an action's build, a deploy), bounded.

One poll right away (or, with ``settle``, after the first wait), then back-off: ``first`` seconds growing by ``factor`` to ``cap``
(0.25 s x1.25 → 10 s). Geometric growth keeps the time lost after the build finishes
under a quarter of the time waited (doubling, terraform's 0.5 s → 10 s, loses up to half),
for about one cheap GET more per doubling of the wait: a build without dependencies is done
within a second, one with npm dependencies takes 5-60 s. Never past ``timeout`` in total. The clock and the sleep are
injectable so tests never wait for real. Each poll is an ordinary request: the transport's
retry policy and the run deadline (AUTH0_RUN_TIMEOUT) still apply to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

# deploy-cli allows a build 2 minutes (PR#524); a failing build gave up after ~60 s [rec].
DEFAULT_WAIT = 120.0


@dataclass(frozen=True)
class Backoff:
    """How to poll: first wait, longest single wait, total time allowed (seconds)."""

    first: float = 0.25
    cap: float = 10.0
    timeout: float = DEFAULT_WAIT
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    factor: float = 1.25


class PollTimeout(Exception):
    """Internal: ``poll`` ran out of time; ``waited`` seconds were spent."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"waited {waited:g}s")
        self.waited = waited


def poll(check: Callable[[], T | None], backoff: Backoff, *, settle: bool = False, expect: float = 0.0) -> T:
    """Call ``check`` until it returns something other than None (or raises); with
    ``settle``, only after a first wait (the caller has just seen the state it waits out), of
    at least ``expect`` seconds (how long the work is known to take at the least).

    Raises :class:`PollTimeout` once ``backoff.timeout`` seconds have passed without a result;
    ``check`` is always called once more after the last wait, so the final state is seen.
    Time passed is the larger of the clock's and the sum of the waits, so an injected sleep
    that returns at once (tests) still ends the wait after a bounded number of polls.
    """
    started = backoff.clock()
    timeout = max(0.0, backoff.timeout)
    delays = _delays(backoff)
    slept = 0.0
    if settle and timeout > 0:
        slept = min(max(next(delays), expect), timeout)
        backoff.sleep(slept)
    while True:
        result = check()
        if result is not None:
            return result
        waited = max(backoff.clock() - started, slept)
        left = timeout - waited
        if left <= 0:
            raise PollTimeout(waited)
        pause = min(next(delays), left)
        backoff.sleep(pause)
        slept += pause


def _delays(backoff: Backoff) -> Iterator[float]:
    """``first``, growing by ``factor`` up to ``cap`` (never below 10 ms: no busy loop)."""
    delay = max(0.01, backoff.first)
    while True:
        yield delay
        delay = min(max(backoff.cap, delay), delay * max(1.0, backoff.factor))
