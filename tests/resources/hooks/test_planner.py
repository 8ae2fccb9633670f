"""The planning core: ordering, the one-enabled-per-trigger invariant, deletes, secrets.

Every scenario runs the plan in many dependency-respecting orders (``plan_simulator``),
checks the invariant after each request, that the end state is the desired one, and that
planning again yields nothing to do.
"""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.core.changes import ChangeKind
from reconciler.core.plan import Plan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase
from reconciler.errors import PlanError
from reconciler.render.blocks import word
from reconciler.resources.common.names import REPLACED_SUFFIX
from reconciler.resources.common.secrets import marker_for
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.plan import detail, handovers
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions
from tests.plan_simulator import SimTenant, SimulatedConflict, assert_converged, run_plan
from tests.resources.hooks.hooks_testlib import CRED, HMAC, POST, PRE, actions, desired, hook, live, live_hook

ALLOW_DELETE = PlanOptions(allow_delete=True)


def converge(want: DesiredState, have: LiveState, options: PlanOptions = ALLOW_DELETE, seeds: int = 25
             ) -> tuple[Plan, SimTenant]:
    """Apply in many orders; return the first plan and the end tenant of the last run."""
    plan = build_plan(want, have, options)
    for seed in range(seeds):
        tenant = run_plan(plan, have, seed)
        assert_converged(tenant, want)
        assert all(count <= 1 for count in tenant.max_enabled.values()) or any(
            sum(1 for h in have.hooks if h.trigger_id == t and h.enabled) > 1 for t in tenant.max_enabled
        )
    again = build_plan(want, tenant.to_live(), options)
    assert not again.has_changes, [s.to_dict() for s in again.steps]
    return plan, tenant


def test_empty_tenant_to_full_config_creates_disabled_then_enables() -> None:
    want = desired(
        hook("a", PRE, enabled=True, secrets={"K": "v"}),
        hook("b", PRE),
        hook("c", CRED, enabled=True, dependencies={"axios": "1.6.8"}),
    )
    plan, _ = converge(want, live())
    creates = [s for s in plan.steps if s.operation == Action.CREATE]
    assert len(creates) == 3 and all(s.payload.body()["enabled"] is False for s in creates)
    assert {s.key for s in plan.steps if s.operation == Action.ENABLE} == {"a", "c"}
    enable_a = next(s for s in plan.steps if s.operation == Action.ENABLE and s.key == "a")
    secrets_a = next(s for s in plan.steps if s.operation == Action.SECRETS_ADD and s.key == "a")
    assert secrets_a.index in enable_a.after  # never enabled before its secrets are set
    assert plan.summary.line() == "Plan: 3 to create, 0 to update, 0 to delete, 2 to enable/disable."


def test_unchanged_hooks_produce_no_step() -> None:
    want = desired(hook("a", PRE, enabled=True, dependencies={"x": "1"}))
    have = live(live_hook("1", "a", PRE, enabled=True, dependencies={"x": "1"}))
    plan = build_plan(want, have)
    assert not plan.has_changes and plan.changes == ()


def test_swap_between_existing_hooks_is_an_adjacent_handover() -> None:
    want = desired(hook("old", PRE), hook("new", PRE, enabled=True))
    have = live(live_hook("1", "old", PRE, enabled=True), live_hook("2", "new", PRE))
    plan, _ = converge(want, have)
    assert actions(plan) == [("disable", "old"), ("enable", "new")]
    disable, enable = plan.steps
    assert enable.after == (disable.index,)
    assert handovers(plan)[0].before == ("old",) and handovers(plan)[0].after == "new"


def test_swap_to_a_new_hook_prepares_it_before_the_old_one_is_disabled() -> None:
    want = desired(hook("old", PRE), hook("new", PRE, enabled=True, secrets={"S": "x"}))
    have = live(live_hook("1", "old", PRE, enabled=True))
    plan, _ = converge(want, have)
    by_action = {(str(s.operation), s.key): s for s in plan.steps}
    disable = by_action[("disable", "old")]
    assert by_action[("secrets-add", "new")].index in disable.after
    assert by_action[("enable", "new")].after == (disable.index,)


def test_enable_moves_from_a_hook_being_deleted_to_a_new_one() -> None:
    want = desired(hook("new", PRE, enabled=True))
    have = live(live_hook("1", "gone", PRE, enabled=True, script="// different\n"))
    plan, _ = converge(want, have)
    assert actions(plan) == [("create", "new"), ("disable", "gone"), ("enable", "new"), ("delete", "gone")]
    assert plan.steps[-1].phase is Phase.REMOVE


def test_trigger_change_is_a_replace_without_allow_delete() -> None:
    want = desired(hook("mover", CRED, enabled=True))
    have = live(live_hook("1", "mover", PRE, enabled=True))
    plan, tenant = converge(want, have, PlanOptions(allow_delete=False))
    assert [c.kind for c in plan.changes] == [ChangeKind.REPLACE]
    assert plan.steps[0].payload.body() == {"name": "mover" + REPLACED_SUFFIX}
    assert ("delete", "mover") in actions(plan)
    assert plan.summary.create == 1 and plan.summary.delete == 1
    assert [h.name for h in tenant.hooks.values()] == ["mover"]


