"""Shared by the unit tests of reconciler.api (not a test module): a scripted server behind
httpx.MockTransport, a small hooks tenant to put behind it, and virtual time."""

from __future__ import annotations

import json
import math
import random
import re
import threading
import traceback
from collections.abc import Callable
from typing import Any

import httpx

from reconciler.api.client import ManagementClient
from reconciler.config import Connection
from reconciler.resources.hooks.live import read_live_state

BASE = "https://tenant.test"
CANARY_SECRET = "canary-client-secret-5e1f90"
CANARY_TOKEN = "canary-issued-token-a83c77"
TRIGGER = "credentials-exchange"
SCRIPT = "module.exports = function (client, scope, audience, context, cb) { cb(null, {}); };"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def hook(i: int | str, **fields: Any) -> dict[str, Any]:
    return {"id": f"id-{i}", "name": f"hook-{i}", "triggerId": TRIGGER, "script": SCRIPT,
            "enabled": False, "dependencies": {}, **fields}


def error(status: int, message: str, code: str | None = None, **headers: str) -> httpx.Response:
    """An error answer in the Management API's shape."""
    phrase = httpx.codes.get_reason_phrase(status)
    body: dict[str, Any] = {"statusCode": status, "error": phrase, "message": message}
    if code:
        body["errorCode"] = code
    return httpx.Response(status, json=body, headers=headers)


def dropped(request: httpx.Request) -> httpx.RemoteProtocolError:
    """What httpx raises when the server closes the connection without answering."""
    return httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


