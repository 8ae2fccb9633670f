"""Randomised planning: many generated tenants and configs, each plan run in random orders.

Whatever the starting point (broken tenants, renames, trigger moves, secrets, deletes on or
off, HMAC markers on or off), every interleaving the dependencies allow must keep the
one-enabled-per-trigger rule, never lose a secret key or hook the plan did not delete, end
in the desired state, and a second plan must find nothing to do.

The chained test goes further: a tenant lives through several commits in a row (triggerIds
changing twice, secrets swapped at Auth0's cap of 20, renames, hooks on unknown triggers,
exclusions), and runs are killed part-way (a random prefix of a valid order) and planned
again. Every step keeps the rule and loses nothing; every commit converges, for good.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from plan_simulator import (
    SimTenant,
    assert_converged,
    check_nothing_lost,
    random_case,
    random_chain,
    run_on,
    run_plan,
)

from reconciler.resources.hooks.model import TRIGGERS
from reconciler.errors import PlanError
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.common.secrets import markers


@pytest.mark.parametrize("seed", range(300))
def test_random_plans_keep_the_rule_and_converge(seed: int) -> None:
    rng = random.Random(seed)
    desired, live, options = random_case(rng)
    try:
        plan = build_plan(desired, live, options)
    except PlanError as error:  # only a config the validator would refuse may be refused
        pytest.fail(f"unexpected PlanError: {error}")
    for order in range(5):
        tenant = run_plan(plan, live, seed * 10 + order, desired)
        check_nothing_lost(live, tenant, plan, options, desired)
    assert_converged(tenant, desired, plan, options)
    for trigger in TRIGGERS:
        if trigger in {h.trigger_id for h in desired.hooks if h.enabled}:
            assert tenant.enabled_on(trigger) == 1
    if options.hmac_key:
        for hook in tenant.hooks.values():
            assert len(markers(hook.secret_keys)) <= 1
    # A second plan finds nothing to do (rotation re-sends values by request, every time).
    again = build_plan(desired, tenant.to_live(), dataclasses.replace(options, rotate_secrets=False))
    assert not again.has_changes, [s.to_dict() for s in again.steps]


@pytest.mark.parametrize("seed", range(200))
def test_chained_configs_with_interrupted_runs_converge(seed: int) -> None:
    rng = random.Random(seed)
    live, configs = random_chain(rng)
    tenant = SimTenant.from_live(live)
    for commit, (desired, options) in enumerate(configs):
        interrupted = rng.choice([0, 0, 1, 2])
        for attempt in range(interrupted + 1):
            before = tenant.to_live()
            try:
                plan = build_plan(desired, before, options)
            except PlanError as error:
                pytest.fail(f"commit {commit}: unexpected PlanError: {error}")
            stop = rng.randint(0, len(plan.steps)) if attempt < interrupted else None
            try:
                run_on(tenant, plan, rng.randrange(2**31), desired, stop_after=stop)
            except AssertionError as error:
                raise AssertionError(f"commit {commit}, run {attempt}: {error}") from error
            check_nothing_lost(before, tenant, plan, options, desired)
        assert_converged(tenant, desired, plan, options)
        steady = dataclasses.replace(options, rotate_secrets=False)
        again = build_plan(desired, tenant.to_live(), steady)
        assert not again.has_changes, (commit, [s.to_dict() for s in again.steps])
