"""Plans that must converge whatever came before (issue 9 §4), hooks the tool must leave
alone (unknown triggers, exclusions), and a summary that counts only requests."""

from __future__ import annotations

from reconciler.core.plan import Plan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase
from reconciler.render.blocks import word
from reconciler.resources.common.names import REPLACED_SUFFIX, replaced_base
from reconciler.resources.common.secrets import marker_for, markers, user_keys
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState
from reconciler.resources.hooks.plan import handovers
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions
from tests.plan_simulator import SimTenant, assert_converged, run_on
from tests.resources.hooks.hooks_testlib import CRED, HMAC, POST, PRE, actions, desired, hook, live, live_hook

KEYS20 = {f"K{i:02d}": f"v-{i}" for i in range(20)}


def apply_all(want: DesiredState, tenant: SimTenant, options: PlanOptions, seeds: int = 10) -> Plan:
    """Plan against ``tenant``, run it (trying several orders on copies), check, return it."""
    plan = build_plan(want, tenant.to_live(), options)
    for seed in range(seeds):
        trial = SimTenant.from_live(tenant.to_live())
        run_on(trial, plan, seed, want)
    run_on(tenant, plan, 0, want)
    assert_converged(tenant, want, plan, options)
    assert not build_plan(want, tenant.to_live(), options).has_changes
    return plan


def test_trigger_changes_twice_while_the_first_old_copy_is_kept() -> None:
    """The second replace parks the old hook under a free name instead of a 409 forever."""
    off = PlanOptions(allow_delete=False)
    tenant = SimTenant.from_live(live(live_hook("1", "m", PRE, enabled=True, secret_keys={"KEEP", "ONLY_LIVE"})))
    apply_all(desired(hook("m", CRED, enabled=True, secrets={"KEEP": "v"})), tenant, off)
    assert {h.name for h in tenant.hooks.values()} == {"m", "m" + REPLACED_SUFFIX}
    # The new copy holds a key the next commit drops, so it is kept as well.
    apply_all(desired(hook("m", CRED, enabled=True, secrets={"KEEP": "v", "SECOND": "w"})), tenant, off)
    second = apply_all(desired(hook("m", POST, enabled=True, secrets={"KEEP": "v"})), tenant, off)
    park = next(s for s in second.steps if s.operation == Action.UPDATE and "name" in s.payload.body())
    assert park.payload.body() == {"name": "m" + REPLACED_SUFFIX + "-2"}
    names = {h.name for h in tenant.hooks.values()}
    assert names == {"m", "m" + REPLACED_SUFFIX, "m" + REPLACED_SUFFIX + "-2"}
    assert {replaced_base(n) for n in names} == {None, "m"}
    # With deletes allowed, every old copy goes.
    apply_all(desired(hook("m", POST, enabled=True, secrets={"KEEP": "v"})), tenant, PlanOptions(allow_delete=True))
    assert {h.name for h in tenant.hooks.values()} == {"m"}


def test_key_swap_at_the_cap_deletes_first() -> None:
    want_secrets = {**{k: v for k, v in KEYS20.items() if k != "K00"}, "NEW": "n"}
    have = live(live_hook("1", "h", PRE, enabled=True, secret_keys=set(KEYS20)))
    tenant = SimTenant.from_live(have)
    plan = apply_all(desired(hook("h", PRE, enabled=True, secrets=want_secrets)), tenant, PlanOptions(allow_delete=True))
    assert actions(plan) == [("secrets-delete", "h"), ("secrets-add", "h")]
    delete, add = plan.steps
    assert delete.phase is Phase.PREPARE and delete.payload.body() == {"keys": ["K00"]} and add.after == (0,)
    assert delete.reason == Reason.of("hook.make_room", cap=20)


