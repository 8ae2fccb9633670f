"""The project's exception types.

Every message is one user-facing line. Callers build messages from server error text,
names and ids only: never from a token, a client secret or a secret value (request bodies
are never echoed into an error).
"""

from __future__ import annotations


class ReconcilerError(Exception):
    """Base of every error the CLI reports as one line and exit status 1."""


class ConfigError(ReconcilerError):
    """Connection settings or configuration are missing or invalid."""


class PlanError(ReconcilerError):
    """The plan cannot be made (or is refused) for the given inputs."""


class ApplyError(ReconcilerError):
    """A step could not be carried out."""


class ApiError(ReconcilerError):
    """The Management API answered with an error (or could not be reached: ``status`` 0)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        error_code: str | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class AuthError(ApiError):
    """Authentication or authorization failed (401, 403, bad client credentials)."""


class HooksUnavailableError(ApiError):
    """The tenant has no Hooks feature (retired, or a tenant created after 2023-10-16)."""


def hooks_unavailable(error: BaseException) -> bool:
    """A tenant without Hooks: 403 "deprecated feature" (Auth0 since 2026-11-18), or 404 on
    /hooks (the emulator's ``--no-hooks``). A missing scope is not that: it stays an error."""
    return isinstance(error, HooksUnavailableError) or (isinstance(error, ApiError) and error.status == 404)


class BadResponseError(ApiError):
    """A server answer that does not have the shape the API documents (a proxy, a WAF, a
    broken mock): the message names the request, e.g. ``GET /api/v2/hooks?page=0: ...``."""


class OutcomeUnknown(ApiError):
    """A non-idempotent request may or may not have been applied (a 5xx, or the connection
    dropped after sending): the endpoint looks the resource up before re-sending."""

    def __init__(self, reason: str, *, status: int = 0, method: str = "POST", path: str = "") -> None:
        super().__init__(f"outcome unknown: {reason} ({method} {path})", status=status, method=method, path=path)
        self.reason = reason


class DeadlineExceeded(ApiError):
    """The run as a whole took longer than its deadline (``AUTH0_RUN_TIMEOUT``)."""


class WaitTooLong(ApiError):
    """The server asked to wait longer than the retry policy allows (``wait`` seconds)."""

    def __init__(self, message: str, *, wait: float, status: int = 0, method: str = "", path: str = "") -> None:
        super().__init__(message, status=status, method=method, path=path)
        self.wait = wait
