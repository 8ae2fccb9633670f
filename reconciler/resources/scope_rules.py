"""``--only`` and ``--target`` in resource terms: the groups a user names, which steps a
target seeds, and the one refusal ``--only`` needs. Like ``cutover``, this module knows
both built-in types by their public step names; the closure itself is generic
(``core.scope``).

Groups are what users write: a type with its own ``load`` (``hooks``, ``actions``) and every
type planned from its state (``bindings`` belongs to ``actions``: trigger lists are the
actions'). What a target drags in (documented in docs/commands.md):

- ``actions:NAME``: the action's own steps (also its ``-replaced-by-reconciler`` twin), and
  the list of every trigger it is in, before or after this plan: a list is written whole,
  so the actions newly in that list come too (their create and deploy), and a cutover on
  that trigger comes whole (the hook's disable with the bind);
- ``hooks:NAME``: the hook's own steps, and every enable and disable on the triggers those
  steps touch: a hand-over's other side, a broken tenant's extra enabled hooks (never two
  enabled, never a trigger left to nobody by half a hand-over); and a cutover or rollback
  it is part of, whole.

Then ``core.scope.closure``: what those steps wait for, to a fixpoint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reconciler.core.changes import REPLACED_SUFFIX
from reconciler.core.plan import DRIFT, TOGGLES, Plan
from reconciler.core.planner import TypePlan
from reconciler.core.scope import SEPARATOR, closure, keep_steps
from reconciler.errors import ScopeError
from reconciler.resources.base import Desired, Registry

HOOK, ACTION, BINDINGS = "hook", "action", "bindings"
MAX_NAMES = 100  # --target/--only given more often than this is refused (a runaway script)


def groups(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Group name (a type's noun) -> the type names planned with it, in registry order."""
    out: dict[str, list[str]] = {}
    owner = {t.name: t.noun for t in registry if t.load is not None}
    for resource in registry:
        group = owner.get(resource.state or resource.name)
        if group is not None:
            out.setdefault(group, []).append(resource.name)
    return {name: tuple(types) for name, types in out.items()}


def _group_of(word: str, known: Mapping[str, tuple[str, ...]], registry: Registry) -> str | None:
    """A group by its noun (``actions``) or a type's singular (``action``)."""
    if word in known:
        return word
    for resource in registry:
        if word in (resource.name, resource.one) and resource.noun in known:
            return resource.noun
    return None


def parse_only(values: Sequence[str], registry: Registry) -> tuple[str, ...]:
    """``--only`` values as groups, in registry order (one-line ``ScopeError`` otherwise)."""
    known = groups(registry)
    if len(values) > MAX_NAMES:
        raise ScopeError(f"--only: given {len(values)} times (at most {MAX_NAMES})")
    chosen = set()
    for value in values:
        group = _group_of(value.strip(), known, registry)
        if group is None:
            raise ScopeError(f"--only {value[:60]!r}: not a resource type (choices: {', '.join(known)})")
        chosen.add(group)
    return tuple(g for g in known if g in chosen)


def only_types(only: Sequence[str], registry: Registry) -> frozenset[str] | None:
    """The type names ``only`` plans (None: every type)."""
    if not only:
        return None
    known = groups(registry)
    return frozenset(t for g in only for t in known.get(g, ()))


def skipped_groups(only: Sequence[str], registry: Registry) -> tuple[str, ...]:
    return tuple(g for g in groups(registry) if only and g not in only)


