"""The live hooks, from the wire JSON the API client returns (the client knows no model)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from reconciler.resources.hooks.model import LiveHook, LiveState

if TYPE_CHECKING:  # only a type here: httpx loads when a command talks to a tenant
    from reconciler.api.client import ManagementClient


def read_live_state(client: ManagementClient) -> LiveState:
    """Every hook in the tenant with its secret keys, by name (then id)."""
    return _state(client.hooks.with_secret_keys())


def read_again(
    client: ManagementClient, before: LiveState, *, written: frozenset[str] | None = None,
    listed: list[dict[str, Any]] | None = None,
) -> LiveState:
    """The live hooks again for the price of one list (``listed``: one already made), each
    hook's secret keys taken from ``before`` unless they may have changed: a hook not in
    ``before``, and with ``written`` None (the check under the lease) a hook whose listing
    differs from ``before`` (another writer), else (the read-back) a hook named in
    ``written`` (this run wrote its secrets). A list cannot see secrets that another writer
    alone changed: that is the price of not reading every hook's secrets again."""
    from reconciler.lease import is_marker_hook

    hooks = [h for h in (client.hooks.list() if listed is None else listed) if not is_marker_hook(h)]
    known = {hook.id: hook for hook in before.hooks}

    def stale(hook: Mapping[str, Any]) -> bool:
        prior = known.get(str(hook["id"]))
        if prior is None:
            return True
        if written is not None:
            return hook["name"] in written
        return _listing(prior) != _listing(_hook(hook, frozenset()))

    fresh = client.hooks.secret_keys_of([hook for hook in hooks if stale(hook)])
    kept = [(hook, known[str(hook["id"])].secret_keys) for hook in hooks if not stale(hook)]
    return _state([*kept, *fresh])


def _listing(hook: LiveHook) -> tuple[object, ...]:
    return (hook.name, hook.trigger_id, hook.script, hook.enabled, dict(hook.dependencies))


def _hook(hook: Mapping[str, Any], keys: frozenset[str]) -> LiveHook:
    return LiveHook(
        id=hook["id"],
        name=hook["name"],
        trigger_id=hook["triggerId"],  # kept as is, known to this tool or not
        script=hook["script"],
        enabled=bool(hook.get("enabled", False)),
        dependencies=dict(hook.get("dependencies") or {}),
        secret_keys=keys,
    )


def _state(found: Iterable[tuple[Mapping[str, Any], frozenset[str]]]) -> LiveState:
    live = [_hook(hook, keys) for hook, keys in found]
    return LiveState(hooks=tuple(sorted(live, key=lambda h: (h.name, h.id))))
