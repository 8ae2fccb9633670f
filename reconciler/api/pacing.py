"""Client-side pacing for the Management API, and the retry back-off policy.

Auth0 limits the Management API with a token bucket (burst = bucket size, sustained rate =
refill rate) and reports it on every response:

- ``x-ratelimit-limit``: bucket size,
- ``x-ratelimit-remaining``: tokens left (whole tokens),
- ``x-ratelimit-reset``: UNIX epoch seconds when the bucket is full again (documented;
  some servers send when the next token returns), in whole seconds.

:class:`RateLimiter` mirrors that bucket locally so requests wait *before* the server would
answer 429. It trusts the server's ``remaining`` on every response, refills locally at a
rate learnt from how ``remaining``/``reset`` move, and estimates conservatively because of
the whole-second granularity. Time is injected (``clock``/``sleep``) so tests need no
real waiting.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Never sleep longer than this in one go: lets a waiting thread notice new information
# (another thread's response) and keeps a wrong header from hanging the run.
_MAX_NAP = 1.0
# A request that yields (:meth:`RateLimiter.quiet`) is woken when another leaves acquire() or
# a release frees a slot; this is only the longest it sleeps without looking again.
_QUIET_NAP = 0.05
# A reset header more than this far away is not believed (clock skew, bogus value).
_MAX_RESET_WAIT = 60.0
# Learning the refill rate from how ``remaining`` moves needs a window well above the
# one-token rounding of ``remaining``.
_MOVEMENT_WINDOW = 3.0
# Auth0's published Management API limits, bucket size -> refill per second: Free 2/2,
# Enterprise non-production 10/2, Enterprise production 50/16. The first response's
# ``x-ratelimit-limit`` names the tier, so the rate is known from the start instead of
# being learnt over seconds; it is dropped at the first sign it is wrong (a 429, or a
# ``reset`` that proves a slower refill).
KNOWN_TIERS: dict[int, float] = {2: 2.0, 10: 2.0, 50: 16.0}
# A published rate is exact, so it needs only a sliver of margin (latency jitter); the
# count itself is re-synchronised from ``remaining`` on every response.
_TIER_SAFETY = 0.985


@dataclass(frozen=True)
class RateHeaders:
    limit: int | None
    remaining: int | None
    reset: float | None

    @classmethod
    def parse(cls, headers: Mapping[str, str] | None) -> RateHeaders:
        if headers is None:
            return cls(None, None, None)
        return cls(
            _int(headers.get("x-ratelimit-limit")),
            _int(headers.get("x-ratelimit-remaining")),
            _float(headers.get("x-ratelimit-reset")),
        )


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: either delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass
class RateLimiter:
    """A token bucket that follows the server's ``x-ratelimit-*`` headers.

    Use ``acquire()`` before each request and ``release(headers)`` after it (``headers`` of
    the response, or ``None`` when there was none). Thread-safe.

    ``max_in_flight`` caps concurrency: with several requests in flight, a response's
    ``remaining`` may not yet count the others, so we subtract them and keep them few.
    Until the first response tells us the limits, only one request is in flight (a probe).
    """

    max_in_flight: int = 8
    clock: Clock = time.time
    sleep: Sleep = time.sleep
    # Fraction of the estimated refill rate we actually use: whole-second reset values
    # make the estimate noisy, and a slightly slow run beats a 429.
    safety: float = 0.9

    tiers: Mapping[int, float] = field(default_factory=lambda: dict(KNOWN_TIERS))

    limit: int | None = field(default=None, init=False)
    tokens: float = field(default=1.0, init=False)
    rate: float | None = field(default=None, init=False)  # tokens/second we use (margin applied)
    _tier_rate: float | None = field(default=None, init=False)
    _tier_refuted: bool = field(default=False, init=False)
    reset_at: float | None = field(default=None, init=False)
    blocked_until: float = field(default=0.0, init=False)
    in_flight: int = field(default=0, init=False)
    known: bool = field(default=False, init=False)  # any headers seen yet
    unlimited: bool = field(default=False, init=False)  # server sends no rate headers
    _last: float = field(default=0.0, init=False)
    _trust_reset: bool = field(default=True, init=False)
    _reset_reads_full: bool = field(default=False, init=False)  # seen: reset = "full again"
    _ref: tuple[float, int] | None = field(default=None, init=False)
    _reset_rate: float | None = field(default=None, init=False)
    _move_rate: float | None = field(default=None, init=False)
    _consumed: int = field(default=0, init=False)
    _sent: int = field(default=0, init=False)  # tickets handed out
    _waiting: int = field(default=0, init=False)  # threads in acquire()
    _newest: int = field(default=0, init=False)  # newest ticket whose answer we used
    _cond: threading.Condition = field(default_factory=threading.Condition, init=False)

    def __post_init__(self) -> None:
        self._last = self.clock()

    # -- acquiring -------------------------------------------------------------------------

    def acquire(self) -> int:
        """Block until a request may be sent, then count it as in flight.

        Returns a ticket (send order) to pass to :meth:`release`.
        """
        with self._cond:
            self._waiting += 1  # polls in :meth:`quiet` let it go first
        try:
            while True:
                with self._cond:
                    wait = self._try_take()
                    if wait == 0.0:
                        self._sent += 1
                        return self._sent
                    if wait is None:
                        # Waiting for an in-flight slot: a release() will wake us.
                        self._cond.wait(timeout=_MAX_NAP)
                        continue
                self.sleep(min(wait, _MAX_NAP))
        finally:
            with self._cond:
                self._waiting -= 1
                self._cond.notify_all()  # a poll in quiet() may go now

    def quiet(self, within: float) -> bool:
        """Wait, at most ``within`` seconds, until a request sent now would hold no other back:
        none waits in :meth:`acquire` (for a token or a slot) and one could go at once. True
        when so (the caller sends now, and takes its token as any request); False when the
        time ran out. Time passed is the larger of the clock's and the sum of the naps (an
        injected sleep that returns at once still ends the wait).

        For requests that can wait (an action's build poll): where requests are the limit
        (Auth0's free tier, 2 a second) a poll sent while writes queue delays one of them by a
        token, while one sent in a lull costs no time.
        """
        started = self.clock()
        napped = 0.0
        while True:
            with self._cond:
                now = self.clock()
                wait = None if self._waiting else self._free(now)
                if wait == 0.0:
                    return True
                left = started + max(0.0, within) - max(now, started + napped)
                if left <= 0:
                    return False
                if wait is None:
                    # A request waits, or every slot is taken: its acquire or a release wakes us.
                    nap = min(left, _QUIET_NAP)
                    self._cond.wait(timeout=nap)
                    napped += nap
                    continue
            nap = min(wait, left, _MAX_NAP)
            self.sleep(nap)
            napped += nap

    def _try_take(self) -> float | None:
        """0.0 = taken; a positive number = seconds to wait; None = wait for a slot."""
        wait = self._free(self.clock())
        if wait == 0.0:
            self.tokens -= 1.0
            self.in_flight += 1
        return wait

    def _free(self, now: float) -> float | None:
        """0.0 = a request could go now; a positive number = seconds until one could; None =
        every slot is taken."""
        self._refill(now)
        if now < self.blocked_until:
            return self.blocked_until - now
        cap = self.max_in_flight if (self.known or self.unlimited) else 1
        if self.in_flight >= cap:
            return None
        if self.unlimited or self.tokens >= 1.0:
            return 0.0
        return self._time_to_token(now)

    def _time_to_token(self, now: float) -> float:
        needed = 1.0 - self.tokens
        waits = []
        if self.rate:
            # A hair over: waking at exactly needed/rate can leave 0.9999999 tokens by
            # rounding, and the 10 ms floor below would then be added to every request.
            waits.append(needed / self.rate + 1e-6)
        if self.reset_at is not None and self.reset_at > now:
            # At reset at least one token is back (both readings of the header).
            waits.append(self.reset_at - now + 0.05)
        if not waits:
            # Nothing learnt and reset passed: a token should be back; once nothing is in
            # flight, send one probe and let its response tell us the truth.
            if self.in_flight == 0:
                self.tokens = max(self.tokens, 1.0)
            return 0.05
        return max(0.01, min(waits))

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._last = now
        if self.rate and self.limit:
            self.tokens = min(float(self.limit), self.tokens + elapsed * self.rate)
        if (
            self.reset_at is not None
            and now >= self.reset_at
            and self.tokens < 1.0
            and self.in_flight == 0
        ):
            # The server said tokens come back by now; allow one probe to learn the truth.
            self.tokens = 1.0
            self.reset_at = None

    # -- learning --------------------------------------------------------------------------

    def release(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        status: int | None = None,
        ticket: int | None = None,
    ) -> None:
        """A request finished (``headers`` of its response, if any). Frees its slot."""
        with self._cond:
            self.in_flight = max(0, self.in_flight - 1)
            self._observe(RateHeaders.parse(headers), status, ticket)
            self._cond.notify_all()

    def _observe(self, h: RateHeaders, status: int | None, ticket: int | None = None) -> None:
        now = self.clock()
        self._refill(now)
        if h.remaining is None:
            if not self.known and status is not None:
                # A server without rate headers: only the in-flight cap applies.
                self.unlimited = True
            return
        # Until the first headers only one request is in flight, sent on no information (a
        # bucket drained by an earlier run or another client of the tenant answers it 429):
        # its answer says nothing about the tier or the reset header's reading.
        blind = not self.known
        self.known = True
        self.unlimited = False
        if h.limit is not None and h.limit > 0:
            if h.limit != self.limit and not self._tier_refuted:
                self._tier_rate = self.tiers.get(h.limit)
                self._update_rate()
            self.limit = h.limit
        limit = self.limit or max(h.remaining, 1)
        if self._tier_rate and h.reset is not None and self._tier_contradicted(limit, h.remaining, h.reset - now):
            self._refute_tier()
        # Responses overtake each other: one for an older request carries an older count
        # (too high). Only the newest request's answer sets the count.
        fresh = ticket is None or ticket > self._newest
        if ticket is not None and fresh:
            self._newest = ticket
        if fresh:
            # Trust the server's count, minus requests it may not have counted yet.
            self.tokens = float(h.remaining - self.in_flight)
        if status == 429:
            self.tokens = min(self.tokens, 0.0)
            if not blind:
                self._paced_too_fast()
        else:
            self._consumed += 1
        self._learn_from_movement(now, h.remaining)
        if h.reset is not None and 0 <= h.reset - now <= _MAX_RESET_WAIT:
            self.reset_at = h.reset
            # A 429's reset may mean "a token back" even where a 200's means "full again".
            if self._trust_reset and status != 429:
                if h.remaining >= 1 and h.reset - now > 1.0:
                    # A token is here, yet "reset" is more than a second away: it cannot
                    # mean "next token back" (that would be now, rounded up).
                    self._reset_reads_full = True
                self._learn_from_reset(limit, h.remaining, h.reset - now)
        elif h.reset is not None and h.reset <= now:
            self.reset_at = None

    # Both estimates below are *lower bounds* of the refill rate (given whole-second reset
    # values rounded up and floored ``remaining``), so the larger of them is still safe.

    def _learn_from_reset(self, limit: int, remaining: int, until_reset: float) -> None:
        # "Full again at reset": rate = missing / time-to-full, where missing is in
        # (L-R-1, L-R] and time-to-full in (until-1, until]: so rate > (L-R-1) / until.
        # Below 1 s to reset the rounding dominates: skip.
        # With the published rate in use, a reset read as "full again" before the headers
        # showed that reading would, on a "next token" server, claim (L-1) tokens a second.
        missing = limit - remaining
        if until_reset < 1.0 or missing < 2 or (self._tier_rate and not self._reset_reads_full):
            return
        self._reset_rate = _smooth(self._reset_rate, (missing - 1) / until_reset)
        self._update_rate()

    def _learn_from_movement(self, now: float, remaining: int) -> None:
        # Over a window: refill = remaining now - remaining then + tokens we spent, +-1 for
        # flooring. Other clients of the tenant or a full bucket only make it lower.
        if self._ref is None:
            self._ref, self._consumed = (now, remaining), 0
            return
        then, before = self._ref
        elapsed = now - then
        if elapsed < _MOVEMENT_WINDOW:
            return
        refill = remaining - before + self._consumed
        self._ref, self._consumed = (now, remaining), 0
        sample = (refill - 1) / elapsed
        if sample > 0:
            self._move_rate = _smooth(self._move_rate, sample)
            self._update_rate()

    def _tier_contradicted(self, limit: int, remaining: int, until_reset: float) -> bool:
        # "Full again at reset" (whole seconds, rounded up) gives an upper bound on the
        # refill rate: missing / (until_reset - 1). A published rate above it is not this
        # server's (another reading of the header only makes the bound larger).
        if until_reset <= 1.5 or not self._trust_reset:
            return False
        return bool(self._tier_rate and self._tier_rate > 1.05 * (limit - remaining) / (until_reset - 1.0))

    def _paced_too_fast(self) -> None:
        # A 429 to a request our estimate let through: the tier is not this server's (or
        # another client shares the bucket), and the reset-based estimate misled us (a server
        # whose reset means "next token", not "full again"): learn from movement only.
        self._refute_tier()
        self._trust_reset = False
        if self._move_rate:
            self._move_rate *= 0.7
        self._update_rate()

    def _refute_tier(self) -> None:
        if self._tier_rate is not None:
            self._tier_rate, self._tier_refuted = None, True
            self._update_rate()

    def _update_rate(self) -> None:
        candidates = [r for r in (self._move_rate, self._reset_rate if self._trust_reset else None) if r]
        usable = [max(candidates) * self.safety] if candidates else []
        if self._tier_rate:
            usable.append(self._tier_rate * _TIER_SAFETY)
        self.rate = max(usable) if usable else None

    def block_for(self, seconds: float) -> None:
        """Hold every thread back for ``seconds`` (after a 429 / Retry-After)."""
        with self._cond:
            self.blocked_until = max(self.blocked_until, self.clock() + max(0.0, seconds))

    def snapshot(self) -> dict[str, float | int | None]:
        with self._cond:
            return {
                "limit": self.limit,
                "tokens": round(self.tokens, 3),
                "rate": None if self.rate is None else round(self.rate, 3),
                "in_flight": self.in_flight,
            }


def _smooth(old: float | None, sample: float) -> float:
    # Let a lower sample win at once (being slow is the safe error); rise gently.
    if old is None or sample < old:
        return sample
    return 0.7 * old + 0.3 * sample
