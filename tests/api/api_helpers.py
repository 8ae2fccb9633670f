"""Shared by the unit tests of reconciler.api (not a test module): a scripted server behind httpx.MockTransport."""

from __future__ import annotations

import traceback
from typing import Any, Callable

import httpx

from reconciler.api.client import ManagementClient
from reconciler.config import Connection

BASE = "https://tenant.test"
CANARY_SECRET = "canary-client-secret-5e1f90"
CANARY_TOKEN = "canary-issued-token-a83c77"
TRIGGER = "credentials-exchange"
SCRIPT = "module.exports = function (client, scope, audience, context, cb) { cb(null, {}); };"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def hook(i: int | str, **fields: Any) -> dict[str, Any]:
    return {"id": f"id-{i}", "name": f"hook-{i}", "triggerId": TRIGGER, "script": SCRIPT,
            "enabled": False, "dependencies": {}, **fields}


class Server:
    """``handle(request)`` answers the Management API; /oauth/token answers a canary token.
    Every request is recorded (method, path with query)."""

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handle = handle
        self.requests: list[str] = []
        self.token_requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_requests += 1
            return httpx.Response(200, json={"access_token": CANARY_TOKEN, "expires_in": 86400})
        self.requests.append(f"{request.method} {request.url.raw_path.decode()}")
        return self.handle(request)

    def client(self, *, token: str | None = None, secret: str | None = CANARY_SECRET, timeout: float = 5,
               **kwargs: Any) -> ManagementClient:
        conn = Connection(base_url=BASE, audience=BASE + "/api/v2/", client_id="id", client_secret=secret,
                          access_token=token, timeout=timeout)
        kwargs.setdefault("sleep", lambda seconds: None)
        return ManagementClient(conn, transport=httpx.MockTransport(self), **kwargs)


def all_text(exc: BaseException) -> str:
    """Everything a user could see of an exception: message, repr, chained causes."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text.strip() == text and text, repr(text)
    return text
