"""Builders for hooks in tests: configs (``desired``, ``hook``; ``hook_config`` writes one as
files), live tenants (``live``, ``live_hook``), trigger names, and a plan's steps as
(operation, key) pairs."""

from __future__ import annotations

import json
from pathlib import Path
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


def hook_config(root: Path, name: str, trigger: str, code: str, *, enabled: bool = True,
                secrets: dict[str, str] | None = None, dependencies: dict[str, str] | None = None) -> Path:
    """A config directory holding one hook (added to ``root``), written the way deploy-cli
    exports hooks."""
    hooks = root / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / f"{name}.js").write_text(code)
    meta = {"name": name, "triggerId": trigger, "enabled": enabled, "script": f"./{name}.js",
            "dependencies": dependencies or {}, "secrets": secrets or {}}
    (hooks / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return root
