"""Runs a plan's steps against an in-memory tenant, in any order the dependencies allow.

Used by the planning tests to check the invariant for every interleaving the executor
could choose, not just the one it happens to pick. ``test_plan_simulator.py`` checks that its
tenant refuses and takes each kind of step as the emulator does.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from reconciler.core.changes import ChangeKind
from reconciler.core.plan import Plan
from reconciler.core.steps import Phase, Step
from reconciler.resources.common.names import replaced_base
from reconciler.resources.common.secrets import MARKER_VALUE, is_marker, marker_for, markers, user_keys
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import TRIGGERS, DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.options import PlanOptions

# A trigger Auth0 may add one day: hooks on it must be left alone.
UNKNOWN_TRIGGER = "some-future-trigger"
_ids = itertools.count()


class SimulatedConflict(AssertionError):
    pass


@dataclass
class SimHook:
    name: str
    trigger_id: str
    script: str
    enabled: bool
    dependencies: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)  # key -> value last written

    @property
    def secret_keys(self) -> set[str]:
        return set(self.secrets)


@dataclass
class SimTenant:
    """A tenant that refuses what Auth0 refuses: duplicate names (409), a second POST of a
    secret key, a PATCH or DELETE of a missing one, more than 20 secrets (400)."""

    hooks: dict[str, SimHook]
    max_enabled: dict[str, int] = field(default_factory=dict)
    initial: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_live(cls, live: LiveState) -> SimTenant:
        tenant = cls(
            {
                h.id: SimHook(
                    h.name, h.trigger_id, h.script, h.enabled, dict(h.dependencies),
                    {key: f"initial-{key}" for key in h.secret_keys},
                )
                for h in live.hooks
            }
        )
        tenant.start_run()
        return tenant

    def start_run(self) -> None:
        """A tenant that is already broken may stay as broken, never get worse."""
        self.initial = {t: self.enabled_on(t) for t in {h.trigger_id for h in self.hooks.values()}}

    def enabled_on(self, trigger_id: str) -> int:
        return sum(1 for h in self.hooks.values() if h.trigger_id == trigger_id and h.enabled)

    def check_invariant(self) -> None:
        for trigger_id in {h.trigger_id for h in self.hooks.values()}:
            count = self.enabled_on(trigger_id)
            allowed = max(1, self.initial.get(trigger_id, 0))
            if count > allowed:
                raise SimulatedConflict(f"{count} hooks enabled on {trigger_id}")
            self.max_enabled[trigger_id] = max(self.max_enabled.get(trigger_id, 0), count)

    def to_live(self) -> LiveState:
        return LiveState(
            tuple(
                LiveHook(i, h.name, h.trigger_id, h.script, h.enabled, h.dependencies, frozenset(h.secrets))
                for i, h in self.hooks.items()
            )
        )


def run_plan(plan: Plan, live: LiveState, seed: int = 0, desired: DesiredState | None = None) -> SimTenant:
    tenant = SimTenant.from_live(live)
    run_on(tenant, plan, seed, desired)
    return tenant


def run_on(
    tenant: SimTenant, plan: Plan, seed: int = 0, desired: DesiredState | None = None,
    stop_after: int | None = None,
) -> list[Step]:
    """Apply ``plan`` in a random order the dependencies allow; with ``stop_after``, only that
    many steps (a run killed part-way). Secret values come from ``desired``, as in apply."""
    values = {hook.name: dict(hook.secrets) for hook in (desired.hooks if desired else ())}
    tenant.start_run()
    created: dict[int, str] = {}
    rng = random.Random(seed)
    pending = {step.index: step for step in plan.steps}
    finished: set[int] = set()
    order: list[Step] = []
    non_remove = {s.index for s in plan.steps if s.phase is not Phase.REMOVE}
    while pending and (stop_after is None or len(order) < stop_after):
        ready = [
            s for s in pending.values()
            if all(a in finished for a in s.after)
            and (s.phase is not Phase.REMOVE or non_remove <= finished)
        ]
        assert ready, "plan has a dependency cycle"
        step = rng.choice(ready)
        apply_step(tenant, step, created, values.get(step.key, {}))
        finished.add(step.index)
        order.append(step)
        del pending[step.index]
    if stop_after is None:
        _check_handovers_adjacent(order, plan)
    return order
def _check_handovers_adjacent(order: list[Step], plan: Plan) -> None:
    """Between a hand-over's disable and its enable, nothing else touches that trigger."""
    position = {step.index: i for i, step in enumerate(order)}
    for enable in plan.steps:
        if enable.operation is not Action.ENABLE:
            continue
        for before in enable.after:
            disable = plan.steps[before]
            if disable.operation is not Action.DISABLE:
                continue
            between = order[position[disable.index] + 1 : position[enable.index]]
            touching = [s for s in between if s.payload.trigger_id == enable.payload.trigger_id]
            if touching:
                raise SimulatedConflict(f"{touching[0].operation} {touching[0].key} inside a hand-over")


