"""The ``bindings`` part: one ordered list per managed trigger, written whole (pure).

Per trigger listed in triggers.json (an omitted trigger is left alone), the list is computed
from the desired order and sent in one PATCH only when the actions, their order or their
display names differ from the tenant's. Binding ids are never used (they change on every
PATCH): entries are compared by action id and display name.

A managed trigger's list follows triggers.json, as deploy-cli and Terraform's
``auth0_trigger_actions`` make it: a live binding the list lacks is unbound, with or without
``--allow-delete``, and the plan shows it. Unbinding loses nothing (the action stays, deployed
and re-bindable); only deleting an action needs ``--allow-delete``. Marketplace actions and
those named in AUTH0_EXCLUDED_ACTIONS (bindings made by hand) stay bound at their place. A
binding waits for the deploy of its action when this plan deploys it, and an action with no
deployed version is never bound.
"""

from __future__ import annotations

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.core.steps import StepRef
from reconciler.errors import PlanError
from reconciler.resources.actions import payloads as p
from reconciler.resources.actions.live import LiveActions, LiveBinding
from reconciler.resources.actions.model import ActionsDesired
from reconciler.resources.actions.planner import Analysis, Part, excluded_names
from reconciler.resources.actions.rules import check_live_refs
from reconciler.resources.options import PlanOptions


def plan_bindings_part(desired: ActionsDesired, live: LiveActions, options: PlanOptions, analysis: Analysis) -> TypePlan:
    deleting_names = {a.name for a in analysis.deleting.values()}
    problems = check_live_refs(desired, {a.name for a in live.actions}, deleting_names)
    if problems:
        raise PlanError(str(problems[0]))
    part = Part(p.BINDINGS)
    edges: list[tuple[int, StepRef]] = []
    changes: list[Change] = []
    warnings: list[Reason] = []
    offered = {t.id for t in live.triggers if t.bindable}
    patches: list[tuple[str, list[p.Entry], tuple[tuple[str, str], ...], list[str]]] = []
    for trigger in sorted(desired.managed_triggers):
        current = live.bindings.get(trigger)
        if trigger not in offered or current is None:
            warnings.append(Reason.of("bindings.trigger_unavailable", trigger=trigger))
            continue
        entries, waits = _desired_entries(desired, live, options, analysis, trigger, warnings)
        entries = _with_kept(entries, current, live, options, analysis, trigger)
        before = tuple((b.action_id, b.display_name) for b in current)
        if tuple((e.action_id, e.display_name) for e in entries) != before:
            patches.append((trigger, entries, before, waits))
    # Bind before unbind: a list that loses an action is written after the lists that only
    # gain, so an action moved to another trigger runs on the new one before it stops on the
    # old one (never nowhere). Within one trigger the single PATCH swaps them at once. Two
    # triggers that trade actions both gain and lose: no order serves both, so neither waits.
    only_gaining = {t for t, entries, before, _ in patches if _gains(entries, before) and not _loses(entries, before)}

    def waits_for(trigger: str, entries: list[p.Entry], before: tuple[tuple[str, str], ...]) -> set[str]:
        return only_gaining - {trigger} if _loses(entries, before) else set()

    indexes: dict[str, int] = {}
    for trigger, entries, before, waits in sorted(patches, key=lambda item: bool(waits_for(*item[:3]))):
        after = tuple(indexes[t] for t in sorted(waits_for(trigger, entries, before)))
        index = indexes[trigger] = part.add(trigger, p.BIND, p.Bind(trigger, tuple(entries), before), after)
        edges.extend((index, StepRef(p.ACTION, name, p.DEPLOY)) for name in waits)
    for trigger, entries, _, _ in patches:
        current = live.bindings.get(trigger) or ()
        names_before = [_label(b.action_name, b.display_name) for b in current]
        names_after = [_label(e.action_name, e.display_name) for e in entries]
        changes.append(Change(
            p.BINDINGS, trigger, ChangeKind.UPDATE,
            (FieldChange("bindings", names_before, names_after),),
            detail=(("before", tuple(names_before)), ("after", tuple(names_after))),
        ))
    return TypePlan(p.BINDINGS, tuple(part.steps), tuple(edges), tuple(changes), tuple(warnings))


def _gains(entries: list[p.Entry], before: tuple[tuple[str, str], ...]) -> bool:
    """The new list binds an action the live one lacks (or one this plan creates)."""
    live_ids = {action_id for action_id, _ in before}
    return any(e.action_id is None or e.action_id not in live_ids for e in entries)


def _loses(entries: list[p.Entry], before: tuple[tuple[str, str], ...]) -> bool:
    kept = {e.action_id for e in entries}
    return any(action_id not in kept for action_id, _ in before)


def _label(name: str, display: str) -> str:
    return name if display == name else f"{name} ({display})"


def _desired_entries(
    desired: ActionsDesired, live: LiveActions, options: PlanOptions, analysis: Analysis, trigger: str,
    warnings: list[Reason],
) -> tuple[list[p.Entry], list[str]]:
    """The desired order, each action resolved to its live id (None: created by this plan),
    and the actions whose deploy the PATCH waits for."""
    config = {a.name for a in desired.actions} - excluded_names(options)
    live_named = {a.name: a for a in live.actions if a.id not in analysis.deleting}
    entries: list[p.Entry] = []
    waits: list[str] = []
    for name, display in desired.bindings.get(trigger):
        if name in config:
            if name in analysis.not_live:
                warnings.append(Reason.of("bindings.not_deployed", name=name, trigger=trigger))
                continue
            entries.append(p.Entry(name, display, None if name in analysis.new else analysis.ids.get(name)))
            if name in analysis.deployed_here:
                waits.append(name)
            continue
        found = live_named.get(name)
        if found is None or not found.deployed:
            # check_live_refs found it live: excluded from the config, or never deployed.
            warnings.append(Reason.of("bindings.not_deployed", name=name, trigger=trigger))
            continue
        entries.append(p.Entry(name, display, found.id))
    return entries, waits


def _with_kept(
    entries: list[p.Entry], current: tuple[LiveBinding, ...], live: LiveActions, options: PlanOptions,
    analysis: Analysis, trigger: str,
) -> list[p.Entry]:
    """Live bindings the desired list lacks: unbound, except marketplace and excluded
    actions (bound by hand), which keep their place."""
    by_id = live.by_id()
    excluded = excluded_names(options)
    wanted_ids = {e.action_id for e in entries if e.action_id}
    result = list(entries)
    previous: str | None = None  # the id of the last live entry already in the result
    for binding in current:
        if binding.action_id in wanted_ids:
            previous = binding.action_id
            continue
        action = by_id.get(binding.action_id)
        protected = action is not None and (action.marketplace or action.name in excluded)
        if binding.action_id in analysis.deleting or not protected:
            continue
        at = 0 if previous is None else next(i for i, e in enumerate(result) if e.action_id == previous) + 1
        result.insert(at, p.Entry(binding.action_name, binding.display_name, binding.action_id))
        wanted_ids.add(binding.action_id)
        previous = binding.action_id
    return result
