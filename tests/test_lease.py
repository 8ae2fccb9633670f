"""The tenant lease: atomic take, refusal naming the holder, expiry take-over, unlock,
hostile marker text, release that never raises; in memory and against the emulator."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import connection_from_env
from reconciler.emulator.process import EmulatorProcess
from reconciler.errors import ApiError, OutcomeUnknown, TenantLocked
from reconciler.lease import (
    LEASE_NAME,
    Lease,
    Marker,
    current,
    is_marker_text,
    marker_text,
    parse_marker,
    unlock,
)
from reconciler.lease_hooks import HookMarkerStore

T0 = datetime(2030, 1, 1, tzinfo=UTC)


class MemoryStore:
    """A marker store with the semantics the protocol asks for (atomic create)."""

    def __init__(self) -> None:
        self.marker: Marker | None = None
        self.next_id = 0
        self.lock = threading.Lock()
        self.fail_delete = False

    def create(self, text: str) -> bool:
        with self.lock:
            if self.marker is not None:
                return False
            self.next_id += 1
            self.marker = Marker(f"m{self.next_id}", text)
            return True

    def read(self) -> Marker | None:
        return self.marker

    def update(self, marker_id: str, text: str) -> bool:
        with self.lock:
            if self.marker is None or self.marker.id != marker_id:
                return False
            self.marker = Marker(marker_id, text)
            return True

    def delete(self, marker_id: str) -> None:
        if self.fail_delete:
            raise ApiError("forbidden", status=403)
        with self.lock:
            if self.marker is not None and self.marker.id == marker_id:
                self.marker = None

    def own(self, nonce: str) -> list[str]:
        marker = self.marker
        return [marker.id] if marker is not None and parse_marker(marker.text).nonce == nonce else []


class LostAnswerStore(MemoryStore):
    """The create lands, and its answer is lost (a 500 after the write)."""

    def create(self, text: str) -> bool:
        super().create(text)
        raise OutcomeUnknown("500 Internal Server Error", status=500, path="/api/v2/hooks")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def holder(store: MemoryStore) -> str | None:
    """Who holds the lease in ``store`` now (None: nobody)."""
    info = current(store)
    return None if info is None else info.holder


def test_second_lease_is_refused_naming_the_holder() -> None:
    store, clock = MemoryStore(), Clock()
    first = Lease(store, "alice@ci pid 1", clock=clock, renew_every=0)
    first.acquire()
    with pytest.raises(TenantLocked, match=r"tenant is locked by alice@ci pid 1 since 2030-01-01T00:00:00\+00:00"):
        Lease(store, "bob", clock=clock, renew_every=0).acquire()
    first.release()
    assert store.marker is None
    with Lease(store, "bob", clock=clock, renew_every=0):
        assert holder(store) == "bob"


def test_an_expired_lease_is_taken_over_and_the_old_holder_learns_it_lost() -> None:
    store, clock = MemoryStore(), Clock()
    lost: list[str] = []
    old = Lease(store, "killed", clock=clock, renew_every=0, on_lost=lost.append)
    old.acquire()
    clock.now = T0 + timedelta(minutes=14)
    with pytest.raises(TenantLocked):
        Lease(store, "new", clock=clock, renew_every=0).acquire()
    clock.now = T0 + timedelta(minutes=16)
    new = Lease(store, "new", clock=clock, renew_every=0)
    new.acquire()
    assert holder(store) == "new"
    old.renew()  # its marker id is gone: it knows it lost
    assert old.lost and lost
    old.release()  # deletes by id: never the new holder's marker
    assert holder(store) == "new"


def test_renewal_keeps_a_long_apply_from_expiring() -> None:
    store, clock = MemoryStore(), Clock()
    lease = Lease(store, "long", clock=clock, renew_every=0)
    lease.acquire()
    clock.now = T0 + timedelta(minutes=10)
    lease.renew()
    clock.now = T0 + timedelta(minutes=20)
    with pytest.raises(TenantLocked):
        Lease(store, "other", clock=clock, renew_every=0).acquire()


@pytest.mark.parametrize(
    "text",
    [
        "", "module.exports = 1", "// reconciler-lease not json", "// reconciler-lease []",
        "// reconciler-lease " + "[" * 50000, '// reconciler-lease {"holder": 5, "expires": "tomorrow"}',
        '// reconciler-lease {"holder": "x\\u001b[31m\\nred", "expires": null}', "x" * 100000,
    ],
)
def test_odd_markers_count_as_held_and_never_crash(text: str) -> None:
    info = parse_marker(text)
    assert info.expires is None and not info.expired(T0)
    assert "\n" not in info.describe() and "\x1b" not in info.describe()
    store = MemoryStore()
    store.marker = Marker("m0", text)
    with pytest.raises(TenantLocked, match="reconciler unlock"):
        Lease(store, "me", renew_every=0).acquire()
    assert unlock(store) is not None and store.marker is None


def test_marker_text_round_trips() -> None:
    info = parse_marker(marker_text("me@host pid 7", T0, T0 + timedelta(minutes=15), "abc"))
    assert (info.holder, info.nonce, info.expires) == ("me@host pid 7", "abc", T0 + timedelta(minutes=15))


def test_release_marks_expired_when_the_marker_cannot_be_deleted() -> None:
    store, clock = MemoryStore(), Clock()
    lease = Lease(store, "no-delete-scope", clock=clock, renew_every=0)
    lease.acquire()
    store.fail_delete = True
    lease.release()
    assert lease.release_problem and "marked it expired" in lease.release_problem
    store.fail_delete = False
    Lease(store, "next", clock=clock, renew_every=0).acquire()  # takes it over at once


def test_hook_marker_against_the_emulator(emulator: EmulatorProcess) -> None:
    with ManagementClient(connection_from_env(emulator.env())) as client:
        store = HookMarkerStore(client)
        racers = [Lease(store, f"racer {i}", renew_every=0) for i in range(4)]
        assert race(racers) == ["locked", "locked", "locked", "won"]
        hooks = client.hooks.list()
        assert [h["name"] for h in hooks] == [LEASE_NAME] and hooks[0]["enabled"] is False
        for lease in racers:
            lease.release()
        assert client.hooks.list() == []


def race(racers: list[Lease]) -> list[str]:
    """Every lease tries to take the tenant at once; their outcomes, sorted."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(racers))

    def take(lease: Lease) -> None:
        barrier.wait()
        try:
            lease.acquire()
            outcomes.append("won")
        except TenantLocked:
            outcomes.append("locked")

    threads = [threading.Thread(target=take, args=(lease,)) for lease in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_a_create_whose_answer_is_lost_still_takes_the_lease_and_gives_it_back() -> None:
    store = LostAnswerStore()
    lease = Lease(store, "me", renew_every=0)
    lease.acquire()
    assert lease.marker_id == "m1"
    lease.release()
    assert store.marker is None and lease.release_problem is None


def test_a_failed_take_removes_the_marker_it_made() -> None:
    class ReadFails(LostAnswerStore):
        reads = 0

        def read(self) -> Marker | None:
            self.reads += 1
            if self.reads == 1:
                raise ApiError("server error", status=503)
            return super().read()

    store = ReadFails()
    with pytest.raises(ApiError), Lease(store, "me", renew_every=0):
        pass
    assert store.marker is None


def test_without_the_delete_scope_an_expired_marker_is_taken_over_in_place() -> None:
    store, clock = MemoryStore(), Clock()
    store.fail_delete = True
    first = Lease(store, "first", clock=clock, renew_every=0, settle=0, sleep=lambda s: None)
    first.acquire()
    first.release()
    assert "marked it expired" in str(first.release_problem)
    second = Lease(store, "second", clock=clock, renew_every=0, settle=60, sleep=lambda s: None)
    second.acquire()
    assert second.marker_id == "m1" and parse_marker(store.marker.text).holder == "second"  # type: ignore[union-attr]


def test_a_take_over_that_lost_the_race_is_refused() -> None:
    store, clock = MemoryStore(), Clock()
    store.marker = Marker("m9", marker_text("killed", T0, T0, "old"))
    store.fail_delete = True

    def other_writes_meanwhile(seconds: float) -> None:
        store.marker = Marker("m9", marker_text("other", T0, T0 + timedelta(minutes=15), "theirs"))

    with pytest.raises(TenantLocked, match="locked by other"):
        Lease(store, "me", clock=clock, renew_every=0, settle=5, sleep=other_writes_meanwhile).acquire()


@pytest.mark.parametrize("text, provable", [
    (marker_text("me", T0, T0, "n"), True),
    (marker_text("me", T0, T0, "n") + "module.exports = () => {};\n", False),
    ('// reconciler-lease {"holder": "me", "since": "", "expires": "", "nonce": "n", "more": 1}\n', False),
    ("// reconciler-lease " + '{"holder": "a", "since": "", "expires": "", "nonce": "n"}\u2028x = 1', False),
    ("exports.onExecutePostLogin = async () => {};", False),
])
def test_only_the_lease_comment_is_provably_a_marker(text: str, provable: bool) -> None:
    assert is_marker_text(text) is provable


class AnsweringHooks:
    """Hook endpoints for a ``HookMarkerStore``: the create lands the marker and answers with
    ``answer(script)`` (another run's marker found by a lost answer's look-up, say)."""

    def __init__(self, answer: Callable[[str], str], log: list[str]) -> None:
        self.answer, self.log = answer, log
        self.hooks: list[dict[str, Any]] = []

    def create(self, name: str, trigger_id: str, script: str, enabled: bool = False, dependencies: Any = None) -> Any:
        self.log.append("create")
        self.hooks.append({"id": "h1", "name": name, "triggerId": trigger_id, "script": self.answer(script),
                           "enabled": enabled})
        return self.hooks[-1]

    def list(self) -> list[dict[str, Any]]:
        self.log.append("list")
        return list(self.hooks)

    def update(self, hook_id: str, **fields: Any) -> Any:
        return {}

    def delete(self, hook_id: str) -> None:
        self.hooks = [h for h in self.hooks if h["id"] != hook_id]


def test_a_create_answered_with_our_own_marker_tells_on_taken_before_the_confirming_read() -> None:
    log: list[str] = []
    store = HookMarkerStore(SimpleNamespace(hooks=AnsweringHooks(lambda script: script, log)))
    lease = Lease(store, "me", renew_every=0, on_taken=lambda: log.append("taken"))
    lease.acquire()
    assert log == ["create", "taken", "list"] and lease.taken_early and lease.marker_id == "h1"
    lease.release()


def test_a_create_answered_with_another_runs_marker_never_tells_on_taken() -> None:
    log: list[str] = []
    theirs = marker_text("other run", T0, T0 + timedelta(days=3650), "0123456789abcdef")
    store = HookMarkerStore(SimpleNamespace(hooks=AnsweringHooks(lambda script: theirs, log)))
    lease = Lease(store, "me", renew_every=0, on_taken=lambda: log.append("taken"))
    with pytest.raises(TenantLocked, match="other run"):
        lease.acquire()
    assert log == ["create", "list"] and not lease.taken_early and lease.marker_id is None


def test_a_lost_answer_takes_the_lease_without_telling_on_taken() -> None:
    told: list[str] = []
    lease = Lease(LostAnswerStore(), "me", renew_every=0, on_taken=lambda: told.append("taken"))
    lease.acquire()  # the read decides: the marker holds our nonce
    assert told == [] and not lease.taken_early and lease.marker_id == "m1"
    lease.release()


def test_release_gives_back_once() -> None:
    """An apply gives the lease back alongside its read-back and again on every exit: the
    second call sends nothing (after a lost create it would look for our markers again)."""
    class Counting(LostAnswerStore):
        owns = 0

        def own(self, nonce: str) -> list[str]:
            self.owns += 1
            return super().own(nonce)

    store = Counting()
    lease = Lease(store, "me", renew_every=0)
    lease.acquire()
    lease.release()
    lease.release()
    assert store.owns == 1 and store.marker is None
