"""Auth0-shaped error responses."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status and the JSON body Auth0 would send."""

    def __init__(self, status: int, body: dict[str, Any], headers: list[tuple[str, str]] | None = None):
        super().__init__(body.get("message") or body.get("error_description") or str(status))
        self.status = status
        self.body = body
        self.headers = headers or []


_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_body(status: int, message: str, error_code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"statusCode": status, "error": _PHRASES.get(status, "Error"), "message": message}
    if error_code:
        body["errorCode"] = error_code
    return body


def api_error(status: int, message: str, error_code: str | None = None) -> ApiError:
    return ApiError(status, error_body(status, message, error_code))


def bad_body(detail: str) -> ApiError:
    return api_error(400, f"Payload validation error: {detail}.", "invalid_body")


def bad_query(detail: str) -> ApiError:
    return api_error(400, f"Query validation error: {detail}.", "invalid_query_string")


def hook_not_found() -> ApiError:
    return api_error(404, "Error: Hook does not exist", "HookDoesNotExist")


def hooks_retired() -> ApiError:
    """What a tenant without Hooks answers on /hooks (retired 2026-11-18; tenants made after
    2023-10-16 never had them), as a recorded exchange shows: 403 ``hooks_not_allowed``."""
    return api_error(403, "Insufficient privileges to use this deprecated feature", "hooks_not_allowed")


RATE_LIMITED_BODY = error_body(429, "Global limit has been reached", "too_many_requests")
