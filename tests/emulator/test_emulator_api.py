"""Behaviour of the hooks endpoints, errors included, against a real emulator process."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.emulator.emulator_testlib import PUR, SCRIPT, Api, get_token, make_api

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
NOT_FOUND = {"statusCode": 404, "error": "Not Found", "message": "Error: Hook does not exist", "errorCode": "HookDoesNotExist"}


def bad_body(message: str) -> dict[str, Any]:
    return {"statusCode": 400, "error": "Bad Request", "message": message, "errorCode": "invalid_body"}


# ---- token endpoint + auth ---------------------------------------------------------------
def test_token_form_and_json(emulator: EmulatorProcess) -> None:
    r = get_token(emulator.base_url)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
    # the default grants every hook and every action scope
    assert body["scope"].split() == ["read:hooks", "create:hooks", "update:hooks", "delete:hooks",
                                     "read:actions", "create:actions", "update:actions", "delete:actions"]
    r2 = httpx.post(f"{emulator.base_url}/oauth/token", json={
        "grant_type": "client_credentials", "client_id": "emulator", "client_secret": "emulator-secret",
        "audience": "https://x.auth0.com/api/v2/"})
    assert r2.status_code == 200 and r2.json()["access_token"] != body["access_token"]
    for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert h in r.headers


def test_token_bad_credentials(emulator: EmulatorProcess) -> None:
    r = get_token(emulator.base_url, client_secret="wrong")
    assert r.status_code == 401
    assert r.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    assert get_token(emulator.base_url, client_id="other").status_code == 401
    assert "x-ratelimit-remaining" in r.headers


def test_token_requested_scope_narrows(emulator: EmulatorProcess) -> None:
    r = get_token(emulator.base_url, scope="read:hooks")
    assert r.status_code == 200 and r.json()["scope"] == "read:hooks"
    api = Api(emulator.base_url, r.json()["access_token"])
    assert api.list().status_code == 200
    assert api.create("x").status_code == 403


def test_missing_invalid_and_expired_tokens(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(token_ttl=1)
    base = emu.base_url + "/api/v2/hooks"
    r = httpx.get(base)
    assert r.status_code == 401 and r.json()["statusCode"] == 401 and r.json()["error"] == "Unauthorized"
    assert "x-ratelimit-limit" in r.headers
    assert httpx.get(base, headers={"Authorization": "Basic abc"}).status_code == 401
    r = httpx.get(base, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["message"] == "Invalid token"
    token = get_token(emu.base_url).json()["access_token"]
    assert httpx.get(base, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    import time
    time.sleep(1.2)
    r = httpx.get(base, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["message"] == "Expired token received for JSON Web Token validation"


def test_expire_tokens_admin(emulator: EmulatorProcess, api: Api) -> None:
    assert api.list().status_code == 200
    emulator.expire_tokens()
    assert api.list().status_code == 401


@pytest.mark.parametrize(
    "scopes,allowed",
    [("read:hooks", {"GET"}), ("create:hooks", {"POST"}), ("update:hooks", {"PATCH"}), ("delete:hooks", {"DELETE"})],
)
def test_scopes_flag_narrows_and_403(emulator_factory: Callable[..., EmulatorProcess], scopes: str, allowed: set[str]) -> None:
    emu = emulator_factory(scopes=scopes, rate_limit=0)
    full = Api(emu.base_url, emu.token(["read:hooks", "create:hooks", "update:hooks", "delete:hooks"]))
    hid = full.create("h1").json()["id"]
    if "POST" not in allowed:
        assert full.http.post(f"/hooks/{hid}/secrets", json={"A": "1"}).status_code == 201
    tok = get_token(emu.base_url)
    assert tok.json()["scope"] == scopes
    api = Api(emu.base_url, tok.json()["access_token"])
    calls: dict[str, list[Callable[[], httpx.Response]]] = {
        "GET": [lambda: api.get(hid), lambda: api.list(), lambda: api.http.get(f"/hooks/{hid}/secrets")],
        "POST": [lambda: api.create("h2"), lambda: api.http.post(f"/hooks/{hid}/secrets", json={"A": "1"})],
        "PATCH": [lambda: api.patch(hid, script="x"), lambda: api.http.patch(f"/hooks/{hid}/secrets", json={"A": "2"})],
        "DELETE": [lambda: api.http.request("DELETE", f"/hooks/{hid}/secrets", json=["A"]), lambda: api.delete(hid)],
    }
    expected_scope = {"GET": "read:hooks", "POST": "create:hooks", "PATCH": "update:hooks", "DELETE": "delete:hooks"}
    for method, fns in calls.items():
        for fn in fns:
            r = fn()
            if method in allowed:
                assert r.status_code < 300, (method, r.text)
            else:
                assert r.status_code == 403, (method, r.text)
                assert r.json() == {
                    "statusCode": 403, "error": "Forbidden",
                    "message": f"Insufficient scope, expected any of: {expected_scope[method]}",
                    "errorCode": "insufficient_scope",
                }


# ---- hooks CRUD ---------------------------------------------------------------------------
def test_create_defaults_and_key_order(api: Api) -> None:
    r = api.create("my-hook")
    assert r.status_code == 201
    hook = r.json()
    assert list(hook) == ["id", "name", "script", "dependencies", "triggerId", "enabled"]
    assert ULID.match(hook["id"])
    assert hook["enabled"] is False and hook["dependencies"] == {}
    got = api.get(hook["id"]).json()
    assert {k: got[k] for k in hook} == hook


def test_ids_are_time_ordered_ulids(api: Api) -> None:
    ids = [api.create(f"h{i}").json()["id"] for i in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [h["id"] for h in api.list().json()] == ids


def test_patch_returns_200_whole_hook_and_replaces_dependencies(api: Api) -> None:
    hid = api.create("h", dependencies={"auth0": "2.30.0", "lodash": "4.17.21"}).json()["id"]
    r = api.patch(hid, dependencies={"axios": "1.0.0"})
    assert r.status_code == 200
    assert r.json()["dependencies"] == {"axios": "1.0.0"}
    assert list(r.json()) == ["id", "name", "script", "dependencies", "triggerId", "enabled"]
    r = api.patch(hid, name="renamed", script="x", enabled=True)
    assert r.status_code == 200 and r.json()["name"] == "renamed" and r.json()["enabled"] is True
    assert api.get(hid).json()["name"] == "renamed"


def test_delete_then_404(api: Api) -> None:
    hid = api.create("h").json()["id"]
    r = api.delete(hid)
    assert r.status_code == 204 and r.content == b""
    for r in (api.get(hid), api.delete(hid), api.patch(hid, script="x"), api.http.get(f"/hooks/{hid}/secrets")):
        assert r.status_code == 404 and r.json() == NOT_FOUND


def test_duplicate_name_409(api: Api) -> None:
    a = api.create("dup").json()["id"]
    r = api.create("dup")
    assert r.status_code == 409 and r.json()["message"] == "Hook with the same name already exists."
    assert r.json()["statusCode"] == 409 and r.json()["error"] == "Conflict"
    b = api.create("other").json()["id"]
    assert api.patch(b, name="dup").status_code == 409
    assert api.patch(a, name="dup").status_code == 200  # its own name is fine


@pytest.mark.parametrize(
    "body,message",
    [
        ({"name": "a", "script": "s", "triggerId": PUR, "x": 1}, "Payload validation error: 'Additional properties not allowed: x'."),
        ({"name": "a", "script": "s"}, "Payload validation error: 'Missing required property: triggerId'."),
        ({"name": "bad_name!", "script": "s", "triggerId": PUR}, None),
        ({"name": "-a", "script": "s", "triggerId": PUR}, None),
        ({"name": "a", "script": "s", "triggerId": "on-login"}, None),
        ({"name": "a", "script": "", "triggerId": PUR}, None),
        ({"name": "a", "script": "s", "triggerId": PUR, "enabled": "yes"}, None),
        ({"name": 5, "script": "s", "triggerId": PUR}, None),
        ({"name": "a", "script": "s", "triggerId": PUR, "dependencies": {"x": 1}}, None),
        ({"name": "a", "script": "s", "triggerId": PUR, "dependencies": []}, None),
        (["not", "an", "object"], None),
    ],
)
def test_create_validation_400(api: Api, body: object, message: str | None) -> None:
    r = api.http.post("/hooks", json=body)
    assert r.status_code == 400, r.text
    got = r.json()
    assert got["statusCode"] == 400 and got["error"] == "Bad Request" and got["errorCode"] == "invalid_body"
    assert got["message"].startswith("Payload validation error: ")
    if message:
        assert got == bad_body(message)
    assert api.list().json() == []


def test_name_pattern_accepts_spaces_and_dashes(api: Api) -> None:
    assert api.create("My hook-1").status_code == 201
    assert api.create("x").status_code == 201


@pytest.mark.parametrize(
    "body,fragment",
    [
        ({"triggerId": "post-user-registration"}, "Additional properties not allowed: triggerId"),
        ({"id": "x"}, "Additional properties not allowed: id"),
        ({}, "Too few properties defined (0), minimum 1"),
        ({"script": ""}, "String is too short"),
        ({"enabled": 1}, "Expected type boolean but found type integer"),
        ({"name": "no_underscores"}, "String does not match pattern"),
    ],
)
def test_patch_validation_400(api: Api, body: dict[str, Any], fragment: str) -> None:
    hid = api.create("h").json()["id"]
    r = api.patch(hid, **body)
    assert r.status_code == 400 and r.json()["errorCode"] == "invalid_body"
    assert fragment in r.json()["message"]


def test_invalid_json_400(api: Api) -> None:
    r = api.http.post("/hooks", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["statusCode"] == 400


def test_unknown_route_404(api: Api) -> None:
    assert api.http.get("/rules").status_code == 404
    assert api.http.put("/hooks").status_code == 404


# ---- listing --------------------------------------------------------------------------------
def test_list_pagination_totals_filters_fields(api: Api) -> None:
    ids = []
    for i in range(7):
        trig = PUR if i % 2 == 0 else "post-user-registration"
        ids.append(api.create(f"h{i}", trigger=trig).json()["id"])
    api.patch(ids[1], enabled=True)
    bare = api.list().json()
    assert isinstance(bare, list) and [h["id"] for h in bare] == ids
    assert list(bare[0]) == ["id", "name", "script", "dependencies", "enabled", "triggerId"]
    page = api.list(page=1, per_page=3, include_totals="true").json()
    assert list(page) == ["total", "start", "limit", "hooks"]
    assert page["total"] == 7 and page["start"] == 3 and page["limit"] == 3
    assert [h["id"] for h in page["hooks"]] == ids[3:6]
    assert api.list(page=2, per_page=3).json() == [bare[6]]
    empty = api.list(page=5, per_page=3, include_totals="true").json()
    assert empty["hooks"] == [] and empty["total"] == 7
    assert [h["id"] for h in api.list(enabled="true").json()] == [ids[1]]
    assert len(api.list(enabled="false").json()) == 6
    assert [h["id"] for h in api.list(triggerId="post-user-registration").json()] == ids[1::2]
    assert api.list(fields="id,name", include_fields="true").json()[0] == {"id": ids[0], "name": "h0"}
    assert list(api.list(fields="script,dependencies", include_fields="false").json()[0]) == ["id", "name", "enabled", "triggerId"]
    assert api.get(ids[0]).status_code == 200
    assert api.http.get(f"/hooks/{ids[0]}", params={"fields": "name"}).json() == {"name": "h0"}


def test_list_empty_tenant_with_totals(api: Api) -> None:
    assert api.list(include_totals="true").json() == {"total": 0, "start": 0, "limit": 100, "hooks": []}


@pytest.mark.parametrize(
    "params",
    [{"per_page": 101}, {"per_page": -1}, {"page": -1}, {"page": "x"}, {"include_totals": "yes"},
     {"triggerId": "nope"}, {"enabled": "1"}],
)
def test_list_bad_query_400(api: Api, params: dict[str, Any]) -> None:
    r = api.list(**params)
    assert r.status_code == 400, r.text
    assert r.json()["statusCode"] == 400 and r.json()["errorCode"] == "invalid_query_string"


def test_per_page_100_is_fine(api: Api) -> None:
    assert api.list(per_page=100).status_code == 200


# ---- secrets ----------------------------------------------------------------------------------
def test_secrets_lifecycle(emulator: EmulatorProcess, api: Api) -> None:
    hid = api.create("h").json()["id"]
    sec = f"/hooks/{hid}/secrets"
    assert api.http.get(sec).json() == {}
    r = api.http.post(sec, json={"A": "1", "B": "2"})
    assert r.status_code == 201 and r.json() == {}
    assert api.http.get(sec).json() == {"A": "_VALUE_NOT_SHOWN_", "B": "_VALUE_NOT_SHOWN_"}
    r = api.http.post(sec, json={"B": "x"})
    assert r.status_code == 409 and r.json()["statusCode"] == 409
    r = api.http.patch(sec, json={"A": "new"})
    assert r.status_code == 201 and r.json() == {}
    r = api.http.patch(sec, json={"C": "x"})
    assert r.status_code == 404 and r.json()["statusCode"] == 404
    r = api.http.request("DELETE", sec, json=["B"])
    assert r.status_code == 204 and r.content == b""
    assert api.http.get(sec).json() == {"A": "_VALUE_NOT_SHOWN_"}
    # values are write-only through the API, visible to tests through the admin dump
    (stored,) = emulator.state()["hooks"]
    assert stored["secrets"] == {"A": "new"}
    # the mask itself is stored literally
    api.http.patch(sec, json={"A": "_VALUE_NOT_SHOWN_"})
    assert emulator.state()["hooks"][0]["secrets"] == {"A": "_VALUE_NOT_SHOWN_"}


def test_secrets_limit_20(api: Api) -> None:
    hid = api.create("h").json()["id"]
    sec = f"/hooks/{hid}/secrets"
    r = api.http.post(sec, json={f"K{i}": "v" for i in range(21)})
    assert r.status_code == 400 and r.json()["errorCode"] == "invalid_body"
    assert api.http.post(sec, json={f"K{i}": "v" for i in range(19)}).status_code == 201
    assert api.http.post(sec, json={"K19": "v"}).status_code == 201
    r = api.http.post(sec, json={"K20": "v"})
    assert r.status_code == 400 and r.json()["statusCode"] == 400
    assert len(api.http.get(sec).json()) == 20


@pytest.mark.parametrize("method,body", [("POST", {}), ("POST", {"A": 1}), ("PATCH", []), ("DELETE", {"A": "x"}), ("DELETE", [])])
def test_secrets_bad_bodies_400(api: Api, method: str, body: object) -> None:
    hid = api.create("h").json()["id"]
    r = api.http.request(method, f"/hooks/{hid}/secrets", json=body)
    assert r.status_code == 400 and r.json()["errorCode"] == "invalid_body"


def test_secrets_on_missing_hook_404(api: Api) -> None:
    for method, body in (("GET", None), ("POST", {"A": "1"}), ("PATCH", {"A": "1"}), ("DELETE", ["A"])):
        r = api.http.request(method, "/hooks/01ARZ3NDEKTSV4RRFFQ69G5FAV/secrets", json=body)
        assert r.status_code == 404 and r.json() == NOT_FOUND


# ---- one enabled hook per trigger --------------------------------------------------------------
def conflict(trigger: str, name: str) -> dict[str, Any]:
    return {"statusCode": 409, "error": "Conflict",
            "message": f"Only one hook can be enabled per trigger ({trigger}); disable '{name}' first.",
            "errorCode": "conflict"}


def test_conflict_reject_default(emulator: EmulatorProcess, api: Api) -> None:
    a = api.create("a", enabled=True).json()["id"]
    r = api.create("b", enabled=True)
    assert r.status_code == 409 and r.json() == conflict(PUR, "a")
    b = api.create("b").json()["id"]  # disabled is fine
    r = api.patch(b, enabled=True)
    assert r.status_code == 409 and r.json() == conflict(PUR, "a")
    assert api.get(b).json()["enabled"] is False
    assert api.create("c", trigger="post-user-registration", enabled=True).status_code == 201  # other trigger
    assert api.patch(a, enabled=False).status_code == 200
    assert api.patch(b, enabled=True).status_code == 200
    assert api.patch(b, enabled=True).status_code == 200  # already the enabled one
    stats = emulator.stats()
    assert stats["max_enabled_per_trigger"] == {PUR: 1, "post-user-registration": 1}
    assert stats["invariant_violations"] == 0


def test_conflict_auto_disable(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(enabled_conflict="auto-disable")
    api = make_api(emu)
    a = api.create("a", enabled=True).json()["id"]
    b = api.create("b", enabled=True)
    assert b.status_code == 201 and b.json()["enabled"] is True
    assert api.get(a).json()["enabled"] is False
    c = api.create("c").json()["id"]
    assert api.patch(c, enabled=True).status_code == 200
    assert [h["name"] for h in api.list(enabled="true").json()] == ["c"]
    stats = emu.stats()
    assert stats["max_enabled_per_trigger"] == {PUR: 1} and stats["invariant_violations"] == 0


def test_conflict_allow_counts_violations(emulator: EmulatorProcess) -> None:
    emulator.configure(enabled_conflict="allow")
    api = make_api(emulator)
    api.create("a", enabled=True)
    assert api.create("b", enabled=True).status_code == 201
    c = api.create("c").json()["id"]
    assert api.patch(c, enabled=True).status_code == 200
    stats = emulator.stats()
    assert stats["max_enabled_per_trigger"] == {PUR: 3}
    assert stats["invariant_violations"] == 2
    emulator.reset()  # back to reject, counters cleared
    stats = emulator.stats()
    assert stats["max_enabled_per_trigger"] == {} and stats["invariant_violations"] == 0
    api.create("a", enabled=True)
    assert api.create("b", enabled=True).status_code == 409


def test_seed_builds_broken_tenant(emulator: EmulatorProcess, api: Api) -> None:
    hooks = emulator.seed([
        {"name": "old", "script": SCRIPT, "triggerId": PUR, "enabled": True, "secrets": {"K": "v"}},
        {"name": "new", "script": SCRIPT, "triggerId": PUR, "enabled": True, "dependencies": {"a": "1"}},
    ])
    assert [h["name"] for h in hooks] == ["old", "new"]
    stats = emulator.stats()
    assert stats["writes"] == 0 and stats["enabled_per_trigger"][PUR] == 2
    assert stats["invariant_violations"] == 0
    assert api.http.get(f"/hooks/{hooks[0]['id']}/secrets").json() == {"K": "_VALUE_NOT_SHOWN_"}
    # a PATCH enabling one while the other is still enabled is rejected...
    r = api.patch(hooks[1]["id"], enabled=True)
    assert r.status_code == 409 and r.json() == conflict(PUR, "old")
    # ...the fix is to disable first
    assert api.patch(hooks[0]["id"], enabled=False).status_code == 200
    assert emulator.stats()["enabled_per_trigger"][PUR] == 1
    assert emulator.stats()["writes"] == 1


def test_stats_counts(emulator: EmulatorProcess, api: Api) -> None:
    hid = api.create("a").json()["id"]
    api.get(hid)
    api.get("01ARZ3NDEKTSV4RRFFQ69G5FAV")
    api.patch(hid, script="y")
    api.delete(hid)
    s = emulator.stats()
    assert s["writes"] == 3
    assert s["by_status"] == {"200": 3, "201": 1, "204": 1, "404": 1}  # token request included
    assert s["by_method"] == {"POST": 2, "GET": 2, "PATCH": 1, "DELETE": 1}
    assert s["requests"] == 6 and s["rate_limited"] == 0
    assert set(s) >= {"requests", "writes", "by_status", "by_method", "max_enabled_per_trigger",
                      "invariant_violations", "rate_limited"}
