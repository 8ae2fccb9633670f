"""Auth0 Management API v2 client for hooks, on one pooled ``httpx.Client``.

- Token: client-credentials grant, cached until shortly before expiry (or a given token).
- One retry layer (:meth:`ManagementClient._request`): reads and idempotent writes are
  retried on 429/5xx/connection errors with the back-off of :mod:`reconciler.ratelimit`.
  A POST whose outcome is unknown is never blindly re-sent: the caller looks first.
- Pacing: a client-side bucket that follows ``x-ratelimit-*``, so runs see few 429s.
- Errors: one-line :class:`~reconciler.errors.ApiError` messages that never contain a
  token, the client secret or a secret value.

Safe to use from several threads at once.
"""

from __future__ import annotations

import math
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote

import httpx

from .config import Connection
from .errors import ApiError, AuthError, HooksUnavailableError
from .model import SENSITIVE, LiveHook, LiveState
from .ratelimit import RateHeaders, RateLimiter, backoff_delay, parse_retry_after

try:  # the version is only decoration in the User-Agent
    from importlib.metadata import version as _version

    _VERSION = _version("auth0-hooks-reconciler")
except Exception:  # pragma: no cover - not installed
    _VERSION = "0"

USER_AGENT = f"auth0-hooks-reconciler/{_VERSION}"
PER_PAGE = 100  # the API's maximum
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
HOOK_FIELDS = frozenset({"name", "script", "enabled", "dependencies"})
# Connection refused is usually a wrong AUTH0_DOMAIN: fail fast instead of 8 tries.
CONNECT_ATTEMPTS = 3
# Requests that never left this machine: safe to repeat, even a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class ClientStats:
    """Counters for benchmarks and the CLI summary (thread-safe)."""

    requests: int = 0  # Management API requests sent, every attempt counted
    writes: int = 0  # of which POST/PATCH/DELETE
    retries: int = 0  # attempts beyond the first (including a looked-up POST re-send)
    rate_limited: int = 0  # 429 answers seen
    token_requests: int = 0  # POST /oauth/token
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "writes": self.writes,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "token_requests": self.token_requests,
            }


@dataclass(frozen=True)
class RequestEvent:
    """What ``on_request`` gets after every attempt: no bodies, no headers."""

    method: str
    path: str
    status: int  # 0 = no response (connection error)
    attempt: int
    elapsed: float


class _OutcomeUnknown(ApiError):
    """A POST may or may not have been applied (5xx, reset, timeout after sending).

    Internal: the methods that POST catch it and look before re-sending.
    """

    def __init__(self, reason: str, *, status: int = 0, path: str = "") -> None:
        super().__init__(f"outcome unknown: {reason} (POST {path})", status=status, method="POST", path=path)
        self.reason = reason


