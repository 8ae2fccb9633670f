"""THE retry policy, and the httpx transport that applies it with pacing and deadlines.

Every HTTP request of the tool (Management API, token, GitHub) goes through
:class:`RetryTransport`, so there is one answer to "what is retried, how long do we wait":

- 429 (and whatever ``RetryPolicy.is_rate_limited`` says, e.g. GitHub's 403 rate limits):
  never processed, so always retried, waiting as the server says (``Retry-After`` in
  seconds or as an HTTP date, else ``x-ratelimit-reset``), else jittered back-off.
- 5xx and dropped connections: retried for idempotent methods. For a POST the outcome is
  unknown: :class:`~reconciler.errors.OutcomeUnknown` is raised so the endpoint can look the
  resource up by name before re-sending (:func:`send_looking_first`).
- Connection errors before anything was sent: safe for any method, but few attempts (a
  refused connection is usually a wrong domain). A request that timed out gets as few: a
  server that accepts and never answers would otherwise hold the run for every attempt's
  full timeout. While an attempt is slow, ``on_wait`` hears "still waiting for <request>".
- Our own protocol errors (a header we could not encode) are never retried.

Each attempt has a deadline (``timeout``) that also bounds the body: it is read here, in
chunks, against a monotonic deadline and a size cap, so a server trickling one byte a
second is cut off. The run as a whole has a deadline too.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from reconciler.errors import DeadlineExceeded, OutcomeUnknown, WaitTooLong

from .pacing import RateHeaders, RateLimiter, parse_retry_after
from .stats import ClientStats, RequestEvent

T = TypeVar("T")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Requests that never left this machine: safe to repeat, even a POST.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ResponseTooLarge(httpx.TransportError):
    """The body went past the size cap: a broken or hostile server; asking again won't help."""


# Our side is wrong (e.g. a header value that cannot be encoded), or the answer is one no
# repetition will fix: never retried.
NEVER_RETRY = (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.DecodingError, ResponseTooLarge)
MAX_BODY = 32 * 1024 * 1024  # bytes, decoded: a list page of 100 large hooks is far below
# A reset further away than this is not believed (clock skew, bogus value) unless the
# policy fails on long waits.
MAX_RESET_WAIT = 60.0
NOTE_WAITS_FROM = 5.0  # seconds: a retry wait this long is announced (a quiet run looks hung)

# Request extensions the endpoint layers set.
IDEMPOTENT_EXT = "reconciler.idempotent"  # True: a POST that may be repeated (the token)
PACED_EXT = "reconciler.paced"  # False: not counted against the Management API bucket
KIND_EXT = "reconciler.kind"  # "token": counted as a token request
# Response extensions this transport sets.
ATTEMPTS_EXT = "reconciler.attempts"
MAYBE_APPLIED_EXT = "reconciler.maybe_applied"  # an earlier attempt may have been applied


def auth0_rate_limited(response: httpx.Response) -> bool:
    return response.status_code == 429


@dataclass(frozen=True)
class RetryPolicy:
    """What is retried and how long to wait. One policy for every client of the tool."""

    max_attempts: int = 8
    connect_attempts: int = 3
    base: float = 0.5  # first back-off ceiling, doubled per attempt (full jitter)
    cap: float = 30.0  # longest single wait
    # A server-stated wait longer than this raises WaitTooLong instead of being capped.
    fail_beyond: float | None = None
    # Wait when a rate limit gives no header (None: back-off).
    unknown_rate_wait: float | None = None
    is_rate_limited: Callable[[httpx.Response], bool] = auth0_rate_limited
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = field(default=random.random)
    wall: Callable[[], float] = time.time

    def backoff(self, attempt: int) -> float:
        return min(self.cap, self.base * (2.0 ** max(0, attempt - 1))) * self.rng()

    def delay(self, attempt: int, response: httpx.Response | None, where: str = "") -> float:
        """Seconds to wait before retry ``attempt`` (1 = first retry)."""
        if response is None:
            return self.backoff(attempt)
        headers = response.headers
        limited = self.is_rate_limited(response)
        told = parse_retry_after(headers.get("retry-after"), now=self.wall())
        if told is None and limited:
            reset = RateHeaders.parse(headers).reset
            if reset is not None:
                wait = reset - self.wall()
                if wait <= 0:
                    # Whole-second resets: "already passed" can mean "any moment".
                    return min(self.cap, 0.05 + 0.25 * self.rng())
                if wait <= MAX_RESET_WAIT or self.fail_beyond is not None:
                    told = wait + 0.1 * self.rng()
        if told is None and limited:
            told = self.unknown_rate_wait
        if told is None:
            return self.backoff(attempt)
        if self.fail_beyond is not None and told > self.fail_beyond:
            raise WaitTooLong(
                f"rate limited ({response.status_code}); the limit resets in {int(told)}s, longer "
                f"than this command waits ({where})",
                wait=told, status=response.status_code,
            )
        return min(self.cap if self.fail_beyond is None else self.fail_beyond, told)


