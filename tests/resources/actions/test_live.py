"""Live Actions state: what LiveAction makes of real answers, and which requests the reader
issues (only the bindings a run may touch; none at all for a config without Actions)."""

from __future__ import annotations

import dataclasses
import threading
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from reconciler.errors import BadResponseError
from reconciler.resources.actions.live import NOT_READ, LiveAction, LiveBinding, read_live_actions
from tests.actions_fakes import (
    CODE,
    STAMP,
    TRIGGERS_2026,
    Route,
    Router,
    action,
    binding,
    json_response,
    page,
    recorded,
)

ACTIONS = "/api/v2/actions/actions"
TRIGGERS = "/api/v2/actions/triggers"
CANARY_VALUE = "canary-live-secret-value-4b2c9e"


def bindings_path(trigger: str) -> str:
    return f"{TRIGGERS}/{trigger}/bindings"


def tenant(actions: list[dict[str, Any]], bindings: dict[str, list[dict[str, Any]]] | None = None) -> Router:
    routes: dict[str, Route] = {f"GET {ACTIONS}": json_response(200, page("actions", actions)),
                                f"GET {TRIGGERS}": json_response(200, TRIGGERS_2026)}
    for trigger, found in (bindings or {}).items():
        routes[f"GET {bindings_path(trigger)}"] = json_response(200, page("bindings", found))
    return Router(routes)


# -- LiveAction from real answers ---------------------------------------------------------------------


def test_live_action_after_deploy_and_after_a_later_patch() -> None:
    _, deployed = recorded("terraform-provider-auth0_TestAccAction.yaml", 12)
    _, patched = recorded("terraform-provider-auth0_TestAccAction.yaml", 17)
    live = LiveAction.from_api(deployed)
    assert live.trigger == ("post-login", "v3") and live.runtime == "node18-actions"
    assert live.dependencies == (("auth0", "2.41.0"),) and live.secret_names == frozenset({"foo"})
    assert (live.deployed_version_number, live.deployed_live, live.all_changes_deployed) == (1, True, True)
    assert live.draft_is_deployed is True and live.status == "built" and not live.marketplace
    after = LiveAction.from_api(patched)
    assert after.status == "pending" and after.draft_is_deployed is False and after.deployed_version_id == live.deployed_version_id
    assert after.dependencies == (("auth0", "2.42.0"), ("moment", "2.29.4"))
    assert after.secret_names == frozenset({"foo", "bar"})


def test_live_action_2023_shapes_and_deploy_on_create() -> None:
    _, first = recorded("go-auth0_TestActionManager_Read.yaml", 1)
    live = LiveAction.from_api(first)
    assert live.runtime == "node16" and live.status == "building" and live.draft_is_deployed is None
    assert live.dependencies == (("lodash", "4.0.0"),)  # registry_url dropped
    _, created = recorded("go-auth0_TestActionManager_CreateWithDeploy.yaml", 0)
    pending = LiveAction.from_api(created)
    assert pending.deployed and not pending.deployed_live  # deployed:true but status pending: not live yet


def test_draft_is_deployed_sees_each_kind_of_difference() -> None:
    base = action(1, secrets=("A",), deps=(("x", "1"),), deployed=2)
    assert LiveAction.from_api(base).draft_is_deployed is True
    changes: dict[str, dict[str, Any]] = {
        "code": {"code": CODE + "//"},
        "runtime": {"runtime": "node18-actions"},
        "dependencies": {"dependencies": [{"name": "x", "version": "2"}]},
        "secret added": {"secrets": [{"name": "A", "updated_at": STAMP}, {"name": "B", "updated_at": STAMP}]},
        "secret rewritten": {"secrets": [{"name": "A", "updated_at": "2026-06-01T00:00:00.000000000Z"}]},
    }
    for what, change in changes.items():
        assert LiveAction.from_api(base | change).draft_is_deployed is False, what
    # dependency order and a registry_url that disappeared are not differences
    same = base | {"dependencies": [{"name": "x", "version": "1", "registry_url": "https://npm.test/x"}]}
    assert LiveAction.from_api(same).draft_is_deployed is True


def test_marketplace_and_secret_values_never_held() -> None:
    market = action(9, integration={"id": "int-1", "name": "Vendor"})
    assert LiveAction.from_api(market).marketplace
    assert LiveAction.from_api(action(8, installed_integration_id="int-2")).marketplace
    weird = action(1, secrets=("K",))
    weird["secrets"][0]["value"] = CANARY_VALUE  # a server that leaks a value: not kept
    live = LiveAction.from_api(weird)
    assert CANARY_VALUE not in repr(live) and CANARY_VALUE not in repr(dataclasses.asdict(live))


# -- the reader ------------------------------------------------------------------------------------


def test_a_config_without_actions_makes_zero_requests() -> None:
    router = Router({})
    server = router.server()
    with server.client() as client:
        assert read_live_actions(client, None) is NOT_READ
        assert read_live_actions(client, None).read is False
    assert server.requests == [] and server.token_requests == 0