class ManagementClient:
    """The hooks part of the Management API. Use as a context manager, or call ``close()``."""

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
    ) -> None:
        self.connection = connection
        self.max_attempts = max(1, max_attempts)
        self.max_workers = max(1, max_workers)
        self.limiter = limiter or RateLimiter(max_in_flight=self.max_workers)
        self.on_request = on_request
        self.stats = ClientStats()
        self._sleep = sleep
        self._backoff_cap = backoff_cap
        self._rng = random.Random()
        self._http = httpx.Client(
            base_url=connection.base_url,
            timeout=connection.timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=self.max_workers + 2,
                max_keepalive_connections=self.max_workers + 2,
            ),
            transport=transport,
            follow_redirects=False,
        )
        self._token_lock = threading.Lock()
        self._token: str | None = connection.access_token
        self._token_expires = math.inf if connection.access_token else 0.0

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ManagementClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ManagementClient({self.connection.base_url!r})"

    # -- token -----------------------------------------------------------------------------

    def _access_token(self) -> str:
        token, expires = self._token, self._token_expires
        if token and time.monotonic() < expires:
            return token
        with self._token_lock:  # one refresh, however many threads need it
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            token, ttl = self._fetch_token()
            # Refresh a little before expiry: a request must not carry a token that dies
            # on the way.
            self._token = token
            self._token_expires = time.monotonic() + max(0.0, ttl - min(60.0, ttl * 0.1))
            return token

    def _invalidate_token(self, token: str) -> bool:
        """Forget ``token`` after a 401; False when it cannot be refreshed (a given token)."""
        if self.connection.access_token:
            return False
        with self._token_lock:
            if self._token == token:
                self._token, self._token_expires = None, 0.0
        return True

    def _fetch_token(self) -> tuple[str, float]:
        conn = self.connection
        body = {
            "grant_type": "client_credentials",
            "client_id": conn.client_id,
            "client_secret": conn.client_secret,
            "audience": conn.audience,
        }
        path = "/oauth/token"
        # Asking for a token twice is harmless, so every failure may be retried.
        attempt = 0
        while True:
            attempt += 1
            self.stats.add(token_requests=1)
            started = time.monotonic()
            try:
                response = self._http.post(path, json=body)
            except httpx.TransportError as exc:
                self._notify("POST", path, 0, attempt, started)
                limit = CONNECT_ATTEMPTS if isinstance(exc, _NOT_SENT) else self.max_attempts
                if attempt >= limit:
                    raise self._unreachable(exc, "POST", path) from None
                self._retry_wait(attempt, None)
                continue
            self._notify("POST", path, response.status_code, attempt, started)
            if response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                if response.status_code == 429:
                    self.stats.add(rate_limited=1)
                self._retry_wait(attempt, response)
                continue
            break
        data = _json_or_none(response)
        if response.is_success and isinstance(data, dict) and data.get("access_token"):
            try:
                ttl = float(data.get("expires_in") or 86400)
            except (TypeError, ValueError):
                ttl = 86400.0
            return str(data["access_token"]), ttl
        description = ""
        if isinstance(data, dict):
            description = str(data.get("error_description") or data.get("message") or data.get("error") or "")
        description = self._scrub(description or response.reason_phrase)
        code = str(data.get("error")) if isinstance(data, dict) and data.get("error") else None
        if response.status_code == 401:
            raise AuthError(
                f"authentication failed: {description} (check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET)",
                status=401, error_code=code, method="POST", path=path,
            )
        if response.status_code == 403:
            raise AuthError(
                f"token request refused: {description} (authorize the application for the "
                f"Auth0 Management API, audience {conn.audience}, in Auth0 dashboard > "
                "Applications > APIs > Auth0 Management API > Machine to Machine Applications)",
                status=403, error_code=code, method="POST", path=path,
            )
        raise ApiError(
            f"token request failed: {response.status_code} {description} (POST {conn.base_url}{path})",
            status=response.status_code, error_code=code, method="POST", path=path,
        )

    # -- the retry layer -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        sensitive: Iterable[str] = (),
        not_found_done: bool = False,
    ) -> httpx.Response:
        """Send one API request with retries; return the successful response.

        POST is retried only when the server surely did not process it (429, nothing
        sent); otherwise :class:`_OutcomeUnknown` is raised for the caller to look first.
        ``not_found_done``: a 404 after an attempt that may have been applied means done
        (a retried DELETE).
        """
        sensitive = tuple(s for s in sensitive if s)
        attempt = 0
        refreshed = False
        maybe_applied = False
        while True:
            attempt += 1
            if attempt > 1:
                self.stats.add(retries=1)
            token = self._access_token()
            ticket = self.limiter.acquire()
            started = time.monotonic()
            self.stats.add(requests=1, writes=int(method != "GET"))
            try:
                response = self._http.request(
                    method, path, json=json, params=params,
                    headers={"Authorization": f"Bearer {token}"},
                )
            except BaseException as exc:
                self.limiter.release(None, ticket=ticket)  # never leak a slot
                if not isinstance(exc, httpx.TransportError):
                    raise
                self._notify(method, path, 0, attempt, started)
                sent = not isinstance(exc, _NOT_SENT)
                if method == "POST" and sent:
                    raise _OutcomeUnknown(_describe_transport(exc), path=path) from exc
                maybe_applied = maybe_applied or sent
                limit = self.max_attempts if sent else min(CONNECT_ATTEMPTS, self.max_attempts)
                if attempt >= limit:
                    raise self._unreachable(exc, method, path) from None
                self._retry_wait(attempt, None)
                continue
            status = response.status_code
            self.limiter.release(response.headers, status=status, ticket=ticket)
            self._notify(method, path, status, attempt, started)

            if response.is_success:
                return response
            if status == 404 and not_found_done and maybe_applied:
                return response
            if status == 401 and not refreshed and self._invalidate_token(token):
                refreshed = True  # e.g. the token expired or was revoked: one fresh try
                continue
            if status == 429:
                self.stats.add(rate_limited=1)
            elif status in RETRY_STATUSES:
                if method == "POST":
                    raise _OutcomeUnknown(f"{status} {response.reason_phrase}", status=status, path=path)
                maybe_applied = True
            if status in RETRY_STATUSES and attempt < self.max_attempts:
                self._retry_wait(attempt, response)
                continue
            raise self._api_error(response, method, path, sensitive, attempts=attempt)

    def _retry_wait(self, attempt: int, response: httpx.Response | None) -> None:
        retry_after = reset_at = None
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if response.status_code == 429:
                reset_at = RateHeaders.parse(response.headers).reset
        delay = backoff_delay(
            attempt, retry_after, reset_at, cap=self._backoff_cap, rng=self._rng.random
        )
        if response is not None and response.status_code == 429:
            # Everyone waits, not just this thread: the bucket is shared.
            self.limiter.block_for(delay)
        self._sleep(delay)

    def _notify(self, method: str, path: str, status: int, attempt: int, started: float) -> None:
        if self.on_request is not None:
            self.on_request(RequestEvent(method, path, status, attempt, time.monotonic() - started))

    # -- errors ----------------------------------------------------------------------------

    def _scrub(self, text: str, sensitive: Iterable[str] = ()) -> str:
        """Defence in depth: a server might echo what it got; never let that out."""
        secrets = [self.connection.client_secret, self.connection.access_token, self._token, *sensitive]
        for secret in secrets:
            if secret and len(secret) >= 4 and secret in text:
                text = text.replace(secret, SENSITIVE)
        text = " ".join(text.split())  # one line
        return text if len(text) <= 500 else text[:497] + "..."

    def _unreachable(self, exc: httpx.TransportError, method: str, path: str) -> ApiError:
        return ApiError(
            f"cannot reach {self.connection.base_url}: {_describe_transport(exc)}",
            status=0, method=method, path=path,
        )

    def _api_error(
        self, response: httpx.Response, method: str, path: str, sensitive: Iterable[str] = (), *, attempts: int = 1
    ) -> ApiError:
        status = response.status_code
        data = _json_or_none(response)
        message = error = code = ""
        if isinstance(data, dict):
            message = str(data.get("message") or data.get("error_description") or "")
            error = str(data.get("error") or "")
            code = str(data.get("errorCode") or "")
        message = self._scrub(message or error or response.reason_phrase, sensitive)
        where = f"{method} {path}"
        kw: dict[str, Any] = {"status": status, "error_code": code or None, "method": method, "path": path}

        if status == 401:
            hint = (
                "check AUTH0_ACCESS_TOKEN" if self.connection.access_token
                else "check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET"
            )
            return AuthError(f"authentication failed: {message} ({hint})", **kw)
        if status == 403 and "deprecated feature" in message.lower():
            return HooksUnavailableError(
                "this tenant has no Hooks (Hooks were retired on 2026-11-18 and tenants created "
                f"after 2023-10-16 never had them): {message}",
                **kw,
            )
        if status == 403:
            scope = _missing_scope(message)
            if code == "insufficient_scope" or scope:
                return AuthError(
                    f"the client lacks scope {scope or '(see: ' + message + ')'}: grant it to the "
                    "application in Auth0 dashboard > Applications > APIs > Auth0 Management API "
                    f"({where})",
                    **kw,
                )
            return AuthError(f"forbidden: {message} ({where})", **kw)
        if status == 404 and code == "HookDoesNotExist":
            hook_id = path.split("/")[4] if path.count("/") >= 4 else "?"
            return ApiError(f"hook {hook_id} does not exist ({where}: {message})", **kw)
        if status == 404:
            return ApiError(f"not found: {message} ({where})", **kw)
        if status == 409:
            return ApiError(f"conflict: {message} ({where})", **kw)
        if status == 429:
            return ApiError(f"rate limited after {attempts} attempts: {message} ({where})", **kw)
        if status >= 500:
            return ApiError(
                f"server error {status} after {attempts} attempts: {message} ({where})", **kw
            )
        label = f"{status} {error}".strip()
        return ApiError(f"rejected ({label}): {message} ({where})", **kw)

    # -- reads -----------------------------------------------------------------------------

    def _list_page(self, page: int) -> Any:
        params = {"page": str(page), "per_page": str(PER_PAGE), "include_totals": "true"}
        return self._request("GET", "/api/v2/hooks", params=params).json()

    def list_hooks(self) -> list[dict[str, Any]]:
        """Every hook in the tenant; further pages are fetched concurrently."""
        first = self._list_page(0)
        if isinstance(first, list):  # a server that ignores include_totals
            return self._list_sequential(list(first), 1, len(first))
        hooks = _page_hooks(first)
        total = int(first.get("total") or 0)
        size = int(first.get("limit") or 0) or len(hooks) or PER_PAGE
        if len(hooks) >= total or not hooks:
            return _unique(hooks)
        pages = math.ceil(total / size)
        rest: list[Any] = []
        if pages > 1:  # else the first page already spans `total` (the tenant shrank meanwhile)
            with ThreadPoolExecutor(max_workers=min(self.max_workers, pages - 1)) as pool:
                rest = list(pool.map(self._list_page, range(1, pages)))
        for body in rest:
            hooks.extend(_page_hooks(body))
        last = rest[-1] if rest else first
        # Hooks added while we listed can spill onto a further page: keep going if full.
        return self._list_sequential(hooks, pages, len(_page_hooks(last)), size)

    def _list_sequential(
        self, hooks: list[dict[str, Any]], page: int, last_count: int, size: int = PER_PAGE
    ) -> list[dict[str, Any]]:
        while last_count >= size:
            batch = _page_hooks(self._list_page(page))
            hooks = hooks + batch
            last_count = len(batch)
            page += 1
        return _unique(hooks)

    def get_hook(self, hook_id: str) -> dict[str, Any]:
        return self._request("GET", _hook_path(hook_id)).json()

    def get_secret_keys(self, hook_id: str) -> frozenset[str]:
        """Secret names of a hook (values are write-only: never readable)."""
        data = self._request("GET", _hook_path(hook_id) + "/secrets").json()
        return frozenset(data or {})

    def find_hook(self, name: str) -> dict[str, Any] | None:
        """The hook with exactly this name, if any (the API has no name filter)."""
        for hook in self.list_hooks():
            if hook.get("name") == name:
                return hook
        return None

    def read_live_state(self) -> LiveState:
        """Every hook with its secret keys; secrets read concurrently within the budget."""
        hooks = self.list_hooks()

        def keys(hook: dict[str, Any]) -> frozenset[str] | None:
            try:
                return self.get_secret_keys(hook["id"])
            except ApiError as exc:
                if exc.status == 404:
                    return None  # deleted since we listed it: it is not live any more
                raise

        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            secret_keys = list(pool.map(keys, hooks))
        live = [
            LiveHook(
                id=str(hook["id"]),
                name=str(hook.get("name", "")),
                trigger_id=str(hook.get("triggerId", "")),
                script=str(hook.get("script", "")),
                enabled=bool(hook.get("enabled", False)),
                dependencies=dict(hook.get("dependencies") or {}),
                secret_keys=found,
            )
            for hook, found in zip(hooks, secret_keys)
            if found is not None
        ]
        return LiveState(hooks=tuple(sorted(live, key=lambda h: (h.name, h.id))))

    # -- writes ----------------------------------------------------------------------------

    def create_hook(
        self,
        name: str,
        trigger_id: str,
        script: str,
        enabled: bool = False,
        dependencies: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Create a hook. When an attempt's outcome is unknown, look it up by name first."""
        body: dict[str, Any] = {"name": name, "script": script, "triggerId": trigger_id, "enabled": enabled}
        if dependencies is not None:
            body["dependencies"] = dict(dependencies)
        uncertain: _OutcomeUnknown | None = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.stats.add(retries=1)
            conflict: ApiError | None = None
            try:
                return self._request("POST", "/api/v2/hooks", json=body).json()
            except _OutcomeUnknown as exc:
                uncertain = exc
            except ApiError as exc:
                # 409 after an unknown outcome: most likely our own earlier attempt landed.
                if not (exc.status == 409 and uncertain is not None):
                    raise
                conflict = exc
            existing = self.find_hook(name)
            if existing is not None and existing.get("triggerId") == trigger_id:
                return existing
            if conflict is not None:
                raise conflict  # the name is taken by a different hook: a real conflict
            if attempt < self.max_attempts:
                self._retry_wait(attempt, None)
        reason = uncertain.reason if uncertain else "unknown"
        raise ApiError(
            f"creating hook {name!r} failed after {self.max_attempts} attempts: {reason} "
            "(POST /api/v2/hooks)",
            status=uncertain.status if uncertain else 0, method="POST", path="/api/v2/hooks",
        )

    def update_hook(self, hook_id: str, **fields: Any) -> dict[str, Any]:
        """PATCH some of name/script/enabled/dependencies (``dependencies`` is replaced whole)."""
        unknown = set(fields) - HOOK_FIELDS
        if unknown or not fields:
            raise TypeError(
                f"update_hook takes some of {sorted(HOOK_FIELDS)}, got {sorted(fields)}"
            )
        body = {k: (dict(v) if k == "dependencies" else v) for k, v in fields.items()}
        return self._request("PATCH", _hook_path(hook_id), json=body).json()

    def delete_hook(self, hook_id: str) -> None:
        """Delete a hook; a 404 after an attempt that may have landed counts as done."""
        self._request("DELETE", _hook_path(hook_id), not_found_done=True)

    def add_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        """Add new secret keys (POST). After an unknown outcome, keys that already exist
        are written with PATCH instead (same values, so the result is the same)."""
        pending = dict(secrets)
        if not pending:
            return
        path = _hook_path(hook_id) + "/secrets"
        uncertain: _OutcomeUnknown | None = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self.stats.add(retries=1)
            try:
                self._request("POST", path, json=pending, sensitive=pending.values())
                return
            except _OutcomeUnknown as exc:
                uncertain = exc
            except ApiError as exc:
                if not (exc.status == 409 and uncertain is not None):
                    raise
            present = self.get_secret_keys(hook_id) & pending.keys()
            if present:
                self.update_secrets(hook_id, {k: pending[k] for k in present})
                pending = {k: v for k, v in pending.items() if k not in present}
            if not pending:
                return
            if attempt < self.max_attempts:
                self._retry_wait(attempt, None)
        reason = uncertain.reason if uncertain else "unknown"
        raise ApiError(
            f"adding secrets to hook {hook_id} failed after {self.max_attempts} attempts: {reason} "
            f"(POST {path})",
            status=uncertain.status if uncertain else 0, method="POST", path=path,
        )

    def update_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        """Change values of existing secret keys (PATCH, idempotent)."""
        if secrets:
            values = dict(secrets)
            self._request(
                "PATCH", _hook_path(hook_id) + "/secrets", json=values, sensitive=values.values()
            )

    def delete_secrets(self, hook_id: str, keys: Iterable[str]) -> None:
        """Remove secret keys; keys already gone (or a 404 on a retry) count as done."""
        names = sorted(set(keys))
        if names:
            self._request("DELETE", _hook_path(hook_id) + "/secrets", json=names, not_found_done=True)


# -- helpers -------------------------------------------------------------------------------


def _hook_path(hook_id: str) -> str:
    return "/api/v2/hooks/" + quote(str(hook_id), safe="")


def _page_hooks(body: Any) -> list[dict[str, Any]]:
    """The hooks of one list page: ``{"hooks": [...]}``, or a bare array from a server that
    ignores include_totals."""
    return list((body.get("hooks") if isinstance(body, dict) else body) or [])


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _unique(hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Pages read while the tenant changes may overlap: keep the first sighting of each id.
    seen: set[str] = set()
    out = []
    for hook in hooks:
        key = str(hook.get("id"))
        if key not in seen:
            seen.add(key)
            out.append(hook)
    return out


_SCOPE_RE = re.compile(r"expected (?:any of|all of)?:?\s*([\w:, ]+)", re.IGNORECASE)


def _missing_scope(message: str) -> str | None:
    match = _SCOPE_RE.search(message)
    if not match:
        return None
    scopes = [s for s in re.split(r"[,\s]+", match.group(1)) if ":" in s]
    return ", ".join(scopes) or None


def _describe_transport(exc: httpx.TransportError) -> str:
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError) and "refused" in text.lower():
        return f"connection refused ({text})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection without a response ({text or type(exc).__name__})"
    return text or type(exc).__name__
