"""Randomised planning: many generated tenants and configs, each plan run in random orders.

Whatever the starting point (broken tenants, renames, trigger moves, secrets, deletes on or
off, HMAC markers on or off), every interleaving the dependencies allow must keep the
one-enabled-per-trigger rule, never lose a secret key or hook the plan did not delete, end
in the desired state, and a second plan must find nothing to do.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from plan_simulator import SimTenant, assert_converged, random_case, run_plan

from reconciler.model import TRIGGERS, DesiredState, LiveState
from reconciler.plan import PlanError, PlanOptions
from reconciler.planner import REPLACED_SUFFIX, build_plan
from reconciler.secrets import markers, user_keys


def _check_nothing_lost(before: LiveState, after: SimTenant, plan, options: PlanOptions, desired: DesiredState) -> None:
    """Hooks and secret keys vanish only through deletes the plan was allowed to make."""
    wanted = desired.by_name()
    live_after_ids = set(after.hooks)
    for hook in before.hooks:
        deleted = any(s.action == "delete" and s.hook_id == hook.id for s in plan.steps)
        if hook.id not in live_after_ids:
            assert deleted, f"{hook.name} vanished without a delete step"
            replaced = hook.name in wanted and wanted[hook.name].trigger_id != hook.trigger_id
            leftover = hook.name.endswith(REPLACED_SUFFIX)
            if not options.allow_delete:
                assert replaced or leftover, f"{hook.name} deleted with deletes off"
                keep = set(wanted[hook.name.removesuffix(REPLACED_SUFFIX)].secrets)
                assert user_keys(hook.secret_keys) <= keep, f"{hook.name}: secrets dropped"
            continue
        kept = user_keys(after.hooks[hook.id].secret_keys)
        if not options.allow_delete:
            assert user_keys(hook.secret_keys) <= kept, f"{hook.name}: secret key deleted"


@pytest.mark.parametrize("seed", range(300))
def test_random_plans_keep_the_rule_and_converge(seed: int) -> None:
    rng = random.Random(seed)
    desired, live, options = random_case(rng)
    try:
        plan = build_plan(desired, live, options)
    except PlanError as error:  # only a config the validator would refuse may be refused
        pytest.fail(f"unexpected PlanError: {error}")
    for order in range(5):
        tenant = run_plan(plan, live, seed * 10 + order)
        _check_nothing_lost(live, tenant, plan, options, desired)
    assert_converged(tenant, desired)
    for trigger in TRIGGERS:
        if trigger in {h.trigger_id for h in desired.hooks if h.enabled}:
            assert tenant.enabled_on(trigger) == 1
    if options.hmac_key:
        for hook in tenant.hooks.values():
            assert len(markers(hook.secret_keys)) <= 1
    # A second plan finds nothing to do (rotation re-sends values by request, every time).
    again = build_plan(desired, tenant.to_live(), dataclasses.replace(options, rotate_secrets=False))
    assert not again.has_changes, [s.to_dict() for s in again.steps]
