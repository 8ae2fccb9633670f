"""RateLimiter.quiet: a request that can wait (a build poll) goes only when no other request
waits for the bucket, and never waits past the time it is given. A fake clock; the threads
that stand for queued writes are held and released by the test, never timed."""

from __future__ import annotations

import threading

import pytest

from reconciler.api.pacing import RateLimiter
from tests.api.api_helpers import FakeTime


def free_tier(ft: FakeTime, remaining: int) -> RateLimiter:
    """A limiter that has seen one answer of Auth0's free tier (2 a second, burst 2)."""
    limiter = RateLimiter(clock=ft.clock, sleep=ft.sleep)
    limiter.acquire()
    limiter.release({"x-ratelimit-limit": "2", "x-ratelimit-remaining": str(remaining),
                     "x-ratelimit-reset": str(int(ft.now) + 1)}, status=200)
    return limiter


def test_with_a_token_free_and_nothing_waiting_a_poll_goes_at_once() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=1)
    start = ft.now
    assert limiter.quiet(5.0)
    assert ft.now == start
    limiter.acquire()  # and its token is still there
    assert ft.now == start


def test_with_the_bucket_empty_a_poll_waits_for_the_next_token_and_takes_none() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=0)
    start = ft.now
    assert limiter.quiet(5.0)
    assert 0.4 < ft.now - start < 0.6  # one token at 2 a second
    after_quiet = ft.now
    limiter.acquire()
    assert ft.now == after_quiet


def test_a_poll_lets_a_waiting_write_go_first_then_takes_the_next_token() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=0)
    order: list[str] = []
    writer_waits, go, written = threading.Event(), threading.Event(), threading.Event()

    def sleep(seconds: float) -> None:
        if threading.current_thread() is writer:
            writer_waits.set()
            assert go.wait(5)
        elif not go.is_set():  # the poll's first nap, while the write waits for its token
            order.append("poll yields")
            go.set()
            assert written.wait(5)
        ft.sleep(seconds)

    def write() -> None:
        limiter.acquire()
        order.append("write")
        written.set()

    limiter.sleep = sleep
    writer = threading.Thread(target=write)
    writer.start()
    assert writer_waits.wait(5)
    assert limiter.quiet(30.0)
    order.append("poll")
    writer.join(5)
    assert order == ["poll yields", "write", "poll"]
    sent_at = ft.now
    limiter.acquire()  # the poll's own token was free when quiet said so
    assert ft.now == sent_at


@pytest.mark.parametrize("clock_moves", [True, False])
def test_a_poll_never_yields_longer_than_it_is_given(clock_moves: bool) -> None:
    # Writes keep waiting; quiet gives up after `within`, also when an injected sleep lets
    # no time pass (the naps are counted).
    ft = FakeTime()
    limiter = free_tier(ft, remaining=0)
    writer_waits, go = threading.Event(), threading.Event()

    def sleep(seconds: float) -> None:
        if threading.current_thread() is writer:
            writer_waits.set()
            assert go.wait(5)
            ft.sleep(seconds)
        elif clock_moves:
            ft.sleep(seconds)

    limiter.sleep = sleep
    writer = threading.Thread(target=limiter.acquire)
    writer.start()
    assert writer_waits.wait(5)
    start = ft.now
    assert not limiter.quiet(2.0)
    if clock_moves:
        assert ft.now - start == pytest.approx(2.0)
    go.set()
    writer.join(5)
    assert not writer.is_alive()
