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

from plan_simulator import SimTenant, assert_converged, run_plan
from reconciler.model import TRIGGERS, DesiredState, Hook, LiveHook, LiveState
from reconciler.plan import PlanError, PlanOptions
from reconciler.planner import REPLACED_SUFFIX, build_plan
from reconciler.secrets import markers, user_keys

NAMES = [f"hook-{i}" for i in range(8)]
KEYS = ["A", "B", "C", "D"]


def _random_case(rng: random.Random) -> tuple[DesiredState, LiveState, PlanOptions]:
    triggers = rng.sample(TRIGGERS, 3)
    live_hooks = []
    for i, name in enumerate(rng.sample(NAMES, rng.randint(0, 6))):
        live_hooks.append(
            LiveHook(
                id=f"live-{i}",
                name=name,
                trigger_id=rng.choice(triggers),
                script=f"// {rng.choice(['v1', 'v2'])} {name}\n",
                enabled=rng.random() < 0.4,  # sometimes two on one trigger: a broken tenant
                dependencies={"axios": rng.choice(["1.6.8", "1.7.0"])} if rng.random() < 0.3 else {},
                secret_keys=frozenset(rng.sample(KEYS, rng.randint(0, 3))),
            )
        )
    desired_hooks = []
    enabled_on: set[str] = set()
    for name in rng.sample(NAMES, rng.randint(0, 6)):
        trigger = rng.choice(triggers)
        enabled = trigger not in enabled_on and rng.random() < 0.5
        if enabled:
            enabled_on.add(trigger)
        same = next((h for h in live_hooks if h.name == name), None)
        script = same.script if same and rng.random() < 0.5 else f"// {rng.choice(['v1', 'v2'])} {name}\n"
        desired_hooks.append(
            Hook(
                name=name,
                trigger_id=trigger,
                script=script,
                enabled=enabled,
                dependencies={"axios": "1.6.8"} if rng.random() < 0.3 else {},
                secrets={key: f"value-{key}" for key in rng.sample(KEYS, rng.randint(0, 3))},
            )
        )
    # Sometimes a live hook reappears under a new name with the same body: a rename.
    wanted_names = {h.name for h in desired_hooks}
    strays = [h for h in live_hooks if h.name not in wanted_names]
    if strays and rng.random() < 0.4:
        stray = rng.choice(strays)
        enabled = stray.trigger_id not in enabled_on and rng.random() < 0.5
        desired_hooks.append(Hook(f"renamed-{stray.name}", stray.trigger_id, stray.script, enabled))
    options = PlanOptions(
        allow_delete=rng.random() < 0.5,
        rotate_secrets=rng.random() < 0.2,
        hmac_key=b"k" if rng.random() < 0.5 else None,
        force=True,
    )
    return DesiredState(tuple(desired_hooks)), LiveState(tuple(live_hooks)), options


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
    desired, live, options = _random_case(rng)
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
