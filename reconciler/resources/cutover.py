"""The hooks-to-Actions cutover: the one rule that knows both resource types.

Auth0 runs deployed actions *after* active hooks, so when a plan both disables the hook
enabled on a trigger and binds an action there that is not bound yet, the two requests
decide what the trigger does in between:

- ``both``: bind the action, then disable the hook. For one request both run (the hook,
  then the action). The default where a gap would let unchecked sign-ups or tokens through
  (pre-user-registration, credentials-exchange) and for the post-* triggers.
- ``neither``: disable the hook, then bind the action. For one request neither runs. The
  default for send-phone-message: both would send every SMS twice.

The two requests become a strict pair of the planner driver (``core.planner.StrictPair``):
adjacent, one worker, always finished once started; the leader waits for everything the
follower waits for, so the bind still comes only after the action is deployed. The hook is
deleted later (the hooks planner's remove phase), and only with --allow-delete.

``AUTH0_CUTOVER`` (environment or deploy-cli's config file) overrides the order per
trigger: a JSON object ``{"<trigger>": "both" | "neither"}``.

This module only reads the parts' public step names (``hook``/<name>/``disable``,
``bindings``/<trigger>/``bind``); the core stays generic and the type planners unchanged.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reconciler.core.changes import Change
from reconciler.core.planner import Merged, StrictPair, TypePlan, merge_plan
from reconciler.core.reasons import Reason
from reconciler.core.steps import StepRef
from reconciler.errors import ConfigError

if TYPE_CHECKING:
    from reconciler.core.plan import Plan

SETTING = "AUTH0_CUTOVER"
BOTH, NEITHER = "both", "neither"
MODES = (BOTH, NEITHER)
HOOK, BINDINGS = "hook", "bindings"  # the resource types' names
DISABLE, ENABLE, BIND = "disable", "enable", "bind"  # their public step operations

# The triggers a hook can run on, and the safer window for each (see the module docstring).
DEFAULTS: Mapping[str, str] = MappingProxyType({
    "credentials-exchange": BOTH,
    "pre-user-registration": BOTH,
    "post-user-registration": BOTH,
    "post-change-password": BOTH,
    "send-phone-message": NEITHER,
})


def parse_setting(value: Any, where: str = SETTING) -> Mapping[str, str]:
    """``AUTH0_CUTOVER``: a JSON object (text from the environment, an object from the
    config file) of hook trigger -> "both" | "neither". One-line ``ConfigError`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return MappingProxyType({})
    if isinstance(value, str):
        if len(value) > 4096:
            raise ConfigError(f"{where}: longer than 4096 characters")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ConfigError(f'{where}: not JSON; expected an object like {{"send-phone-message": "neither"}}') from None
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: expected a JSON object of trigger -> "both" or "neither"')
    modes: dict[str, str] = {}
    for trigger, mode in value.items():
        if trigger not in DEFAULTS:
            raise ConfigError(f"{where}: {str(trigger)[:60]!r} is not a hook trigger (known: {', '.join(DEFAULTS)})")
        if mode not in MODES:
            raise ConfigError(f'{where}: {trigger}: {str(mode)[:40]!r} must be "both" or "neither"')
        modes[trigger] = mode
    return MappingProxyType(modes)


@dataclass(frozen=True)
class TriggerFacts:
    """What the cutover rule needs to know of one trigger, from both types' states."""

    trigger: str
    hook: str | None  # the hook enabled on the trigger now (live)
    hook_in_config: bool  # that hook is in the config (so the hooks planner can disable it)
    hook_stays: bool  # the config keeps a hook enabled on the trigger: no cutover
    bound: tuple[str, ...]  # actions the config binds there that are not bound now
    # A rollback: the hook the config enables again there (none enabled now), and the
    # actions bound now that the config no longer binds there.
    back: str | None = None
    unbound: tuple[str, ...] = ()
    staying: tuple[str, ...] = ()  # actions bound now that the config keeps bound there


@dataclass(frozen=True)
class Cutover:
    """One trigger's cutover, as the plan shows it."""

    trigger: str
    mode: str
    hook: str
    actions: tuple[str, ...]
    overridden: bool = False  # the mode comes from AUTH0_CUTOVER, not the default
    rollback: bool = False  # back from the actions to the hook (enable it, unbind them)

    def describe(self) -> str:
        actions = "action" + ("s " if len(self.actions) > 1 else " ") + ", ".join(self.actions)
        source = f" ({SETTING})" if self.overridden else ""
        if self.rollback:
            if self.mode == BOTH:
                return (f"rollback on {self.trigger}: enable hook {self.hook}, then unbind {actions} "
                        f"(both run for one request){source}")
            return (f"rollback on {self.trigger}: unbind {actions}, then enable hook {self.hook} "
                    f"(neither runs for one request){source}")
        if self.mode == BOTH:
            return (f"cutover on {self.trigger}: bind {actions}, then disable hook {self.hook} "
                    f"(both run for one request){source}")
        return (f"cutover on {self.trigger}: disable hook {self.hook}, then bind {actions} "
                f"(neither runs for one request){source}")

    def to_dict(self) -> dict[str, Any]:
        data = {"trigger": self.trigger, "mode": self.mode, "hook": self.hook,
                "actions": list(self.actions), "overridden": self.overridden, "text": self.describe()}
        return {**data, "rollback": True} if self.rollback else data

    @classmethod
    def from_dict(cls, data: Any) -> Cutover:
        """From a saved plan (hostile input): ``ValueError`` naming the field when wrong."""
        if not isinstance(data, dict):
            raise ValueError("cutover must be an object")
        trigger, mode, hook, actions = (data.get(k) for k in ("trigger", "mode", "hook", "actions"))
        if trigger not in DEFAULTS or mode not in MODES or not isinstance(hook, str) or len(hook) > 200:
            raise ValueError("cutover: trigger, mode or hook is not valid")
        if not isinstance(actions, list) or len(actions) > 20 or not all(isinstance(a, str) and len(a) <= 200 for a in actions):
            raise ValueError("cutover.actions must be a list of action names")
        return cls(str(trigger), str(mode), hook, tuple(actions), data.get("overridden") is True,
                   data.get("rollback") is True)

    def pair(self) -> StrictPair:
        """The two requests, leader first (``core.planner.StrictPair``): in ``both`` the side
        that starts running first, in ``neither`` the side that stops."""
        bind = StepRef(BINDINGS, self.trigger, BIND)
        if self.rollback:
            enable = StepRef(HOOK, self.hook, ENABLE)
            return StrictPair(enable, bind) if self.mode == BOTH else StrictPair(bind, enable)
        disable = StepRef(HOOK, self.hook, DISABLE)
        return StrictPair(bind, disable) if self.mode == BOTH else StrictPair(disable, bind)


@dataclass(frozen=True)
class CutoverPlan:
    pairs: tuple[StrictPair, ...] = ()
    cutovers: tuple[Cutover, ...] = ()
    warnings: tuple[Reason, ...] = ()


def trigger_facts(
    desired_hooks: Iterable[Any], live_hooks: Iterable[Any],
    desired_bindings: Mapping[str, Sequence[str]], live_bindings: Mapping[str, Sequence[str]],
) -> tuple[TriggerFacts, ...]:
    """Facts per hook trigger. Hooks: objects with ``name``, ``trigger_id``, ``enabled``;
    bindings: trigger -> action names (desired: the triggers the config manages)."""
    desired = list(desired_hooks)
    in_config = {h.name for h in desired}
    stays = {h.trigger_id for h in desired if h.enabled}
    wanted_on = {h.trigger_id: h.name for h in sorted(desired, key=lambda h: h.name) if h.enabled}
    enabled_now: dict[str, str] = {}
    for hook in sorted(live_hooks, key=lambda h: h.name):
        if hook.enabled:
            enabled_now.setdefault(hook.trigger_id, hook.name)
    facts = []
    for trigger in DEFAULTS:
        now = set(live_bindings.get(trigger, ()))
        bound = tuple(n for n in desired_bindings.get(trigger, ()) if n not in now)
        hook = enabled_now.get(trigger)
        back = wanted_on.get(trigger) if hook is None else None
        live_now = tuple(live_bindings.get(trigger, ()))
        kept = set(desired_bindings.get(trigger, live_now))  # an unmanaged trigger keeps its list
        unbound = tuple(n for n in live_now if n not in kept)
        staying = tuple(n for n in live_now if n in kept)
        if hook is not None or bound or back is not None:
            facts.append(TriggerFacts(trigger, hook, hook in in_config, trigger in stays, bound, back, unbound, staying))
    return tuple(facts)


def plan_cutovers(
    parts: Sequence[TypePlan], facts: Iterable[TriggerFacts], modes: Mapping[str, str] | None = None,
) -> CutoverPlan:
    """The strict pairs (for ``core.planner.merge_plan``) and what the plan shows.

    A trigger is cut over when its live hook is disabled by this plan (no hook stays
    enabled there) and an action is newly bound there in the same plan. A hook removed
    from the config is not disabled by the hooks planner (it runs until deleted): that is
    reported instead of paired."""
    modes = modes or {}
    planned = {(s.type, s.key, s.operation) for part in parts for s in part.steps}
    pairs: list[StrictPair] = []
    cutovers: list[Cutover] = []
    warnings: list[Reason] = []
    for fact in facts:
        if fact.back is not None:
            _plan_rollback(fact, planned, modes, cutovers, pairs, warnings)
            continue
        if fact.hook is None or fact.hook_stays or not fact.bound:
            continue  # a plain disable, or an action added beside a hook that stays
        bind = StepRef(BINDINGS, fact.trigger, BIND)
        disable = StepRef(HOOK, fact.hook, DISABLE)
        if (bind.type, bind.key, bind.operation) not in planned:
            continue
        if (disable.type, disable.key, disable.operation) not in planned:
            code = "cutover.hook_not_disabled" if fact.hook_in_config else "cutover.hook_removed"
            warnings.append(Reason.of(code, trigger=fact.trigger, hook=fact.hook, actions=fact.bound))
            continue
        mode = modes.get(fact.trigger, DEFAULTS[fact.trigger])
        cutovers.append(Cutover(fact.trigger, mode, fact.hook, fact.bound, fact.trigger in modes))
        pairs.append(cutovers[-1].pair())
    return CutoverPlan(tuple(pairs), tuple(cutovers), tuple(warnings))


def _plan_rollback(
    fact: TriggerFacts, planned: set[tuple[str, str, str]], modes: Mapping[str, str],
    cutovers: list[Cutover], pairs: list[StrictPair], warnings: list[Reason],
) -> None:
    """A trigger handed back to its hook: the hook's enable and the unbinding of the actions
    that ran instead, as one pair (the mirror of a cutover). Re-enabling the hook while an
    action stays bound there is only warned about: both would run on every request."""
    assert fact.back is not None
    enable = StepRef(HOOK, fact.back, ENABLE)
    bind = StepRef(BINDINGS, fact.trigger, BIND)
    if (enable.type, enable.key, enable.operation) not in planned:
        return
    if fact.unbound and (bind.type, bind.key, bind.operation) in planned:
        mode = modes.get(fact.trigger, DEFAULTS[fact.trigger])
        cutovers.append(Cutover(fact.trigger, mode, fact.back, fact.unbound, fact.trigger in modes, rollback=True))
        pairs.append(cutovers[-1].pair())
    if fact.staying:
        warnings.append(Reason.of("cutover.rollback_both_run", trigger=fact.trigger, hook=fact.back, actions=fact.staying))


def merge_with_cutover(
    parts: Sequence[TypePlan], facts: Iterable[TriggerFacts], modes: Mapping[str, str] | None = None,
) -> tuple[Merged, CutoverPlan]:
    """What the planning use case calls: the parts merged with the cutover pairs."""
    cutover = plan_cutovers(parts, facts, modes)
    return merge_plan(parts, cutover.pairs), cutover


def word(reason: Reason) -> str:
    """The cutover rule's warnings (codes ``cutover.*``)."""
    args = reason.kwargs
    actions = ", ".join(args.get("actions", ()))
    if reason.code == "cutover.hook_removed":
        return (f"cutover on {args['trigger']}: hook {args['hook']} is not in the config, so it is not "
                f"disabled when {actions} is bound: both run until it is deleted (--allow-delete); "
                "keep it with enabled: false (reconciler migrate --disable-hooks) for a one-request cutover")
    if reason.code == "cutover.rollback_both_run":
        return (f"rollback on {args['trigger']}: hook {args['hook']} is enabled again while {actions} stays "
                f"bound there, so both run on every request; remove it from {args['trigger']} in "
                "triggers/triggers.json to hand the trigger back to the hook in one step")
    if reason.code == "cutover.hook_not_disabled":
        return (f"cutover on {args['trigger']}: hook {args['hook']} stays enabled while {actions} is bound "
                "(both run)")
    return reason.code


CUTOVERS = "cutovers"  # the ``action`` type's plan extra: one ``Cutover`` per trigger

# A hook change's ``detail`` keys (``Change.detail``) for its side of a cutover: the actions
# that take its trigger over, or that it takes the trigger back from (a rollback). Set here,
# shown by the hook type's render blocks, so its line never reads as a trigger going dark.
TAKEN_OVER_BY, TAKES_BACK_FROM = "taken_over_by", "takes_back_from"


def hook_side_words(actions: Sequence[str], rollback: bool) -> str:
    """What a cutover's hook request means (shown on the hook's change line and its progress
    line): never a trigger going dark, the actions take over (a rollback: the hook takes back)."""
    named = "action" + ("s " if len(actions) > 1 else " ") + ", ".join(actions)
    if rollback:
        return f"takes over again from {named} in the same step"
    return f"{named} {'take' if len(actions) > 1 else 'takes'} over in the same step"


def step_notes(plan: Plan) -> dict[tuple[str, str, str], str]:
    """Words for the apply's progress lines, by (type, key, operation): both requests of each
    cutover say what they are part of."""
    notes: dict[tuple[str, str, str], str] = {}
    for cutover in cutovers_of(plan):
        if cutover.rollback:
            notes[(HOOK, cutover.hook, ENABLE)] = hook_side_words(cutover.actions, True)
            notes[(BINDINGS, cutover.trigger, BIND)] = f"rollback to hook {cutover.hook}"
        else:
            notes[(HOOK, cutover.hook, DISABLE)] = hook_side_words(cutover.actions, False)
            notes[(BINDINGS, cutover.trigger, BIND)] = f"cutover from hook {cutover.hook}"
    return notes


def mark_hook_changes(changes: Sequence[Change], cutovers: Sequence[Cutover]) -> tuple[Change, ...]:
    """``changes`` with each cutover's hook disable (rollback: enable) naming the actions."""
    # Keyed by the hook and where its ``enabled`` goes (a change may also carry other fields).
    sides = {(c.hook, c.rollback): c for c in cutovers}
    marked = []
    for change in changes:
        turned = [f.after for f in change.fields if f.field == "enabled" and isinstance(f.after, bool)]
        cutover = sides.get((change.key, turned[0])) if change.type == HOOK and turned else None
        if cutover is not None and not change.skipped:
            key = TAKES_BACK_FROM if cutover.rollback else TAKEN_OVER_BY
            change = dataclasses.replace(change, detail=tuple(sorted(change.detail + ((key, cutover.actions),))))
        marked.append(change)
    return tuple(marked)


def cutovers_of(plan: Plan) -> tuple[Any, ...]:
    """The plan's cutovers (kept as an extra of the ``action`` type's part)."""
    return tuple(plan.extra("action", CUTOVERS, ()))
