"""The tenant lease on tenants without Hooks: the marker is an action (never deployed or
bound); names are not unique, so the oldest marker wins and the others remove theirs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.api.client import ManagementClient
from reconciler.cli import cli
from reconciler.config import connection_from_env
from reconciler.errors import ApiError, TenantLocked
from reconciler.lease import LEASE_NAME, Lease, marker_text, parse_marker
from reconciler.lease_actions import ActionMarkerStore, lease_store, marker_stores
from reconciler.lease_hooks import HookMarkerStore
from reconciler.resources.actions.live import read_live_actions
from tests.test_lease import race

T0 = datetime(2030, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FakeActions:
    """Actions endpoints as the lease uses them: names not unique, ``created_at`` ordered."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.n = 0
        self.lock = threading.Lock()
        self.created: list[dict[str, Any]] = []

    def list_triggers(self) -> list[dict[str, Any]]:
        return [{"id": "post-login", "version": "v2", "status": "DEPRECATED"},
                {"id": "post-login", "version": "v3", "status": "CURRENT"}]

    def list(self, *, name: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(a) for a in self.items.values() if name is None or a["name"] == name]

    def create_once(self, name: str, trigger: tuple[str, str], code: str) -> dict[str, Any]:
        with self.lock:
            self.n += 1
            action: dict[str, Any] = {"id": f"act_{self.n:03d}", "name": name, "code": code, "created_at": f"2030-01-01T00:00:{self.n:02d}Z",
                      "supported_triggers": [{"id": trigger[0], "version": trigger[1]}]}
            self.items[action["id"]] = action
            self.created.append(action)
            return dict(action)

    def update(self, action_id: str, *, code: str) -> dict[str, Any]:
        with self.lock:
            if action_id not in self.items:
                raise ApiError("That action does not exist.", status=404)
            self.items[action_id]["code"] = code
            return dict(self.items[action_id])

    def delete(self, action_id: str) -> None:
        with self.lock:
            if self.items.pop(action_id, None) is None:
                raise ApiError("That action does not exist.", status=404)


class Tenant:
    def __init__(self) -> None:
        self.actions = FakeActions()


def test_the_marker_is_an_action_on_post_login_current_version() -> None:
    tenant = Tenant()
    with Lease(ActionMarkerStore(tenant), "ci run 7", clock=Clock(), renew_every=0):
        (marker,) = tenant.actions.list(name=LEASE_NAME)
        assert marker["supported_triggers"] == [{"id": "post-login", "version": "v3"}]
        assert parse_marker(marker["code"]).holder == "ci run 7"
        assert marker["code"].startswith("//")  # a comment: it would do nothing if it ran
    assert tenant.actions.list() == []


def test_a_second_lease_is_refused_and_makes_no_marker() -> None:
    tenant, clock = Tenant(), Clock()
    first = Lease(ActionMarkerStore(tenant), "ci run 1", clock=clock, renew_every=0)
    first.acquire()
    with pytest.raises(TenantLocked, match="tenant is locked by ci run 1 since 2030-01-01"):
        Lease(ActionMarkerStore(tenant), "laptop", clock=clock, renew_every=0).acquire()
    assert [a["id"] for a in tenant.actions.list()] == [first.marker_id]
    assert len(tenant.actions.created) == 1  # a marker was there: the second run made none
    first.release()
    assert tenant.actions.list() == []


def test_when_two_markers_exist_the_oldest_wins() -> None:
    tenant = Tenant()
    # Another run created its marker just before ours: both exist when we list.
    older = tenant.actions.create_once(LEASE_NAME, ("post-login", "v3"),
                                       marker_text("other run", T0, T0 + timedelta(minutes=15), "abc"))
    store = ActionMarkerStore(tenant)
    assert store.create(marker_text("me", T0, T0 + timedelta(minutes=15), "def")) is False
    assert [a["id"] for a in tenant.actions.list()] == [older["id"]]
    assert store.read() is not None and store.read().id == older["id"]  # type: ignore[union-attr]


def test_an_expired_marker_is_taken_over_and_its_holder_learns_it_lost() -> None:
    tenant, clock = Tenant(), Clock()
    lost: list[str] = []
    old = Lease(ActionMarkerStore(tenant), "killed run", clock=clock, renew_every=0, on_lost=lost.append)
    old.acquire()
    clock.now += timedelta(minutes=16)
    new = Lease(ActionMarkerStore(tenant), "next run", clock=clock, renew_every=0)
    new.acquire()
    (marker,) = tenant.actions.list()
    assert parse_marker(marker["code"]).holder == "next run"
    old.renew()
    assert lost and "taken over" in lost[0]
    new.release()