def test_reads_bindings_only_for_managed_triggers_and_the_triggers_of_actions() -> None:
    login = action(1)
    cx = action(2, trigger="credentials-exchange", version="v2")
    cte = action(3, trigger="custom-token-exchange", version="v1")  # entity-bound: not read
    market = action(4, trigger="send-phone-message", version="v2", integration={"id": "i"})  # left alone
    router = tenant([login, cx, cte, market], {
        "post-login": [binding(login, "first", 0), binding(market, None, 1)],
        "credentials-exchange": [],
    })
    server = router.server()
    with server.client() as client:
        live = read_live_actions(client, {"credentials-exchange", "not-offered"})
    reads = sorted(r for r in server.requests if "/bindings" in r)
    assert reads == [f"GET {bindings_path('credentials-exchange')}?page=0&per_page=100",
                     f"GET {bindings_path('post-login')}?page=0&per_page=100"]
    assert live.bindings.get("post-login") == (LiveBinding("act-1", "action-1", "first"),
                                               LiveBinding("act-4", "action-4", "action-4"))
    assert live.bindings.get("credentials-exchange") == ()
    assert live.bindings.get("send-phone-message") is None and live.bindings.get("not-offered") is None
    assert [a.name for a in live.actions] == ["action-1", "action-2", "action-3", "action-4"]
    assert [a.id for a in live.custom()] == ["act-1", "act-2", "act-3"]
    assert [(t.version, t.default_runtime) for t in live.trigger_versions("post-login")] == [("v3", "node22"), ("v2", "node16")]


def test_names_narrow_the_triggers_read() -> None:
    router = tenant([action(1), action(2, trigger="credentials-exchange", version="v2")], {"post-login": []})
    server = router.server()
    with server.client() as client:
        live = read_live_actions(client, set(), names={"action-1"})
    assert [r for r in server.requests if "/bindings" in r] == [f"GET {bindings_path('post-login')}?page=0&per_page=100"]
    assert live.bindings.read == frozenset({"post-login"})


def test_duplicate_names_are_reported_not_guessed() -> None:
    router = tenant([action(1, name="twin"), action(2, name="twin"), action(3, name="twin", integration={"id": "i"})],
                    {"post-login": []})
    with router.server().client() as client:
        live = read_live_actions(client, set())
    assert live.duplicate_names() == frozenset({"twin"}) and len(live.named("twin")) == 3


def test_bindings_reads_are_concurrent_within_the_worker_budget() -> None:
    triggers = ["post-login", "credentials-exchange", "send-phone-message"]
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)  # overlap, if the reader allows it; the assertion is an upper bound only
        with lock:
            state["now"] -= 1
        return json_response(200, {"bindings": [], "per_page": 100})

    router = tenant([])
    for trigger in triggers:
        router.routes[f"GET {bindings_path(trigger)}"] = slow
    with router.server().client(max_workers=2) as client:
        live = read_live_actions(client, set(triggers))
    assert live.bindings.read == frozenset(triggers)
    assert state["max"] <= 2


def test_a_failed_read_is_one_line() -> None:
    router = tenant([action(1)])
    router.routes[f"GET {bindings_path('post-login')}"] = json_response(200, {"bindings": "x"})
    with router.server().client() as client, pytest.raises(BadResponseError) as info:
        read_live_actions(client, set())
    assert str(info.value) == f"GET {bindings_path('post-login')}?page=0&per_page=100: 'bindings' is not a list"


def test_the_plans_read_sends_managed_bindings_without_waiting_for_the_trigger_list() -> None:
    """The triggers the config manages and this tool knows as bindable are read alongside the
    trigger list: the list is answered only once their bindings were asked for (in the old
    order, list first, the wait below would run out and the assertion fail)."""
    asked = threading.Event()
    calls: list[str] = []

    offered: Any = TRIGGERS_2026["triggers"]

    def list_triggers() -> Any:
        calls.append("triggers answered" if asked.wait(timeout=30) else "triggers answered alone")
        return offered

    def bindings(trigger: str) -> Any:
        calls.append(f"bindings of {trigger}")
        asked.set()
        return []

    api = SimpleNamespace(list_triggers=list_triggers, list=lambda: [], bindings=bindings)
    client = SimpleNamespace(max_workers=8, actions=api)
    live = read_live_actions(client, {"post-login", "not-offered"})
    assert calls == ["bindings of post-login", "triggers answered"]
    # A trigger this tool does not know waits for the list, which does not offer it: no request.
    assert live.bindings.read == frozenset({"post-login"}) and live.bindings.get("post-login") == ()


def test_an_early_read_of_a_trigger_the_tenant_lacks_is_dropped() -> None:
    """A known trigger the tenant does not offer: its early read fails (404) and is dropped;
    the live state says it was not read, as before, and nothing is raised."""
    offered = [t for t in TRIGGERS_2026["triggers"] if isinstance(t, dict) and t["id"] != "send-phone-message"]
    router = tenant([], {"post-login": []})
    router.routes[f"GET {TRIGGERS}"] = json_response(200, {"triggers": offered})
    router.routes[f"GET {bindings_path('send-phone-message')}"] = json_response(
        404, {"statusCode": 404, "error": "Not Found", "message": "trigger not found", "errorCode": "not_found"})
    with router.server().client() as client:
        live = read_live_actions(client, {"post-login", "send-phone-message"})
    assert live.bindings.read == frozenset({"post-login"}) and live.bindings.get("send-phone-message") is None
