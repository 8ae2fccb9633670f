"""What a 403 from the Actions endpoints means, in words a user can act on: a tenant without
Actions, or the scope the client lacks (Auth0's text does not always name it)."""

from __future__ import annotations

from typing import Any

from reconciler.errors import ActionsUnavailableError, ApiError, AuthError

SCOPES = {"GET": "read:actions", "POST": "create:actions", "PATCH": "update:actions", "DELETE": "delete:actions"}


def explain(exc: ApiError, method: str, path: str) -> ApiError:
    """Actions wording: a tenant without Actions, a scope the error text does not name."""
    if exc.status != 403:
        return exc
    kw: dict[str, Any] = {"status": 403, "error_code": exc.error_code, "method": method, "path": exc.path or path}
    if exc.error_code == "feature_not_enabled":
        return ActionsUnavailableError(
            f"this tenant has no Actions (403 feature_not_enabled, {method} {path}): remove actions/ and "
            "triggers/ from the config, or use a tenant with Actions enabled", **kw,
        )
    scope = SCOPES.get(method, "")
    if isinstance(exc, AuthError) and scope and scope not in exc.message and (
        exc.error_code == "insufficient_scope" or "scope" in exc.message.lower()
    ):
        return AuthError(
            f"the client lacks scope {scope}: grant it to the application in Auth0 dashboard > Applications > "
            f"APIs > Auth0 Management API ({method} {path})", **kw,
        )
    return exc