def apply_step(tenant: SimTenant, step: Step, created: dict[int, str], values: dict[str, str]) -> None:
    """One step on ``tenant`` as Auth0 would take it (``SimulatedConflict``: refused);
    ``created``: the ids of hooks earlier create steps made, ``values``: the hook's secret values."""
    _apply(tenant, step, created, values)
    tenant.check_invariant()


def _apply(tenant: SimTenant, step: Step, created: dict[int, str], values: dict[str, str]) -> None:
    body, action = step.payload.body(), Action(step.operation)
    if action is Action.CREATE:
        if any(h.name == body["name"] for h in tenant.hooks.values()):
            raise SimulatedConflict(f"duplicate name {body['name']}")
        hook_id = f"new-{next(_ids)}"
        tenant.hooks[hook_id] = SimHook(
            body["name"], body["triggerId"], body["script"], body["enabled"], dict(body["dependencies"])
        )
        created[step.index] = hook_id
        return
    hook_id = step.payload.hook_id or created[step.payload.created_by]
    hook = tenant.hooks[hook_id]
    keys = set(body.get("keys", ()))
    sent = {key: MARKER_VALUE if is_marker(key) else values.get(key, "<no value>") for key in keys}
    if action in (Action.UPDATE, Action.ENABLE, Action.DISABLE):
        if "name" in body and any(h.name == body["name"] for i, h in tenant.hooks.items() if i != hook_id):
            raise SimulatedConflict(f"duplicate name {body['name']}")
        for key, value in body.items():
            setattr(hook, {"triggerId": "trigger_id"}.get(key, key), value)
    elif action is Action.DELETE:
        del tenant.hooks[hook_id]
    elif action is Action.SECRETS_ADD:
        if keys & hook.secret_keys:
            raise SimulatedConflict(f"POST of an existing secret key on {hook.name}")
        if len(hook.secrets) + len(keys) > 20:
            raise SimulatedConflict(f"{hook.name}: more than 20 secrets")
        hook.secrets.update(sent)
    elif action is Action.SECRETS_UPDATE:
        if not keys <= hook.secret_keys:
            raise SimulatedConflict(f"PATCH of a missing secret key on {hook.name}")
        hook.secrets.update(sent)
    elif action is Action.SECRETS_DELETE:
        if not keys <= hook.secret_keys:
            raise SimulatedConflict(f"DELETE of a missing secret key on {hook.name}")
        for key in keys:
            del hook.secrets[key]


def blocked_names(plan: Plan) -> set[str]:
    """Config hooks the plan says it cannot change (reported as skipped)."""
    return {c.key for c in plan.changes if c.skipped and c.kind is not ChangeKind.DELETE}


def assert_converged(
    tenant: SimTenant, desired: DesiredState, plan: Plan | None = None, options: PlanOptions | None = None
) -> None:
    """Every config hook is as configured (but those the plan reported it cannot change or
    that are excluded); with an HMAC key, a marker only ever vouches for values written."""
    skip = (blocked_names(plan) if plan else set()) | set(options.excluded_hooks if options else ())
    # A trigger whose wanted hook cannot be changed keeps its enabled hook: never dark.
    held = {h.trigger_id for h in desired.hooks if h.enabled and h.name in skip}
    live = {h.name: h for h in tenant.hooks.values()}
    for hook in desired.hooks:
        if hook.name in skip:
            continue
        got = live[hook.name]
        enabled = got.enabled if hook.trigger_id in held else hook.enabled
        assert (got.trigger_id, got.script, got.enabled, got.dependencies) == (
            hook.trigger_id, hook.script, enabled, dict(hook.dependencies)
        ), hook.name
        assert user_keys(got.secret_keys) >= set(hook.secrets), hook.name
        if options and options.hmac_key and markers(got.secret_keys):
            assert markers(got.secret_keys) == {marker_for(options.hmac_key, hook.name, hook.secrets)}, hook.name
            written = {key: got.secrets[key] for key in hook.secrets}
            assert written == dict(hook.secrets), f"{hook.name}: the marker vouches for values not written"


