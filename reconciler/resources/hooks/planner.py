"""From desired and live state to an ordered plan of API requests (pure: no I/O).

Ordering (docs/plan-ordering.md): at no instant may two hooks on one trigger be
enabled, and a trigger that should keep a hook goes without one for as short as possible.

1. ``prepare``: nothing visible changes. New hooks are created *disabled* and get their
   secrets; existing hooks get their secrets, scripts and dependencies.
2. ``handover``: per trigger, ``disable old`` then ``enable new``. The disable waits until
   the new hook is fully prepared, and the enable waits only for that disable, so the two
   requests are adjacent. A live tenant that already has several enabled hooks on one
   trigger is fixed first: the extras are disabled before anything else.
3. ``remove``: deletes of hooks and secret keys, after every other step has succeeded.

Each step is one Management API request. Steps carry explicit dependencies; the executor
may run independent steps concurrently. This module pairs desired with live hooks and plans
the prepare phase; ``phases`` plans the hand-overs and removals; ``steps`` builds steps.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.plan import Plan, assemble
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase
from reconciler.errors import PlanError
from reconciler.resources.common.diff import dependency_changes
from reconciler.resources.common.names import REPLACED_SUFFIX, free_replaced_name, replaced_base
from reconciler.resources.common.secrets import marker_for, user_keys
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.diff import content_changes, script_change_diff, script_differs
from reconciler.resources.hooks.model import MAX_SECRETS, TRIGGERS, DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.phases import check_delete_threshold, merge_toggles, plan_handovers, plan_removals
from reconciler.resources.hooks.plan import TYPE, config_digest, hook_change, live_fingerprint
from reconciler.resources.hooks.secrets import SecretChanges, plan_secret_changes
from reconciler.resources.hooks.steps import Builder, Pairing, Target
from reconciler.resources.options import PlanOptions
from reconciler.text import SENSITIVE

__all__ = ["build_plan", "plan_part"]


def _pair(desired: DesiredState, live: LiveState, excluded: frozenset[str]) -> Pairing:
    unknown = tuple(h for h in live.hooks if h.trigger_id not in TRIGGERS and h.name not in excluded)
    # Excluded and unknown-trigger hooks take no part in pairing: nothing replaces, renames
    # or deletes them (hand-overs still see excluded ones: the invariant comes first).
    live = LiveState(tuple(h for h in live.hooks if h.trigger_id in TRIGGERS and h.name not in excluded))
    live_by_name = live.by_name()
    clashes = {h.name: h for h in unknown if h.name in desired.by_name()}
    matched: dict[str, LiveHook] = {}
    replaced: dict[str, LiveHook] = {}
    unmatched_desired: list[Hook] = []
    for hook in desired.hooks:
        found = live_by_name.get(hook.name)
        if hook.name in clashes:
            continue
        if found is None:
            unmatched_desired.append(hook)
        elif found.trigger_id == hook.trigger_id:
            matched[hook.name] = found
        else:
            replaced[hook.name] = found
    taken = {h.id for h in matched.values()} | {h.id for h in replaced.values()}
    desired_names = {hook.name for hook in desired.hooks}
    leftovers = tuple(
        h for h in live.hooks if h.id not in taken and replaced_base(h.name) in desired_names
    )
    taken |= {h.id for h in leftovers}
    unmatched_live = [h for h in live.hooks if h.id not in taken]

    # A rename is a desired hook and a live hook, both unmatched, on one trigger with the
    # same script; only pairs that are unambiguous are taken as renames.
    def key(trigger_id: str, script: str) -> tuple[str, str]:
        return (trigger_id, script)

    # Desired scripts are templates: key them by the filled text, and compare a template with
    # unknown keyword values against each live script on its trigger.
    desired_by_key: dict[tuple[str, str], list[Hook]] = defaultdict(list)
    for hook in unmatched_desired:
        desired_by_key[key(hook.trigger_id, hook.filled_script)].append(hook)
    live_by_key: dict[tuple[str, str], list[LiveHook]] = defaultdict(list)
    for live_hook in unmatched_live:
        live_by_key[key(live_hook.trigger_id, live_hook.script)].append(live_hook)
    renamed: set[str] = set()
    for k, hooks in desired_by_key.items():
        candidates = live_by_key.get(k, [])
        if len(hooks) == 1 and hooks[0].unknown_keywords:
            candidates = [h for h in unmatched_live if h.trigger_id == k[0] and not script_differs(hooks[0], h.script)]
        if len(hooks) == 1 and len(candidates) == 1:
            matched[hooks[0].name] = candidates[0]
            renamed.add(candidates[0].id)
    orphans = tuple(h for h in unmatched_live if h.id not in renamed)
    return Pairing(matched, replaced, orphans, leftovers, unknown, clashes)


def build_plan(desired: DesiredState, live: LiveState, options: PlanOptions | None = None) -> Plan:
    """A hooks-only plan: the ordered requests that take ``live`` to ``desired``."""
    options = options or PlanOptions()
    return assemble([plan_part(desired, live, options)], allow_delete=options.allow_delete)


def plan_part(desired: DesiredState, live: LiveState, options: PlanOptions | None = None) -> TypePlan:
    """The hook type's part of a plan (indexes local to the part)."""
    options = options or PlanOptions()
    digest = config_digest(desired, options.hmac_key)
    excluded = options.excluded_of("hook")
    warnings: list[Reason] = [
        Reason.of("hook.excluded", name=hook.name)
        for hook in desired.hooks
        if hook.name in excluded
    ]
    desired = dataclasses.replace(desired, hooks=tuple(h for h in desired.hooks if h.name not in excluded))
    _check_one_enabled_per_trigger(desired)
    pairing = _pair(desired, live, excluded)
    builder = Builder()
    changes: list[Change] = []
    targets: dict[str, Target] = {}  # desired name -> how later steps address the hook
    blocked: set[str] = set()  # desired hooks that cannot be changed: never enabled
    taken_names = {h.name for h in live.hooks}
    parked: dict[str, str] = {}  # live id of a replaced hook -> its temporary name

    for hook in sorted(desired.hooks, key=lambda h: h.name):
        current = pairing.matched.get(hook.name)
        change: Change | None
        if hook.name in pairing.clashes:
            other = pairing.clashes[hook.name]
            change = hook_change(
                ChangeKind.CREATE, hook.name, hook.trigger_id,
                skipped=Reason.of("hook.name_clash", trigger=other.trigger_id),
            )
            blocked.add(hook.name)
        elif current is None:
            old = pairing.replaced.get(hook.name)
            if old is not None:
                parked[old.id] = free_replaced_name(hook.name, taken_names)
            change, targets[hook.name] = _prepare_new(builder, hook, old, parked.get(old.id) if old else None, options)
        else:
            change, targets[hook.name] = _prepare_existing(builder, hook, current, options, warnings)
            if change is not None and change.skipped:
                blocked.add(hook.name)
        if change is not None:
            changes.append(change)

    handovers = plan_handovers(builder, desired, live, pairing, targets, changes, blocked)
    unmanaged = plan_removals(builder, desired, pairing, parked, options, changes)
    for stray in sorted(pairing.unknown, key=lambda h: h.name):
        warnings.append(Reason.of("hook.unknown_trigger", name=stray.name, trigger=stray.trigger_id))
        unmanaged.append(stray.name)
    if live.outside:  # no hooks/: nothing planned, but the plan says what still runs
        warnings.append(Reason.of("hook.not_managed", names=live.outside))
        unmanaged.extend(live.outside)

    merged = tuple(merge_toggles(changes))
    check_delete_threshold(merged, live, options)
    return TypePlan(
        TYPE,
        steps=tuple(builder.steps),
        changes=merged,
        warnings=tuple(warnings),
        extras=(
            ("handovers", tuple(handovers)),
            ("unmanaged", tuple(sorted(unmanaged))),
            ("config_digest", digest),
            ("live_fingerprint", live_fingerprint(live)),
        ),
    )


