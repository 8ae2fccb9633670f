"""``unlock``: find the tenant lease a killed apply left, and remove it by id.

The marker is a hook, or an action on tenants without Hooks (``reconciler.lease_actions``):
the first one found counts. Asking whether to remove it is the CLI's (a terminal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.lease import LeaseInfo, Marker, MarkerStore, parse_marker


@dataclass(frozen=True)
class LeaseLookup:
    """The lease found (``info``: what its marker says), or none: the tenant is not locked."""

    info: LeaseInfo | None = None
    marker: Marker | None = None
    store: MarkerStore | None = None  # where the marker lives, to remove it from

    @property
    def locked(self) -> bool:
        return self.marker is not None

    @property
    def removable(self) -> bool:
        """Provably a marker: ``unlock`` deletes nothing else (a user's hook of that name)."""
        return self.marker is not None and self.marker.provable


def find_lease(client: Any) -> LeaseLookup:
    """The first marker in the stores this tenant serves, in order (lazily: a tenant whose
    hooks hold one is not asked about Actions)."""
    from reconciler.lease_actions import marker_stores

    found = ((store, marker) for store in marker_stores(client) for marker in [store.read()] if marker)
    store, marker = next(found, (None, None))
    if store is None or marker is None:
        return LeaseLookup()
    return LeaseLookup(parse_marker(marker.text), marker, store)


def remove_lease(lookup: LeaseLookup) -> bool:
    """Delete the marker found, by its id: a lease taken since the lookup is not touched.
    False when there was none to remove."""
    if lookup.store is None or lookup.marker is None or not lookup.marker.provable:
        return False
    lookup.store.delete(lookup.marker.id)
    return True