def check_only_split(desired: Desired, parts: Sequence[TypePlan], only: Sequence[str]) -> None:
    """Refuse an ``--only`` that would cut a hooks-to-Actions hand-over in half: binding
    actions on a trigger where the config has a hook (the hook is not read, so whether it
    still runs there is unknown), or toggling a hook on a trigger the config's actions are
    bound on (the action's side of the cutover would not be planned)."""
    if not only or len(only) > 1:
        return
    hooks, actions = desired.get(HOOK), desired.get(ACTION)
    if hooks is None or actions is None or not getattr(hooks, "manages_hooks", True):
        return
    hook_triggers = {h.trigger_id: h.name for h in hooks.hooks}
    bound_triggers = {t for t in actions.managed_triggers if actions.bindings.get(t)}
    for part in parts:
        for step in part.steps:
            if step.type == BINDINGS and step.key in hook_triggers:
                raise ScopeError(
                    f"--only actions: the plan changes the actions bound on {step.key}, where the config "
                    f"has hook {hook_triggers[step.key]}, and a hand-over needs both types: plan both "
                    f"(no --only), or --target actions:NAME"
                )
            trigger = getattr(step.payload, "trigger_id", None)
            if step.type == HOOK and step.operation in ("enable", "disable") and trigger in bound_triggers:
                raise ScopeError(
                    f"--only hooks: the plan turns hook {step.key} on or off on {trigger}, where the config "
                    f"binds actions, and a hand-over needs both types: plan both (no --only), or "
                    f"--target hooks:{step.key}"
                )


