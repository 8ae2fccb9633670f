"""Which Actions warnings are drift (``plan.with_drift``): differences the plan leaves in
place, so ``plan --detailed-exitcode`` exits 2; an excluded action is not one."""

from __future__ import annotations

from pathlib import Path

from actions_testlib import CODE, action
from fake_actions import FakeClient
from harness import desired, plan

from reconciler.core.plan import DRIFT, assemble

PL = "post-login"


def _tenant() -> FakeClient:
    client = FakeClient()
    client.actions.seed("a", code=CODE)
    client.actions.seed("b", code=CODE)
    client.actions.bind(PL, "a", "b")
    return client


def _drift(parts: tuple) -> dict[str, bool]:
    return {part.type: dict(part.extras).get(DRIFT, False) for part in parts}


def test_a_binding_left_in_place_is_drift_without_a_step(tmp_path: Path) -> None:
    want = desired(tmp_path / "c", [action("a"), action("b")], {PL: [{"action_name": "a"}]})
    parts = plan(want, _tenant())
    assert not any(part.steps for part in parts)
    assert [w.code for w in parts[1].warnings] == ["bindings.kept_bound"]
    assert _drift(parts) == {"action": False, "bindings": True}
    assert assemble(list(parts)).has_drift


def test_a_secret_kept_on_the_tenant_is_drift(tmp_path: Path) -> None:
    client = FakeClient()
    client.actions.seed("a", code=CODE, secrets={"OLD": "x"})
    client.actions.bind(PL, "a")
    parts = plan(desired(tmp_path / "c", [action("a")], {PL: [{"action_name": "a"}]}), client)
    assert not any(part.steps for part in parts) and _drift(parts)["action"] is True


def test_a_matching_tenant_and_an_excluded_action_are_no_drift(tmp_path: Path) -> None:
    both = {PL: [{"action_name": "a"}, {"action_name": "b"}]}
    same = plan(desired(tmp_path / "c", [action("a"), action("b")], both), _tenant())
    assert _drift(same) == {"action": False, "bindings": False} and not assemble(list(same)).has_drift
    changed = desired(tmp_path / "d", [action("a"), action("b")], both, code={"b": CODE + "// v2\n"})
    excluded = plan(changed, _tenant(), excluded_actions=frozenset({"b"}))
    assert [w.code for w in excluded[0].warnings] == ["action.excluded"]
    assert not assemble(list(excluded)).has_drift