def _check_one_enabled_per_trigger(desired: DesiredState) -> None:
    enabled: dict[str, list[str]] = defaultdict(list)
    for hook in desired.hooks:
        if hook.enabled:
            enabled[hook.trigger_id].append(hook.name)
    for trigger_id, names in enabled.items():
        if len(names) > 1:
            raise PlanError(
                f"more than one enabled hook on trigger {trigger_id}: {', '.join(sorted(names))}"
            )


def _secret_lines(add: Iterable[str], update: Iterable[str], remove: Iterable[str]) -> str:
    lines = [f"+ {key} = {SENSITIVE}" for key in sorted(add)]
    lines += [f"~ {key} = {SENSITIVE}" for key in sorted(update)]
    lines += [f"- {key}" for key in sorted(remove)]
    return "\n".join(lines)


def _prepare_new(
    builder: Builder, hook: Hook, old: LiveHook | None, parked_as: str | None, options: PlanOptions
) -> tuple[Change, Target]:
    """Create the hook disabled, then give it its secrets."""
    after: list[int | None] = []
    if old is not None:
        # Free the name: the old hook keeps running under a temporary name until the end.
        after.append(
            builder.add(
                Action.UPDATE,
                old.name,
                old.trigger_id,
                Target(hook_id=old.id),
                Phase.PREPARE,
                body={"name": parked_as or old.name + REPLACED_SUFFIX},
                reason=Reason.of("hook.free_name", trigger=hook.trigger_id),
            )
        )
    body = {
        "name": hook.name,
        "script": hook.script,
        "triggerId": hook.trigger_id,
        "enabled": False,
        "dependencies": dict(hook.dependencies),
    }
    create = builder.add(
        Action.CREATE, hook.name, hook.trigger_id, Target(), Phase.PREPARE, body, after,
        reason=Reason.of("hook.created_disabled") if hook.enabled else None,
    )
    target = Target(created_by=create)
    keys = set(hook.secrets)
    if keys and options.hmac_key and len(keys) < MAX_SECRETS:
        keys.add(marker_for(options.hmac_key, hook.name, hook.secrets))
    if keys:
        builder.add(
            Action.SECRETS_ADD, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(keys)}, [create],
        )
    fields = [
        FieldChange("triggerId", old.trigger_id if old else None, hook.trigger_id),
        FieldChange("script", None, None, script_change_diff(hook, old.script if old else None)),
        FieldChange("enabled", old.enabled if old else None, hook.enabled),
    ]
    if hook.dependencies:
        fields.append(
            FieldChange(
                "dependencies", None, dict(hook.dependencies),
                "\n".join(dependency_changes({}, hook.dependencies)),
            )
        )
    if hook.secrets:
        fields.append(FieldChange("secrets", None, sorted(hook.secrets), _secret_lines(hook.secrets, (), ())))
    change = hook_change(
        ChangeKind.REPLACE if old else ChangeKind.CREATE, hook.name, hook.trigger_id, tuple(fields),
        previous_trigger_id=old.trigger_id if old else "",
    )
    return change, target


