"""The project's exception types.

Every message is one user-facing line. Callers build messages from server error text,
names and ids only: never from a token, a client secret or a secret value (request bodies
are never echoed into an error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.problems import Problem


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
    """A tenant without Hooks: 403 ``hooks_not_allowed`` ("... this deprecated feature"), as
    Auth0 answers since 2026-11-18. Nothing else is: a 404 (a wrong host, a proxy, a missing
    route) or a missing scope stays an error, so no one is told to migrate by mistake."""
    return isinstance(error, HooksUnavailableError)


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


# -- The Actions endpoints: the planner and apply tell these apart. A failed build stops the plan
# with the build's own message; an action still bound means someone re-bound it (stop, never
# force); a tenant without Actions is a configuration problem, not a server fault.


class ActionsUnavailableError(ApiError):
    """403 ``feature_not_enabled``: the tenant has no Actions."""


class ActionBoundError(ApiError):
    """409 on DELETE: the action is still bound to a trigger (never deleted with force
    unless the caller asked for it)."""


class BuildFailedError(ApiError):
    """The draft's build ended in ``failed``; the deployed version (if any) keeps running."""

    def __init__(self, message: str, *, action_id: str, name: str, build_message: str = "", path: str = "") -> None:
        super().__init__(message, method="GET", path=path)
        self.action_id = action_id
        self.name = name
        self.build_message = build_message


class ActionWaitTimeout(ApiError):
    """A build or deploy did not finish within the allowed time (``state`` as last seen)."""

    def __init__(self, message: str, *, action_id: str, state: str, waited: float, path: str = "") -> None:
        super().__init__(message, method="GET", path=path)
        self.action_id = action_id
        self.state = state
        self.waited = waited


class DeploySupersededError(ApiError):
    """While waiting for a version to go live, a newer version was deployed by someone else."""


# -- Saved plans, the tenant lease, GitHub.


class PlanFileError(ReconcilerError):
    """A saved plan that cannot be read or no longer applies."""


class LeaseError(ReconcilerError):
    """The lease cannot be taken or was lost."""


class TenantLocked(LeaseError):
    """Another run holds the lease. ``waitable``: a lease of another run (it ends or
    expires), not a hook that merely has the lease's name (waiting would not help)."""

    def __init__(self, message: str, *, waitable: bool = False) -> None:
        super().__init__(message)
        self.waitable = waitable


class LeaseWaitInterrupted(LeaseError):
    """Ctrl-C (or SIGTERM) while ``--lock-timeout`` waited: nothing was written (exit 130)."""


class GitHubError(ReconcilerError):
    """GitHub refused or failed a request. The message is one line, with no token in it."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


# -- Running hooks and actions in Node, and migrating hooks to Actions.


class NodeNotFound(ReconcilerError):
    """No usable Node.js interpreter."""


class SandboxUnavailable(NodeNotFound):
    """This platform cannot isolate the Node.js process (no user, network or pid namespaces)."""


class RunError(ReconcilerError):
    """The script could not be run (not its own failure: that is part of the outcome)."""


class TargetError(ReconcilerError):
    """No such hook or action, or an ambiguous name."""


class ScopeError(ReconcilerError):
    """A --only or --target that names nothing planned, or would split a hand-over."""


class EventError(ReconcilerError):
    """An event file that cannot be used."""


class MigrateError(ReconcilerError):
    """The migration cannot be made or written."""


class LayoutError(ReconcilerError):
    """A file the migration must change but cannot (e.g. a triggers file that is not plain JSON)."""


# -- The use cases.


class InvalidConfig(ReconcilerError):
    """The config has errors; ``problems`` holds one line each."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the configuration")
        self.problems = problems


class NothingToExport(ReconcilerError):
    """The tenant serves neither Hooks nor Actions."""


class SavedPlanFlags(ReconcilerError):
    """Plan flags given next to a saved plan, which records its own options."""