def test_interrupted_replace_leftover_is_cleaned_up_on_the_next_run() -> None:
    want = desired(hook("mover", CRED, enabled=True))
    have = live(live_hook("1", "mover" + REPLACED_SUFFIX, PRE, enabled=True))
    plan, tenant = converge(want, have, PlanOptions(allow_delete=False))
    assert ("delete", "mover" + REPLACED_SUFFIX) in actions(plan)


def test_rename_with_same_script_patches_the_name_and_keeps_the_hook() -> None:
    want = desired(hook("new-name", PRE, enabled=True, script="// same\n"))
    have = live(live_hook("1", "old-name", PRE, enabled=True, script="// same\n", secret_keys={"K"}))
    plan, tenant = converge(want, have, PlanOptions(allow_delete=False))
    assert actions(plan) == [("update", "new-name")]
    assert plan.steps[0].payload.body() == {"name": "new-name"} and plan.steps[0].payload.hook_id == "1"
    assert detail(plan.changes[0], "previous_name") == "old-name"


def test_deletes_refused_without_the_flag() -> None:
    want = desired(hook("keep", PRE, secrets={"A": "1"}))
    have = live(
        live_hook("1", "keep", PRE, secret_keys={"A", "OLD"}),
        live_hook("2", "orphan", POST, enabled=True),
    )
    plan = build_plan(want, have, PlanOptions(allow_delete=False))
    assert not any(s.operation in (Action.DELETE, Action.SECRETS_DELETE) for s in plan.steps)
    skipped = [c for c in plan.changes if c.skipped]
    assert [c.key for c in skipped] == ["orphan"]
    assert any("OLD" in w for w in map(word, plan.warnings))
    # The orphan is reported once (a skipped delete), not again as a warning; it is drift.
    assert not any("orphan" in w for w in map(word, plan.warnings))
    assert plan.unmanaged == ("orphan",) and plan.has_drift and not plan.has_changes
    assert plan.summary.skipped == 1


def test_deletes_with_the_flag_remove_hooks_and_secret_keys_last() -> None:
    want = desired(hook("keep", PRE, secrets={"A": "1"}))
    have = live(live_hook("1", "keep", PRE, secret_keys={"A", "OLD"}), live_hook("2", "orphan", POST))
    plan, _ = converge(want, have)
    assert {(str(s.operation), s.key) for s in plan.steps} == {("secrets-delete", "keep"), ("delete", "orphan")}
    assert all(s.phase is Phase.REMOVE for s in plan.steps)
    assert next(s for s in plan.steps if s.operation == Action.SECRETS_DELETE).payload.body() == {"keys": ["OLD"]}


def test_live_tenant_with_two_enabled_hooks_is_fixed_disabling_first() -> None:
    want = desired(hook("a", PRE), hook("b", PRE), hook("c", PRE, enabled=True))
    have = live(live_hook("1", "a", PRE, enabled=True), live_hook("2", "b", PRE, enabled=True), live_hook("3", "c", PRE))
    plan, tenant = converge(want, have)
    first = plan.steps[0]
    assert first.operation == Action.DISABLE and first.after == ()
    assert first.reason is not None and first.reason.code == "hook.fix_enabled"
    # From the fix on, the count only goes down to one.
    assert tenant.enabled_on(PRE) == 1


def test_broken_tenant_keeps_the_desired_enabled_hook_running() -> None:
    want = desired(hook("a", PRE, enabled=True), hook("b", PRE))
    have = live(live_hook("1", "a", PRE, enabled=True), live_hook("2", "b", PRE, enabled=True))
    plan, _ = converge(want, have)
    assert actions(plan) == [("disable", "b")]


def test_secrets_added_changed_and_removed_with_hmac_markers() -> None:
    options = PlanOptions(allow_delete=True, hmac_key=HMAC)
    want = desired(hook("h", PRE, secrets={"A": "new", "B": "2"}))
    old_marker = marker_for(HMAC, "h", {"A": "old", "C": "3"})
    have = live(live_hook("1", "h", PRE, secret_keys={"A", "C", old_marker}))
    plan, tenant = converge(want, have, options)
    steps = {str(s.operation): s for s in plan.steps}
    assert steps["secrets-update"].payload.body() == {"keys": ["A"]}
    new_marker = marker_for(HMAC, "h", {"A": "new", "B": "2"})
    assert steps["secrets-add"].payload.body() == {"keys": sorted(["B", new_marker])}
    assert steps["secrets-delete"].payload.body() == {"keys": sorted(["C", old_marker])}
    assert steps["secrets-add"].after == (steps["secrets-update"].index,)  # marker only after values


def test_unchanged_secret_values_are_not_resent_and_rotate_forces_it() -> None:
    values = {"A": "1"}
    have = live(live_hook("1", "h", PRE, secret_keys={"A", marker_for(HMAC, "h", values)}))
    want = desired(hook("h", PRE, secrets=values))
    assert not build_plan(want, have, PlanOptions(hmac_key=HMAC)).has_changes
    rotated = build_plan(want, have, PlanOptions(hmac_key=HMAC, rotate_secrets=True))
    assert actions(rotated) == [("secrets-update", "h")]


