"""``find_lease`` and ``remove_lease``: the lease a killed apply left, found in whichever
store the tenant serves and removed by id."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.api.client import ManagementClient
from reconciler.emulator.server import RunningEmulator
from reconciler.lease import LEASE_NAME, Lease
from reconciler.lease_actions import ActionMarkerStore, lease_store
from reconciler.lease_hooks import HookMarkerStore
from reconciler.usecases.unlocking import LeaseLookup, find_lease, remove_lease


def test_an_unlocked_tenant(emu: RunningEmulator, client_factory: Callable[[], ManagementClient]) -> None:
    with client_factory() as client:
        lookup = find_lease(client)
        assert lookup == LeaseLookup() and not lookup.locked
        assert remove_lease(lookup) is False


def test_a_hook_marker_is_found_and_removed(emu: RunningEmulator, client_factory: Callable[[], ManagementClient]) -> None:
    with client_factory() as client:
        Lease(lease_store(client), "killed run", renew_every=0).acquire()
        lookup = find_lease(client)
        assert lookup.locked and isinstance(lookup.store, HookMarkerStore)
        assert lookup.info is not None and lookup.info.holder == "killed run"
        assert lookup.info.describe().startswith("killed run since ")
        assert remove_lease(lookup) is True
        assert client.hooks.list() == [] and not find_lease(client).locked


def test_without_hooks_the_marker_is_an_action(emu: RunningEmulator, client_factory: Callable[[], ManagementClient]) -> None:
    emu.configure(hooks_enabled=False)
    with client_factory() as client:
        Lease(lease_store(client), "killed run", renew_every=0).acquire()
        lookup = find_lease(client)
        assert isinstance(lookup.store, ActionMarkerStore) and lookup.info is not None
        assert lookup.info.holder == "killed run"
        remove_lease(lookup)
        assert client.actions.list(name=LEASE_NAME) == []


def test_a_lease_taken_after_the_lookup_is_not_removed(emu: RunningEmulator, client_factory: Callable[[], ManagementClient]) -> None:
    with client_factory() as client:
        Lease(lease_store(client), "killed run", renew_every=0).acquire()
        stale = find_lease(client)
        assert stale.marker is not None
        client.hooks.delete(stale.marker.id)  # the killed run's lease went away by itself ...
        Lease(lease_store(client), "new run", renew_every=0).acquire()  # ... and a new apply took one
        remove_lease(stale)
        now = find_lease(client)
        assert now.info is not None and now.info.holder == "new run"
        assert [h["name"] for h in client.hooks.list()] == [LEASE_NAME]