class Server:
    """``handle(request)`` answers the Management API; /oauth/token answers a canary token
    (the first one is CANARY_TOKEN, later ones are new). A bearer token the server did not
    issue (or was given through ``client(token=...)``), or one expired by
    :meth:`expire_tokens`, gets a 401 before ``handle`` sees the request. Every API request
    is recorded (method, path with query)."""

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response], *,
                 accept_secret: str = CANARY_SECRET) -> None:
        self.handle = handle
        self.accept_secret = accept_secret
        self.requests: list[str] = []
        self.token_requests = 0
        self.valid: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return self._token(request)
        self.requests.append(f"{request.method} {request.url.raw_path.decode()}")
        kind, _, token = request.headers.get("authorization", "").partition(" ")
        if kind != "Bearer" or token not in self.valid:
            return error(401, "Expired token received for JSON Web Token validation")
        return self.handle(request)

    def _token(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.token_requests += 1
            if json.loads(request.content).get("client_secret") != self.accept_secret:
                return httpx.Response(401, json={"error": "access_denied", "error_description": "Unauthorized"})
            token = CANARY_TOKEN if self.token_requests == 1 else f"{CANARY_TOKEN}-{self.token_requests}"
            self.valid.add(token)
        return httpx.Response(200, json={"access_token": token, "expires_in": 86400})

    def expire_tokens(self) -> None:
        with self._lock:
            self.valid.clear()

    def client(self, *, token: str | None = None, secret: str | None = CANARY_SECRET, timeout: float = 5,
               **kwargs: Any) -> ManagementClient:
        conn = Connection(base_url=BASE, audience=BASE + "/api/v2/", client_id="id", client_secret=secret,
                          access_token=token, timeout=timeout)
        if token:
            self.valid.add(token)
        kwargs.setdefault("sleep", lambda seconds: None)
        return ManagementClient(conn, transport=httpx.MockTransport(self), **kwargs)


# -- virtual time ------------------------------------------------------------------------------


class FakeTime:
    """Epoch seconds that move only when someone sleeps (or a test moves them)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:  # threads sleeping "at once" add up: time only runs ahead, never back
            self.now += seconds


class ServerBucket:
    """Auth0's token bucket as a server applies it, with whole-second reset headers.

    ``reset_means``: "full" (full again), "next-token" (a token back), or "emulator" (full
    again on a success, a token back on a 429: what reconciler/emulator/limits.py sends).
    ``tokens``: what the bucket holds at the start (default full; 0.0 = drained by an
    earlier run or another client of the tenant).
    """

    def __init__(self, ft: FakeTime, rate: float, burst: int, reset_means: str = "full",
                 tokens: float | None = None) -> None:
        self.ft, self.rate, self.burst, self.reset_means = ft, rate, burst, reset_means
        self.tokens = float(burst) if tokens is None else tokens
        self.last = ft.now
        self.ok = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def request(self) -> tuple[int, dict[str, str]]:
        with self._lock:
            return self._request()

    def _request(self) -> tuple[int, dict[str, str]]:
        now = self.ft.now
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            status = 200
            self.ok += 1
        else:
            status = 429
            self.rejected += 1
        if self.reset_means == "full" or (self.reset_means == "emulator" and status != 429):
            reset = now + (self.burst - self.tokens) / self.rate
        else:  # when the next token is back
            reset = now + max(0.0, 1 - self.tokens) / self.rate
        headers = {
            "x-ratelimit-limit": str(self.burst),
            "x-ratelimit-remaining": str(int(math.floor(self.tokens))),
            "x-ratelimit-reset": str(int(math.ceil(reset))),
        }
        return status, headers


# -- a hooks tenant ----------------------------------------------------------------------------

MASK = "_VALUE_NOT_SHOWN_"
MAX_SECRETS = 20
SCOPES = {"GET": "read:hooks", "POST": "create:hooks", "PATCH": "update:hooks", "DELETE": "delete:hooks"}
# A fault is answered instead of processing the request (a status such as "503", or "reset":
# the connection drops), or after processing it ("500after", "resetafter"): then the outcome
# is unknown to the client.


# Keys in the order Auth0 answers them: POST and PATCH, GET (tests/emulator/contract/hooks.yaml).
WRITTEN_KEYS = ("id", "name", "script", "dependencies", "triggerId", "enabled")
READ_KEYS = ("id", "name", "script", "dependencies", "enabled", "triggerId")
HOOK_NAME = re.compile(r"^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$")
TRIGGERS = ("credentials-exchange", "pre-user-registration", "post-user-registration", "post-change-password",
            "send-phone-message")
# A tenant without a rate limit still names one (the headers come with every answer).
UNLIMITED = {"x-ratelimit-limit": "50", "x-ratelimit-remaining": "50", "x-ratelimit-reset": "0"}


def _in_order(hook: dict[str, Any], keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {k: hook[k] for k in keys if k in hook}


def _check_body(body: Any, *, required: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    """Auth0's payload validation, as far as the tests need it: 400 invalid_body."""
    def bad(detail: str) -> _Refused:
        return _Refused(error(400, f"Payload validation error: '{detail}'.", "invalid_body"))

    if not isinstance(body, dict) or (not required and not body):
        raise bad("Expected a non-empty object")
    extra = sorted(set(body) - set(allowed))
    if extra:
        raise bad(f"Additional properties not allowed: {','.join(extra)}")
    missing = [k for k in required if k not in body]
    if missing:
        raise bad(f"Missing required property: {missing[0]}")
    if "name" in body and not (isinstance(body["name"], str) and HOOK_NAME.match(body["name"])):
        raise bad("String does not match pattern")
    if "triggerId" in body and body["triggerId"] not in TRIGGERS:
        raise bad("No enum match")


class _Refused(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response


class HooksTenant:
    """Just enough of a hooks tenant for ``Server(tenant)``, answering in Auth0's words
    (``shared/auth0-api``). Faults are scripted per request (:meth:`fail_next`) or drawn
    from a seeded generator (``faults={"500after": 0.4}``); ``bucket`` rate-limits it.
    ``latency`` (seconds of ``bucket``'s virtual time) passes with every API request."""

    def __init__(self, *, scopes: frozenset[str] = frozenset(SCOPES.values()), bucket: ServerBucket | None = None,
                 faults: dict[str, float] | None = None, seed: int = 0, latency: float = 0.0) -> None:
        self.hooks: dict[str, dict[str, Any]] = {}
        self.secrets: dict[str, dict[str, str]] = {}
        self.scopes = scopes
        self.bucket = bucket
        self.latency = latency
        self.faults = dict(faults or {})
        self.script: list[tuple[str, str]] = []
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self._next = 0

    def seed(self, hooks: list[dict[str, Any]]) -> None:
        for h in hooks:
            h = dict(h)
            secrets = h.pop("secrets", {})
            made = self._create(h)
            self.secrets[made["id"]].update(secrets)

    def fail_next(self, line: str, *kinds: str) -> None:
        """The next requests whose ``METHOD /path`` starts with ``line`` meet ``kinds`` in turn."""
        self.script.extend((line, kind) for kind in kinds)

    def by_name(self) -> dict[str, dict[str, Any]]:
        return {h["name"]: {**h, "secrets": dict(self.secrets[h["id"]])} for h in self.hooks.values()}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self._answer(request)
        for name, value in UNLIMITED.items():  # every answer carries them, as Auth0's do
            response.headers.setdefault(name, value)
        return response

    def _answer(self, request: httpx.Request) -> httpx.Response:
        headers: dict[str, str] = {}
        if self.bucket is not None:
            self.bucket.ft.sleep(self.latency)
            status, headers = self.bucket.request()
            if status == 429:
                return error(429, "Global limit has been reached", "too_many_requests", **headers)
        scope = SCOPES[request.method]
        if scope not in self.scopes:
            return error(403, f"Insufficient scope, expected any of: {scope}", "insufficient_scope")
        fault = self._fault(f"{request.method} {request.url.path}")
        if fault == "reset":
            raise dropped(request)
        if fault and not fault.endswith("after"):
            return error(int(fault), "An internal server error occurred" if fault == "500" else "try again")
        try:
            with self.lock:
                response = self._route(request)
        except _Refused as refused:
            response = refused.response
        if fault == "resetafter":
            raise dropped(request)
        if fault:
            return error(int(fault[:-5]), "An internal server error occurred")
        response.headers.update(headers)
        return response

    def _fault(self, line: str) -> str | None:
        with self.lock:
            for n, (prefix, kind) in enumerate(self.script):
                if line.startswith(prefix):
                    del self.script[n]
                    return kind
            after = [k for k in self.faults if k.endswith("after")]
            for kinds in ([k for k in self.faults if k not in after], after):
                r, acc = self.rng.random(), 0.0
                for kind in kinds:
                    acc += self.faults[kind]
                    if r < acc:
                        return kind
        return None

    # -- the endpoints -------------------------------------------------------------------------

    def _route(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")[4:]  # after /api/v2/hooks
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            raise _Refused(error(400, "Invalid request payload JSON format")) from None
        method = request.method
        if not parts and method == "GET":
            return self._list(request)
        if not parts and method == "POST":
            return httpx.Response(201, json=_in_order(self._create(body), WRITTEN_KEYS))
        hook_id = parts[0]
        if hook_id not in self.hooks:
            raise _Refused(error(404, "Error: Hook does not exist", "HookDoesNotExist"))
        if len(parts) == 1:
            return self._one(method, hook_id, body)
        return self._secrets(method, hook_id, body)

    def _list(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        try:
            page, per_page = int(params.get("page", 0)), int(params.get("per_page", 100))
        except ValueError:
            raise _Refused(error(400, "Query validation error: 'Expected type integer'.", "invalid_query_string")) from None
        if not 0 <= per_page <= 100 or page < 0:
            raise _Refused(error(400, "Query validation error: 'Value out of range'.", "invalid_query_string"))
        hooks = [h for h in self.hooks.values()
                 if params.get("triggerId") in (None, h["triggerId"])
                 and params.get("enabled") in (None, str(h["enabled"]).lower())]
        fields = [f for f in params.get("fields", "").split(",") if f]
        keep = [k for k in READ_KEYS if not fields or (k in fields) == (params.get("include_fields", "true") == "true")]
        paged = "page" in params or "per_page" in params or params.get("include_totals") == "true"
        start = page * per_page if paged else 0
        shown = [_in_order(h, keep) for h in (hooks[start:start + per_page] if paged else hooks)]
        if params.get("include_totals") != "true":  # a bare array, as Auth0 answers
            return httpx.Response(200, json=shown)
        return httpx.Response(200, json={"total": len(hooks), "start": start, "limit": per_page, "hooks": shown})

    def _create(self, body: Any) -> dict[str, Any]:
        _check_body(body, required=("name", "script", "triggerId"), allowed=WRITTEN_KEYS[1:])
        if any(h["name"] == body["name"] for h in self.hooks.values()):
            raise _Refused(error(409, "Hook with the same name already exists.", "conflict"))
        self._next += 1
        made = {"id": f"01HK{self._next:022d}", "enabled": False, "dependencies": {}, **body}
        self.hooks[made["id"]] = made
        self.secrets[made["id"]] = {}
        return made

    def _one(self, method: str, hook_id: str, body: Any) -> httpx.Response:
        if method == "GET":
            return httpx.Response(200, json=_in_order(self.hooks[hook_id], READ_KEYS))
        if method == "PATCH":
            _check_body(body, required=(), allowed=("name", "script", "enabled", "dependencies"))
            if any(h["name"] == body.get("name") and h["id"] != hook_id for h in self.hooks.values()):
                raise _Refused(error(409, "Hook with the same name already exists.", "conflict"))
            self.hooks[hook_id].update(body)
            return httpx.Response(200, json=_in_order(self.hooks[hook_id], WRITTEN_KEYS))
        del self.hooks[hook_id], self.secrets[hook_id]
        return httpx.Response(204)

    def _secrets(self, method: str, hook_id: str, body: Any) -> httpx.Response:
        secrets = self.secrets[hook_id]
        if method == "GET":
            return httpx.Response(200, json={k: MASK for k in secrets})
        if method == "DELETE":
            for key in body:
                secrets.pop(key, None)
            return httpx.Response(204)
        if method == "POST" and (taken := [k for k in body if k in secrets]):
            raise _Refused(error(409, f"Secret with the same name already exists: {taken[0]}.", "conflict"))
        if method == "POST" and len(secrets) + len(body) > MAX_SECRETS:
            # Careless on purpose: the payload (secret values) is echoed into the error.
            raise _Refused(error(400, f"Payload validation error: too many secrets in {json.dumps(body)}.",
                                 "invalid_body"))
        if method == "PATCH" and (missing := [k for k in body if k not in secrets]):
            raise _Refused(error(404, f"Secret does not exist: {missing[0]}.", "HookSecretDoesNotExist"))
        secrets.update(body)
        return httpx.Response(201, json={})  # POST and PATCH alike (recorded)


def churn(client: ManagementClient, n: int) -> list[str]:
    """What the fault tests converge on: ``n`` hooks created with two secrets and updated,
    read back, the first four deleted. Returns the names left, sorted."""
    for i in range(n):
        made = client.hooks.create(f"flaky-{i}", TRIGGER, SCRIPT)
        client.hooks.add_secrets(made["id"], {"K1": f"one-{i}", "K2": "v"})
        client.hooks.update(made["id"], script=SCRIPT + f"//{i}")
    live = read_live_state(client)
    assert sorted(h.name for h in live.hooks) == sorted(f"flaky-{i}" for i in range(n))
    assert all(h.secret_keys == {"K1", "K2"} for h in live.hooks)
    for h in live.hooks[:4]:
        client.hooks.delete_secrets(h.id, ["K1"])
        client.hooks.delete(h.id)  # retried deletes hit 404: counted as done
    return sorted(h.name for h in live.hooks[4:])


def churned(name: str, hook: dict[str, Any]) -> bool:
    """``hook`` (with secret values) is as :func:`churn` left the hook ``name``."""
    i = name.split("-")[1]
    return bool(hook["secrets"] == {"K1": f"one-{i}", "K2": "v"} and hook["script"] == SCRIPT + f"//{i}")


def all_text(exc: BaseException) -> str:
    """Everything a user could see of an exception: message, repr, chained causes."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text.strip() == text and text, repr(text)
    return text
