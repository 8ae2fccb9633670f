"""Turning Management API answers into data or one-line errors, never trusting them.

- :class:`Scrubber`: every error text passes through it, so a token, the client secret or a
  secret value echoed by a server (or inside a transport error) never gets out.
- :func:`json_body` and the ``expect_*`` checks: a body of the wrong shape is a
  :class:`~reconciler.errors.BadResponseError` naming the request (``GET /api/v2/hooks?page=0: ...``).
- :func:`api_error`: an unsuccessful answer as the matching error type and wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from reconciler.errors import ApiError, AuthError, BadResponseError, HooksUnavailableError
from reconciler.secret_forms import mask
from reconciler.text import SENSITIVE, lone_surrogate_at
from reconciler.text import kind_of as _kind_of

MAX_MESSAGE = 500


@dataclass
class Scrubber:
    """Replaces known secrets in text; ``sources`` are read at scrub time (tokens change)."""

    sources: list[Callable[[], Iterable[str | None]]] = field(default_factory=list)

    def __call__(self, text: str, extra: Iterable[str] = ()) -> str:
        secrets = {s for source in self.sources for s in source() if isinstance(s, str)} | {
            s for s in extra if isinstance(s, str)}
        secrets = {s for s in secrets if len(s) >= 4}
        # Every spelling a server may echo (as is, JSON-escaped, URL-encoded, base64), replaced
        # in one pass, longest first, so a secret containing another is replaced whole.
        text = mask(text, secrets, SENSITIVE)
        for secret in sorted(secrets, key=len, reverse=True):
            # A secret with a newline may be shown escaped or split (repr, header dumps).
            for part in re.split(r"[\x00-\x20\x7f]+", secret):
                if len(part) >= 8:
                    text = text.replace(part, SENSITIVE)
        text = " ".join(text.split())  # one line
        return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def where(response_or_request: httpx.Response | httpx.Request) -> str:
    """``GET /api/v2/hooks?page=0``: how errors name a request."""
    request = response_or_request if isinstance(response_or_request, httpx.Request) else response_or_request.request
    target = request.url.raw_path.decode("ascii", "replace")
    return f"{request.method} {target}"


def json_or_none(response: httpx.Response) -> Any:
    try:
        value = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return None if lone_surrogate_at(value, "") is not None else value


def json_body(response: httpx.Response) -> Any:
    """The JSON body of a successful answer, or a one-line BadResponseError."""
    try:
        value = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise bad(response, f"the answer ({response.status_code}, {kind[:40]}) is not JSON") from None
    found = lone_surrogate_at(value, "the answer")
    if found is not None:  # JSON may spell "\\ud800": no output could print it, no digest take it
        raise bad(response, f"{found[:120]} is not Unicode text (a lone surrogate)")
    return value


def bad(response: httpx.Response, problem: str) -> BadResponseError:
    return BadResponseError(
        f"{where(response)}: {problem}", status=response.status_code,
        method=response.request.method, path=response.request.url.path,
    )


def expect_dict(response: httpx.Response, value: Any, what: str = "the answer") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(response, f"{what} is {kind_of(value)}, not an object")
    return value


def expect_str(response: httpx.Response, value: Any, what: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise bad(response, f"{what} is {kind_of(value)}, not a {'' if empty else 'non-empty '}string")
    return value


def expect_count(response: httpx.Response, value: Any, what: str) -> int:
    # bool is an int in Python; a count of True is still wrong.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad(response, f"{what} is {kind_of(value)}, not a count")
    return value


def expect_str_map(response: httpx.Response, value: Any, what: str) -> dict[str, str]:
    data = expect_dict(response, value, what)
    for key, item in data.items():
        if not isinstance(item, str):
            raise bad(response, f"{what}[{key[:40]!r}] is {kind_of(item)}, not a string")
    return data


# -- unsuccessful answers ----------------------------------------------------------------------

_SCOPE_RE = re.compile(r"expected (?:any of|all of)?:?\s*([\w:, ]+)", re.IGNORECASE)


def api_error(
    response: httpx.Response,
    scrub: Scrubber,
    *,
    sensitive: Iterable[str] = (),
    attempts: int = 1,
    token_hint: str = "check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET",
) -> ApiError:
    status = response.status_code
    method, path = response.request.method, response.request.url.path
    data = json_or_none(response)
    message = error = code = ""
    if isinstance(data, dict):
        message = str(data.get("message") or data.get("error_description") or "")
        error = str(data.get("error") or "")
        code = str(data.get("errorCode") or "")
    message = scrub(message or error or response.reason_phrase, sensitive)
    code = scrub(code)[:80]
    at = f"{method} {path}"
    kw: dict[str, Any] = {"status": status, "error_code": code or None, "method": method, "path": path}

    if status == 401:
        return AuthError(f"authentication failed: {message} ({token_hint})", **kw)
    if status == 403 and (code == "hooks_not_allowed" or "deprecated feature" in message.lower()):
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
                f"({at})",
                **kw,
            )
        return AuthError(f"forbidden: {message} ({at})", **kw)
    if status == 404 and code == "HookDoesNotExist":
        hook_id = path.split("/")[4] if path.count("/") >= 4 else "?"
        return ApiError(f"hook {scrub(hook_id)[:60]} does not exist ({at}: {message})", **kw)
    if status == 404:
        return ApiError(f"not found: {message} ({at})", **kw)
    if status == 409:
        return ApiError(f"conflict: {message} ({at})", **kw)
    if status == 429:
        return ApiError(f"rate limited after {attempts} attempts: {message} ({at})", **kw)
    if status >= 500:
        return ApiError(f"server error {status} after {attempts} attempts: {message} ({at})", **kw)
    if 300 <= status < 400:
        return BadResponseError(f"{where(response)}: unexpected redirect {status} (not followed)", **kw)
    label = f"{status} {scrub(error)[:80]}".strip()
    return ApiError(f"rejected ({label}): {message} ({at})", **kw)


def _missing_scope(message: str) -> str | None:
    match = _SCOPE_RE.search(message)
    if not match:
        return None
    scopes = [s for s in re.split(r"[,\s]+", match.group(1)) if ":" in s]
    return ", ".join(scopes) or None


def kind_of(value: Any) -> str:
    """The API's wording: ``a list``, ``an object``."""
    return _kind_of(value, list_word="list")
