"""actions_helpers reads the emulator's Actions stats (subprocess emulator, real HTTP)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.actions_helpers import ActionsStats, Moment, actions_stats

CE = [{"id": "credentials-exchange", "version": "v2"}]
CODE = "exports.onExecuteCredentialsExchange = async (event, api) => {};"
HOOK = "module.exports = function (client, scope, audience, context, cb) { cb(null, {}); };"


def _bind(http: httpx.Client, *ids: str) -> None:
    body = {"bindings": [{"ref": {"type": "action_id", "value": i}} for i in ids]}
    assert http.patch("/actions/triggers/credentials-exchange/bindings", json=body).status_code == 200


def test_stats_in_a_convenient_form(emulator: Any) -> None:
    assert actions_stats(emulator) == ActionsStats(requests=0)
    emulator.seed([{"name": "old-hook", "script": HOOK, "triggerId": "credentials-exchange", "enabled": True}])
    made = emulator.seed(actions=[{"name": n, "supported_triggers": CE, "code": CODE, "deployed": True}
                                  for n in ("a", "b")])["actions"]
    a, b = (x["id"] for x in made)
    before = actions_stats(emulator)
    assert before.versions_created == {"a": 1, "b": 1} and before.bound_to("credentials-exchange") == ()

    with httpx.Client(base_url=emulator.base_url + "/api/v2",
                      headers={"Authorization": f"Bearer {emulator.token()}"}) as http:
        _bind(http, a, b)
        _bind(http, b, a)
        assert http.post(f"/actions/actions/{a}/deploy").status_code == 200
        _bind(http, b)

    now = actions_stats(emulator)
    assert now.versions("a") == 2 and now.versions("nobody") == 0 and now.total_versions() == 3
    assert now.bound_to("credentials-exchange") == ("b",)
    assert now.orders("credentials-exchange") == [(), ("a", "b"), ("b", "a"), ("b",)]
    assert now.ever_bound("credentials-exchange", "a") and not now.ever_bound("post-login", "a")
    moments = now.history["credentials-exchange"]
    assert [m.seq for m in moments] == sorted(m.seq for m in moments) and moments[0].seq >= 1
    # the hook stayed enabled all along: every binding moment is a both-ran moment
    assert [m.actions for m in now.both_ran("credentials-exchange")] == [("a", "b"), ("b", "a"), ("b",)]
    assert all(m.hooks == ("old-hook",) for m in now.both_ran("credentials-exchange"))

    delta = now.since(before)
    assert delta.versions_created == {"a": 1} and delta.versions == 1 and not delta.nothing
    assert [m.actions for m in delta.binding_changes["credentials-exchange"]] == [("a", "b"), ("b", "a"), ("b",)]
    assert now.since(now).nothing
    assert isinstance(moments[0], Moment)
