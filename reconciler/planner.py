"""From desired and live state to an ordered plan of API requests (pure: no I/O).

Ordering (DESIGN.md, "the invariant"): at no instant may two hooks on one trigger be
enabled, and a trigger that should keep a hook goes without one for as short as possible.

1. ``prepare``: nothing visible changes. New hooks are created *disabled* and get their
   secrets; existing hooks get their secrets, scripts and dependencies.
2. ``handover``: per trigger, ``disable old`` then ``enable new``. The disable waits until
   the new hook is fully prepared, and the enable waits only for that disable, so the two
   requests are adjacent. A live tenant that already has several enabled hooks on one
   trigger is fixed first: the extras are disabled before anything else.
3. ``remove``: deletes of hooks and secret keys, after every other step has succeeded.

Each step is one Management API request. Steps carry explicit dependencies; the executor
may run independent steps concurrently.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from reconciler.diff import (
    FieldChange,
    content_changes,
    dependency_changes,
    script_diff,
)
from reconciler.model import (
    MAX_SECRETS,
    SENSITIVE,
    TRIGGERS,
    DesiredState,
    Hook,
    LiveHook,
    LiveState,
)
from reconciler.plan import (
    Action,
    ChangeKind,
    Handover,
    HookChange,
    Phase,
    Plan,
    PlanError,
    PlanOptions,
    Step,
    config_digest,
    live_fingerprint,
)
from reconciler.secrets import SecretChanges, marker_for, plan_secret_changes, user_keys

# A hook whose triggerId changes is renamed to this while its replacement is prepared, so
# the name is free for the new hook and the old one keeps running until the hand-over. An
# old copy kept from an earlier replace may hold the name: then "-2", "-3", ... follow.
REPLACED_SUFFIX = "-replaced-by-reconciler"
_REPLACED = re.compile(r"^(?P<base>.+)" + re.escape(REPLACED_SUFFIX) + r"(?:-[0-9]+)?$")


def replaced_base(name: str) -> str | None:
    """The hook name a ``-replaced-by-reconciler`` copy was renamed from, if it is one."""
    match = _REPLACED.match(name)
    return match.group("base") if match else None


def _free_replaced_name(base: str, taken: set[str]) -> str:
    name, n = base + REPLACED_SUFFIX, 1
    while name in taken:
        n += 1
        name = f"{base}{REPLACED_SUFFIX}-{n}"
    taken.add(name)
    return name


@dataclass
class _Target:
    """How later steps address a hook: by live id or by the step that creates it."""

    hook_id: str | None = None
    created_by: int | None = None


@dataclass
class _Builder:
    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        action: Action,
        hook: str,
        trigger_id: str,
        target: _Target,
        phase: Phase,
        body: Mapping[str, Any] | None = None,
        after: Iterable[int | None] = (),
        reason: str = "",
    ) -> int:
        index = len(self.steps)
        self.steps.append(
            Step(
                index=index,
                action=action,
                hook=hook,
                trigger_id=trigger_id,
                hook_id=target.hook_id,
                created_by=target.created_by,
                body=dict(body or {}),
                after=tuple(sorted({i for i in after if i is not None})),
                phase=phase,
                reason=reason,
            )
        )
        return index


@dataclass(frozen=True)
class _Pairing:
    """How desired hooks line up with live ones."""

    matched: dict[str, LiveHook]  # desired name -> live hook (same trigger; maybe renamed)
    replaced: dict[str, LiveHook]  # desired name -> live hook on another trigger
    orphans: tuple[LiveHook, ...]  # live hooks nothing desired accounts for
    leftovers: tuple[LiveHook, ...]  # "-replaced-by-reconciler" hooks from an earlier run
    # Live hooks on triggers this tool does not know: never touched, only reported.
    unknown: tuple[LiveHook, ...]
    clashes: dict[str, LiveHook]  # desired name -> the unknown-trigger hook holding it


def _pair(desired: DesiredState, live: LiveState, excluded: frozenset[str]) -> _Pairing:
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

    desired_by_key: dict[tuple[str, str], list[Hook]] = defaultdict(list)
    for hook in unmatched_desired:
        desired_by_key[key(hook.trigger_id, hook.script)].append(hook)
    live_by_key: dict[tuple[str, str], list[LiveHook]] = defaultdict(list)
    for live_hook in unmatched_live:
        live_by_key[key(live_hook.trigger_id, live_hook.script)].append(live_hook)
    renamed: set[str] = set()
    for k, hooks in desired_by_key.items():
        candidates = live_by_key.get(k, [])
        if len(hooks) == 1 and len(candidates) == 1:
            matched[hooks[0].name] = candidates[0]
            renamed.add(candidates[0].id)
    orphans = tuple(h for h in unmatched_live if h.id not in renamed)
    return _Pairing(matched, replaced, orphans, leftovers, unknown, clashes)


def build_plan(desired: DesiredState, live: LiveState, options: PlanOptions | None = None) -> Plan:
    """The ordered plan that takes ``live`` to ``desired``."""
    options = options or PlanOptions()
    digest = config_digest(desired, options.hmac_key)
    excluded = frozenset(options.excluded_hooks)
    warnings: list[str] = [
        f"{hook.name}: excluded (AUTH0_EXCLUDED_HOOKS); its config is ignored"
        for hook in desired.hooks
        if hook.name in excluded
    ]
    desired = DesiredState(tuple(h for h in desired.hooks if h.name not in excluded), desired.source)
    _check_one_enabled_per_trigger(desired)
    pairing = _pair(desired, live, excluded)
    builder = _Builder()
    changes: list[HookChange] = []
    targets: dict[str, _Target] = {}  # desired name -> how later steps address the hook
    blocked: set[str] = set()  # desired hooks that cannot be changed: never enabled
    taken_names = {h.name for h in live.hooks}
    parked: dict[str, str] = {}  # live id of a replaced hook -> its temporary name

    for hook in sorted(desired.hooks, key=lambda h: h.name):
        current = pairing.matched.get(hook.name)
        change: HookChange | None
        if hook.name in pairing.clashes:
            other = pairing.clashes[hook.name]
            change = HookChange(
                ChangeKind.CREATE, hook.name, hook.trigger_id,
                skipped=f"the name is taken by a live hook on {other.trigger_id}, a trigger this "
                "tool does not manage; rename one of them",
            )
            blocked.add(hook.name)
        elif current is None:
            old = pairing.replaced.get(hook.name)
            if old is not None:
                parked[old.id] = _free_replaced_name(hook.name, taken_names)
            change, targets[hook.name] = _prepare_new(builder, hook, old, parked.get(old.id) if old else None, options)
        else:
            change, targets[hook.name] = _prepare_existing(builder, hook, current, options, warnings)
            if change is not None and change.skipped:
                blocked.add(hook.name)
        if change is not None:
            changes.append(change)

    handovers = _plan_handovers(builder, desired, live, pairing, targets, changes, blocked)
    unmanaged = _plan_removals(builder, desired, pairing, parked, options, changes)
    for hook in sorted(pairing.unknown, key=lambda h: h.name):
        warnings.append(
            f"{hook.name}: on trigger {hook.trigger_id}, which this tool does not know; "
            "left alone (never replaced, disabled or deleted)"
        )
        unmanaged.append(hook.name)

    plan = Plan(
        steps=tuple(builder.steps),
        changes=tuple(_merge_toggles(changes)),
        handovers=tuple(handovers),
        warnings=tuple(warnings),
        config_digest=digest,
        live_fingerprint=live_fingerprint(live),
        allow_delete=options.allow_delete,
        unmanaged=tuple(sorted(unmanaged)),
    )
    _check_delete_threshold(plan, live, options)
    return plan


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
    builder: _Builder, hook: Hook, old: LiveHook | None, parked_as: str | None, options: PlanOptions
) -> tuple[HookChange, _Target]:
    """Create the hook disabled, then give it its secrets."""
    after: list[int | None] = []
    if old is not None:
        # Free the name: the old hook keeps running under a temporary name until the end.
        after.append(
            builder.add(
                Action.UPDATE,
                old.name,
                old.trigger_id,
                _Target(hook_id=old.id),
                Phase.PREPARE,
                body={"name": parked_as or old.name + REPLACED_SUFFIX},
                reason=f"free the name for its replacement on {hook.trigger_id}",
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
        Action.CREATE, hook.name, hook.trigger_id, _Target(), Phase.PREPARE, body, after,
        reason="created disabled; enabled at the hand-over" if hook.enabled else "",
    )
    target = _Target(created_by=create)
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
        FieldChange("script", None, None, script_diff(old.script if old else "", hook.script, hook.name)),
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
    change = HookChange(
        kind=ChangeKind.REPLACE if old else ChangeKind.CREATE,
        name=hook.name,
        trigger_id=hook.trigger_id,
        fields=tuple(fields),
        previous_trigger_id=old.trigger_id if old else "",
    )
    return change, target


def _prepare_existing(
    builder: _Builder, hook: Hook, live: LiveHook, options: PlanOptions, warnings: list[str]
) -> tuple[HookChange | None, _Target]:
    """Secrets first (a new script may need a new key), then the script, name, dependencies."""
    target = _Target(hook_id=live.id)
    secrets = plan_secret_changes(
        hook.secrets, live.secret_keys, hook.name,
        allow_delete=options.allow_delete, rotate=options.rotate_secrets, hmac_key=options.hmac_key,
    )
    previous = live.name if live.name != hook.name else ""
    if secrets.blocked:
        # Any request for this hook would be refused, or leave its script without its keys.
        skipped = f"not changed: {secrets.blocked}"
        return HookChange(ChangeKind.UPDATE, hook.name, hook.trigger_id, skipped=skipped, previous_name=previous), target
    last = _secret_steps(builder, hook, target, secrets, options)
    fields = content_changes(hook, live)
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
        warnings.append(
            f"{hook.name}: secret keys {', '.join(sorted(secrets.kept))} are not in the config; "
            "not deleted (pass --allow-delete)"
        )
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
    return HookChange(kind, hook.name, hook.trigger_id, tuple(fields), previous_name=previous), target


def _secret_steps(
    builder: _Builder, hook: Hook, target: _Target, secrets: SecretChanges, options: PlanOptions
) -> int | None:
    """Values, then room, then new keys with the marker (see ``SecretChanges``)."""
    last: int | None = None
    if secrets.update:
        last = builder.add(
            Action.SECRETS_UPDATE, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.update)},
            reason="rotate" if options.rotate_secrets else "secret values changed",
        )
    if secrets.early_delete:
        last = builder.add(
            Action.SECRETS_DELETE, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.early_delete)}, [last],
            reason=f"make room: Auth0 allows {MAX_SECRETS} secrets per hook",
        )
    if secrets.add_keys:
        last = builder.add(
            Action.SECRETS_ADD, hook.name, hook.trigger_id, target, Phase.PREPARE,
            {"keys": sorted(secrets.add_keys)}, [last],
        )
    return last


def _plan_handovers(
    builder: _Builder,
    desired: DesiredState,
    live: LiveState,
    pairing: _Pairing,
    targets: dict[str, _Target],
    changes: list[HookChange],
    blocked: set[str],
) -> list[Handover]:
    desired_enabled = {h.trigger_id: h for h in desired.hooks if h.enabled}
    desired_by_live_id = {live_hook.id: name for name, live_hook in pairing.matched.items()}
    handovers: list[Handover] = []
    for trigger_id in TRIGGERS:
        enabled_now = sorted(
            (h for h in live.hooks if h.trigger_id == trigger_id and h.enabled), key=lambda h: h.name
        )
        wanted = desired_enabled.get(trigger_id)
        wanted_live = pairing.matched.get(wanted.name) if wanted else None
        already = wanted_live is not None and wanted_live.enabled

        fixes: list[int] = []
        if len(enabled_now) > 1:
            # The tenant already breaks the rule: fix that before anything else.
            keep = wanted_live if wanted_live is not None and already else enabled_now[0]
            for extra in enabled_now:
                if extra.id != keep.id:
                    fixes.append(_disable(builder, extra, (), f"fix: {len(enabled_now)} hooks enabled on {trigger_id}"))
                    _note_orphan_disable(extra, desired_by_live_id, changes)
            enabled_now = [keep]
        current = enabled_now[0] if enabled_now else None

        # Every change to hooks on this trigger lands before the hand-over starts, so nothing
        # else on the trigger comes between its disable and its enable.
        prepared = fixes + [s.index for s in builder.steps if s.phase is Phase.PREPARE and s.trigger_id == trigger_id]
        if wanted is None:
            if current is not None and current.id in desired_by_live_id:
                _disable(builder, current, prepared, "")
                handovers.append(Handover(trigger_id, (current.name,), None))
            continue
        if already or wanted.name in blocked:
            continue  # a hook that could not be prepared is never enabled
        wait_for: list[int | None] = list(prepared)
        if current is not None:
            wait_for = [_disable(builder, current, prepared, f"hand over to {wanted.name}")]
            _note_orphan_disable(current, desired_by_live_id, changes)
        builder.add(
            Action.ENABLE, wanted.name, trigger_id, targets[wanted.name], Phase.HANDOVER,
            {"enabled": True}, wait_for,
            f"take over from {current.name}" if current else "",
        )
        handovers.append(Handover(trigger_id, (current.name,) if current else (), wanted.name))
    return handovers


def _disable(builder: _Builder, hook: LiveHook, after: Iterable[int | None], reason: str) -> int:
    return builder.add(
        Action.DISABLE, hook.name, hook.trigger_id, _Target(hook_id=hook.id), Phase.HANDOVER,
        {"enabled": False}, after, reason,
    )


def _note_orphan_disable(hook: LiveHook, desired_by_live_id: Mapping[str, str], changes: list[HookChange]) -> None:
    """A hook outside the config that must be disabled gets a change of its own."""
    if hook.id not in desired_by_live_id:
        changes.append(
            HookChange(ChangeKind.DISABLE, hook.name, hook.trigger_id, (FieldChange("enabled", True, False),))
        )


def _plan_removals(
    builder: _Builder,
    desired: DesiredState,
    pairing: _Pairing,
    parked: Mapping[str, str],
    options: PlanOptions,
    changes: list[HookChange],
) -> list[str]:
    """Deletes last; returns the live hooks outside the config that stay (drift)."""
    wanted = desired.by_name()
    # A replaced hook goes without --allow-delete, unless it holds secret keys the config no
    # longer has: their values exist nowhere else, so dropping them is a delete like any other.
    retiring = [(old, old.name, False) for old in pairing.replaced.values()]
    retiring += [(old, replaced_base(old.name) or old.name, True) for old in pairing.leftovers]
    for old, name, leftover in sorted(retiring, key=lambda item: (item[1], item[0].name)):
        dropped = sorted(user_keys(old.secret_keys) - set(wanted[name].secrets))
        if dropped and not options.allow_delete:
            keys = ", ".join(dropped)
            changes.append(
                HookChange(
                    ChangeKind.DELETE, parked.get(old.id, old.name), old.trigger_id,
                    skipped=f"replaced {name}, but keeps running because it holds secret keys "
                    f"missing from the config ({keys}); pass --allow-delete",
                )
            )
            _demote_replace(changes, name)
            continue
        builder.add(
            Action.DELETE, old.name, old.trigger_id, _Target(hook_id=old.id), Phase.REMOVE,
            reason="left over from an interrupted replace" if leftover else "replaced (triggerId changed)",
        )
        if leftover:
            changes.append(HookChange(ChangeKind.DELETE, old.name, old.trigger_id))
    unmanaged: list[str] = []
    for orphan in sorted(pairing.orphans, key=lambda h: h.name):
        if options.allow_delete:
            builder.add(
                Action.DELETE, orphan.name, orphan.trigger_id, _Target(hook_id=orphan.id), Phase.REMOVE
            )
            changes.append(HookChange(ChangeKind.DELETE, orphan.name, orphan.trigger_id))
        else:
            # Reported once, as a skipped delete (not again as a warning).
            changes.append(
                HookChange(
                    ChangeKind.DELETE, orphan.name, orphan.trigger_id,
                    skipped="not in the config; deletes are off (pass --allow-delete)",
                )
            )
            unmanaged.append(orphan.name)
    return unmanaged


def _demote_replace(changes: list[HookChange], name: str) -> None:
    """A replace whose old hook stays is, for counting, a create."""
    for i, change in enumerate(changes):
        if change.name == name and change.kind is ChangeKind.REPLACE:
            changes[i] = dataclasses.replace(change, kind=ChangeKind.CREATE)


def _merge_toggles(changes: list[HookChange]) -> list[HookChange]:
    """An orphan that is disabled and then deleted shows as one delete."""
    deleted = {c.name for c in changes if c.kind is ChangeKind.DELETE and not c.skipped}
    merged = [c for c in changes if not (c.kind is ChangeKind.DISABLE and c.name in deleted)]
    order = {kind: i for i, kind in enumerate(ChangeKind)}
    return sorted(merged, key=lambda c: (c.name, order[c.kind]))


def _check_delete_threshold(plan: Plan, live: LiveState, options: PlanOptions) -> None:
    deletes = sum(1 for c in plan.changes if c.kind is ChangeKind.DELETE and not c.skipped)
    existing = len(live.hooks)
    if options.force or existing < options.delete_threshold_min_hooks:
        return
    if deletes > existing * options.max_delete_share:
        raise PlanError(
            f"refusing to delete {deletes} of {existing} hooks (more than "
            f"{options.max_delete_share:.0%}); check the config, or pass --force"
        )
