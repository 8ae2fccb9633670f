"""The tenant lease's marker as an action, for tenants that no longer serve Hooks.

Auth0 ended Hooks: many tenants answer ``/api/v2/hooks`` with 403 or 404. There the marker
is an action named ``reconciler-lease`` on ``post-login`` (its current version), holding the
holder's JSON in a code comment, exactly as the hook marker does. It is never deployed and
never bound, so it never runs; :func:`reconciler.resources.actions.live.read_live_actions`
(the one place live actions are read) hides it from plans, drift and export.

Action names are not unique in Auth0, so a create is not atomic. Instead: create, then list
the actions with exactly that name; the oldest marker (``created_at``, then id: every
client sees the same order) wins. A run whose marker is not the oldest deletes its own (by
id) and reports the lock, so of two racing runs exactly one holds the lease. That is the
``MarkerStore`` contract (``create`` returns False when another marker is there), so
:class:`reconciler.lease.Lease` (expiry, renewal, nonce check, release) is unchanged.

Which store: :func:`marker_stores` asks what the tenant serves. Hooks when ``GET /hooks``
answers (the marker every earlier version of this tool used), else Actions. Every writer of
one tenant must see the same: give them the same scopes (a token without ``read:hooks`` on a
tenant that still serves Hooks would use the Actions marker and not see a hook marker).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from reconciler.errors import ApiError, LeaseError
from reconciler.lease import (
    LEASE_NAME,
    Marker,
    MarkerStore,
    is_marker_text,
    parse_marker,
    unless_gone,
)
from reconciler.lease_hooks import HookMarkerStore

LEASE_ACTION_TRIGGER = "post-login"
FALLBACK_VERSION = "v3"  # post-login's current version (2026); the tenant's list decides


class ActionsClient(Protocol):
    actions: Any  # reconciler.api.actions.ActionsApi


class ActionMarkerStore:
    """The marker as an undeployed, unbound action; the oldest of that name wins."""

    def __init__(self, client: ActionsClient) -> None:
        self.api = client.actions
        self._version: str | None = None
        # The last create made our marker and the list after it found it the oldest: every
        # other marker is younger and goes, so the lease is held from that list on.
        self.created_ours = False

    def _trigger_version(self) -> str:
        if self._version is None:
            versions = [t for t in self.api.list_triggers() if t.get("id") == LEASE_ACTION_TRIGGER]
            current = [t for t in versions if t.get("status") == "CURRENT"] or versions
            self._version = str(current[0]["version"]) if current else FALLBACK_VERSION
        return self._version

    def _markers(self) -> list[dict[str, Any]]:
        """Every marker, oldest first (the exact-name filter is checked again by the API layer).
        Names are not unique: a user's action of that name is no marker and is never counted."""
        found = [a for a in self.api.list(name=LEASE_NAME) if is_marker_action(a)]
        return sorted(found, key=lambda a: (str(a.get("created_at") or ""), str(a["id"])))

    def create(self, text: str) -> bool:
        """False at once when a marker is there (an expired one is replaced or taken over by
        the lease, not stacked up). Else one plain POST (never deployed, never re-sent here:
        after a lost answer the lease reads by nonce), and the list decides who holds it."""
        self.created_ours = False
        if self._markers():
            return False
        mine = str(self.api.create_once(LEASE_NAME, (LEASE_ACTION_TRIGGER, self._trigger_version()), text)["id"])
        markers = self._markers()
        if markers and str(markers[0]["id"]) == mine:
            self.created_ours = True
            return True
        if not markers:
            return True
        self.delete(mine)  # not the oldest: ours goes, by id, and the oldest holds the lease
        return False

    def read(self) -> Marker | None:
        markers = self._markers()
        if not markers:
            return None
        code = markers[0].get("code")
        return Marker(str(markers[0]["id"]), code if isinstance(code, str) else "")

    def update(self, marker_id: str, text: str) -> bool:
        return unless_gone(lambda: self.api.update(marker_id, code=text))

    def delete(self, marker_id: str) -> None:
        unless_gone(lambda: self.api.delete(marker_id))  # never force: the marker is never bound

    def own(self, nonce: str) -> list[str]:
        return [str(a["id"]) for a in self._markers() if parse_marker(str(a.get("code"))).nonce == nonce]


def is_marker_action(action: Any) -> bool:
    """An action that is provably the lease marker: named so, a custom action, never
    deployed (so never bound: it runs nowhere), and its code exactly the marker text."""
    return (
        isinstance(action, dict) and action.get("name") == LEASE_NAME and not action.get("integration")
        and not action.get("deployed_version") and is_marker_text(action.get("code"))
    )


def _serves(read: Any) -> bool:
    """True when the tenant answers this read; 403/404 (ended, not enabled, no scope): False."""
    try:
        read()
    except ApiError as error:
        if error.status in (403, 404):
            return False
        raise
    return True


def marker_stores(client: Any) -> Iterator[MarkerStore]:
    """The stores this tenant can hold a marker in, the preferred one first; lazily, so a
    tenant that serves hooks is never asked about Actions unless the caller goes on, and a
    client that has listed hooks already (the plan's read) is not asked about hooks again."""
    if getattr(client.hooks, "served", False) is True or _serves(client.hooks.list):
        yield HookMarkerStore(client)
    if _serves(lambda: client.actions.list(name=LEASE_NAME)):
        yield ActionMarkerStore(client)


def lease_store(client: Any) -> MarkerStore:
    """Where apply keeps its lease: hooks if the tenant serves them, else Actions."""
    store = next(marker_stores(client), None)
    if store is None:
        raise LeaseError("cannot take the tenant lease: the tenant serves neither hooks nor actions to this token")
    return store
