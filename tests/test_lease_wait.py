"""--lock-timeout: waiting for a lease another run holds, told once who holds it and until
when; refusing at once without a timeout, after it, and for a hook that only has the name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.errors import LeaseWaitInterrupted, TenantLocked
from reconciler.lease import LEASE_NAME, Lease, Marker
from reconciler.lease_wait import acquire_waiting
from tests.test_lease import Clock, MemoryStore


class Waiter:
    """A fake monotonic clock that sleeping moves on; ``on_sleep`` runs at each sleep."""

    def __init__(self, on_sleep: object = None) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if callable(self.on_sleep):
            self.on_sleep()


def test_the_refusal_says_when_the_lease_expires() -> None:
    store, clock = MemoryStore(), Clock()
    Lease(store, "alice@ci pid 1", clock=clock, renew_every=0).acquire()
    with pytest.raises(TenantLocked) as refused:
        Lease(store, "bob", clock=clock, renew_every=0).acquire()
    assert "alice@ci pid 1 since 2030-01-01T00:00:00+00:00, until 2030-01-01T00:" in str(refused.value)
    assert "unless renewed" in str(refused.value) and "--lock-timeout waits" in str(refused.value)


def test_waiting_takes_the_lease_once_the_holder_is_done() -> None:
    store, clock = MemoryStore(), Clock()
    first = Lease(store, "alice", clock=clock, renew_every=0)
    first.acquire()
    polls: list[int] = []

    def later() -> None:
        polls.append(1)
        if len(polls) == 3:
            first.release()

    waiter, told = Waiter(later), list[str]()
    second = Lease(store, "bob", clock=clock, renew_every=0)
    acquire_waiting(second, 60, on_wait=told.append, sleep=waiter.sleep, clock=waiter.clock)
    assert second.marker_id is not None and waiter.slept == [5.0, 5.0, 5.0]
    assert len(told) == 1 and told[0].startswith("waiting up to 60 s for the lease: tenant is locked by alice since")
    assert "until" in told[0]
    second.release()


def test_the_wait_ends_with_the_refusal_after_the_timeout() -> None:
    store, clock = MemoryStore(), Clock()
    Lease(store, "alice", clock=clock, renew_every=0, ttl=timedelta(hours=1)).acquire()
    waiter, told = Waiter(), list[str]()
    with pytest.raises(TenantLocked, match="locked by alice"):
        acquire_waiting(Lease(store, "bob", clock=clock, renew_every=0), 12, on_wait=told.append,
                        sleep=waiter.sleep, clock=waiter.clock)
    assert waiter.slept == [5.0, 5.0, 2.0] and len(told) == 1


def test_no_timeout_refuses_at_once_and_a_named_hook_is_never_waited_for() -> None:
    store, clock = MemoryStore(), Clock()
    Lease(store, "alice", clock=clock, renew_every=0).acquire()
    waiter = Waiter()
    with pytest.raises(TenantLocked):
        acquire_waiting(Lease(store, "bob", clock=clock, renew_every=0), 0, sleep=waiter.sleep, clock=waiter.clock)
    assert waiter.slept == []
    store.marker = Marker("h1", "module.exports = function () {};", provable=False)  # a user's hook of that name
    with pytest.raises(TenantLocked, match=LEASE_NAME):
        acquire_waiting(Lease(store, "bob", clock=clock, renew_every=0), 60, sleep=waiter.sleep, clock=waiter.clock)
    assert waiter.slept == []


def test_an_interrupt_ends_the_wait_at_once_with_nothing_written() -> None:
    """Ctrl-C while --lock-timeout waits: the run stops there (exit 130 in the command), it
    does not sit out the timeout and then apply."""
    store, clock = MemoryStore(), Clock()
    Lease(store, "alice", clock=clock, renew_every=0, ttl=timedelta(hours=1)).acquire()
    interrupted: list[bool] = []
    waiter = Waiter(lambda: interrupted.append(True))
    second = Lease(store, "bob", clock=clock, renew_every=0)
    with pytest.raises(LeaseWaitInterrupted, match="nothing was written"):
        acquire_waiting(second, 600, sleep=waiter.sleep, clock=waiter.clock, stopped=lambda: bool(interrupted))
    assert waiter.slept == [5.0] and second.marker_id is None
