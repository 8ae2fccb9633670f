"""StatusBoard: many actions' polls answered by one list request, never by a stale one."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reconciler.api.action_status import GATHER, SHARE_WINDOW, StatusBoard
from reconciler.errors import ApiError


class Tenant:
    """Actions by id, and every read the board made of them, in order. ``clock`` is a
    settable fake: each read is stamped with it."""

    def __init__(self, **statuses: str) -> None:
        self.actions = {i: {"id": i, "status": s} for i, s in statuses.items()}
        self.reads: list[str] = []
        self.time = 0.0
        self.list_error: Exception | None = None
        self.lock = threading.Lock()

    def clock(self) -> float:
        return self.time

    def get_one(self, action_id: str) -> dict[str, Any]:
        with self.lock:
            self.reads.append(f"GET {action_id}")
            if action_id not in self.actions:
                raise ApiError("That action does not exist.", status=404)
            return dict(self.actions[action_id])

    def list_all(self) -> list[dict[str, Any]]:
        with self.lock:
            self.reads.append("LIST")
            if self.list_error is not None:
                raise self.list_error
            return [dict(a) for a in self.actions.values()]

    def board(self) -> StatusBoard:
        return StatusBoard(self.get_one, self.list_all, clock=self.clock, sleep=lambda s: None)


def test_one_wait_polls_with_get_as_before() -> None:
    tenant = Tenant(a="building")
    board = tenant.board()
    with board.waiting():
        assert board.read("a", board.now())["status"] == "building"
        tenant.actions["a"]["status"] = "built"
        tenant.time += 1
        assert board.read("a", 0.0)["status"] == "built"
    assert tenant.reads == ["GET a", "GET a"]
    assert board.lists == 0


def test_polls_of_several_waits_share_one_list() -> None:
    tenant = Tenant(a="built", b="building", c="built")
    board = tenant.board()
    with board.waiting(), board.waiting(), board.waiting():
        since = board.now()
        seen = {i: board.read(i, since)["status"] for i in "abc"}
    assert seen == {"a": "built", "b": "building", "c": "built"}
    assert tenant.reads == ["LIST"]


def test_a_list_sent_before_the_write_never_answers_its_wait() -> None:
    # a's wait began after its PATCH; the list was sent before it and still shows the old
    # build as `built`: the poll must ask again, not take that answer.
    tenant = Tenant(a="built", b="building")
    board = tenant.board()
    with board.waiting(), board.waiting():
        board.read("b", board.now())  # a list at t=0
        tenant.time = 0.01
        tenant.actions["a"]["status"] = "pending"  # the PATCH, answered at t=0.01
        since_patch = board.now()
        assert board.read("a", since_patch)["status"] == "pending"
    # asked again with a list sent after the write (other polls due now may share it)
    assert tenant.reads == ["LIST", "LIST"]


def test_waits_whose_writes_follow_the_latest_list_share_a_new_one() -> None:
    # A batch of deploys: the latest list (the builds' polls) is from before every deploy,
    # so each live check asks again, and they all take one new list, not a GET each.
    tenant = Tenant(**{f"a{i}": "built" for i in range(4)})
    board = tenant.board()
    waits = [board.waiting() for _ in range(4)]
    for wait in waits:
        wait.__enter__()
    board.read("a0", board.now())  # the builds' list, at t=0
    tenant.time = 0.01
    for i in range(4):
        tenant.actions[f"a{i}"]["status"] = "deployed"  # each deploy, answered at t=0.01
    since_deploys = board.now()
    seen = {i: board.read(f"a{i}", since_deploys)["status"] for i in range(4)}
    for wait in waits:
        wait.__exit__(None, None, None)
    assert seen == {i: "deployed" for i in range(4)}
    assert tenant.reads == ["LIST", "LIST"]


def test_an_older_list_counts_when_the_caller_vouches_for_its_answer() -> None:
    # The list went out before b's write, but shows the draft that write made (the caller
    # checks its updated_at): no GET needed. For a that check fails: a GET.
    tenant = Tenant(a="built", b="building")
    tenant.actions["b"]["updated_at"] = "after-the-write"
    board = tenant.board()
    with board.waiting(), board.waiting():
        board.read("a", board.now())  # the list, at t=0
        tenant.time = 0.05
        def vouch(action: dict[str, Any]) -> bool:
            return action.get("updated_at") == "after-the-write"
        assert board.read("b", board.now(), vouch)["status"] == "building"
        assert board.read("a", board.now(), vouch)["status"] == "built"
    assert tenant.reads == ["LIST", "LIST"]


def test_a_list_older_than_the_share_window_is_not_reused() -> None:
    tenant = Tenant(a="building", b="building")
    board = tenant.board()
    with board.waiting(), board.waiting():
        board.read("a", 0.0)
        tenant.actions["a"]["status"] = "built"
        tenant.time = SHARE_WINDOW / 2
        assert board.read("a", 0.0)["status"] == "building"  # recent enough: shared
        tenant.time = SHARE_WINDOW * 2
        assert board.read("a", 0.0)["status"] == "built"  # too old: a new list
    assert tenant.reads == ["LIST", "LIST"]


def test_a_failed_list_falls_back_to_get_and_its_error() -> None:
    tenant = Tenant(a="built", b="built")
    tenant.list_error = ApiError("An internal server error occurred", status=500)
    board = tenant.board()
    with board.waiting(), board.waiting():
        assert board.read("a", 0.0)["status"] == "built"
        with pytest.raises(ApiError, match="does not exist"):
            board.read("gone", 0.0)  # the poll meets the error a GET gives
    assert tenant.reads == ["LIST", "GET a", "LIST", "GET gone"]


def test_an_action_missing_from_the_list_is_asked_for_alone() -> None:
    tenant = Tenant(a="built", b="built")
    board = tenant.board()
    with board.waiting(), board.waiting():
        board.read("a", 0.0)
        tenant.actions["new"] = {"id": "new", "status": "pending"}
        assert board.read("new", 0.0)["status"] == "pending"
    assert tenant.reads == ["LIST", "GET new"]


def test_concurrent_polls_join_the_list_in_flight() -> None:
    tenant = Tenant(**{f"a{i}": "built" for i in range(8)})
    release = threading.Event()
    listing = tenant.list_all

    def slow_list() -> list[dict[str, Any]]:
        release.wait(5)
        return listing()

    board = StatusBoard(tenant.get_one, slow_list, clock=tenant.clock, sleep=lambda s: None)
    results: dict[str, str] = {}

    def poll(action_id: str) -> None:
        with board.waiting():
            started.wait(5)
            results[action_id] = board.read(action_id, 0.0)["status"]

    started = threading.Barrier(8)
    threads = [threading.Thread(target=poll, args=(f"a{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    threading.Timer(0.2, release.set).start()  # the others arrive while the first list is out
    for thread in threads:
        thread.join(10)
    assert results == {f"a{i}": "built" for i in range(8)}
    assert tenant.reads == ["LIST"]


def test_an_idle_board_forgets_the_tenant() -> None:
    tenant = Tenant(a="built", b="built")
    board = tenant.board()
    with board.waiting(), board.waiting():
        board.read("a", 0.0)
    with board.waiting(), board.waiting():
        board.read("a", 0.0)  # same instant, but the earlier waits ended: asked again
    assert tenant.reads == ["LIST", "LIST"]


def test_at_a_slow_tier_a_list_as_recent_as_one_request_is_shared() -> None:
    # 2 requests a second: a list sent 0.4 s ago answers the poll (a newer one would cost a
    # request the writes need); one sent 0.6 s ago does not.
    tenant = Tenant(a="building", b="building")
    board = StatusBoard(tenant.get_one, tenant.list_all, clock=tenant.clock, sleep=lambda s: None,
                        per_request=lambda: 0.5)
    with board.waiting(), board.waiting():
        board.read("a", 0.0)
        tenant.time = 0.4
        board.read("b", 0.0)
        tenant.time = 1.0
        board.read("a", 0.0)
    assert tenant.reads == ["LIST", "LIST"]


# -- rounds that yield to queued requests (RateLimiter.quiet) ---------------------------------


def wait_until(condition: Any) -> None:
    """Until another thread got there (a guard against a hang, not a timing)."""
    done = threading.Event()
    for _ in range(500):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("the other thread never got there")


def members(board: StatusBoard) -> set[str]:
    latest = board._latest
    return set(latest.members) if latest is not None else set()


def test_polls_due_while_writes_queue_wait_for_them_and_share_one_list() -> None:
    # a's poll falls due at t=0 while creates wait for the bucket: it yields. b's create is
    # answered at t=0.5 and its poll joins at t=0.6; the list goes in the lull at t=1: after
    # both writes, so it answers both, and a's round (alone when it fell due) is a list.
    tenant = Tenant(a="built", b="building")
    lull = threading.Event()
    asked: list[float] = []

    def quiet(within: float) -> bool:
        asked.append(within)
        return lull.wait(5)

    board = StatusBoard(tenant.get_one, tenant.list_all, clock=tenant.clock, sleep=lambda s: None, quiet=quiet)
    seen: dict[str, str] = {}

    def poll(action_id: str, since: float) -> None:
        with board.waiting():
            seen[action_id] = board.read(action_id, since, until=100.0)["status"]

    first = threading.Thread(target=poll, args=("a", 0.0))
    first.start()
    wait_until(lambda: asked)
    tenant.time = 0.6
    second = threading.Thread(target=poll, args=("b", 0.5))
    second.start()
    wait_until(lambda: members(board) == {"a", "b"})
    tenant.time = 1.0
    lull.set()
    first.join(5)
    second.join(5)
    assert seen == {"a": "built", "b": "building"}
    assert tenant.reads == ["LIST"]


def test_a_lone_wait_yields_too_and_then_asks_with_its_own_get() -> None:
    tenant = Tenant(a="building")
    asked: list[float] = []

    def quiet(within: float) -> bool:
        asked.append(within)
        tenant.time += 0.5  # one write went first
        return len(asked) > 1

    board = StatusBoard(tenant.get_one, tenant.list_all, clock=tenant.clock, sleep=lambda s: None, quiet=quiet)
    with board.waiting():
        assert board.read("a", 0.0, until=30.0)["status"] == "building"
    assert len(asked) == 2
    assert tenant.reads == ["GET a"] and board.lists == 0


def test_a_round_yields_no_longer_than_the_soonest_wait_of_its_members() -> None:
    # Writes never stop queuing. a's wait ends at t=100, b's at t=3 (AUTH0_WAIT_LIMIT, say):
    # b joins a's round while it yields, and the list goes at t=3.
    tenant = Tenant(a="building", b="building")
    sent: list[float] = []
    joined = threading.Event()
    second: list[threading.Thread] = []

    def list_all() -> list[dict[str, Any]]:
        sent.append(tenant.time)
        return tenant.list_all()

    def quiet(within: float) -> bool:
        if not second:
            second.append(threading.Thread(target=poll, args=("b", 3.0)))
            second[0].start()
            wait_until(lambda: members(board) == {"a", "b"})
            joined.set()
        tenant.time += within
        return False

    board = StatusBoard(tenant.get_one, list_all, clock=tenant.clock, sleep=lambda s: None, quiet=quiet)

    def poll(action_id: str, until: float) -> None:
        with board.waiting():
            board.read(action_id, 0.0, until=until)

    poll("a", 100.0)
    second[0].join(5)
    assert joined.is_set()
    assert sent == [3.0]
    assert tenant.reads == ["LIST"]


def test_a_poll_with_no_deadline_given_never_yields() -> None:
    tenant = Tenant(a="built", b="built")
    asked: list[float] = []

    def quiet(within: float) -> bool:
        asked.append(within)
        return True

    board = StatusBoard(tenant.get_one, tenant.list_all, clock=tenant.clock, sleep=lambda s: None, quiet=quiet)
    with board.waiting():
        board.read("a", 0.0)
    assert asked == [] and tenant.reads == ["GET a"]


def test_only_a_round_others_may_join_waits_to_gather_them() -> None:
    # A lone wait's poll (the last build of a run: its critical path) goes at once.
    tenant = Tenant(a="built", b="built")
    slept: list[float] = []
    board = StatusBoard(tenant.get_one, tenant.list_all, clock=tenant.clock, sleep=slept.append)
    with board.waiting():
        board.read("a", 0.0, until=30.0)
    assert slept == []
    with board.waiting(), board.waiting():
        board.read("a", 0.0, until=30.0)
    assert slept == [GATHER]
    assert tenant.reads == ["GET a", "LIST"]
