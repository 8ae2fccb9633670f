"""Typed errors of the Actions endpoints (each message is one line, like every ApiError).

The planner and apply tell these apart: a failed build stops the plan with the build's own
message; an action still bound is "someone re-bound it" (stop, never force); a tenant
without Actions is a configuration problem, not a server fault.
"""

from __future__ import annotations

from reconciler.errors import ApiError


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