def check_nothing_lost(before: LiveState, after: SimTenant, plan: Plan, options: PlanOptions, desired: DesiredState) -> None:
    """Hooks and secret keys vanish only through deletes the plan was allowed to make; hooks
    on unknown triggers and excluded hooks keep everything (excluded ones may be disabled)."""
    wanted = desired.by_name()
    for hook in before.hooks:
        if hook.trigger_id == UNKNOWN_TRIGGER or hook.name in options.excluded_hooks:
            now = after.hooks.get(hook.id)
            assert now is not None, f"{hook.name}: unmanaged hook deleted"
            same = (now.name, now.trigger_id, now.script, now.secret_keys)
            assert same == (hook.name, hook.trigger_id, hook.script, set(hook.secret_keys)), hook.name
            assert hook.trigger_id != UNKNOWN_TRIGGER or now.enabled == hook.enabled, hook.name
            continue
        if hook.id not in after.hooks:
            deleted = any(s.operation == "delete" and s.payload.hook_id == hook.id for s in plan.steps)
            assert deleted, f"{hook.name} vanished without a delete step"
            base = replaced_base(hook.name)
            replaced = hook.name in wanted and wanted[hook.name].trigger_id != hook.trigger_id
            if not options.allow_delete:
                assert replaced or base in wanted, f"{hook.name} deleted with deletes off"
                kept_as = hook.name if replaced else base
                assert kept_as is not None
                keep = set(wanted[kept_as].secrets)
                assert user_keys(hook.secret_keys) <= keep, f"{hook.name}: secrets dropped"
            continue
        kept = user_keys(after.hooks[hook.id].secret_keys)
        if not options.allow_delete:
            assert user_keys(hook.secret_keys) <= kept, f"{hook.name}: secret key deleted"


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


# ---------------------------------------------------------------------------- chains

KEY_POOL = [f"K{i:02d}" for i in range(24)]


def _secret_map(rng: random.Random, previous: dict[str, str] | None = None) -> dict[str, str]:
    """Small sets, sets at or near Auth0's cap of 20, and swaps and value changes of either."""
    shape = rng.random()
    if previous is not None and shape < 0.5:
        keys = set(previous)
        for _ in range(rng.randint(0, 2)):  # swap a key for another
            if keys and rng.random() < 0.6:
                keys.discard(rng.choice(sorted(keys)))
            keys.add(rng.choice(KEY_POOL))
        keys = set(sorted(keys)[:20])
        return {k: previous[k] if k in previous and rng.random() < 0.7 else f"v{rng.randint(0, 3)}-{k}" for k in keys}
    if shape < 0.7:
        sampled = rng.sample(KEY_POOL, rng.randint(18, 20))
    else:
        sampled = rng.sample(KEY_POOL[:6], rng.randint(0, 3))
    return {k: f"v{rng.randint(0, 3)}-{k}" for k in sampled}


def _enable_some(rng: random.Random, hooks: list[Hook]) -> list[Hook]:
    """At most one enabled hook per trigger, as the validator demands."""
    out, enabled_on = [], set()
    for hook in rng.sample(hooks, len(hooks)):
        enabled = hook.trigger_id not in enabled_on and rng.random() < 0.6
        if enabled:
            enabled_on.add(hook.trigger_id)
        out.append(Hook(hook.name, hook.trigger_id, hook.script, enabled, hook.dependencies, hook.secrets))
    return sorted(out, key=lambda h: h.name)


