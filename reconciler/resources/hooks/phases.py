"""The hand-over and remove phases of a plan, and the checks on the finished plan (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase
from reconciler.core.threshold import DeleteThreshold
from reconciler.core.threshold import check_delete_threshold as check_delete_threshold_core
from reconciler.resources.common.names import replaced_base
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import TRIGGERS, DesiredState, LiveHook, LiveState
from reconciler.resources.hooks.plan import Handover, hook_change
from reconciler.resources.hooks.steps import Builder, Pairing, Target
from reconciler.resources.options import PlanOptions


def plan_handovers(
    builder: Builder,
    desired: DesiredState,
    live: LiveState,
    pairing: Pairing,
    targets: dict[str, Target],
    changes: list[Change],
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
                    fixes.append(_disable(builder, extra, (), Reason.of("hook.fix_enabled", count=len(enabled_now), trigger=trigger_id)))
                    _note_orphan_disable(extra, desired_by_live_id, changes)
            enabled_now = [keep]
        current = enabled_now[0] if enabled_now else None

        # Every change to hooks on this trigger lands before the hand-over starts, so nothing
        # else on the trigger comes between its disable and its enable.
        prepared = fixes + [
            s.index for s in builder.steps if s.phase is Phase.PREPARE and s.payload.trigger_id == trigger_id
        ]
        if wanted is None:
            if current is not None and current.id in desired_by_live_id:
                _disable(builder, current, prepared, None)
                handovers.append(Handover(trigger_id, (current.name,), None))
            continue
        if already or wanted.name in blocked:
            continue  # a hook that could not be prepared is never enabled
        wait_for: list[int | None] = list(prepared)
        if current is not None:
            wait_for = [_disable(builder, current, prepared, Reason.of("hook.hand_over_to", name=wanted.name))]
            _note_orphan_disable(current, desired_by_live_id, changes)
        builder.add(
            Action.ENABLE, wanted.name, trigger_id, targets[wanted.name], Phase.HANDOVER,
            {"enabled": True}, wait_for,
            Reason.of("hook.take_over_from", name=current.name) if current else None,
        )
        handovers.append(Handover(trigger_id, (current.name,) if current else (), wanted.name))
    return handovers


def _disable(builder: Builder, hook: LiveHook, after: Iterable[int | None], reason: Reason | None) -> int:
    return builder.add(
        Action.DISABLE, hook.name, hook.trigger_id, Target(hook_id=hook.id), Phase.HANDOVER,
        {"enabled": False}, after, reason,
    )


def _note_orphan_disable(hook: LiveHook, desired_by_live_id: Mapping[str, str], changes: list[Change]) -> None:
    """A hook outside the config that must be disabled gets a change of its own."""
    if hook.id not in desired_by_live_id:
        changes.append(
            hook_change(ChangeKind.DISABLE, hook.name, hook.trigger_id, (FieldChange("enabled", True, False),))
        )


def plan_removals(
    builder: Builder,
    desired: DesiredState,
    pairing: Pairing,
    parked: Mapping[str, str],
    options: PlanOptions,
    changes: list[Change],
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
            changes.append(
                hook_change(
                    ChangeKind.DELETE, parked.get(old.id, old.name), old.trigger_id,
                    skipped=Reason.of("hook.replaced_keeps_secrets", name=name, keys=dropped),
                )
            )
            _demote_replace(changes, name)
            continue
        builder.add(
            Action.DELETE, old.name, old.trigger_id, Target(hook_id=old.id), Phase.REMOVE,
            reason=Reason.of("hook.leftover") if leftover else Reason.of("hook.replaced"),
        )
        if leftover:
            changes.append(hook_change(ChangeKind.DELETE, old.name, old.trigger_id))
    unmanaged: list[str] = []
    for orphan in sorted(pairing.orphans, key=lambda h: h.name):
        if options.allow_delete:
            builder.add(
                Action.DELETE, orphan.name, orphan.trigger_id, Target(hook_id=orphan.id), Phase.REMOVE
            )
            changes.append(hook_change(ChangeKind.DELETE, orphan.name, orphan.trigger_id))
        else:
            # Reported once, as a skipped delete (not again as a warning).
            changes.append(
                hook_change(
                    ChangeKind.DELETE, orphan.name, orphan.trigger_id, skipped=Reason.of("hook.delete_off")
                )
            )
            unmanaged.append(orphan.name)
    return unmanaged


def _demote_replace(changes: list[Change], name: str) -> None:
    """A replace whose old hook stays is, for counting, a create."""
    for i, change in enumerate(changes):
        if change.key == name and change.kind is ChangeKind.REPLACE:
            changes[i] = dataclasses.replace(change, kind=ChangeKind.CREATE)


def merge_toggles(changes: list[Change]) -> list[Change]:
    """An orphan that is disabled and then deleted shows as one delete."""
    deleted = {c.key for c in changes if c.kind is ChangeKind.DELETE and not c.skipped}
    merged = [c for c in changes if not (c.kind is ChangeKind.DISABLE and c.key in deleted)]
    order = {kind: i for i, kind in enumerate(ChangeKind)}
    return sorted(merged, key=lambda c: (c.key, order[c.kind]))


def check_delete_threshold(changes: Iterable[Change], live: LiveState, options: PlanOptions) -> None:
    deletes = sum(1 for c in changes if c.kind is ChangeKind.DELETE and not c.skipped)
    threshold = DeleteThreshold(options.max_delete_share, options.delete_threshold_min("hook"), options.force)
    check_delete_threshold_core(deletes, len(live.hooks), threshold, "hooks")
