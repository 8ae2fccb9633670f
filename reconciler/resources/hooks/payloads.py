"""What each hook step carries: a frozen dataclass per operation, never raw wire JSON.

Every payload addresses its hook by ``trigger_id`` and either the live ``hook_id`` or, for a
hook this plan creates, ``created_by`` (the index of the create step; moved with the steps
when a plan is merged: ``renumbered``). A payload never holds a secret value: secret steps
list key names; values are read from the config at apply. Scripts are templates (keyword
values are filled in by the operations, on the way to the API).

``body()`` is the request body the Management API gets (before the script is filled) and
what plan files have always held under ``body``; ``payload_from`` reads one back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from reconciler.resources.hooks.actions import Action


@dataclass(frozen=True)
class HookPayload:
    trigger_id: str
    hook_id: str | None = None
    created_by: int | None = None

    def body(self) -> dict[str, Any]:
        return {}

    def renumbered(self, move: Callable[[int], int]) -> HookPayload:
        return self if self.created_by is None else replace(self, created_by=move(self.created_by))

    def to_dict(self) -> dict[str, Any]:
        return {"trigger_id": self.trigger_id, "hook_id": self.hook_id, "created_by": self.created_by, "body": self.body()}


@dataclass(frozen=True)
class Create(HookPayload):
    """Always created disabled when it will be enabled at a hand-over (``enabled`` False)."""

    name: str = ""
    script: str = ""
    enabled: bool = False
    dependencies: tuple[tuple[str, str], ...] = ()

    def body(self) -> dict[str, Any]:
        return {"name": self.name, "script": self.script, "triggerId": self.trigger_id,
                "enabled": self.enabled, "dependencies": dict(self.dependencies)}


@dataclass(frozen=True)
class Update(HookPayload):
    """Only what changes (None: left as it is): a rename, the script, the dependencies."""

    name: str | None = None
    script: str | None = None
    dependencies: tuple[tuple[str, str], ...] | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.name is not None:
            body["name"] = self.name
        if self.script is not None:
            body["script"] = self.script
        if self.dependencies is not None:
            body["dependencies"] = dict(self.dependencies)
        return body


@dataclass(frozen=True)
class Enable(HookPayload):
    def body(self) -> dict[str, Any]:
        return {"enabled": True}


@dataclass(frozen=True)
class Disable(HookPayload):
    def body(self) -> dict[str, Any]:
        return {"enabled": False}


@dataclass(frozen=True)
class Delete(HookPayload):
    pass


@dataclass(frozen=True)
class Secrets(HookPayload):
    """Key names only (sorted); the values come from the config at apply."""

    keys: tuple[str, ...] = ()

    def body(self) -> dict[str, Any]:
        return {"keys": list(self.keys)}


@dataclass(frozen=True)
class SecretsAdd(Secrets):
    pass


@dataclass(frozen=True)
class SecretsUpdate(Secrets):
    pass


@dataclass(frozen=True)
class SecretsDelete(Secrets):
    pass


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in dict(value or {}).items())


def payload_from(
    action: Action, trigger_id: str, hook_id: str | None, created_by: int | None, body: Mapping[str, Any]
) -> HookPayload:
    """The typed payload of ``action`` from a request body (a plan file's, or the planner's)."""
    at = (trigger_id, hook_id, created_by)
    if action is Action.CREATE:
        return Create(*at, name=str(body.get("name", "")), script=str(body.get("script", "")),
                      enabled=bool(body.get("enabled", False)), dependencies=_pairs(body.get("dependencies")))
    if action is Action.UPDATE:
        return Update(
            *at, name=str(body["name"]) if "name" in body else None,
            script=str(body["script"]) if "script" in body else None,
            dependencies=_pairs(body["dependencies"]) if "dependencies" in body else None,
        )
    if action is Action.ENABLE:
        return Enable(*at)
    if action is Action.DISABLE:
        return Disable(*at)
    if action is Action.DELETE:
        return Delete(*at)
    keys = tuple(str(k) for k in body.get("keys", ()))
    kind = {Action.SECRETS_ADD: SecretsAdd, Action.SECRETS_UPDATE: SecretsUpdate, Action.SECRETS_DELETE: SecretsDelete}[action]
    return kind(*at, keys=keys)