def _names_by_group(plan: Plan, desired: Desired, known: Mapping[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """The names a target may use, per group: in the config, or in the plan (a live one it
    deletes or leaves unmanaged)."""
    names: dict[str, set[str]] = {group: set() for group in known}
    of_type = {t: g for g, types in known.items() for t in types}
    hooks, actions = desired.get(HOOK), desired.get(ACTION)
    if hooks is not None and "hooks" in names:
        names["hooks"] |= {h.name for h in hooks.hooks}
    if actions is not None and "actions" in names:
        names["actions"] |= set(actions.by_name())
    for item in [*plan.steps, *plan.changes]:
        if item.type in (HOOK, ACTION) and item.type in of_type:
            names[of_type[item.type]].add(item.key.removesuffix(REPLACED_SUFFIX))
    for type_name in plan.types:
        if type_name in of_type:
            names[of_type[type_name]] |= set(plan.extra(type_name, "unmanaged", ()))
    return names


def resolve_targets(
    values: Sequence[str], plan: Plan, desired: Desired, registry: Registry, only: Sequence[str] = (),
) -> tuple[str, ...]:
    """``--target`` values as ``group:name`` (one-line ``ScopeError``: unknown or ambiguous)."""
    if len(values) > MAX_NAMES:
        raise ScopeError(f"--target: given {len(values)} times (at most {MAX_NAMES})")
    everything = groups(registry)
    known = {g: t for g, t in everything.items() if not only or g in only}
    names = _names_by_group(plan, desired, known)
    out: list[str] = []
    for value in values:
        shown = value[:80]
        head, sep, tail = value.partition(SEPARATOR)
        group = _group_of(head, everything, registry) if sep else None
        if group is not None:
            if group not in known:
                raise ScopeError(f"--target {shown}: {group} are not planned (--only {', '.join(only)})")
            if tail not in names[group]:
                raise ScopeError(f"--target {shown}: no {group[:-1]} named {tail[:60]!r} in the config or the tenant")
            out.append(f"{group}{SEPARATOR}{tail}")
            continue
        found = [g for g in known if value in names[g]]
        if not found:
            raise ScopeError(
                f"--target {shown}: no hook or action of that name in the config or the tenant "
                f"(write TYPE{SEPARATOR}NAME, TYPE one of {', '.join(known)})"
            )
        if len(found) > 1:
            choices = " or ".join(f"{g}{SEPARATOR}{value}" for g in found)
            raise ScopeError(f"--target {shown}: ambiguous; write {choices}")
        out.append(f"{found[0]}{SEPARATOR}{value}")
    return tuple(dict.fromkeys(out))


def _seeds(plan: Plan, targets: Iterable[str]) -> set[int]:
    actions: set[str] = set()
    hooks: set[str] = set()
    for target in targets:
        group, _, name = target.partition(SEPARATOR)
        (actions if group == "actions" else hooks).add(name)
    # A hook's hand-over partners: every hook named on a trigger whose hand-over names it.
    for handover in plan.extra(HOOK, "handovers", ()):
        named = set(handover.before) | ({handover.after} if handover.after else set())
        if named & hooks:
            hooks |= named
    triggers = {c.key for c in plan.changes_of(BINDINGS)
                if actions & (set(dict(c.detail).get("before", ())) | set(dict(c.detail).get("after", ())))}
    for cutover in plan.extra(ACTION, "cutovers", ()):
        if cutover.hook in hooks:
            triggers.add(cutover.trigger)
    seeds = set()
    for step in plan.steps:
        base = step.key.removesuffix(REPLACED_SUFFIX)  # a replaced resource's old self, renamed aside
        own = (step.type == ACTION and base in actions) or (step.type == HOOK and base in hooks)
        if own or (step.type == BINDINGS and (step.key in triggers or actions & _entries(step))):
            seeds.add(step.index)
    # Which hook runs on a trigger is decided by all of that trigger's toggles together (a
    # hand-over, a broken tenant's extra hooks disabled): a targeted hook brings them all.
    touched = {getattr(plan.steps[i].payload, "trigger_id", None) for i in seeds if plan.steps[i].type == HOOK}
    seeds |= {s.index for s in plan.steps if s.type == HOOK and s.operation in TOGGLES
              and getattr(s.payload, "trigger_id", None) in touched}
    return seeds


def _entries(step: Any) -> set[str]:
    return {getattr(e, "action_name", "") for e in getattr(step.payload, "entries", ())}


def _partners(plan: Plan, registry: Registry) -> list[tuple[int, int]]:
    """Steps kept together: the plan's strict pairs and each type's (a hand-over's)."""
    together = list(plan.pairs)
    for type_name in plan.types:
        resource = registry.get(type_name)
        if resource.jobs is not None:
            for index, job in resource.jobs(plan.steps_of(type_name)).items():
                if job.follows is not None:
                    together.append((job.follows, index))
    return together


def targeted(plan: Plan, targets: Sequence[str], registry: Registry) -> Plan:
    """``plan`` limited to ``targets`` and what they need (see the module docstring)."""
    kept = closure(plan.steps, _seeds(plan, targets), _partners(plan, registry))
    steps, pairs = keep_steps(plan.steps, plan.pairs, kept)
    of_type = {t: g for g, types in groups(registry).items() for t in types}
    wanted = set(targets)
    keys = {(s.type, s.key.removesuffix(REPLACED_SUFFIX)) for s in steps}
    needed = sorted({f"{of_type.get(t, t)}{SEPARATOR}{k}" for t, k in keys if t != BINDINGS} - wanted)
    needed += sorted(f"trigger{SEPARATOR}{k}" for t, k in keys if t == BINDINGS)

    def in_scope(kind: str, key: str) -> bool:
        base = key.removesuffix(REPLACED_SUFFIX)
        return (kind, base) in keys or f"{of_type.get(kind, kind)}{SEPARATOR}{base}" in wanted

    changes = tuple(c for c in plan.changes if in_scope(c.type, c.key))
    kept_hooks = {s.key for s in steps if s.type == HOOK}
    kept_binds = {s.key for s in steps if s.type == BINDINGS}
    extras = []
    for type_name, items in plan.extras:
        own = []
        for key, value in items:
            if key == DRIFT:
                continue  # drift outside the targets was not compared; inside it, a step or change says it
            if key == "unmanaged":
                value = tuple(n for n in value if in_scope(type_name, n))
            elif key == "handovers":
                value = tuple(h for h in value if kept_hooks & (set(h.before) | {h.after}))
            elif key == "cutovers":
                value = tuple(c for c in value if c.trigger in kept_binds)
            elif key == "deploys":
                value = tuple(n for n in value if (ACTION, n) in keys)
            own.append((key, value))
        extras.append((type_name, tuple(own)))
    scope = dataclasses.replace(plan.scope, targets=tuple(targets), needed=tuple(needed))
    return dataclasses.replace(plan, steps=steps, pairs=pairs, changes=changes, extras=tuple(extras), scope=scope)