def _prepare_existing(
    builder: Builder, hook: Hook, live: LiveHook, options: PlanOptions, warnings: list[Reason]
) -> tuple[Change | None, Target]:
    """Secrets first (a new script may need a new key), then the script, name, dependencies."""
    target = Target(hook_id=live.id)
    wanted = hook.secrets
    if hook.secrets_from:  # unknown keys: the live ones stand (values are not compared either)
        wanted = dict.fromkeys(user_keys(live.secret_keys), "")
    secrets = plan_secret_changes(
        wanted, live.secret_keys, hook.name,
        allow_delete=options.allow_delete, rotate=options.rotate_secrets, hmac_key=options.hmac_key,
    )
    previous = live.name if live.name != hook.name else ""
    if secrets.blocked:
        # Any request for this hook would be refused, or leave its script without its keys.
        return hook_change(
            ChangeKind.UPDATE, hook.name, hook.trigger_id, skipped=secrets.blocked, previous_name=previous
        ), target
    last = _secret_steps(builder, hook, target, secrets, options)
    fields = content_changes(hook, live, options.live_view)
    if fields:
        body: dict[str, Any] = {}
        for change in fields:
            if change.field == "name":
                body["name"] = hook.name
            elif change.field == "script":
                body["script"] = hook.script
            elif change.field == "dependencies":
                body["dependencies"] = dict(hook.dependencies)
        last = builder.add(
            Action.UPDATE, hook.name, hook.trigger_id, target, Phase.PREPARE, body, [last]
        )
    if secrets.late_delete:
        builder.add(
            Action.SECRETS_DELETE, hook.name, hook.trigger_id, target, Phase.REMOVE,
            {"keys": sorted(secrets.late_delete)}, [last],
        )
    if secrets.kept:
        # Reported here only: a kept key is no request, so it is no update either.
        warnings.append(Reason.of("hook.secrets_kept", name=hook.name, keys=sorted(secrets.kept)))
    if secrets.add or secrets.update or secrets.remove:
        fields.append(
            FieldChange(
                "secrets",
                sorted(user_keys(live.secret_keys)),
                sorted(set(hook.secrets) | secrets.kept),
                _secret_lines(secrets.add, secrets.update, secrets.remove),
            )
        )
    elif secrets.any:  # only the value marker changes: still a request, so still shown
        keys = sorted(set(hook.secrets) | secrets.kept)
        fields.append(FieldChange("secrets", keys, keys, "~ value marker (key names only)"))
    if hook.enabled != live.enabled:
        fields.append(FieldChange("enabled", live.enabled, hook.enabled))
    if not fields:
        return None, target
    content = [f for f in fields if f.field != "enabled"]
    kind = ChangeKind.UPDATE if content else (ChangeKind.ENABLE if hook.enabled else ChangeKind.DISABLE)
    return hook_change(kind, hook.name, hook.trigger_id, tuple(fields), previous_name=previous), target


def _secret_steps(
    builder: Builder, hook: Hook, target: Target, secrets: SecretChanges, options: PlanOptions
) -> int | None:
    """Values, then room, then new keys with the marker (see ``SecretChanges``)."""
    last: int | None = None
    if secrets.update:
        last = builder.add(
            Action.SECRETS_UPDATE, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.update)},
            reason=Reason.of("hook.rotate") if options.rotate_secrets else Reason.of("hook.secret_values_changed"),
        )
    if secrets.early_delete:
        last = builder.add(
            Action.SECRETS_DELETE, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.early_delete)}, [last],
            reason=Reason.of("hook.make_room", cap=MAX_SECRETS),
        )
    if secrets.add_keys:
        last = builder.add(
            Action.SECRETS_ADD, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.add_keys)}, [last],
        )
    return last