def next_config(rng: random.Random, previous: DesiredState, triggers: list[str]) -> DesiredState:
    """The next commit: hooks dropped, moved to another trigger (a replace), renamed,
    edited, their secrets swapped or changed, new hooks added."""
    hooks: list[Hook] = []
    names = {hook.name for hook in previous.hooks}
    for hook in previous.hooks:
        roll = rng.random()
        if roll < 0.1:
            continue
        name, trigger, script = hook.name, hook.trigger_id, hook.script
        if roll < 0.35:
            trigger = rng.choice([t for t in triggers if t != trigger])
        elif roll < 0.45:
            name = rng.choice([n for n in NAMES + [f"renamed-{n}" for n in NAMES] if n not in names])
            names.add(name)
        elif roll < 0.6:
            script = f"// v{rng.randint(3, 9)} {name}\n"
        secrets = _secret_map(rng, dict(hook.secrets)) if rng.random() < 0.6 else dict(hook.secrets)
        hooks.append(Hook(name, trigger, script, False, hook.dependencies, secrets))
    free = [n for n in NAMES if n not in names]
    for name in rng.sample(free, min(len(free), rng.randint(0, 2))):
        hooks.append(Hook(name, rng.choice(triggers), f"// v1 {name}\n", False, {}, _secret_map(rng)))
    return DesiredState(tuple(_enable_some(rng, hooks)))


@dataclass(frozen=True)
class ChainStart:
    """Where a chain of commits starts: the live tenant (sometimes broken, with hooks at the
    secret cap, on an unknown trigger, or excluded), the first config, the triggers the
    chain moves hooks between, and what stays the same along it."""

    live: LiveState
    desired: DesiredState
    triggers: list[str]
    excluded: frozenset[str]
    hmac_key: bytes | None


def random_start(rng: random.Random) -> ChainStart:
    desired, live, _ = random_case(rng)
    triggers = sorted({h.trigger_id for h in desired.hooks + live.hooks} | set(rng.sample(TRIGGERS, 3)))
    extra = []
    if rng.random() < 0.3:  # a hook Auth0 may add one day; sometimes its name is one we use
        name = rng.choice(NAMES + ["future-hook"])
        if name not in {h.name for h in live.hooks}:
            extra.append(LiveHook("unknown-1", name, UNKNOWN_TRIGGER, "// future\n", True))
    capped = None
    if rng.random() < 0.3:  # a hook at the cap: 20 keys, or 19 and a (stale) marker
        keys = set(rng.sample(KEY_POOL, 20))
        if rng.random() < 0.5:
            keys = set(sorted(keys)[:19]) | {marker_for(b"k", "capped", {"X": "old"})}
        capped = LiveHook("capped-1", "capped", rng.choice(triggers), "// capped\n", False, secret_keys=frozenset(keys))
        extra.append(capped)
    live = LiveState(live.hooks + tuple(extra))
    names = [h.name for h in live.hooks]
    excluded = frozenset(rng.sample(names, 1)) if names and rng.random() < 0.2 else frozenset()
    hmac_key = b"k" if rng.random() < 0.7 else None
    if capped and rng.random() < 0.7:
        secrets = _secret_map(rng, {k: "old" for k in user_keys(capped.secret_keys)})
        desired = DesiredState(desired.hooks + (Hook("capped", capped.trigger_id, "// capped\n", False, {}, secrets),))
        desired = DesiredState(tuple(_enable_some(rng, list(desired.hooks))))
    return ChainStart(live, desired, triggers, excluded, hmac_key)


def chain_options(start: ChainStart, *, allow_delete: bool, rotate_secrets: bool, marker: bool) -> PlanOptions:
    """One commit's plan options (``marker``: the HMAC key is set for this run)."""
    return PlanOptions(
        allow_delete=allow_delete,
        rotate_secrets=rotate_secrets,
        hmac_key=start.hmac_key if marker else None,
        force=True,
        excluded_hooks=start.excluded,
    )


def random_chain(rng: random.Random, length: int = 4) -> tuple[LiveState, list[tuple[DesiredState, PlanOptions]]]:
    """A live tenant and a sequence of configs, each with its own options."""
    start = random_start(rng)
    desired, configs = start.desired, []
    for i in range(length):
        if i:
            desired = next_config(rng, desired, start.triggers)
        options = chain_options(start, allow_delete=rng.random() < 0.5, rotate_secrets=rng.random() < 0.1,
                                marker=rng.random() < 0.9)
        configs.append((desired, options))
    return start.live, configs
