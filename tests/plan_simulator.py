"""Runs a plan's steps against an in-memory tenant, in any order the dependencies allow.

Used by the planning tests to check the invariant for every interleaving the executor
could choose, not just the one it happens to pick.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reconciler.model import TRIGGERS, DesiredState, Hook, LiveHook, LiveState
from reconciler.plan import Action, Phase, Plan, PlanOptions, Step
from reconciler.secrets import user_keys


class SimulatedConflict(AssertionError):
    pass


@dataclass
class SimHook:
    name: str
    trigger_id: str
    script: str
    enabled: bool
    dependencies: dict[str, str]
    secret_keys: set[str] = field(default_factory=set)


@dataclass
class SimTenant:
    hooks: dict[str, SimHook]
    max_enabled: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_live(cls, live: LiveState) -> "SimTenant":
        tenant = cls(
            {
                h.id: SimHook(h.name, h.trigger_id, h.script, h.enabled, dict(h.dependencies), set(h.secret_keys))
                for h in live.hooks
            }
        )
        tenant.initial = {t: tenant.enabled_on(t) for t in {h.trigger_id for h in live.hooks}}
        return tenant

    def enabled_on(self, trigger_id: str) -> int:
        return sum(1 for h in self.hooks.values() if h.trigger_id == trigger_id and h.enabled)

    def check_invariant(self) -> None:
        for trigger_id in {h.trigger_id for h in self.hooks.values()}:
            count = self.enabled_on(trigger_id)
            allowed = max(1, getattr(self, "initial", {}).get(trigger_id, 0))
            if count > allowed:
                raise SimulatedConflict(f"{count} hooks enabled on {trigger_id}")
            self.max_enabled[trigger_id] = max(self.max_enabled.get(trigger_id, 0), count)

    def to_live(self) -> LiveState:
        return LiveState(
            tuple(
                LiveHook(i, h.name, h.trigger_id, h.script, h.enabled, h.dependencies, frozenset(h.secret_keys))
                for i, h in self.hooks.items()
            )
        )


def run_plan(plan: Plan, live: LiveState, seed: int = 0) -> SimTenant:
    tenant = SimTenant.from_live(live)
    created: dict[int, str] = {}
    rng = random.Random(seed)
    pending = {step.index: step for step in plan.steps}
    finished: set[int] = set()
    order: list[Step] = []
    non_remove = {s.index for s in plan.steps if s.phase is not Phase.REMOVE}
    while pending:
        ready = [
            s for s in pending.values()
            if all(a in finished for a in s.after)
            and (s.phase is not Phase.REMOVE or non_remove <= finished)
        ]
        assert ready, "plan has a dependency cycle"
        step = rng.choice(ready)
        _apply(tenant, step, created)
        tenant.check_invariant()
        finished.add(step.index)
        order.append(step)
        del pending[step.index]
    _check_handovers_adjacent(order, plan)
    return tenant


def _check_handovers_adjacent(order: list[Step], plan: Plan) -> None:
    """Between a hand-over's disable and its enable, nothing else touches that trigger."""
    position = {step.index: i for i, step in enumerate(order)}
    for enable in plan.steps:
        if enable.action is not Action.ENABLE:
            continue
        for before in enable.after:
            disable = plan.steps[before]
            if disable.action is not Action.DISABLE:
                continue
            between = order[position[disable.index] + 1 : position[enable.index]]
            touching = [s for s in between if s.trigger_id == enable.trigger_id]
            if touching:
                raise SimulatedConflict(f"{touching[0].action} {touching[0].hook} inside a hand-over")


def _apply(tenant: SimTenant, step: Step, created: dict[int, str]) -> None:
    body = step.body
    if step.action is Action.CREATE:
        if any(h.name == body["name"] for h in tenant.hooks.values()):
            raise SimulatedConflict(f"duplicate name {body['name']}")
        hook_id = f"new-{step.index}"
        tenant.hooks[hook_id] = SimHook(
            body["name"], body["triggerId"], body["script"], body["enabled"], dict(body["dependencies"])
        )
        created[step.index] = hook_id
        return
    hook_id = step.hook_id or created[step.created_by]
    hook = tenant.hooks[hook_id]
    if step.action in (Action.UPDATE, Action.ENABLE, Action.DISABLE):
        if "name" in body and any(h.name == body["name"] for i, h in tenant.hooks.items() if i != hook_id):
            raise SimulatedConflict(f"duplicate name {body['name']}")
        for key, value in body.items():
            setattr(hook, {"triggerId": "trigger_id"}.get(key, key), value)
    elif step.action is Action.DELETE:
        del tenant.hooks[hook_id]
    elif step.action is Action.SECRETS_ADD:
        assert not (set(body["keys"]) & hook.secret_keys), "POST of an existing secret key"
        hook.secret_keys |= set(body["keys"])
        assert len(hook.secret_keys) <= 20
    elif step.action is Action.SECRETS_UPDATE:
        assert set(body["keys"]) <= hook.secret_keys, "PATCH of a missing secret key"
    elif step.action is Action.SECRETS_DELETE:
        hook.secret_keys -= set(body["keys"])


def assert_converged(tenant: SimTenant, desired: DesiredState) -> None:
    live = {h.name: h for h in tenant.hooks.values()}
    for hook in desired.hooks:
        got = live[hook.name]
        assert (got.trigger_id, got.script, got.enabled, got.dependencies) == (
            hook.trigger_id, hook.script, hook.enabled, dict(hook.dependencies)
        ), hook.name
        assert user_keys(got.secret_keys) >= set(hook.secrets), hook.name


NAMES = [f"hook-{i}" for i in range(8)]
KEYS = ["A", "B", "C", "D"]


def random_case(rng: random.Random) -> tuple[DesiredState, LiveState, PlanOptions]:
    """A generated live tenant (sometimes broken), a config for it, and plan options."""
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
