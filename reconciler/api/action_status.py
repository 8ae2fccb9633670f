"""One list request for many actions' polls.

An apply that creates or changes many actions waits for each build, then for each deploy.
Polling one action costs one GET; twenty actions polled on the same back-off schedule cost
twenty requests a round, which at Auth0's free tier (2 requests/s) is ten seconds a round.
The list endpoint returns the same action objects (status, ``deployed_version``), every
action of the tenant in one page (100 actions is the tenant limit). So while several waits
run, a poll falling due reads a list fetched for the polls due at about the same time.

A poll asks for an action's state as of no earlier than ``not_before``: the time its wait
began, after the write it waits for. A list sent before that could show the action as it was
before the write (``built`` from the previous build), so its answer is taken only when the
caller's ``current`` test says the state can only come after the write (the draft's
``updated_at`` is the one the write answered; the deployed version is the new one); else the
poll asks with its own GET. With one wait running, a poll is the single GET it always was.
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
# A new list waits this long before it is sent, so that the polls of writes finishing at
# about the same moment (a batch of creates or deploys) join it rather than each sending one.
GATHER = 0.03
# How long a poll waits for a list another poll is fetching before it asks alone (the list
# request is itself bounded by the transport's deadline; this only guards a lost wake-up).
JOIN_TIMEOUT = 60.0


@dataclass
class _Listing:
    sent: float | None = None  # None while gathering: any poll may still join
    done: threading.Event = field(default_factory=threading.Event)
    actions: dict[str, dict[str, Any]] | None = None  # None: the list failed


class StatusBoard:
    """Answers ``read(action_id, not_before)`` with one GET, or from a list shared by the
    polls due at about the same time."""

    def __init__(self, get_one: Callable[[str], dict[str, Any]], list_all: Callable[[], list[dict[str, Any]]],
                 *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 per_request: Callable[[], float] = lambda: 0.0) -> None:
        # Seconds the rate limit gives a request: a list that recent is shared however slow the
        # tier (at 2 a second, a newer answer would cost a request the writes need).
        self._per_request = per_request
        self._get_one = get_one
        self._list_all = list_all
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._waits = 0
        self._latest: _Listing | None = None
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
             current: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """The action as the server has it after ``not_before`` (this board's clock): from a
        request sent after it, or one whose answer ``current`` vouches for."""
        after: float | None = None
        for _ in range(2):
            listing, fetch = self._listing_for(self._clock() - max(SHARE_WINDOW, self._per_request()), after)
            if listing is None:
                break
            if fetch:
                self._fetch(listing)
            elif not listing.done.wait(JOIN_TIMEOUT):
                break
            found = (listing.actions or {}).get(action_id)
            sent = listing.sent if listing.sent is not None else float("-inf")
            if found is not None and (sent >= not_before or (current is not None and current(found))):
                return found
            if sent >= not_before or listing.actions is None:
                break
            # A list from before this wait's write (the polls of an earlier batch): a list
            # sent after it may still serve the polls falling due now (a batch of deploys).
            after = not_before
        # Not in the list (a failed list, one sent before the action existed): ask alone.
        return self._get_one(action_id)

    def _listing_for(self, fresh_from: float, after: float | None = None) -> tuple[_Listing | None, bool]:
        """The list to read (joining one being gathered, in flight, or sent within the share
        window; with ``after``, only one sent after it), and whether this poll must fetch
        it; None: poll alone."""
        with self._lock:
            latest = self._latest
            recent = latest is not None and (latest.sent is None or after is None or latest.sent >= after)
            if latest is not None and recent and (not latest.done.is_set()  # gathering or in flight
                                                  or (latest.actions is not None and latest.sent is not None
                                                      and latest.sent >= fresh_from)):
                return latest, False
            if self._waits <= 1:
                return None, False
            self._latest = _Listing()
            self.lists += 1
            return self._latest, True

    def _fetch(self, listing: _Listing) -> None:
        self._sleep(GATHER)
        with self._lock:
            listing.sent = self._clock()
        try:
            listing.actions = {str(action["id"]): action for action in self._list_all()}
        except Exception:  # noqa: BLE001 - each poll then asks alone, and meets the error itself
            listing.actions = None
        finally:
            listing.done.set()
