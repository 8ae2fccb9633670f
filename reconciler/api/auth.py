"""The Management API token as an ``httpx.Auth``.

Either a ready token (``AUTH0_ACCESS_TOKEN``) or the client-credentials grant to
``{base}/oauth/token`` for the audience, cached until shortly before expiry and refreshed
once when the API answers 401. The token request goes through the same transport, so the
one retry policy applies to it too (it is marked safe to repeat).

Credentials are checked before anything is sent: a value with a control character, a
newline or a non-ASCII character cannot be a valid token or secret, and sending it would
put it into an exception message (h11 quotes a bad header value in full).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Generator
from typing import Any

import httpx

from reconciler.config import Connection
from reconciler.errors import ApiError, AuthError, ConfigError

from .responses import Scrubber, bad, expect_dict, json_body, json_or_none
from .transport import IDEMPOTENT_EXT, KIND_EXT, PACED_EXT

TOKEN_PATH = "/oauth/token"
DEFAULT_TTL = 86400.0


def check_credentials(connection: Connection) -> None:
    """One line, before any request, naming the variable and never showing its value."""
    for name, value, allow_space in (
        ("AUTH0_ACCESS_TOKEN", connection.access_token, False),
        ("AUTH0_CLIENT_SECRET", connection.client_secret, True),
        ("AUTH0_CLIENT_ID", connection.client_id, True),
    ):
        if value and not _printable(value, allow_space):
            raise ConfigError(
                f"{name} contains a control character, a line break"
                f"{'' if allow_space else ', a space'} or a non-ASCII character; "
                "check the variable (its value is not shown)"
            )


def _printable(value: str, allow_space: bool) -> bool:
    low = 0x20 if allow_space else 0x21
    return all(low <= ord(ch) <= 0x7E for ch in value)


class TokenAuth(httpx.Auth):
    """Bearer token for the Management API; safe to share between threads."""

    requires_response_body = True  # the token answer is parsed inside the flow

    def __init__(self, connection: Connection, scrub: Scrubber, *, clock: Any = time.monotonic) -> None:
        check_credentials(connection)
        self.connection = connection
        self._scrub = scrub
        self._clock = clock
        self._lock = threading.Lock()
        self.token: str | None = connection.access_token
        self._expires = math.inf if connection.access_token else 0.0

    @property
    def refreshable(self) -> bool:
        return not self.connection.access_token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and self.refreshable:
            # Expired or revoked: forget it, fetch one new token, try once more.
            with self._lock:
                if self.token == token:
                    self.token, self._expires = None, 0.0
            token = yield from self._current()
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _current(self) -> Generator[httpx.Request, httpx.Response, str]:
        token = self.token
        if token and self._clock() < self._expires:
            return token
        with self._lock:  # one refresh, however many threads need it
            if self.token and self._clock() < self._expires:
                return self.token
            response = yield self._token_request()
            token, ttl = self._accept(response)
            # Refresh a little early: a request must not carry a token that dies on the way.
            self.token = token
            self._expires = self._clock() + max(0.0, ttl - min(60.0, ttl * 0.1))
            return token

    def _token_request(self) -> httpx.Request:
        conn = self.connection
        body = {
            "grant_type": "client_credentials",
            "client_id": conn.client_id,
            "client_secret": conn.client_secret,
            "audience": conn.audience,
        }
        return httpx.Request(
            "POST", conn.base_url + TOKEN_PATH, json=body,
            headers={"Accept": "application/json"},
            # Asking twice is harmless; the token endpoint has its own limits.
            extensions={IDEMPOTENT_EXT: True, PACED_EXT: False, KIND_EXT: "token"},
        )

    def _accept(self, response: httpx.Response) -> tuple[str, float]:
        conn = self.connection
        if response.is_success:
            data = expect_dict(response, json_body(response))
            token = data.get("access_token")
            if not isinstance(token, str) or not token or not _printable(token, False):
                raise bad(response, "no usable access_token in the answer")
            ttl = data.get("expires_in", DEFAULT_TTL)
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 < ttl < 10 * DEFAULT_TTL:
                ttl = DEFAULT_TTL
            return token, float(ttl)
        data = json_or_none(response)
        description = ""
        if isinstance(data, dict):
            description = str(data.get("error_description") or data.get("message") or data.get("error") or "")
        description = self._scrub(description or response.reason_phrase)
        code = self._scrub(str(data["error"]))[:80] if isinstance(data, dict) and data.get("error") else None
        kw: dict[str, Any] = {"status": response.status_code, "error_code": code, "method": "POST", "path": TOKEN_PATH}
        if response.status_code == 401:
            raise AuthError(
                f"authentication failed: {description} (check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET)", **kw
            )
        if response.status_code == 403:
            raise AuthError(
                f"token request refused: {description} (authorize the application for the "
                f"Auth0 Management API, audience {conn.audience}, in Auth0 dashboard > "
                "Applications > APIs > Auth0 Management API > Machine to Machine Applications)",
                **kw,
            )
        raise ApiError(
            f"token request failed: {response.status_code} {description} (POST {conn.base_url}{TOKEN_PATH})", **kw
        )
