"""Builders for hooks in tests: configs (``desired``, ``hook``), live tenants (``live``,
``live_hook``), trigger names, and a plan's steps as (operation, key) pairs."""

from __future__ import annotations

from typing import Any

from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState

PRE = "pre-user-registration"
POST = "post-user-registration"
CRED = "credentials-exchange"
HMAC = b"ci-only-key"


def desired(*hooks: Hook) -> DesiredState:
    return DesiredState(tuple(hooks))


def live(*hooks: LiveHook) -> LiveState:
    return LiveState(tuple(hooks))


def hook(name: str, trigger: str = PRE, enabled: bool = False, script: str | None = None, **kw: Any) -> Hook:
    return Hook(name, trigger, script or f"// {name}\n", enabled, **kw)


def live_hook(id_: str, name: str, trigger: str = PRE, enabled: bool = False, script: str | None = None, **kw: Any) -> LiveHook:
    return LiveHook(id_, name, trigger, script or f"// {name}\n", enabled, **kw)


def actions(plan: Any) -> list[tuple[str, str]]:
    """The plan's steps as (operation, key), in order."""
    return [(str(s.operation), s.key) for s in plan.steps]
