"""RateLimiter.quiet: a request that can wait (a build poll) goes only when no other request
waits for the bucket, and never waits past the time it is given. A fake clock; the threads
that stand for queued writes are held and released by the test, never timed."""

from __future__ import annotations

import threading

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


def parked_writer(limiter: RateLimiter, ft: FakeTime) -> tuple[threading.Thread, threading.Event, list[str]]:
    """A write waiting in acquire() for a token, held there until the test sets ``go``; it
    notes "write" once it has its token. Every other thread's sleep moves the fake clock."""
    parked, go, order = threading.Event(), threading.Event(), []

    def sleep(seconds: float) -> None:
        if threading.current_thread() is writer:
            parked.set()
            assert go.wait(5)
        ft.sleep(seconds)

    def write() -> None:
        limiter.acquire()
        order.append("write")

    limiter.sleep = sleep
    writer = threading.Thread(target=write)
    writer.start()
    assert parked.wait(5)
    return writer, go, order


def test_a_poll_lets_a_waiting_write_go_first_then_takes_the_next_token() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=0)
    writer, go, order = parked_writer(limiter, ft)
    polled = threading.Event()

    def poll() -> None:
        assert limiter.quiet(30.0)
        order.append("poll")
        polled.set()

    poller = threading.Thread(target=poll)
    poller.start()
    assert not polled.wait(0.2)  # the write still waits: the poll does too
    go.set()
    writer.join(5)
    poller.join(5)
    assert order == ["write", "poll"]
    sent_at = ft.now
    limiter.acquire()  # the poll's own token was free when quiet said so
    assert ft.now == sent_at


def test_a_poll_never_yields_longer_than_it_is_given() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=0)
    writer, go, order = parked_writer(limiter, ft)
    assert not limiter.quiet(0.2)  # the write kept waiting
    go.set()
    writer.join(5)
    assert order == ["write"]


def test_a_poll_yielding_to_a_far_reset_ends_even_if_sleep_lets_no_time_pass() -> None:
    ft = FakeTime()
    limiter = free_tier(ft, remaining=1)
    limiter.block_for(60.0)  # a 429's Retry-After
    limiter.sleep = lambda seconds: None
    assert not limiter.quiet(2.0)
