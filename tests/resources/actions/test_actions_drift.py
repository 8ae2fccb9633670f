"""Which Actions warnings are drift (``plan.with_drift``): differences the plan leaves in
place, so ``plan --detailed-exitcode`` exits 2; an excluded action is not one."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.plan import DRIFT, assemble
from reconciler.core.planner import TypePlan
from tests.resources.actions.actions_testlib import CODE, action
from tests.resources.actions.fake_actions import FakeClient
from tests.resources.actions.harness import desired, plan

PL = "post-login"


def _tenant() -> FakeClient:
    client = FakeClient()
    client.actions.seed("a", code=CODE)
    client.actions.seed("b", code=CODE)
    client.actions.bind(PL, "a", "b")
    return client


def _drift(parts: tuple[TypePlan, ...]) -> dict[str, bool]:
    return {part.type: dict(part.extras).get(DRIFT, False) for part in parts}


def test_a_binding_the_list_lacks_is_a_planned_unbind(tmp_path: Path) -> None:
    # The trigger follows triggers.json: a binding made by hand is a change to undo (a step),
    # not drift left in place.
    want = desired(tmp_path / "c", [action("a"), action("b")], {PL: [{"action_name": "a"}]})
    parts = plan(want, _tenant())
    assert [(s.type, s.operation) for part in parts for s in part.steps] == [("bindings", "bind")]
    assert parts[1].warnings == ()
    assert [c.detail for c in parts[1].changes] == [(("before", ("a", "b")), ("after", ("a",)))]


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
