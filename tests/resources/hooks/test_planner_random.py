"""Property-based planning (hypothesis): generated tenants and configs, each plan run in
random orders, and a stateful machine that chains commits and kills runs part-way.

Whatever the starting point (broken tenants, renames, trigger moves, secrets, deletes on or
off, HMAC markers on or off), every interleaving the dependencies allow must keep the
one-enabled-per-trigger rule, never lose a secret key or hook the plan did not delete, end
in the desired state, and a second plan must find nothing to do.

The machine goes further: a tenant lives through commits in any order hypothesis picks
(triggerIds changing twice, secrets swapped at Auth0's cap of 20, renames, hooks on unknown
triggers, exclusions), with runs killed after any number of steps and planned again. Every
step keeps the rule and loses nothing; every full run converges, for good. A failure
shrinks to the fewest commits and runs that show it. Examples are derandomized: CI runs the
same cases every time.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from reconciler.core.plan import Plan
from reconciler.errors import PlanError
from reconciler.resources.common.secrets import markers
from reconciler.resources.hooks.model import TRIGGERS
from reconciler.resources.hooks.planner import build_plan
from tests.plan_simulator import (
    SimTenant,
    assert_converged,
    chain_options,
    check_nothing_lost,
    next_config,
    random_case,
    random_start,
    run_on,
    run_plan,
)

RANDOMS = st.randoms(use_true_random=False)  # every draw recorded: a failure shrinks
SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(rng=RANDOMS)
def test_random_plans_keep_the_rule_and_converge(rng: random.Random) -> None:
    desired, live, options = random_case(rng)
    try:
        plan = build_plan(desired, live, options)
    except PlanError as error:  # only a config the validator would refuse may be refused
        pytest.fail(f"unexpected PlanError: {error}")
    for _ in range(5):
        tenant = run_plan(plan, live, rng.randrange(2**31), desired)
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


class ChainedConfigs(RuleBasedStateMachine):
    """One tenant through a chain of commits, each applied by runs that may die part-way."""

    @initialize(rng=RANDOMS, allow_delete=st.booleans(), marker=st.booleans())
    def start(self, rng: random.Random, allow_delete: bool, marker: bool) -> None:
        self.chain = random_start(rng)
        self.tenant = SimTenant.from_live(self.chain.live)
        self.desired = self.chain.desired
        self.options = chain_options(self.chain, allow_delete=allow_delete, rotate_secrets=False, marker=marker)

    @rule(rng=RANDOMS, allow_delete=st.booleans(), rotate=st.booleans(), marker=st.booleans())
    def commit(self, rng: random.Random, allow_delete: bool, rotate: bool, marker: bool) -> None:
        """The next commit: hooks dropped, moved, renamed, edited, secrets swapped, added."""
        self.desired = next_config(rng, self.desired, self.chain.triggers)
        self.options = chain_options(self.chain, allow_delete=allow_delete, rotate_secrets=rotate, marker=marker)

    def _plan(self) -> Plan:
        try:
            return build_plan(self.desired, self.tenant.to_live(), self.options)
        except PlanError as error:  # the validator refuses no config a commit makes
            raise AssertionError(f"unexpected PlanError: {error}") from None

    @rule(data=st.data(), seed=SEEDS)
    def interrupted_run(self, data: st.DataObject, seed: int) -> None:
        """A run killed after some of its steps: the rule holds and nothing is lost."""
        before, plan = self.tenant.to_live(), self._plan()
        stop = data.draw(st.integers(min_value=0, max_value=len(plan.steps)), label="steps run")
        run_on(self.tenant, plan, seed, self.desired, stop_after=stop)
        check_nothing_lost(before, self.tenant, plan, self.options, self.desired)

    @rule(seed=SEEDS)
    def full_run(self, seed: int) -> None:
        """A run to the end: the tenant is the config, and a second plan is empty."""
        before, plan = self.tenant.to_live(), self._plan()
        run_on(self.tenant, plan, seed, self.desired)
        check_nothing_lost(before, self.tenant, plan, self.options, self.desired)
        assert_converged(self.tenant, self.desired, plan, self.options)
        again = build_plan(self.desired, self.tenant.to_live(), dataclasses.replace(self.options, rotate_secrets=False))
        assert not again.has_changes, [s.to_dict() for s in again.steps]


ChainedConfigs.TestCase.settings = settings(
    max_examples=150, stateful_step_count=12, derandomize=True, deadline=None, database=None
)
TestChainedConfigsWithInterruptedRuns = ChainedConfigs.TestCase
