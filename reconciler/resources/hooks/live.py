"""The live hooks, from the wire JSON the API client returns (the client knows no model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.resources.hooks.model import LiveHook, LiveState

if TYPE_CHECKING:  # only a type here: httpx loads when a command talks to a tenant
    from reconciler.api.client import ManagementClient


def read_live_state(client: ManagementClient) -> LiveState:
    """Every hook in the tenant with its secret keys, by name (then id)."""
    live = [
        LiveHook(
            id=hook["id"],
            name=hook["name"],
            trigger_id=hook["triggerId"],  # kept as is, known to this tool or not
            script=hook["script"],
            enabled=bool(hook.get("enabled", False)),
            dependencies=dict(hook.get("dependencies") or {}),
            secret_keys=keys,
        )
        for hook, keys in client.hooks.with_secret_keys()
    ]
    return LiveState(hooks=tuple(sorted(live, key=lambda h: (h.name, h.id))))