def test_the_store_is_chosen_by_what_the_tenant_serves() -> None:
    class Client(Tenant):
        def __init__(self, hooks: int | None) -> None:
            super().__init__()
            self.hooks_status = hooks

        @property
        def hooks(self) -> Any:
            return self  # the hooks endpoints: only ``list`` is asked

        def list(self) -> list[dict[str, Any]]:
            if self.hooks_status:
                raise ApiError("Not Found", status=self.hooks_status)
            return []

    assert isinstance(lease_store(Client(None)), HookMarkerStore)
    assert isinstance(lease_store(Client(404)), ActionMarkerStore)
    assert isinstance(lease_store(Client(403)), ActionMarkerStore)
    assert [type(s).__name__ for s in marker_stores(Client(None))] == ["HookMarkerStore", "ActionMarkerStore"]
    assert [type(s).__name__ for s in marker_stores(Client(404))] == ["ActionMarkerStore"]

    class Broken(Client):
        def list(self) -> list[dict[str, Any]]:
            raise ApiError("server error", status=500)

    with pytest.raises(ApiError):  # a broken server is an error, not "no hooks"
        lease_store(Broken(None))


def test_racing_applies_on_an_emulator_without_hooks(emulator_factory) -> None:  # type: ignore[no-untyped-def]
    proc = emulator_factory(hooks_enabled=False)
    with ManagementClient(connection_from_env(proc.env())) as client:
        with pytest.raises(ApiError) as gone:
            client.hooks.list()
        assert gone.value.status == 403 and gone.value.error_code == "hooks_not_allowed"
        store = lease_store(client)
        assert isinstance(store, ActionMarkerStore)
        racers = [Lease(lease_store(client), f"racer {i}", renew_every=0) for i in range(4)]
        assert race(racers) == ["locked", "locked", "locked", "won"]
        markers = client.actions.list(name=LEASE_NAME)
        assert len(markers) == 1 and markers[0].get("deployed_version") is None
        # Invisible where live actions are read (plans, drift, export).
        live = read_live_actions(client, ())
        assert LEASE_NAME not in [a.name for a in live.actions]
        assert "post-login" not in live.bindings.read
        for lease in racers:
            lease.release()
        assert client.actions.list(name=LEASE_NAME) == []
        assert proc.stats()["binding_history"] == {}  # never bound


@pytest.mark.parametrize("hooks", [True, False])
def test_unlock_works_with_either_store(emulator_factory, hooks: bool) -> None:  # type: ignore[no-untyped-def]
    proc = emulator_factory(hooks_enabled=hooks)
    with ManagementClient(connection_from_env(proc.env())) as client:
        Lease(lease_store(client), "killed run", renew_every=0).acquire()
        if hooks:
            assert [h["name"] for h in client.hooks.list()] == [LEASE_NAME]
        else:
            assert len(client.actions.list(name=LEASE_NAME)) == 1
        result = CliRunner().invoke(cli, ["unlock", "--yes"], env=proc.env())
        assert result.exit_code == 0, result.output
        assert "locked by killed run" in result.output and "Lease removed." in result.output
        assert client.actions.list(name=LEASE_NAME) == []
        if hooks:
            assert client.hooks.list() == []
        again = CliRunner().invoke(cli, ["unlock", "--yes"], env=proc.env())
        assert "not locked" in again.output


def test_the_action_marker_tells_on_taken_once_the_list_finds_it_the_oldest() -> None:
    tenant, told = Tenant(), []
    lease = Lease(ActionMarkerStore(tenant), "me", clock=Clock(), renew_every=0,
                  on_taken=lambda: told.append([a["id"] for a in tenant.actions.list()]))
    lease.acquire()
    assert told == [[lease.marker_id]] and lease.taken_early
    lease.release()


def test_an_action_marker_older_than_ours_proves_nothing_ours() -> None:
    class Racing(FakeActions):
        def create_once(self, name: str, trigger: tuple[str, str], code: str) -> dict[str, Any]:
            # Another run's marker lands first, in the same moment as ours.
            super().create_once(name, trigger, marker_text("other run", T0, T0 + timedelta(minutes=15), "abc"))
            return super().create_once(name, trigger, code)

    tenant = Tenant()
    tenant.actions = Racing()
    store = ActionMarkerStore(tenant)
    assert store.create(marker_text("me", T0, T0 + timedelta(minutes=15), "def")) is False
    assert store.created_ours is False
