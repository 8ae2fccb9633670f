"""One list request for many actions' polls, sent when it holds no other request back.

An apply that creates or changes many actions waits for each build, then for each deploy.
Polling one action costs one GET; twenty actions polled on the same back-off schedule cost
twenty requests a round, which at Auth0's free tier (2 requests/s) is ten seconds a round.
The list endpoint returns the same action objects (status, ``deployed_version``), every
action of the tenant in one page (100 actions is the tenant limit). So polls falling due at
about the same time form a round, answered by one request: a list while several waits run,
the action's own GET while one does.

A round yields to the requests waiting for the rate limit (``quiet``): where requests are the
limit, a poll sent while writes queue delays one of them by a token, while one sent in a
lull costs no time, and by then every wait whose poll fell due meanwhile has joined the
round. It yields no longer than the soonest end of its members' waits (``until``), so no
wait runs out for lack of a poll.

A poll asks for an action's state as of no earlier than ``not_before``: the time its wait
began, after the write it waits for. A round is sent after every member joined it, so it
answers them all; a list sent before that (one already in flight, or a recent one) could show
the action as it was before the write (``built`` from the previous build), so its answer is
taken only when the caller's ``current`` test says the state can only come after the write
(the draft's ``updated_at`` is the one the write answered; the deployed version is the new
one); else the poll asks again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# A poll may take a list sent up to this long before it fell due (or up to the time the rate
# limit gives a request, when longer): at most this much later news of a finished build, for
# one request instead of one per action.
SHARE_WINDOW = 0.2
# A new round waits this long before it is sent, so that the polls of writes finishing at
# about the same moment (a batch of creates or deploys) join it rather than each sending one.
GATHER = 0.03
# How long a poll waits past its own wait's end for a round another poll is fetching before
# it asks alone (the request is itself bounded by the transport's deadline; this only guards
# a lost wake-up).
JOIN_TIMEOUT = 60.0
# While a round yields, it looks this often whether a member that joined since must be
# answered sooner.
YIELD_STEP = 1.0


@dataclass
class _Round:
    until: float  # the soonest end of a member's wait: the round yields no longer
    members: set[str] = field(default_factory=set)  # action ids
    sent: float | None = None  # None while gathering and yielding: any poll may still join
    done: threading.Event = field(default_factory=threading.Event)
    actions: dict[str, dict[str, Any]] | None = None  # None: the list failed, or was not sent


class StatusBoard:
    """Answers ``read(action_id, not_before)`` with one GET, or from a list shared by the
    polls due at about the same time."""

    def __init__(self, get_one: Callable[[str], dict[str, Any]], list_all: Callable[[], list[dict[str, Any]]],
                 *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 per_request: Callable[[], float] = lambda: 0.0,
                 quiet: Callable[[float], bool] = lambda within: True) -> None:
        # Seconds the rate limit gives a request: a list that recent is shared however slow the
        # tier (at 2 a second, a newer answer would cost a request the writes need).
        self._per_request = per_request
        # Waits (at most the seconds given) until a request sent now holds no other back;
        # False when the time ran out (RateLimiter.quiet).
        self._quiet = quiet
        self._get_one = get_one
        self._list_all = list_all
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._waits = 0
        self._latest: _Round | None = None
        self.lists = 0  # list requests made (for tests and benches)

    def now(self) -> float:
        return self._clock()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Counts a wait as running, so that its polls may share lists."""
        with self._lock:
            self._waits += 1
        try:
            yield
        finally:
            with self._lock:
                self._waits -= 1
                if self._waits == 0:
                    self._latest = None  # an idle board holds no tenant data

    def read(self, action_id: str, not_before: float,
             current: Callable[[dict[str, Any]], bool] | None = None, *, until: float | None = None) -> dict[str, Any]:
        """The action as the server has it after ``not_before`` (this board's clock): from a
        request sent after it, or one whose answer ``current`` vouches for. ``until``: when
        the caller's wait ends; till then the poll may yield to other requests (default: it
        does not)."""
        after: float | None = None
        for _ in range(2):
            now = self._clock()
            until_here = now if until is None else until
            turn, fetch = self._round_for(action_id, now - max(SHARE_WINDOW, self._per_request()), until_here, after)
            if fetch:
                if not self._fetch(turn, action_id):
                    break  # the only wait running: its own GET
            elif not turn.done.wait(max(0.0, until_here - now) + JOIN_TIMEOUT):
                break
            found = (turn.actions or {}).get(action_id)
            sent = turn.sent if turn.sent is not None else float("-inf")
            if found is not None and (sent >= not_before or (current is not None and current(found))):
                return found
            if sent >= not_before or turn.actions is None:
                break
            # A list from before this wait's write (the polls of an earlier batch): a round
            # sent after it may still serve the polls falling due now (a batch of deploys).
            after = not_before
        # Not in the list (a failed list, one sent before the action existed), or alone: a GET.
        return self._get_one(action_id)

    def _round_for(self, action_id: str, fresh_from: float, until: float,
                   after: float | None) -> tuple[_Round, bool]:
        """The round to read (joining one being gathered, in flight, or sent within the share
        window; with ``after``, only one sent after it), and whether this poll must fetch it."""
        with self._lock:
            latest = self._latest
            if latest is not None and (latest.sent is None or after is None or latest.sent >= after):
                if latest.sent is None:  # gathering or yielding: join it
                    latest.members.add(action_id)
                    latest.until = min(latest.until, until)
                    return latest, False
                if not latest.done.is_set() or (latest.actions is not None and latest.sent >= fresh_from):
                    return latest, False  # in flight, or recent
            self._latest = _Round(until=until, members={action_id})
            return self._latest, True

    def _fetch(self, turn: _Round, action_id: str) -> bool:
        """Sends the round once it holds nothing back (or a member's wait is ending): a list,
        or nothing when this is the only wait running (False: the caller asks alone)."""
        with self._lock:
            others = self._waits > 1
        if others:  # a lone wait's poll is on the critical path: nobody to gather
            self._sleep(GATHER)
        self._yield(turn)
        with self._lock:
            turn.sent = self._clock()  # every member joined before: the answer comes after their writes
            alone = self._waits <= 1 and turn.members <= {action_id}
            if alone and self._latest is turn:
                self._latest = None
            elif not alone:
                self.lists += 1
        if alone:
            turn.done.set()
            return False
        try:
            turn.actions = {str(action["id"]): action for action in self._list_all()}
        except Exception:  # noqa: BLE001 - each poll then asks alone, and meets the error itself
            turn.actions = None
        finally:
            turn.done.set()
        return True

    def _yield(self, turn: _Round) -> None:
        """Until a request sent now holds no other back, or the round's soonest wait ends.
        Time passed is the larger of the clock's and the sum of the steps (an injected
        ``quiet`` that returns at once still ends)."""
        started, yielded = self._clock(), 0.0
        while True:
            with self._lock:
                left = turn.until - max(self._clock(), started + yielded)
            if left <= 0:
                return
            step = min(left, YIELD_STEP)
            if self._quiet(step):
                return
            yielded += step
