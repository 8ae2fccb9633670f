"""The Management API client: httpx's own layers, put together.

``httpx.Client`` with :class:`~.auth.TokenAuth` (the token) on
:class:`~.transport.RetryTransport` (pacing, the one retry policy, deadlines) on
``httpx.HTTPTransport`` (a pooled connection per worker). :meth:`ManagementClient.send` turns
every failure into a one-line, scrubbed :class:`~reconciler.errors.ApiError`; the endpoints
(``client.hooks``: :mod:`.hooks`, ``client.actions``: :mod:`.actions`) check every answer's shape and
return wire JSON: the resource types turn it into their models. Safe to use from several threads at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import httpx

from reconciler.config import Connection
from reconciler.errors import ApiError, BadResponseError, ReconcilerError
from reconciler.keywords import as_json, as_text

from .actions import ActionsApi
from .auth import TokenAuth
from .gate import Gate
from .hooks import HooksApi
from .pacing import RateLimiter
from .polling import DEFAULT_WAIT, Backoff
from .responses import Scrubber, api_error
from .stats import ClientStats, RequestEvent
from .transport import (
    ATTEMPTS_EXT,
    MAX_BODY,
    MAYBE_APPLIED_EXT,
    ResponseTooLarge,
    RetryPolicy,
    RetryTransport,
    describe_transport,
)

try:  # the version is only decoration in the User-Agent
    from importlib.metadata import version as _version

    _VERSION = _version("auth0-hooks-reconciler")
except Exception:  # pragma: no cover - not installed
    _VERSION = "0"

USER_AGENT = f"auth0-hooks-reconciler/{_VERSION}"
DEFAULT_RUN_TIMEOUT = 3600.0
CLEANUP_GRACE = 30.0  # seconds past the run deadline for giving the lease back


class ManagementClient:
    """The Management API (hooks today). Use as a context manager, or call ``close()``.

    ``transport`` replaces the network (an ``httpx.MockTransport`` in tests); pacing and
    retries still apply on top of it. ``clock`` (epoch seconds) replaces the wall clock of
    pacing and of server-stated waits: with ``sleep``, tests run on virtual time.
    ``run_timeout`` (seconds) bounds the whole run; ``connection.timeout`` bounds every
    request, body included. ``actions_wait`` (seconds, default 120) bounds each wait for an
    action's build or deploy (:attr:`actions`); ``connection.wait_limit`` (AUTH0_WAIT_LIMIT)
    bounds every wait, a server's Retry-After included. ``on_wait`` gets a line while a long
    wait goes on ("waiting for action 'x' to build (12 s)").
    """

    def __init__(
        self,
        connection: Connection,
        *,
        max_attempts: int = 8,
        max_workers: int = 8,
        limiter: RateLimiter | None = None,
        on_request: Callable[[RequestEvent], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff_cap: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        run_timeout: float | None = None,
        max_body: int | None = None,
        actions_wait: float | None = None,
        clock: Callable[[], float] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.connection = connection
        self.max_workers = max(1, max_workers)
        self.max_attempts = max(1, max_attempts)
        # Production passes no clock: the limiter keeps its own real clock and sleep.
        virtual: dict[str, Any] = {} if clock is None else {"clock": clock, "sleep": sleep}
        self.limiter = limiter or RateLimiter(max_in_flight=self.max_workers, **virtual)
        self.on_request = on_request
        self.stats = ClientStats()
        # AUTH0_WAIT_LIMIT: a server that asks for a longer wait (Retry-After) ends the run in
        # one line instead of holding it.
        wait_limit = getattr(connection, "wait_limit", None)
        self.policy = RetryPolicy(max_attempts=self.max_attempts, cap=backoff_cap, sleep=sleep,
                                  wall=clock or time.time, fail_beyond=wait_limit)
        # Values the run sends (keyword values filled into scripts and code, secret values):
        # registered by the operations, so an answer echoing a request body shows none.
        self._hidden: set[str] = set()
        self.scrub = Scrubber([lambda: (connection.client_secret, connection.access_token, self._token),
                               lambda: tuple(self._hidden)])
        self._auth = TokenAuth(connection, self.scrub)  # checks the credentials first
        run_timeout = run_timeout if run_timeout is not None else getattr(connection, "run_timeout", None)
        inner = transport or httpx.HTTPTransport(
            limits=httpx.Limits(max_connections=self.max_workers + 2,
                                max_keepalive_connections=self.max_workers + 2),
        )
        self.transport = RetryTransport(
            inner, policy=self.policy, timeout=connection.timeout, limiter=self.limiter,
            stats=self.stats, on_request=on_request,
            run_deadline=time.monotonic() + (run_timeout or DEFAULT_RUN_TIMEOUT),
            max_body=max_body or MAX_BODY, on_wait=on_wait,
        )
        self._http = httpx.Client(
            base_url=connection.base_url, auth=self._auth, transport=self.transport,
            timeout=connection.timeout, follow_redirects=False,
            # identity: the size cap then bounds what we hold, not what a decoder makes of it
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"},
        )
        # A cutover's two requests are sent alone (no other request between them): gate.alone().
        self.gate = Gate()
        self.hooks = HooksApi(self)
        wait = actions_wait if actions_wait is not None else getattr(connection, "actions_wait", None)
        self.actions = ActionsApi(self, Backoff(timeout=wait or DEFAULT_WAIT, sleep=sleep),
                                  limit=wait_limit, notify=on_wait, per_request=self._per_request,
                                  quiet=self.limiter.quiet)

    def _per_request(self) -> float:
        """Seconds the rate limit gives each request, as the limiter knows it (0: unknown)."""
        rate = self.limiter.rate
        return 1.0 / rate if rate else 0.0

    @property
    def _token(self) -> str | None:
        return self._auth.token

    # -- lifecycle -------------------------------------------------------------------------

    @contextlib.contextmanager
    def cleanup_time(self, seconds: float = CLEANUP_GRACE) -> Iterator[None]:
        """Requests that clean up after the run (giving the tenant lease back) may go up to
        ``seconds`` past the run deadline: a run that hit it must not leave a lock behind."""
        before = self.transport.run_deadline
        if before is not None:
            self.transport.run_deadline = max(before, time.monotonic() + seconds)
        try:
            yield
        finally:
            self.transport.run_deadline = before

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ManagementClient({self.connection.base_url!r})"

    # -- one request -------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        sensitive: Iterable[str] = (),
        not_found_done: bool = False,
    ) -> httpx.Response:
        """One API request (the transport retries); the successful response or an ApiError.

        ``not_found_done``: a 404 after an attempt that may have been applied means done
        (a retried DELETE).
        """
        sensitive = tuple(s for s in sensitive if s)
        try:
            with self.gate.passing():
                response = self._http.request(method, path, json=json, params=params)
        except ReconcilerError as exc:
            if isinstance(exc, ApiError):
                exc.args = (self.scrub(str(exc), sensitive),)
            raise
        except ResponseTooLarge as exc:
            raise BadResponseError(f"{method} {path}: {exc}", method=method, path=path) from None
        except httpx.TransportError as exc:
            # The request that failed: the token request, when that is what went out.
            failed_method, failed_path = _failed_request(exc, method, path)
            raise ApiError(
                f"cannot reach {self.connection.base_url}: {self.scrub(describe_transport(exc), sensitive)} "
                f"({failed_method} {failed_path})",
                status=0, method=failed_method, path=failed_path,
            ) from None
        if response.is_success:
            return response
        if response.status_code == 404 and not_found_done and response.extensions.get(MAYBE_APPLIED_EXT):
            return response
        hint = "check AUTH0_ACCESS_TOKEN" if self.connection.access_token else "check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET"
        raise api_error(response, self.scrub, sensitive=sensitive,
                        attempts=int(response.extensions.get(ATTEMPTS_EXT, 1)), token_hint=hint)

    def hide(self, values: Iterable[object]) -> None:
        """Values never to appear in an error message from now on (in any spelling)."""
        self._hidden.update(as_text(v) for v in values if v is not None and as_text(v))
        self._hidden.update(as_json(v) for v in values if v is not None and not isinstance(v, str))


def _failed_request(exc: httpx.TransportError, method: str, path: str) -> tuple[str, str]:
    """(method, path) of the request ``exc`` is about, else the one asked for."""
    try:
        request = exc.request
    except RuntimeError:  # httpx: no request attached
        return method, path
    return request.method, request.url.path
