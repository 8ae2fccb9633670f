"""The Actions planner against the in-memory tenant: only changed actions are written, the
order build -> deploy -> bind -> unbind -> delete, nothing lost, secrets whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import PlanError
from tests.resources.actions.actions_testlib import CODE, action
from tests.resources.actions.fake_actions import FakeClient
from tests.resources.actions.harness import apply, desired, ops, plan, steps

PL = "post-login"


def binds(*names: str) -> dict[str, list[dict[str, str]]]:
    return {PL: [{"action_name": n, "display_name": n} for n in names]}


def test_create_builds_deploys_then_binds_and_a_rerun_is_a_no_op(tmp_path: Path) -> None:
    client = FakeClient()
    want = desired(tmp_path / "c", [action("a"), action("b")], binds("a", "b"))
    merged = steps(want, client)
    assert ops(merged) == [("action", "create", "a"), ("action", "deploy", "a"), ("action", "create", "b"),
                           ("action", "deploy", "b"), ("bindings", "bind", PL)]
    bind = merged[-1]
    assert set(bind.after) == {1, 3}  # after both deploys
    assert merged[0].wait is not None and merged[1].wait is not None  # polled steps
    assert apply(want, client).ok
    assert client.actions.bound_names(PL) == ["a", "b"]
    client.actions.writes = 0
    assert steps(want, client) == () and apply(want, client).ok
    assert client.actions.writes == 0 and client.actions.versions_created == {"a": 1, "b": 1}


def test_unchanged_action_is_never_redeployed_a_changed_one_once(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code=CODE)
    client.actions.seed("b", code=CODE)
    client.actions.bind(PL, "a", "b")
    want = desired(tmp_path / "c", [action("a"), action("b")], binds("a", "b"), code={"b": CODE + "// v2\n"})
    assert ops(steps(want, client)) == [("action", "update", "b"), ("action", "deploy", "b")]
    action_part, _ = plan(want, client)
    diff = action_part.changes[0].fields[0].diff
    assert "+// v2" in diff and "code.js" in diff
    assert apply(want, client).ok
    assert client.actions.versions_created == {"a": 0, "b": 1}
    assert client.actions.bound_names(PL) == ["a", "b"]  # deploying a bound action needs no PATCH


def test_reorder_and_display_names_are_one_patch_of_the_whole_list(tmp_path: Path) -> None:
    client = FakeClient()
    for name in ("a", "b", "c"):
        client.actions.seed(name, code=CODE)
    client.actions.bind(PL, "a", "b", "c")
    want = desired(tmp_path / "c", [action(n) for n in "abc"],
                   {PL: [{"action_name": "c", "display_name": "C!"}, {"action_name": "a", "display_name": "a"},
                         {"action_name": "b", "display_name": "b"}]})
    _, bindings = plan(want, client)
    assert [c.detail for c in bindings.changes] == [(("before", ("a", "b", "c")), ("after", ("c (C!)", "a", "b")))]
    assert apply(want, client).ok
    assert client.actions.bound_names(PL) == ["c", "a", "b"] and client.actions.history == [(PL, ("c", "a", "b"))]
    assert client.actions.versions_created == {"a": 0, "b": 0, "c": 0}


def test_the_trigger_follows_the_list_without_allow_delete(tmp_path: Path) -> None:
    # Unbinding loses nothing (x stays, deployed, re-bindable): it needs no --allow-delete.
    client = FakeClient()
    for name in ("x", "a", "b"):
        client.actions.seed(name, code=CODE)
    client.actions.bind(PL, "x", "a", "b")
    want = desired(tmp_path / "c", [action(n) for n in "xab"], binds("b", "a"))
    _, bindings = plan(want, client)
    assert bindings.warnings == ()
    assert apply(want, client).ok
    assert client.actions.bound_names(PL) == ["b", "a"]
    assert set(client.actions.actions[i]["name"] for i in client.actions.actions) == {"x", "a", "b"}
    assert steps(want, client) == ()


def test_excluded_actions_keep_their_place(tmp_path: Path) -> None:
    # AUTH0_EXCLUDED_ACTIONS: bindings made by hand stay where they are.
    client = FakeClient()
    for name in ("x", "a", "b"):
        client.actions.seed(name, code=CODE)
    client.actions.bind(PL, "x", "a", "b")
    want = desired(tmp_path / "c", [action(n) for n in "ab"], binds("b", "a"))
    assert apply(want, client, excluded_actions=("x",)).ok
    assert client.actions.bound_names(PL) == ["x", "b", "a"]


def test_delete_unbinds_first_never_forces_and_needs_allow_delete(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("keep", code=CODE)
    client.actions.seed("gone", code=CODE)
    client.actions.bind(PL, "gone", "keep")
    want = desired(tmp_path / "c", [action("keep")], binds("keep"))
    action_part, _ = plan(want, client)
    assert [(c.key, c.skipped.code if c.skipped else None) for c in action_part.changes] == [("gone", "action.delete_not_allowed")]
    assert apply(want, client).ok and client.actions.bound_names(PL) == ["keep"]  # unbound, kept
    client.actions.bind(PL, "gone", "keep")
    merged = steps(want, client, allow_delete=True)
    assert ops(merged) == [("action", "delete", "gone"), ("bindings", "bind", PL)]
    assert str(merged[0].phase) == "remove"  # after every other step: after the unbind
    assert apply(want, client, allow_delete=True).ok  # the fake answers 409 to a bound delete
    assert client.actions.bound_names(PL) == ["keep"] and len(client.actions.actions) == 1


def test_delete_threshold(tmp_path: Path) -> None:
    client = FakeClient()
    for i in range(10):
        client.actions.seed(f"old{i}", code=CODE, deployed=False)
    want = desired(tmp_path / "c", [action("new")], {})
    with pytest.raises(PlanError, match="refusing to delete 10 of 10 actions"):
        plan(want, client, allow_delete=True)
    assert len(steps(want, client, allow_delete=True, force=True)) == 12


def test_failed_build_stops_the_plan_nothing_bound_old_version_runs(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.bad_dependencies = frozenset({"bad-dep"})
    client.actions.seed("a", code=CODE)
    client.actions.bind(PL, "a")
    want = desired(tmp_path / "c", [action("a", dependencies=[{"name": "bad-dep", "version": "1.0.0"}]),
                                    action("b")], binds("b", "a"))
    report = apply(want, client, workers=1)
    assert not report.ok and "bad dependency" in report.failed[0].message
    assert client.actions.bound_names(PL) == ["a"] and client.actions.history == []
    assert client.actions.versions_created.get("a") == 0
    assert client.actions.named("a")["deployed_version"]["code"] == CODE  # the old version keeps running


def test_interrupted_run_only_deploys_the_written_draft(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code=CODE)
    want = desired(tmp_path / "c", [action("a")], binds("a"), code={"a": CODE + "// v2\n"})
    client.actions.fail_at = 2  # the PATCH lands, the deploy does not
    assert not apply(want, client, workers=1).ok
    client.actions.fail_at = None
    again = steps(want, client)
    assert ops(again) == [("action", "deploy", "a"), ("bindings", "bind", PL)]
    assert again[0].reason.code == "action.deploy_draft"
    assert apply(want, client).ok and steps(want, client) == ()
    assert client.actions.versions_created["a"] == 1


def test_trigger_change_is_a_safe_replace(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code=CODE)
    client.actions.bind(PL, "a")
    moved = action("a", supported_triggers=[{"id": "credentials-exchange", "version": "v2"}])
    want = desired(tmp_path / "c", [moved], {PL: [], "credentials-exchange": [{"action_name": "a", "display_name": "a"}]})
    merged = steps(want, client)
    assert ops(merged) == [("action", "rename", "a"), ("action", "create", "a"), ("action", "deploy", "a"),
                           ("bindings", "bind", "credentials-exchange"), ("bindings", "bind", PL)]
    # Bind before unbind: the old trigger lets go only after the new one holds the action.
    assert merged[3].index in merged[4].after
    assert apply(want, client).ok  # deletes off: the old one is kept, renamed, unbound
    assert client.actions.bound_names(PL) == [] and client.actions.bound_names("credentials-exchange") == ["a"]
    assert sorted(a["name"] for a in client.actions.actions.values()) == ["a", "a-replaced-by-reconciler"]
    assert apply(want, client, allow_delete=True).ok
    assert client.actions.bound_names(PL) == [] and client.actions.bound_names("credentials-exchange") == ["a"]
    assert [a["name"] for a in client.actions.actions.values()] == ["a"]
    assert steps(want, client, allow_delete=True) == ()


def test_secrets_whole_set_and_never_partial(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code=CODE, secrets={"OLD": "1", "K": "v"})
    want = desired(tmp_path / "c", [action("a", secrets=[{"name": "K", "value": "##K##"}, {"name": "NEW", "value": "##K##"}])],
                   env={"K": "canary-value"})
    action_part, _ = plan(want, client)
    skipped = action_part.changes[0].skipped
    assert action_part.steps == () and skipped is not None and skipped.code == "action.secrets_blocked"
    merged = steps(want, client, allow_delete=True)
    assert merged[0].payload.secrets == ("K", "NEW")
    assert apply(want, client, allow_delete=True).ok
    assert client.actions.secret_values[client.actions.named("a")["id"]] == {"K": "canary-value", "NEW": "canary-value"}


def test_value_changes_are_noticed_with_the_marker(tmp_path: Path) -> None:
    client = FakeClient()
    key = b"k" * 32
    cfg = [action("a", secrets=[{"name": "K", "value": "##K##"}])]
    want = desired(tmp_path / "c", cfg, env={"K": "one"})
    assert apply(want, client, hmac_key=key).ok
    names = {s["name"] for s in client.actions.named("a")["secrets"]}
    assert "K" in names and any(n.startswith("RECONCILER_HMAC_") for n in names)
    assert steps(want, client, hmac_key=key) == ()
    changed = desired(tmp_path / "c", cfg, env={"K": "two"})
    assert ops(steps(changed, client, hmac_key=key)) == [("action", "update", "a"), ("action", "deploy", "a")]
    assert ops(steps(want, client, rotate_secrets=True)) == [("action", "update", "a"), ("action", "deploy", "a")]


def test_keyword_values_never_in_the_plan(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code="const x = 'old-canary';")
    want = desired(tmp_path / "c", [action("a", secrets=[{"name": "S", "value": "##S##"}])],
                   code={"a": "const x = '##V##';"}, env={"V": "value-canary", "S": "secret-canary"})
    from reconciler.core.plan import assemble
    from reconciler.render.json import render_json

    text = render_json(assemble(plan(want, client, allow_delete=True)))
    assert "##V##" in text and "value-canary" not in text and "secret-canary" not in text
    assert apply(want, client, allow_delete=True).ok
    assert client.actions.named("a")["code"] == "const x = 'value-canary';"


def test_marketplace_and_unmanaged_triggers_are_left_alone(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("market", code=CODE, marketplace=True)
    client.actions.seed("cc", trigger=("credentials-exchange", "v2"), code=CODE)
    client.actions.bind(PL, "market")
    client.actions.bind("credentials-exchange", "cc")
    want = desired(tmp_path / "c", [action("a")], binds("a"))
    action_part, bindings = plan(want, client, allow_delete=True)
    assert [(c.key, c.skipped and c.skipped.code) for c in action_part.changes] == [
        ("a", None), ("cc", "action.bound_unmanaged")]
    assert apply(want, client, allow_delete=True).ok
    assert client.actions.bound_names(PL) == ["market", "a"]
    assert client.actions.bound_names("credentials-exchange") == ["cc"]


def test_a_binding_to_an_action_neither_in_config_nor_live_is_refused(tmp_path: Path) -> None:
    client = FakeClient()
    want = desired(tmp_path / "c", [action("a")], binds("a", "ghost"))
    with pytest.raises(PlanError, match="ghost"):
        plan(want, client)
