"""The real Actions client (``client.actions``) against the real emulator over loopback.

The two were written separately from the recordings (shared/auth0-api/actions.md); here they
meet: the whole lifecycle, failed builds, timed builds, tenants without Actions, narrowed
scopes, rate limits and faults, and ``read_live_actions``. Builds are short (tens of ms); no
assertion needs the machine to be fast (only lower bounds on time are checked).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.api.pacing import RateLimiter
from reconciler.api.polling import Backoff
from reconciler.config import connection_from_env
from reconciler.emulator.server import start
from reconciler.errors import (
    ActionBoundError,
    ActionsUnavailableError,
    ActionWaitTimeout,
    ApiError,
    AuthError,
    BuildFailedError,
)
from reconciler.resources.actions.live import read_live_actions
from tests.api.api_helpers import all_text, one_line
from tests.e2e.actions_helpers import actions_stats

PL = ("post-login", "v3")
CODE = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', 1); };"
CANARY = "canary-action-secret-3f9e1c"
BAD_DEP = ("crypto", "17.7.1")  # the recorded unresolvable dependency


@pytest.fixture(scope="module")
def _server() -> Iterator[Any]:
    with start(port=0, rate_limit=0, build_time=0.03, build_time_per_dependency=0.03,
               bad_dependencies="crypto@17.7.1") as emu:
        yield emu


@pytest.fixture
def emu(_server: Any) -> Any:
    _server.reset()  # empty tenant, counters and start-up options
    return _server


def client_for(emu: Any, *, poll: Backoff | None = None, **kwargs: Any) -> ManagementClient:
    client = ManagementClient(connection_from_env(emu.env()), **kwargs)
    client.actions.backoff = poll or Backoff(first=0.01, cap=0.05, timeout=20)
    return client


def virtual_time_client(emu: Any, **kwargs: Any) -> ManagementClient:
    """Retries and pacing wait on a virtual clock (the emulator still runs in real time):
    for fault tests, where every wait would otherwise be slept for real."""
    offset = [0.0]

    def sleep(seconds: float) -> None:
        offset[0] += seconds

    limiter = RateLimiter(clock=lambda: time.monotonic() + offset[0], sleep=sleep)
    return client_for(emu, sleep=sleep, limiter=limiter, **kwargs)


@pytest.fixture
def client(emu: Any) -> Iterator[ManagementClient]:
    with client_for(emu) as c:
        yield c


def ship(client: ManagementClient, name: str, code: str = CODE, **kwargs: Any) -> dict[str, Any]:
    """create -> wait_built -> deploy -> wait_deployed: the live action."""
    created = client.actions.create(name, PL, code, **kwargs)
    client.actions.wait_built(created["id"])
    version = client.actions.deploy(created["id"])
    live = client.actions.wait_deployed(created["id"], version["id"], number=version["number"])
    assert live["deployed_version"]["id"] == version["id"]
    return live


def redeploy(client: ManagementClient, action_id: str) -> dict[str, Any]:
    client.actions.wait_built(action_id)
    version = client.actions.deploy(action_id)
    return client.actions.wait_deployed(action_id, version["id"], number=version["number"])


def names(bindings: list[dict[str, Any]]) -> list[str]:
    return [b["action"]["name"] for b in bindings]


def tenant_actions(emu: Any) -> list[dict[str, Any]]:
    return list(emu.state().get("actions") or [])


def fault_once(emu: Any, method: str, path_start: str, kind: str) -> list[str]:
    """The next request ``method path_start...`` gets fault ``kind`` (``500after``: processed,
    then answered 500; ``reset``: dropped unprocessed); every other request is untouched.
    Returns a list that records the faulted request."""
    app = emu.app
    real = app.handle
    hit: list[str] = []

    def handle(m: str, target: str, headers: Any, body: bytes) -> Any:
        if not hit and m == method and target.startswith(path_start):
            hit.append(f"{m} {target}")
            app.faults.configure({kind: 1.0})
            try:
                return real(m, target, headers, body)
            finally:
                app.faults.configure({})
        return real(m, target, headers, body)

    app.handle = handle
    return hit


# -- the whole lifecycle ---------------------------------------------------------------------


def test_lifecycle_create_deploy_bind_change_reorder_unbind_delete(emu: Any, client: ManagementClient) -> None:
    api = client.actions
    created = api.create("one", PL, CODE, secrets={"API_KEY": CANARY})
    assert created["status"] == "pending" and created["secrets"][0]["name"] == "API_KEY"
    assert api.wait_built(created["id"])["status"] == "built"
    version = api.deploy(created["id"])
    assert version["deployed"] is False and version["number"] == 1  # as recorded: false even on success
    one = api.wait_deployed(created["id"], version["id"], number=1)
    assert one["deployed_version"]["deployed"] is True and one["deployed_version"]["status"] == "built"
    two = ship(client, "two")
    assert actions_stats(emu).versions_created == {"one": 1, "two": 1}

    bound = api.set_bindings("post-login", [(one["id"], None), (two["id"], "Second")])
    assert names(bound) == ["one", "two"] and [b["display_name"] for b in bound] == ["one", "Second"]
    assert names(api.bindings("post-login")) == ["one", "two"]

    # change the code: one new version, the binding keeps running it
    api.update(one["id"], code=CODE + "\n// v2")
    live = redeploy(client, one["id"])
    assert live["deployed_version"]["number"] == 2 and "// v2" in live["deployed_version"]["code"]
    assert actions_stats(emu).versions_created == {"one": 2, "two": 1}

    # a no-op: nothing differs, so nothing is deployed and no version is made
    before = actions_stats(emu)
    state = read_live_actions(client, ["post-login"])
    assert sorted(a.name for a in state.actions) == ["one", "two"]  # else all() below holds vacuously
    assert all(a.draft_is_deployed for a in state.actions)
    assert actions_stats(emu).since(before).nothing

    # reorder (ids regenerate; never keyed on), then unbind "one"
    first_ids = {b["id"] for b in api.bindings("post-login")}
    assert names(api.set_bindings("post-login", [(two["id"], "Second"), (one["id"], None)])) == ["two", "one"]
    assert not first_ids & {b["id"] for b in api.bindings("post-login")}
    with pytest.raises(ActionBoundError) as info:
        api.delete(one["id"])  # still bound: 409, never forced
    assert "still bound" in one_line(info.value) and info.value.status == 409
    assert len(tenant_actions(emu)) == 2
    api.set_bindings("post-login", [(two["id"], "Second")])
    api.delete(one["id"])

    stats = actions_stats(emu)
    assert stats.bound_to("post-login") == ("two",)
    assert stats.orders("post-login") == [(), ("one", "two"), ("two", "one"), ("two",)]
    assert [a["name"] for a in tenant_actions(emu)] == ["two"]
    with pytest.raises(ApiError) as gone:
        api.get(one["id"])
    assert gone.value.status == 404


def test_a_retried_delete_that_finds_404_is_done(emu: Any, client: ManagementClient) -> None:
    made = client.actions.create("short-lived", PL, CODE)
    hit = fault_once(emu, "DELETE", "/api/v2/actions/actions/", "500after")
    client.actions.delete(made["id"])  # deleted, answered 500, retried, 404: done
    assert hit and tenant_actions(emu) == []
    assert emu.stats()["by_status"].get("404") == 1


def test_deploy_whose_answer_is_lost_is_not_sent_twice(emu: Any, client: ManagementClient) -> None:
    made = client.actions.create("once", PL, CODE)
    client.actions.wait_built(made["id"])
    hit = fault_once(emu, "POST", f"/api/v2/actions/actions/{made['id']}/deploy", "500after")
    version = client.actions.deploy(made["id"])  # landed, answer lost: found by reading the action
    assert hit and version["number"] == 1
    client.actions.wait_deployed(made["id"], version["id"], number=1)
    assert actions_stats(emu).versions("once") == 1


# -- builds ------------------------------------------------------------------------------------


def test_bad_dependency_fails_the_build_and_the_live_version_keeps_running(emu: Any, client: ManagementClient) -> None:
    api = client.actions
    live = ship(client, "guarded", dependencies=[("lodash", "4.17.21")])
    api.set_bindings("post-login", [(live["id"], None)])
    before = actions_stats(emu)

    api.update(live["id"], code=CODE + "// broken", dependencies=[BAD_DEP])
    with pytest.raises(BuildFailedError) as info:
        api.wait_built(live["id"])
    text = one_line(info.value)
    assert "'guarded' failed" in text and "keeps running" in text
    assert info.value.action_id == live["id"]

    after = api.get(live["id"])
    assert after["status"] == "failed"
    assert after["deployed_version"]["id"] == live["deployed_version"]["id"]
    assert after["deployed_version"]["dependencies"] == [{"name": "lodash", "version": "4.17.21"}]
    assert names(api.bindings("post-login")) == ["guarded"]
    assert actions_stats(emu).since(before).nothing  # no version, bindings untouched
    with pytest.raises(ApiError) as refused:
        api.deploy(live["id"])  # the server refuses to deploy a failed draft
    assert "must be in the 'built' state" in one_line(refused.value)


@pytest.mark.parametrize("deps", [0, 2])
def test_wait_built_polls_until_the_configured_build_time(emu: Any, deps: int) -> None:
    emu.configure(build_time=0.4, build_time_per_dependency=0.15)
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        time.sleep(seconds)

    with client_for(emu, poll=Backoff(first=0.02, cap=0.04, timeout=20, sleep=sleep)) as c:
        # Timed from before the create: the server's build clock starts after it, whatever
        # the create's own latency (timing from after it made the bound depend on speed).
        started = time.monotonic()
        made = c.actions.create("timed", PL, CODE, dependencies=[(f"dep{i}", "1.0.0") for i in range(deps)])
        built = c.actions.wait_built(made["id"])
        waited = time.monotonic() - started
    assert built["status"] == "built"
    needed = 0.4 + 0.15 * deps
    # the build cannot be seen done before its time: a lower bound only, never a speed assumption
    assert waited >= needed - 0.05
    assert polls and max(polls) <= 0.04  # it polled, and the back-off cap holds


def test_wait_built_gives_up_within_its_bound(emu: Any) -> None:
    emu.configure(build_time=60)
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds  # virtual time: the emulator's build never finishes in it

    with client_for(emu, poll=Backoff(first=0.5, cap=4, timeout=30, factor=2, clock=lambda: clock[0], sleep=sleep)) as c:
        made = c.actions.create("slow", PL, CODE)
        with pytest.raises(ActionWaitTimeout) as info:
            c.actions.wait_built(made["id"])
    assert "did not finish to build within 30s" in one_line(info.value) and info.value.state == "building"
    assert 30 <= clock[0] <= 34
    gets = emu.stats()["by_method"]["GET"]
    assert gets <= 12  # 0.5, 1, 2, 4, 4, ... : bounded polls, not one a second


# -- tenants and tokens ------------------------------------------------------------------------


def test_tenant_without_actions_is_one_line_actions_unavailable(emu: Any, client: ManagementClient) -> None:
    emu.configure(actions_enabled=False)
    for call in (client.actions.list, client.actions.list_triggers, lambda: read_live_actions(client, ["post-login"])):
        with pytest.raises(ActionsUnavailableError) as info:
            call()
        assert "no Actions (403 feature_not_enabled" in one_line(info.value)
    assert emu.stats()["writes"] == 0


@pytest.mark.parametrize("missing,call", [
    ("read:actions", lambda api, a: api.list()),
    ("update:actions", lambda api, a: api.update(a["id"], code=CODE)),
    ("update:actions", lambda api, a: api.set_bindings("post-login", [])),
    ("create:actions", lambda api, a: api.deploy(a["id"])),
    ("delete:actions", lambda api, a: api.delete(a["id"])),
])
def test_narrowed_scopes_name_the_missing_scope(emu: Any, missing: str, call: Callable[..., Any]) -> None:
    made = emu.seed(actions=[{"name": "scoped", "supported_triggers": [{"id": "post-login", "version": "v3"}],
                              "code": CODE}])["actions"][0]
    emu.configure(scopes=[s for s in emu.options.scopes if s != missing])
    with client_for(emu) as c, pytest.raises(AuthError) as info:
        call(c.actions, made)
    assert missing in one_line(info.value) and info.value.status == 403
    assert len(tenant_actions(emu)) == 1


# -- rate limits and faults --------------------------------------------------------------------


def test_rate_limited_lifecycle_converges_without_duplicates(emu: Any) -> None:
    # a small bucket (the client paces itself on the rate headers) plus 429s it cannot foresee,
    # on the create and on the bindings PATCH
    emu.configure(rate_limit=40, burst=3)
    hits = [fault_once(emu, "POST", "/api/v2/actions/actions", "429"),
            fault_once(emu, "PATCH", "/api/v2/actions/triggers/", "429")]
    with client_for(emu) as c:
        lives = [ship(c, f"limited-{i}") for i in range(2)]
        c.actions.set_bindings("post-login", [(a["id"], None) for a in lives])
        assert c.stats.rate_limited >= 2
    assert all(hits) and emu.stats()["faults"] == {"429": 2}
    assert sorted(a["name"] for a in tenant_actions(emu)) == ["limited-0", "limited-1"]
    stats = actions_stats(emu)
    assert stats.versions_created == {"limited-0": 1, "limited-1": 1}
    assert stats.bound_to("post-login") == ("limited-0", "limited-1")


@pytest.mark.parametrize("seed", range(4))
def test_random_faults_on_actions_routes_never_duplicate(emu: Any, seed: int) -> None:
    emu.configure(faults="429=0.1,500=0.1,reset=0.1,500after=0.15", fault_seed=seed)
    with virtual_time_client(emu, max_attempts=12) as c:
        lives = [ship(c, f"faulty-{i}", secrets={"K": CANARY}) for i in range(3)]
        c.actions.set_bindings("post-login", [(a["id"], None) for a in lives])
        c.actions.set_bindings("post-login", [(lives[0]["id"], None)])
        c.actions.delete(lives[2]["id"])
        state = read_live_actions(c, ["post-login"])
    faults = emu.stats()["faults"]
    assert sum(faults.values()) > 0
    assert sorted(a["name"] for a in tenant_actions(emu)) == ["faulty-0", "faulty-1"]  # one per name
    stats = actions_stats(emu)
    assert stats.versions_created == {"faulty-0": 1, "faulty-1": 1, "faulty-2": 1}
    assert stats.bound_to("post-login") == ("faulty-0",)
    assert [a.name for a in state.actions] == ["faulty-0", "faulty-1"] and all(a.draft_is_deployed for a in state.actions)


@pytest.mark.parametrize("kind", ["500after", "reset", "500"])
def test_create_with_a_lost_answer_makes_one_action(emu: Any, client: ManagementClient, kind: str) -> None:
    hit = fault_once(emu, "POST", "/api/v2/actions/actions", kind)
    made = client.actions.create("exactly-once", PL, CODE, secrets={"K": CANARY})
    assert hit
    assert [a["name"] for a in tenant_actions(emu)] == ["exactly-once"]
    assert made["id"] == tenant_actions(emu)[0]["id"]


def test_errors_never_show_secret_values(emu: Any, client: ManagementClient) -> None:
    made = client.actions.create("secretive", PL, CODE, secrets={"K": CANARY})
    emu.configure(faults="500=1")
    with virtual_time_client(emu) as c, pytest.raises(ApiError) as info:
        c.actions.update(made["id"], secrets={"K": CANARY + "-2"})
    assert CANARY not in all_text(info.value)


# -- reading the tenant ------------------------------------------------------------------------


def test_read_live_actions_and_draft_is_deployed(emu: Any, client: ManagementClient) -> None:
    one = ship(client, "claims", secrets={"A": CANARY, "B": CANARY + "b"}, dependencies=[("lodash", "4.17.21")])
    two = ship(client, "second")
    client.actions.set_bindings("post-login", [(two["id"], "2nd"), (one["id"], None)])

    state = read_live_actions(client, ["post-login"])
    by_name = {a.name: a for a in state.actions}
    assert set(by_name) == {"claims", "second"}
    claims = by_name["claims"]
    assert claims.trigger == PL and claims.secret_names == {"A", "B"}
    assert claims.dependencies == (("lodash", "4.17.21"),) and claims.code == CODE
    assert claims.deployed_live and claims.deployed_version_number == 1 and claims.draft_is_deployed is True
    assert [(b.action_name, b.display_name) for b in state.bindings.get("post-login") or ()] == [
        ("second", "2nd"), ("claims", "claims")]
    assert {t.id for t in state.triggers} >= {"post-login", "credentials-exchange"}

    # read again, nothing changed: still deployed (secret stamps are copied into the version
    # exactly, as recorded; otherwise every run would redeploy)
    again = {a.name: a for a in read_live_actions(client, ["post-login"]).actions}
    assert again["claims"].draft_is_deployed is True and again["second"].draft_is_deployed is True

    # a PATCH without a deploy: the draft differs from what runs
    client.actions.update(one["id"], secrets={"A": CANARY, "B": CANARY + "b"})  # same values, new stamps
    client.actions.wait_built(one["id"])
    after = {a.name: a for a in read_live_actions(client, ["post-login"]).actions}
    assert after["claims"].draft_is_deployed is False and after["second"].draft_is_deployed is True
    client.actions.update(two["id"], code=CODE + "// new")
    assert {a.name: a for a in read_live_actions(client, ["post-login"]).actions}["second"].draft_is_deployed is False
    redeploy(client, one["id"])
    assert {a.name: a for a in read_live_actions(client, ["post-login"]).actions}["claims"].draft_is_deployed is True


def test_read_live_actions_of_seeded_deployed_actions(emu: Any, client: ManagementClient) -> None:
    emu.seed(actions=[
        {"name": "seeded", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": CODE,
         "secrets": [{"name": "S", "value": CANARY}], "deployed": True},
        {"name": "draft-only", "supported_triggers": [{"id": "credentials-exchange", "version": "v2"}], "code": CODE},
    ], bindings={"post-login": [{"action_name": "seeded"}]})
    state = read_live_actions(client, [])
    by_name = {a.name: a for a in state.actions}
    assert by_name["seeded"].draft_is_deployed is True and by_name["seeded"].deployed_live
    assert by_name["draft-only"].draft_is_deployed is None and not by_name["draft-only"].deployed
    # the trigger of every custom action is read (a delete starts by unbinding)
    assert [b.action_name for b in state.bindings.get("post-login") or ()] == ["seeded"]
    assert state.bindings.get("credentials-exchange") == ()
