"""--only and --target in resource terms: the groups, name resolution, what a target drags
in, the --only refusal, and (hypothesis) that a targeted plan keeps every invariant a whole
plan keeps and that planning the same target again finds nothing to do."""

from __future__ import annotations

import dataclasses
import random
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.changes import REPLACED_SUFFIX
from reconciler.core.plan import Plan
from reconciler.core.planner import TypePlan
from reconciler.core.steps import Step
from reconciler.errors import PlanError, ScopeError
from reconciler.resources.builtin import registry
from reconciler.resources.hooks.model import DesiredState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.scope_rules import (
    check_only_split,
    groups,
    only_types,
    parse_only,
    resolve_targets,
    targeted,
)
from tests.plan_simulator import check_nothing_lost, random_case, run_plan

RANDOMS = st.randoms(use_true_random=False)


def test_groups_are_the_loadable_types_with_what_plans_from_them() -> None:
    assert groups(registry()) == {"hooks": ("hook",), "actions": ("action", "bindings")}
    assert only_types(("actions",), registry()) == frozenset({"action", "bindings"})
    assert only_types((), registry()) is None


def test_parse_only_takes_nouns_and_singulars_and_refuses_the_rest() -> None:
    assert parse_only(["action", "hooks", "actions"], registry()) == ("hooks", "actions")
    with pytest.raises(ScopeError, match=r"--only 'rules': not a resource type \(choices: hooks, actions\)"):
        parse_only(["rules"], registry())
    with pytest.raises(ScopeError, match="at most"):
        parse_only(["hooks"] * 101, registry())


def hooks_plan() -> tuple[DesiredState, Plan]:
    desired, live, options = random_case(random.Random(3))
    return desired, build_plan(desired, live, options)


def test_targets_resolve_typed_bare_unknown_and_ambiguous() -> None:
    desired, plan = hooks_plan()
    name = desired.hooks[0].name
    config = {"hook": desired, "action": SimpleNamespace(by_name=lambda: {name: None, "only-action": None})}
    types = registry()
    assert resolve_targets([f"hooks:{name}", f"hook:{name}"], plan, config, types) == (f"hooks:{name}",)
    assert resolve_targets(["only-action"], plan, config, types) == ("actions:only-action",)
    with pytest.raises(ScopeError, match=f"ambiguous; write hooks:{name} or actions:{name}"):
        resolve_targets([name], plan, config, types)
    with pytest.raises(ScopeError, match="no hook or action of that name"):
        resolve_targets(["nope"], plan, config, types)
    with pytest.raises(ScopeError, match="no hook named 'nope'"):
        resolve_targets(["hooks:nope"], plan, config, types)
    with pytest.raises(ScopeError, match=r"hooks are not planned \(--only actions\)"):
        resolve_targets([f"hooks:{name}"], plan, config, types, only=("actions",))


def _hook(name: str, trigger: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, trigger_id=trigger)


def test_only_refuses_to_split_a_hand_over_between_types() -> None:
    desired = {
        "hook": SimpleNamespace(hooks=(_hook("legacy", "pre-user-registration"),), manages_hooks=True),
        "action": SimpleNamespace(managed_triggers={"pre-user-registration"},
                                  bindings={"pre-user-registration": [("new", "New")]}),
    }
    bind = TypePlan("bindings", (Step(0, "bindings", "pre-user-registration", "bind"),))
    with pytest.raises(ScopeError, match="--only actions: .* pre-user-registration, where the config has hook legacy"):
        check_only_split(desired, [bind], ("actions",))
    disable = TypePlan("hook", (Step(0, "hook", "legacy", "disable", SimpleNamespace(trigger_id="pre-user-registration")),))
    with pytest.raises(ScopeError, match="--only hooks: .* hook legacy"):
        check_only_split(desired, [disable], ("hooks",))
    check_only_split(desired, [bind, disable], ())  # no --only: nothing to split
    check_only_split(desired, [bind, disable], ("hooks", "actions"))
    elsewhere = TypePlan("bindings", (Step(0, "bindings", "post-login", "bind"),))
    check_only_split(desired, [elsewhere], ("actions",))


def test_a_hand_over_target_drags_its_partner() -> None:
    """Across many generated cases: whenever a kept hook step is on a trigger with a
    hand-over, both sides of that hand-over are in the targeted plan."""
    seen = 0
    for seed in range(200):
        desired, live, options = random_case(random.Random(seed))
        try:
            plan = build_plan(desired, live, options)
        except PlanError:
            continue
        for handover in plan.extra("hook", "handovers", ()):
            if handover.after is None:
                continue
            scoped = targeted(plan, (f"hooks:{handover.after}",), registry())
            ops = {(s.key, s.operation) for s in scoped.steps}
            assert (handover.after, "enable") in ops
            for old in handover.before:
                assert (old, "disable") in ops or (old, "delete") in ops or not any(
                    s.key == old for s in plan.steps), (seed, old)
            seen += 1
    assert seen > 10


@settings(max_examples=500, derandomize=True, deadline=None, database=None)
@given(rng=RANDOMS, data=st.data())
def test_a_targeted_plan_keeps_the_rule_and_re_planning_the_target_finds_nothing(
    rng: random.Random, data: st.DataObject,
) -> None:
    desired, live, options = random_case(rng)
    try:
        plan = build_plan(desired, live, options)
    except PlanError:
        return
    # What a target may name: the config's hooks, and live ones the plan deletes or leaves
    # unmanaged (a renamed hook is named by its new name).
    names = sorted({h.name for h in desired.hooks} | {s.key.removesuffix(REPLACED_SUFFIX) for s in plan.steps}
                   | set(plan.unmanaged))
    if not names:
        return
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    config = {"hook": desired}
    targets = resolve_targets([f"hooks:{n}" for n in chosen], plan, config, registry())
    scoped = targeted(plan, targets, registry())
    assert len(scoped.steps) <= len(plan.steps)
    for s in scoped.steps:  # every edge points backwards, into the kept steps
        assert all(0 <= b < s.index for b in s.after)
    for seed in range(3):
        # SimTenant raises on two hooks enabled on a trigger; run_on checks hand-overs adjacent.
        tenant = run_plan(scoped, live, seed, desired)
        check_nothing_lost(live, tenant, scoped, options, desired)
    again = build_plan(desired, tenant.to_live(), dataclasses.replace(options, rotate_secrets=False))
    rescoped = targeted(again, targets, registry())
    assert not rescoped.steps, [s.to_dict() if hasattr(s, "to_dict") else s for s in rescoped.steps]