def test_key_swap_at_the_cap_without_deletes_is_reported_not_planned() -> None:
    want_secrets = {**{k: v for k, v in KEYS20.items() if k != "K00"}, "NEW": "n"}
    have = live(
        live_hook("1", "h", PRE, secret_keys=set(KEYS20), script="// old\n"),
        live_hook("2", "current", PRE, enabled=True),
    )
    want = desired(hook("h", PRE, enabled=True, secrets=want_secrets, script="// new\n"), hook("current", PRE))
    plan = build_plan(want, have, PlanOptions(allow_delete=False))
    assert not plan.has_changes  # no request that must fail, no script without its keys
    [change] = [c for c in plan.changes if c.skipped]
    assert change.key == "h" and "21 secret keys" in word(change.skipped) and "--allow-delete" in word(change.skipped)
    assert "K00" in word(change.skipped)
    assert plan.summary.skipped == 1 and plan.has_drift
    assert handovers(plan) == ()  # "current" keeps running: the trigger never goes dark


def test_value_change_with_19_keys_and_the_marker_swaps_the_marker_first() -> None:
    old_values = {k: v for k, v in KEYS20.items() if k != "K19"}
    new_values = {**old_values, "K00": "changed"}
    old_marker = marker_for(HMAC, "h", old_values)
    have = live(live_hook("1", "h", PRE, secret_keys=set(old_values) | {old_marker}))
    options = PlanOptions(hmac_key=HMAC)
    tenant = SimTenant.from_live(have)
    plan = apply_all(desired(hook("h", PRE, secrets=new_values)), tenant, options)
    assert actions(plan) == [("secrets-update", "h"), ("secrets-delete", "h"), ("secrets-add", "h")]
    update, delete, add = plan.steps
    assert delete.payload.body() == {"keys": [old_marker]} and delete.after == (update.index,)
    assert add.payload.body() == {"keys": [marker_for(HMAC, "h", new_values)]} and add.after == (delete.index,)
    [hook_after] = tenant.hooks.values()
    assert markers(hook_after.secret_keys) == {marker_for(HMAC, "h", new_values)}


def test_a_run_killed_between_values_and_marker_resends_the_values() -> None:
    """The marker is never ahead of the values: after any prefix, the next plan fixes it."""
    old_values = {k: v for k, v in KEYS20.items() if k != "K19"}
    new_values = {**old_values, "K00": "changed"}
    have = live(live_hook("1", "h", PRE, secret_keys=set(old_values) | {marker_for(HMAC, "h", old_values)}))
    want = desired(hook("h", PRE, secrets=new_values))
    options = PlanOptions(hmac_key=HMAC)
    for stop in range(3):
        tenant = SimTenant.from_live(have)
        run_on(tenant, build_plan(want, have, options), 0, want, stop_after=stop)
        apply_all(want, tenant, options)  # converges with the right values (checked inside)
        [after] = tenant.hooks.values()
        assert after.secrets["K00"] == "changed"
        assert marker_for(HMAC, "h", new_values) in after.secrets


def test_a_hook_filling_every_slot_goes_without_a_marker() -> None:
    have = live(live_hook("1", "h", PRE, secret_keys=set(list(KEYS20)[:19]) | {marker_for(HMAC, "h", {"X": "1"})}))
    tenant = SimTenant.from_live(have)
    apply_all(desired(hook("h", PRE, secrets=KEYS20)), tenant, PlanOptions(hmac_key=HMAC))
    [hook_after] = tenant.hooks.values()
    assert hook_after.secret_keys == set(KEYS20)