class RetryTransport(httpx.BaseTransport):
    """Pacing, the retry policy and deadlines around an inner transport."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        policy: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
        limiter: RateLimiter | None = None,
        stats: ClientStats | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
        run_deadline: float | None = None,
        max_body: int = MAX_BODY,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.timeout = timeout
        self.limiter = limiter
        self.stats = stats if stats is not None else ClientStats()
        self.on_request = on_request
        self.run_deadline = run_deadline  # monotonic seconds, None = no run deadline
        self.max_body = max_body
        self._clock = clock
        self.on_wait = on_wait  # told of a long wait before it starts (what, how long)

    def close(self) -> None:
        self.inner.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        method = request.method
        path = request.url.raw_path.split(b"?")[0].decode("ascii", "replace")
        where = f"{method} {path}"
        idempotent = method in IDEMPOTENT or bool(request.extensions.get(IDEMPOTENT_EXT))
        paced = self.limiter is not None and request.extensions.get(PACED_EXT, True)
        is_token = request.extensions.get(KIND_EXT) == "token"
        maybe_applied = False
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1:
                self.stats.add(retries=1)
            self._check_run_deadline(where)
            ticket = self.limiter.acquire() if paced and self.limiter else 0
            started = self._clock()
            if is_token:
                self.stats.add(token_requests=1)
            else:
                self.stats.add(requests=1, writes=int(method != "GET"))
            try:
                response = self._attempt(request, started)
            except BaseException as exc:
                if paced and self.limiter:
                    self.limiter.release(None, ticket=ticket)  # never leak a slot
                if not isinstance(exc, httpx.TransportError):
                    raise
                self._notify(method, path, 0, attempt, started)
                if isinstance(exc, NEVER_RETRY):
                    raise
                sent = not isinstance(exc, NOT_SENT)
                if sent and not idempotent:
                    raise OutcomeUnknown(describe_transport(exc), method=method, path=path) from None
                maybe_applied = maybe_applied or sent
                few = not sent or isinstance(exc, httpx.TimeoutException)  # bounded like connect errors
                limit = min(self.policy.connect_attempts, self.policy.max_attempts) if few else self.policy.max_attempts
                if attempt >= limit:
                    exc.attempts = attempt  # type: ignore[attr-defined]
                    raise
                self._wait(self.policy.delay(attempt, None), where)
                continue
            status = response.status_code
            if paced and self.limiter:
                self.limiter.release(response.headers, status=status, ticket=ticket)
            self._notify(method, path, status, attempt, started)
            limited = self.policy.is_rate_limited(response)
            if limited:
                self.stats.add(rate_limited=1)
            retryable = limited or status in RETRY_STATUSES
            if retryable and not limited and not idempotent:
                raise OutcomeUnknown(f"{status} {response.reason_phrase}", status=status, method=method, path=path)
            if retryable and attempt < self.policy.max_attempts:
                maybe_applied = maybe_applied or not limited
                delay = self.policy.delay(attempt, response, where)
                if limited and paced and self.limiter:
                    self.limiter.block_for(delay)  # everyone waits: the bucket is shared
                self._wait(delay, where)
                continue
            response.extensions[ATTEMPTS_EXT] = attempt
            response.extensions[MAYBE_APPLIED_EXT] = maybe_applied
            return response

    # -- one attempt, bounded in time and size ---------------------------------------------

    def _attempt(self, request: httpx.Request, started: float) -> httpx.Response:
        deadline = started + self.timeout
        if self.run_deadline is not None:
            deadline = min(deadline, self.run_deadline)
        left = max(0.001, deadline - started)
        request.extensions["timeout"] = {"connect": left, "read": left, "write": left, "pool": left}
        note = self._still_waiting(request, left)
        try:
            response = self.inner.handle_request(request)
            try:
                body = self._read(response, deadline)
            finally:
                response.close()
        finally:
            if note is not None:
                note.cancel()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body,
                              request=request, extensions=dict(response.extensions))

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise ResponseTooLarge(f"the answer is larger than {self.max_body} bytes")
            if self._clock() > deadline:
                raise httpx.ReadTimeout(f"response not complete within {self.timeout:g}s")
            chunks.append(chunk)
        if self._clock() > deadline:
            raise httpx.ReadTimeout(f"response not complete within {self.timeout:g}s")
        return b"".join(chunks)

    def _still_waiting(self, request: httpx.Request, left: float) -> threading.Timer | None:
        """A line for ``on_wait`` if the attempt is still going after a while (a silent server
        must not look like a hung tool): after 5 s, or half the timeout when that is shorter."""
        if self.on_wait is None:
            return None
        after = min(NOTE_WAITS_FROM, self.timeout / 2)
        if after >= left:
            return None
        path = request.url.raw_path.split(b"?")[0].decode("ascii", "replace")
        line = (f"still waiting for {request.method} {path} ({after:g} s so far; each attempt may take "
                f"{self.timeout:g} s, AUTH0_TIMEOUT)")
        timer = threading.Timer(after, self.on_wait, args=(line,))
        timer.daemon = True
        timer.start()
        return timer

    # -- waiting ---------------------------------------------------------------------------

    def _check_run_deadline(self, where: str, wait: float = 0.0) -> None:
        if self.run_deadline is not None and self._clock() + wait > self.run_deadline:
            raise DeadlineExceeded(f"the run deadline was reached (AUTH0_RUN_TIMEOUT) before {where}")

    def _wait(self, seconds: float, where: str) -> None:
        self._check_run_deadline(where, seconds)
        if self.on_wait is not None and seconds >= NOTE_WAITS_FROM:
            self.on_wait(f"waiting {seconds:.0f} s before retrying {where} (the server is busy or rate limiting)")
        self.policy.sleep(seconds)

    def _notify(self, method: str, path: str, status: int, attempt: int, started: float) -> None:
        if self.on_request is not None:
            self.on_request(RequestEvent(method, path, status, attempt, self._clock() - started))


def send_looking_first(
    send: Callable[[], T],
    look: Callable[[Exception], T | None],
    policy: RetryPolicy,
    *,
    stats: ClientStats | None = None,
    conflict: Callable[[Exception], bool] = lambda exc: False,
) -> T:
    """Send a non-idempotent request; when its outcome is unknown, look before re-sending.

    ``look(exc)`` returns the result if an earlier attempt landed, None to send again, or
    raises. A ``conflict`` (e.g. 409) right after an unknown outcome is also looked into:
    most likely our own earlier attempt landed. Raises the last OutcomeUnknown at the end.
    """
    uncertain: OutcomeUnknown | None = None
    for attempt in range(1, policy.max_attempts + 1):
        if attempt > 1 and stats is not None:
            stats.add(retries=1)
        try:
            return send()
        except OutcomeUnknown as exc:
            uncertain = exc
            found = look(exc)
        except Exception as exc:
            if uncertain is None or not conflict(exc):
                raise
            found = look(exc)
        if found is not None:
            return found
        if attempt < policy.max_attempts:
            policy.sleep(policy.backoff(attempt))
    assert uncertain is not None
    raise uncertain


def describe_transport(exc: Exception) -> str:
    """A transport error in words (the caller scrubs it)."""
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError) and "refused" in text.lower():
        return f"connection refused ({text})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({text or type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection without a response ({text or type(exc).__name__})"
    return text or type(exc).__name__
