"""Behaviour of the Actions endpoints (resources/actions*.py) over loopback HTTP.

Builds run with `manual_builds` (advanced by the admin endpoint) unless a test is about the
timed background build, so nothing here depends on wall-clock speed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.emulator.resources.actions_model import MAX_VERSIONS
from reconciler.emulator.server import RunningEmulator, start

PL = [{"id": "post-login", "version": "v3"}]
PUR = [{"id": "pre-user-registration", "version": "v2"}]
CODE = "exports.onExecutePostLogin = async (event, api) => {};"


class Client:
    def __init__(self, emu: RunningEmulator, scopes: list[str] | None = None) -> None:
        self.emu = emu
        self.http = httpx.Client(base_url=emu.base_url + "/api/v2", headers={"Authorization": f"Bearer {emu.token(scopes)}"})

    def create(self, name: str, triggers: list[dict[str, str]] = PL, **extra: Any) -> httpx.Response:
        return self.http.post("/actions/actions", json={"name": name, "supported_triggers": triggers, "code": CODE, **extra})

    def built(self, name: str, **extra: Any) -> dict[str, Any]:
        r = self.create(name, **extra)
        assert r.status_code == 201, r.text
        self.emu.advance_builds(r.json()["id"], 10)
        created: dict[str, Any] = r.json()
        return created

    def deployed(self, name: str, **extra: Any) -> dict[str, Any]:
        a = self.built(name, **extra)
        assert self.http.post(f"/actions/actions/{a['id']}/deploy").status_code == 200
        return a

    def bind(self, trigger: str, *refs: tuple[str, str]) -> httpx.Response:
        body = {"bindings": [{"ref": {"type": t, "value": v}} for t, v in refs]}
        return self.http.patch(f"/actions/triggers/{trigger}/bindings", json=body)


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with start(port=0, rate_limit=0, manual_builds=True, bad_dependencies=("crypto@17.7.1", "evil")) as e:
        yield e


@pytest.fixture
def api(emu: RunningEmulator) -> Iterator[Client]:
    c = Client(emu)
    yield c
    c.http.close()


# ---- CRUD and the build ------------------------------------------------------------------
def test_create_defaults_and_build_states(emu: RunningEmulator, api: Client) -> None:
    r = api.create("a", dependencies=[{"name": "lodash", "version": "4.0.0", "registry_url": "https://r"}])
    assert r.status_code == 201
    a = r.json()
    assert list(a) == ["id", "name", "supported_triggers", "created_at", "updated_at", "code", "dependencies",
                       "runtime", "status", "secrets", "all_changes_deployed"]
    assert a["status"] == "pending" and a["runtime"] == "node22" and a["secrets"] == []
    assert api.http.get(f"/actions/actions/{a['id']}").json()["status"] == "building"
    emu.advance_builds(a["id"])
    got = api.http.get(f"/actions/actions/{a['id']}").json()
    assert got["status"] == "built"
    assert got["dependencies"] == [{"name": "lodash", "version": "4.0.0"}]  # registry_url gone once built


def test_bad_dependency_fails_via_building_and_retrying(emu: RunningEmulator, api: Client) -> None:
    a = api.built("a")
    api.http.post(f"/actions/actions/{a['id']}/deploy")
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"dependencies": [{"name": "crypto", "version": "17.7.1"}]})
    assert r.json()["status"] == "pending"
    seen = []
    for _ in range(8):
        seen.append(api.http.get(f"/actions/actions/{a['id']}").json()["status"])
        emu.advance_builds(a["id"])
    assert seen[:3] == ["building", "retrying", "building"] and seen[-1] == "failed"
    after = api.http.get(f"/actions/actions/{a['id']}").json()
    assert after["deployed_version"]["number"] == 1 and after["deployed_version"]["dependencies"] == []
    r = api.http.post(f"/actions/actions/{a['id']}/deploy")
    assert r.status_code == 400 and r.json()["message"] == "A draft must be in the 'built' state before it can be deployed."
    # a bare name in bad_dependencies fails every version
    b = api.create("b", dependencies=[{"name": "evil", "version": "1.0.0"}]).json()
    emu.advance_builds(b["id"], 10)
    assert api.http.get(f"/actions/actions/{b['id']}").json()["status"] == "failed"


def test_timed_build_in_background_and_longer_with_dependencies() -> None:
    with start(port=0, rate_limit=0, build_time=0, build_time_per_dependency=600) as e:
        c = Client(e)
        plain = c.create("plain").json()
        assert c.http.get(f"/actions/actions/{plain['id']}").json()["status"] == "built"  # 0 s: built at once
        dep = c.create("dep", dependencies=[{"name": "x", "version": "1"}]).json()
        assert c.http.get(f"/actions/actions/{dep['id']}").json()["status"] == "building"  # 600 s
        e.configure(build_time_per_dependency=0.05)
        c.http.patch(f"/actions/actions/{dep['id']}", json={"code": "// v2"})
        deadline = time.monotonic() + 30
        while c.http.get(f"/actions/actions/{dep['id']}").json()["status"] != "built":
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_update_semantics_and_errors(emu: RunningEmulator, api: Client) -> None:
    a = api.built("a", secrets=[{"name": "K", "value": "v"}], runtime="node18-actions")
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"code": "// 2"})
    assert r.status_code == 200 and r.json()["runtime"] == "node18-actions"  # omitted runtime kept
    assert r.json()["updated_at"] > a["updated_at"] and r.json()["secrets"][0]["name"] == "K"  # omitted secrets kept
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"supported_triggers": PUR})
    assert r.status_code == 400 and r.json()["message"] == "can't upgrade to this trigger."
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"runtime": "node12"})
    assert r.status_code == 400 and r.json()["message"].startswith("runtime not supported for version v3 of this trigger")
    assert api.create("b", runtime="node16").status_code == 400
    assert api.http.patch(f"/actions/actions/{a['id']}", json={"deploy": True}).status_code == 400
    assert api.http.post("/actions/actions", json={"name": "x"}).status_code == 400
    r = api.http.get("/actions/actions/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404 and r.json() == {"statusCode": 404, "error": "Not Found", "message": "That action does not exist."}


def test_limits(emu: RunningEmulator, api: Client) -> None:
    assert api.create("big", code="x" * (100 * 1024 + 1)).status_code == 400
    assert api.create("ok", code="x" * (100 * 1024)).status_code == 201
    deps = [{"name": f"d{i}", "version": "1"} for i in range(11)]
    assert api.create("deps", dependencies=deps).status_code == 400
    assert api.create("deps10", dependencies=deps[:10]).status_code == 201
    secrets = [{"name": f"S{i}", "value": "v"} for i in range(31)]
    assert api.create("sec", secrets=secrets).status_code == 400
    assert api.create("sec30", secrets=secrets[:30]).status_code == 201
    assert api.create("n", secrets=[{"name": "N" * 129, "value": "v"}]).status_code == 400
    assert api.create("v", secrets=[{"name": "N", "value": "v" * 4097}]).status_code == 400
    for i in range(100 - 3):
        assert api.create(f"fill{i}").status_code == 201
    r = api.create("one-too-many")
    assert r.status_code == 400 and "100" in r.json()["message"]


def test_secrets_write_only_and_replaced_whole(emu: RunningEmulator, api: Client) -> None:
    canary = "canary-secret-value-7f3a"
    a = api.built("a", secrets=[{"name": "foo", "value": canary}, {"name": "keep", "value": "k"}])
    assert canary not in api.http.get(f"/actions/actions/{a['id']}").text
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"secrets": [{"name": "bar", "value": "1"}, {"name": "foo", "value": canary}]})
    assert canary not in r.text
    names = [s["name"] for s in r.json()["secrets"]]
    assert names == ["foo", "bar"]  # 'keep' removed; existing first, then new (as recorded)
    assert {s["updated_at"] for s in r.json()["secrets"]} == {r.json()["updated_at"]}
    stored = {s["name"]: s["value"] for s in emu.state()["actions"][0]["secrets"]}
    assert stored == {"foo": canary, "bar": "1"}
    r = api.http.patch(f"/actions/actions/{a['id']}", json={"secrets": []})
    assert r.json()["secrets"] == []


# ---- deploy, versions, rollback ----------------------------------------------------------
def test_deploy_versions_and_rollback(emu: RunningEmulator, api: Client) -> None:
    a = api.built("a")
    r = api.http.post(f"/actions/actions/{a['id']}/deploy")
    v1 = r.json()
    assert r.status_code == 200 and v1["deployed"] is False and v1["number"] == 1 and v1["action"]["id"] == a["id"]
    got = api.http.get(f"/actions/actions/{a['id']}").json()
    assert got["deployed_version"]["id"] == v1["id"] and got["deployed_version"]["deployed"] is True
    assert got["current_version"]["status"] == "BUILT" and got["all_changes_deployed"] is True
    before = got["updated_at"]
    api.http.patch(f"/actions/actions/{a['id']}", json={"code": "// two"})
    got = api.http.get(f"/actions/actions/{a['id']}").json()
    assert got["all_changes_deployed"] is False and got["deployed_version"]["code"] == CODE and got["updated_at"] != before
    emu.advance_builds(a["id"], 5)
    v2 = api.http.post(f"/actions/actions/{a['id']}/deploy").json()
    assert v2["number"] == 2
    assert api.http.get(f"/actions/actions/{a['id']}").json()["updated_at"] == got["updated_at"]  # deploy: no updated_at
    r = api.http.post(f"/actions/actions/{a['id']}/versions/{v1['id']}/deploy")
    assert r.status_code == 200 and r.json()["number"] == 3 and r.json()["code"] == CODE
    live = api.http.get(f"/actions/actions/{a['id']}").json()["deployed_version"]
    assert live["number"] == 3 and live["code"] == CODE
    versions = api.http.get(f"/actions/actions/{a['id']}/versions", params={"per_page": 50}).json()
    assert [v["number"] for v in versions["versions"]] == [3, 2, 1] and versions["total"] == 3
    one = api.http.get(f"/actions/actions/{a['id']}/versions/{v1['id']}").json()
    assert one["deployed"] is False and "built_at" in one
    r = api.http.get(f"/actions/actions/{a['id']}/versions/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404 and r.json()["message"] == "The action version does not exist."
    assert emu.stats()["versions_created"] == {"a": 3}


def test_version_cap_evicts_oldest_unused(emu: RunningEmulator, api: Client) -> None:
    a = api.built("a")
    first = api.http.post(f"/actions/actions/{a['id']}/deploy").json()
    for _ in range(MAX_VERSIONS + 4):
        assert api.http.post(f"/actions/actions/{a['id']}/deploy").status_code == 200
    listed = api.http.get(f"/actions/actions/{a['id']}/versions", params={"per_page": 100}).json()
    numbers = [v["number"] for v in listed["versions"]]
    assert len(numbers) == MAX_VERSIONS and numbers[0] == MAX_VERSIONS + 5 and min(numbers) == 6
    assert api.http.get(f"/actions/actions/{a['id']}/versions/{first['id']}").status_code == 404


def test_create_with_deploy(emu: RunningEmulator, api: Client) -> None:
    r = api.create("a", deploy=True)
    body = r.json()
    assert body["current_version"]["status"] == "PENDING" and body["deployed_version"]["status"] == "pending"
    assert body["all_changes_deployed"] is True
    emu.advance_builds(body["id"], 5)
    got = api.http.get(f"/actions/actions/{body['id']}").json()
    assert got["deployed_version"]["status"] == "built" and "build_time" in got["current_version"]


# ---- triggers and bindings ---------------------------------------------------------------
def test_triggers_list(api: Client) -> None:
    triggers = api.http.get("/actions/triggers").json()["triggers"]
    current = {t["id"]: t for t in triggers if t["status"] == "CURRENT"}
    for hook_trigger in ("credentials-exchange", "pre-user-registration", "post-user-registration",
                         "post-change-password", "send-phone-message"):
        assert current[hook_trigger]["version"] == "v2"
    assert current["post-login"]["version"] == "v3" and current["post-login"]["default_runtime"] == "node22"
    assert all({"runtimes", "default_runtime", "binding_policy", "compatible_triggers"} <= set(t) for t in triggers)


def test_bindings_patch_get_and_ids_regenerate(emu: RunningEmulator, api: Client) -> None:
    a = api.deployed("a")
    api.deployed("b")
    r = api.bind("post-login", ("action_id", a["id"]), ("action_name", "b"))
    assert r.status_code == 200 and list(r.json()) == ["bindings"]
    first = r.json()["bindings"]
    assert [x["display_name"] for x in first] == ["a", "b"]  # defaults to the action name
    assert list(first[0]) == ["id", "trigger_id", "action", "created_at", "updated_at", "display_name"]
    r = api.http.patch("/actions/triggers/post-login/bindings", json={"bindings": [
        {"ref": {"type": "binding_id", "value": first[1]["id"]}},
        {"ref": {"type": "action_id", "value": a["id"]}, "display_name": "A!"}]})
    second = r.json()["bindings"]
    assert [x["action"]["name"] for x in second] == ["b", "a"] and second[1]["display_name"] == "A!"
    assert not {x["id"] for x in first} & {x["id"] for x in second}  # every id regenerated
    page = api.http.get("/actions/triggers/post-login/bindings", params={"per_page": 1}).json()
    assert page["total"] == 2 and page["per_page"] == 1 and "page" not in page and len(page["bindings"]) == 1
    past = api.http.get("/actions/triggers/post-login/bindings", params={"page": 5, "per_page": 100}).json()
    assert past == {"bindings": [], "page": 5, "per_page": 100}
    assert api.http.get("/actions/triggers/credentials-exchange/bindings", params={"per_page": 50}).json() == \
        {"bindings": [], "per_page": 50}
    history = emu.stats()["binding_history"]["post-login"]
    assert [h["actions"] for h in history] == [["a", "b"], ["b", "a"]]
    assert api.bind("post-login").json() == {"bindings": []}
    assert emu.stats()["binding_history"]["post-login"][-1]["actions"] == []


def test_binding_rules(emu: RunningEmulator, api: Client) -> None:
    undeployed = api.built("u")
    r = api.bind("post-login", ("action_id", undeployed["id"]))
    assert r.status_code == 400 and r.json()["message"] == "Trying to create a binding for an action that has not been deployed yet."
    other = api.deployed("pur", triggers=PUR)
    assert api.bind("post-login", ("action_id", other["id"])).status_code == 400
    assert api.bind("no-such-trigger", ("action_id", other["id"])).status_code == 400
    d = api.deployed("d")
    assert api.bind("post-login", *[("action_id", d["id"])] * 21).status_code == 400
    assert api.bind("post-login", *[("action_id", d["id"])] * 20).status_code == 200
    assert emu.stats()["bound_per_trigger"]["post-login"] == ["d"] * 20


def test_delete_bound_action_409_and_force(emu: RunningEmulator, api: Client) -> None:
    a = api.deployed("a")
    api.bind("post-login", ("action_id", a["id"]))
    r = api.http.delete(f"/actions/actions/{a['id']}")
    assert r.status_code == 409 and r.json()["message"] == "Unable to delete an action bound to a trigger."
    assert api.http.delete(f"/actions/actions/{a['id']}", params={"force": "true"}).status_code == 204
    assert api.http.get("/actions/triggers/post-login/bindings").json()["bindings"] == []
    assert api.http.delete(f"/actions/actions/{a['id']}").status_code == 404
    b = api.deployed("b")  # unbound: plain delete works
    assert api.http.delete(f"/actions/actions/{b['id']}").status_code == 204


# ---- lists, filters, misc ----------------------------------------------------------------
def test_list_filters_and_omitted_keys(emu: RunningEmulator, api: Client) -> None:
    assert api.http.get("/actions/actions", params={"per_page": 50}).json() == {"actions": [], "per_page": 50}
    api.deployed("a")
    api.built("b", triggers=PUR)
    emu.seed(actions=[{"name": "market", "supported_triggers": PL, "code": "//", "integration": {"id": "x"}}])

    def names(**params: Any) -> list[str]:
        return [a["name"] for a in api.http.get("/actions/actions", params=params).json()["actions"]]

    assert names(actionName="a") == ["a"] and names(actionName="A") == []
    assert names(triggerId="pre-user-registration") == ["b"]
    assert names(deployed="true") == ["a"] and names(installed="true") == ["market"]
    assert names(installed="false") == ["a", "b"]
    body = api.http.get("/actions/actions", params={"per_page": 2, "page": 1}).json()
    assert body["total"] == 3 and body["page"] == 1 and len(body["actions"]) == 1
    r = api.http.get("/actions/actions", params={"include_totals": "true"})
    assert r.status_code == 400 and "Additional properties not allowed: include_totals" in r.json()["message"]


def test_test_executions_and_modules(emu: RunningEmulator, api: Client) -> None:
    a = api.built("a")
    r = api.http.post(f"/actions/actions/{a['id']}/test", json={"payload": {"event": {}}})
    assert r.status_code == 200 and set(r.json()["payload"]) == {"error", "stats"}
    r = api.http.get("/actions/executions/abc")
    assert r.status_code == 404 and r.json()["message"] == "That execution does not exist."
    assert api.http.get("/actions/modules").json()["modules"] == []


def test_scopes_and_feature_not_enabled(emu: RunningEmulator) -> None:
    reader = Client(emu, ["read:actions"])
    assert reader.http.get("/actions/actions").status_code == 200
    r = reader.create("x")
    assert r.status_code == 403 and r.json() == {"statusCode": 403, "error": "Forbidden",
                                                  "message": "Insufficient scope, expected any of: create:actions",
                                                  "errorCode": "insufficient_scope"}
    assert reader.http.patch("/actions/triggers/post-login/bindings", json={"bindings": []}).json()["message"].endswith("update:actions")
    assert reader.http.delete("/actions/actions/x").json()["message"].endswith("delete:actions")
    hooks_only = Client(emu, ["read:hooks"])
    assert hooks_only.http.get("/actions/actions").status_code == 403
    emu.configure(actions_enabled=False)
    r = Client(emu).http.get("/actions/triggers")
    assert r.status_code == 403 and r.json()["errorCode"] == "feature_not_enabled"


def test_rate_limit_applies_to_actions() -> None:
    with start(port=0, rate_limit=0.001, burst=2) as e:
        c = Client(e)
        codes = [c.http.get("/actions/triggers").status_code for _ in range(3)]
        assert codes == [200, 200, 429]


# ---- state, seed, reset, the combined timeline ---------------------------------------------
def test_state_file_round_trip_and_reset(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    with start(port=0, rate_limit=0, manual_builds=True, state_file=str(path)) as e:
        c = Client(e)
        a = c.deployed("a", secrets=[{"name": "S", "value": "v"}])
        c.bind("post-login", ("action_id", a["id"]))
        before = e.state()
        assert json.loads(path.read_text())["actions"][0]["id"] == a["id"]
    with start(port=0, rate_limit=0, manual_builds=True, state_file=str(path)) as e:
        assert e.state() == before
        c = Client(e)
        assert c.http.get("/actions/triggers/post-login/bindings").json()["bindings"][0]["action"]["id"] == a["id"]
        assert c.http.delete(f"/actions/actions/{a['id']}").status_code == 409
        e.reset()
        assert e.state()["actions"] == [] and e.state()["bindings"] == {}
        assert json.loads(path.read_text())["actions"] == []


def test_seed_actions_and_bindings(emu: RunningEmulator, api: Client) -> None:
    out = emu.seed(actions=[{"name": "s", "supported_triggers": PL, "code": "//", "deployed": True,
                             "secrets": [{"name": "K", "value": "v"}]}],
                   bindings={"post-login": [{"action_name": "s", "display_name": "S"}]})
    assert out["actions"][0]["status"] == "built" and out["bindings"]["post-login"][0]["display_name"] == "S"
    assert emu.stats()["bound_per_trigger"] == {"post-login": ["s"]}


def test_cutover_timeline_hooks_and_actions(emu: RunningEmulator, api: Client) -> None:
    """What ran on a trigger at every instant: here bind first, then disable the hook."""
    emu.seed([{"name": "h", "script": "module.exports = function (u, c, cb) { cb(); };",
               "triggerId": "pre-user-registration", "enabled": True}])
    a = api.deployed("a", triggers=PUR)
    hook_id = emu.state()["hooks"][0]["id"]
    api.bind("pre-user-registration", ("action_id", a["id"]))
    api.http.patch(f"/hooks/{hook_id}", json={"enabled": False})
    line = emu.stats()["trigger_timeline"]["pre-user-registration"]
    assert [(e["hooks"], e["actions"]) for e in line] == [(["h"], []), (["h"], ["a"]), ([], ["a"])]
    both = [e for e in line if e["hooks"] and e["actions"]]
    end = line[line.index(both[0]) + 1]
    assert end["seq"] - both[0]["seq"] == 1  # the both-run window lasted one request
    assert emu.stats()["hook_history"]["pre-user-registration"][-1]["hooks"] == []


def test_cli_flags_reach_the_actions_routes(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    """`reconciler emulator --no-actions / --bad-dependencies / --manual-builds` (a real subprocess)."""
    off = emulator_factory(actions_enabled=False, rate_limit=0)
    r = httpx.get(off.base_url + "/api/v2/actions/actions", headers={"Authorization": f"Bearer {off.token()}"})
    assert r.status_code == 403 and r.json()["errorCode"] == "feature_not_enabled"
    emu = emulator_factory(bad_dependencies="left-pad@1.0.0", manual_builds=True, build_time=5, rate_limit=0)
    http = httpx.Client(base_url=emu.base_url + "/api/v2", headers={"Authorization": f"Bearer {emu.token()}"})
    a = http.post("/actions/actions", json={"name": "a", "supported_triggers": PL, "code": CODE,
                                            "dependencies": [{"name": "left-pad", "version": "1.0.0"}]}).json()
    assert emu.advance_builds(a["id"], 10)["statuses"][a["id"]] == "failed"
    config = httpx.get(emu.base_url + "/__emulator/config").json()
    assert config["bad_dependencies"] == ["left-pad@1.0.0"] and config["manual_builds"] is True and config["build_time"] == 5