def test_live_hook_on_an_unknown_trigger_is_left_alone_and_reported() -> None:
    stranger = live_hook("9", "future", "some-future-trigger", enabled=True, secret_keys={"S"})
    clash = live_hook("8", "same-name", "another-future-trigger")
    have = live(stranger, clash)
    want = desired(hook("future", PRE, enabled=True), hook("same-name", CRED))
    for options in (PlanOptions(), PlanOptions(allow_delete=True, force=True)):
        plan = build_plan(want, have, options)
        touched = {s.payload.hook_id for s in plan.steps}
        assert "9" not in touched and "8" not in touched
        assert not plan.has_changes  # both config hooks need a name a stranger holds
        assert any("future: on trigger some-future-trigger" in w and "left alone" in w for w in map(word, plan.warnings))
        skipped = {c.key: word(c.skipped) for c in plan.changes if word(c.skipped)}
        assert set(skipped) == {"future", "same-name"} and "name is taken" in skipped["future"]
        assert set(plan.unmanaged) == {"future", "same-name"} and plan.has_drift
    # Without a name clash, the config's hooks are created beside it.
    plan = build_plan(desired(hook("mine", PRE, enabled=True)), live(stranger), PlanOptions(allow_delete=True))
    assert actions(plan) == [("create", "mine"), ("enable", "mine")]


def test_excluded_hooks_are_neither_deleted_nor_drift() -> None:
    have = live(live_hook("1", "theirs", POST), live_hook("2", "orphan", CRED))
    options = PlanOptions(excluded_hooks=frozenset({"theirs"}))
    plan = build_plan(desired(), have, options)
    assert plan.unmanaged == ("orphan",)  # only what is not excluded counts as drift
    assert [c.key for c in plan.changes] == ["orphan"]
    deleting = build_plan(desired(), have, PlanOptions(allow_delete=True, force=True, excluded_hooks=frozenset({"theirs"})))
    assert actions(deleting) == [("delete", "orphan")]
    # A config entry with an excluded name is ignored too (deploy-cli: both directions).
    both = build_plan(desired(hook("theirs", POST, script="// other\n")), have, options)
    assert not both.has_changes and any("theirs: excluded" in w for w in map(word, both.warnings))
    clean = build_plan(desired(), live(live_hook("1", "theirs", POST)), options)
    assert not clean.has_drift


def test_excluded_enabled_hook_is_still_handed_over_for_the_invariant() -> None:
    have = live(live_hook("1", "theirs", PRE, enabled=True))
    plan = build_plan(desired(hook("mine", PRE, enabled=True)), have, PlanOptions(excluded_hooks=frozenset({"theirs"})))
    assert actions(plan) == [("create", "mine"), ("disable", "theirs"), ("enable", "mine")]


def test_summary_counts_only_hooks_with_requests() -> None:
    """Five hooks change; a sixth only has a key the config dropped (deletes off): kept."""
    have = live(
        *(live_hook(str(i), f"h{i}", POST, script="// v1\n") for i in range(5)),
        live_hook("5", "kept", CRED, secret_keys={"A", "GONE"}),
    )
    want = desired(
        *(hook(f"h{i}", POST, script="// v2\n") for i in range(5)),
        hook("kept", CRED, secrets={"A": "1"}),
    )
    plan = build_plan(want, have, PlanOptions(allow_delete=False))
    assert len(plan.steps) == 5
    assert plan.summary.line() == "Plan: 0 to create, 5 to update, 0 to delete, 0 to enable/disable."
    assert [c.key for c in plan.changes if c.key == "kept"] == []
    assert any(w.startswith("kept: secret keys GONE") for w in map(word, plan.warnings))
    # With deletes allowed the key goes, and the hook is an update like the others.
    allowed = build_plan(want, have, PlanOptions(allow_delete=True))
    assert allowed.summary.update == 6 and len(allowed.steps) == 6


def test_kept_key_beside_a_real_secret_change_is_not_listed_as_removed() -> None:
    have = live(live_hook("1", "h", PRE, secret_keys={"A", "GONE"}))
    plan = build_plan(desired(hook("h", PRE, secrets={"A": "1", "B": "2"})), have, PlanOptions())
    [change] = plan.changes
    [field] = change.fields
    assert field.diff == "+ B = (sensitive)" and field.after == ["A", "B", "GONE"]
    assert user_keys(field.after) == {"A", "B", "GONE"}