def test_without_hmac_key_values_are_not_compared() -> None:
    have = live(live_hook("1", "h", PRE, secret_keys={"A"}))
    assert not build_plan(desired(hook("h", PRE, secrets={"A": "anything"})), have).has_changes


def test_secret_values_never_enter_the_plan() -> None:
    canary = "CANARY-s3cr3t-value-4711"
    want = desired(hook("h", PRE, enabled=True, secrets={"TOKEN": canary}))
    have = live(live_hook("1", "h", PRE, secret_keys={"TOKEN"}))
    for options in (PlanOptions(hmac_key=HMAC), PlanOptions(rotate_secrets=True), PlanOptions()):
        for the_live in (have, live()):
            plan = build_plan(want, the_live, options)
            assert canary not in repr(plan)


def test_script_change_is_a_unified_diff_and_secrets_go_before_the_script() -> None:
    want = desired(hook("h", PRE, script="line1\nline2 changed\n", secrets={"NEW": "v"}))
    have = live(live_hook("1", "h", PRE, script="line1\nline2\n"))
    plan, _ = converge(want, have)
    script = next(f for f in plan.changes[0].fields if f.field == "script")
    assert "-line2\n" in script.diff and "+line2 changed\n" in script.diff
    assert actions(plan) == [("secrets-add", "h"), ("update", "h")]
    assert plan.steps[1].after == (0,)


def test_more_than_one_enabled_per_trigger_in_the_config_is_refused() -> None:
    with pytest.raises(PlanError, match="a, b"):
        build_plan(desired(hook("a", PRE, enabled=True), hook("b", PRE, enabled=True)), live())


def test_delete_threshold_needs_force() -> None:
    have = live(*(live_hook(str(i), f"h{i}", POST) for i in range(10)))
    want = desired(*(hook(f"h{i}", POST) for i in range(6)))
    with pytest.raises(PlanError, match="refusing to delete 4 of 10"):
        build_plan(want, have, PlanOptions(allow_delete=True))
    assert build_plan(want, have, PlanOptions(allow_delete=True, force=True)).summary.delete == 4


def test_simulator_catches_a_bad_order() -> None:
    """The checker itself must be able to fail: enabling before disabling is a conflict."""
    want = desired(hook("old", PRE), hook("new", PRE, enabled=True))
    have = live(live_hook("1", "old", PRE, enabled=True), live_hook("2", "new", PRE))
    plan = build_plan(want, have)
    bad = dataclasses.replace(plan, steps=tuple(dataclasses.replace(s, after=()) for s in reversed(plan.steps)))
    with pytest.raises(SimulatedConflict):
        for seed in range(20):
            run_plan(bad, have, seed)


def test_nothing_else_on_the_trigger_runs_inside_a_handover() -> None:
    """Other hooks on the trigger are prepared before the disable, fixes come first."""
    want = desired(
        hook("a", PRE), hook("b", PRE), hook("c", PRE, enabled=True),
        hook("d", PRE, script="// d v2\n"), hook("e", PRE, secrets={"K": "v"}),
    )
    have = live(
        live_hook("1", "a", PRE, enabled=True), live_hook("2", "b", PRE, enabled=True),
        live_hook("3", "c", PRE), live_hook("4", "d", PRE),
    )
    plan, _ = converge(want, have, seeds=60)
    handover_disable = next(s for s in plan.steps if s.reason == Reason.of("hook.hand_over_to", name="c"))
    prepare = {s.index for s in plan.steps if s.phase is Phase.PREPARE}
    fixes = {s.index for s in plan.steps if s.reason is not None and s.reason.code == "hook.fix_enabled"}
    assert prepare | fixes <= set(handover_disable.after)


def test_replace_keeps_the_old_hook_when_it_holds_secret_keys_the_config_dropped() -> None:
    want = desired(hook("mover", CRED, enabled=True, secrets={"KEEP": "v"}))
    have = live(live_hook("1", "mover", PRE, enabled=True, secret_keys={"KEEP", "ONLY_LIVE"}))
    plan, tenant = converge(want, have, PlanOptions(allow_delete=False))
    assert not any(s.operation == Action.DELETE for s in plan.steps)
    skipped = [c for c in plan.changes if c.skipped]
    assert [c.key for c in skipped] == ["mover" + REPLACED_SUFFIX] and "ONLY_LIVE" in word(skipped[0].skipped)
    assert plan.summary.create == 1 and plan.summary.delete == 0 and plan.summary.skipped == 1
    assert {h.name for h in tenant.hooks.values()} == {"mover", "mover" + REPLACED_SUFFIX}
    # With deletes allowed, the leftover goes.
    cleanup = build_plan(want, tenant.to_live(), PlanOptions(allow_delete=True))
    assert actions(cleanup) == [("delete", "mover" + REPLACED_SUFFIX)]
