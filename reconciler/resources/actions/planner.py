"""From desired and live Actions to two plan parts, ``action`` and ``bindings`` (pure: no I/O).

Ordering (docs/plan-ordering.md, "Actions and trigger bindings"):

1. Prepare: only changed actions are written. Create or update the draft (polled until
   ``built``; ``failed`` stops the plan with the build's message), deploy it (polled until
   that version is live). An unchanged action is never redeployed (each deploy is one of the
   50 versions Auth0 keeps); a draft already equal but not deployed (an interrupted run) is
   only deployed.
2. Bind: per managed trigger, one PATCH of the whole ordered list, only when it differs, after
   the deploys of the actions it binds (``bindings`` part, ``bindings.py``).
3. Remove: deletes run in the remove phase, after every other step (so after the PATCH that
   unbinds them); only with ``allow_delete`` and within the delete threshold; never forced.

A trigger change cannot be a PATCH (the API answers "can't upgrade to this trigger"): the
live action is renamed ``<name>-replaced-by-reconciler`` (it keeps running, still bound),
the new one is created, deployed and bound, then the old one is unbound (the old trigger's
list is written after the new one's) and, with ``allow_delete``, deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase, Step, Wait
from reconciler.core.threshold import DeleteThreshold, check_delete_threshold
from reconciler.errors import PlanError
from reconciler.resources.actions import payloads as p
from reconciler.resources.actions.diffs import code_diff, dependency_lines, secret_lines
from reconciler.resources.actions.live import LiveAction, LiveActions
from reconciler.resources.actions.model import Action, ActionsDesired
from reconciler.resources.actions.secrets import SecretPlan, plan_secrets, wanted_names
from reconciler.resources.common.names import free_replaced_name, replaced_base
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.options import PlanOptions


@dataclass
class Part:
    """Steps of one part, numbered from 0 (the driver renumbers them when merging)."""

    type: str
    steps: list[Step] = field(default_factory=list)

    def add(
        self, key: str, operation: str, payload: Any, after: tuple[int | None, ...] = (),
        phase: Phase = Phase.PREPARE, reason: Reason | None = None, wait: Wait | None = None,
    ) -> int:
        index = len(self.steps)
        needs = tuple(sorted({i for i in after if i is not None}))
        self.steps.append(Step(index, self.type, key, operation, payload, needs, phase, reason, wait=wait))
        return index


@dataclass(frozen=True)
class _Old:
    """A live action the config no longer wants under its name."""

    live: LiveAction
    kind: str  # "replaced" (renamed by ``rename``), "leftover" (an earlier run's), "orphan"
    rename: int | None = None


@dataclass
class Analysis:
    """What the action part decided, for the bindings part."""

    ids: dict[str, str] = field(default_factory=dict)  # desired name -> live id it keeps
    new: set[str] = field(default_factory=set)  # desired names this plan creates
    deployed_here: set[str] = field(default_factory=set)  # desired names with a deploy step
    not_live: set[str] = field(default_factory=set)  # desired names with no deployed version after the plan
    deleting: dict[str, LiveAction] = field(default_factory=dict)  # live id -> action deleted
    kept: dict[str, LiveAction] = field(default_factory=dict)  # live id -> not in config, kept


def excluded_names(options: PlanOptions) -> frozenset[str]:
    return options.excluded_of(p.ACTION)


def plan_action_part(desired: ActionsDesired, live: LiveActions, options: PlanOptions) -> tuple[TypePlan, Analysis]:
    excluded = excluded_names(options)
    part, analysis = Part(p.ACTION), Analysis()
    changes: list[Change] = []
    warnings: list[Reason] = [Reason.of("action.excluded", name=a.name) for a in desired.actions if a.name in excluded]
    wanted = [a for a in sorted(desired.actions, key=lambda a: a.name) if a.name not in excluded]
    twice = sorted(live.duplicate_names() & ({a.name for a in wanted} | {r.action_name for r in desired.live_refs}))
    if twice:
        raise PlanError(f"two live actions are named {twice[0]!r}: rename or delete one (names must be unique for this tool)")
    custom = [a for a in live.custom() if a.name not in excluded]
    by_name = {a.name: a for a in custom}
    names = {a.name for a in wanted}
    taken = {a.name for a in live.actions}
    used: set[str] = set()
    olds: list[_Old] = []
    for action in wanted:
        current = by_name.get(action.name)
        if current is not None:
            used.add(current.id)
        if current is None:
            changes.append(_create(part, analysis, action, options))
        elif current.trigger_id != action.trigger[0]:
            parked = free_replaced_name(action.name, taken)
            rename = part.add(action.name, p.RENAME, p.Rename(current.id, current.name, parked),
                              reason=Reason.of("action.free_name", trigger=action.trigger[0]))
            olds.append(_Old(current, "replaced", rename))
            changes.append(_create(part, analysis, action, options, after=rename, previous=current))
        else:
            analysis.ids[action.name] = current.id
            change = _existing(part, analysis, action, current, options, warnings)
            if change is not None:
                changes.append(change)
    for current in custom:
        if current.id in used:
            continue
        olds.append(_Old(current, "leftover" if replaced_base(current.name) in names else "orphan"))
    deletes = _removals(part, analysis, desired, live, olds, options, changes, warnings)
    existing = len(custom)
    threshold = DeleteThreshold(options.max_delete_share, options.delete_threshold_min(p.ACTION), options.force)
    check_delete_threshold(deletes, existing, threshold, "actions")
    extras = (("deploys", tuple(sorted(analysis.deployed_here))),)
    return TypePlan(p.ACTION, tuple(part.steps), (), tuple(changes), tuple(warnings), extras), analysis


def _fields_for_new(action: Action, previous: LiveAction | None, hmac_key: bytes | None) -> list[FieldChange]:
    fields = [
        FieldChange("trigger", previous.trigger_id if previous else None, action.trigger[0]),
        FieldChange("runtime", None, action.runtime),
        FieldChange("code", None, None, code_diff(action, None)),
    ]
    if action.dependencies:
        fields.append(FieldChange("dependencies", None, [f"{n}@{v}" for n, v in action.dependencies],
                                  dependency_lines((), action.dependencies)))
    if action.secrets:
        fields.append(FieldChange("secrets", None, sorted(action.secrets), secret_lines(action.secrets, (), ())))
    return fields


def _create(
    part: Part, analysis: Analysis, action: Action, options: PlanOptions, *, after: int | None = None,
    previous: LiveAction | None = None,
) -> Change:
    payload = p.Draft(
        name=action.name, trigger=action.trigger, code=action.code, runtime=action.runtime,
        dependencies=action.dependencies, secrets=wanted_names(action.secrets, action.name, options.hmac_key),
    )
    create = part.add(action.name, p.CREATE, payload, (after,), wait=p.BUILD_WAIT)
    analysis.new.add(action.name)
    if action.deployed:
        part.add(action.name, p.DEPLOY, p.Deploy(action.name), (create,), wait=p.DEPLOY_WAIT)
        analysis.deployed_here.add(action.name)
    else:
        analysis.not_live.add(action.name)
    kind = ChangeKind.REPLACE if previous else ChangeKind.CREATE
    detail: tuple[tuple[str, Any], ...] = (("trigger", action.trigger[0]), ("deploy", action.deployed))
    if previous is not None:
        detail += (("previous_trigger", previous.trigger_id or ""),)
    return Change(p.ACTION, action.name, kind, tuple(_fields_for_new(action, previous, options.hmac_key)), detail=detail)


def _existing(
    part: Part, analysis: Analysis, action: Action, live: LiveAction, options: PlanOptions, warnings: list[Reason],
) -> Change | None:
    """Update what differs (secrets whole), then deploy if the draft is not what is live."""
    wanted = action.secrets
    if action.secrets_from:  # unknown names: the live ones stand (values are not compared either)
        wanted = dict.fromkeys(user_keys(live.secret_names), "")
    secrets = plan_secrets(wanted, live.secret_names, action.name, allow_delete=options.allow_delete,
                           rotate=options.rotate_secrets, hmac_key=options.hmac_key)
    fields: list[FieldChange] = []
    code = action.code_differs(live.code)
    if code:
        fields.append(FieldChange("code", None, None, code_diff(action, live.code, options.live_view)))
    runtime = action.runtime != live.runtime
    if runtime:
        fields.append(FieldChange("runtime", live.runtime, action.runtime))
    deps = sorted(action.dependencies) != sorted(live.dependencies)
    if deps:
        fields.append(FieldChange("dependencies", [f"{n}@{v}" for n, v in live.dependencies],
                                  [f"{n}@{v}" for n, v in action.dependencies],
                                  dependency_lines(live.dependencies, action.dependencies)))
    version = live.trigger != action.trigger
    if version:
        fields.append(FieldChange("trigger", "/".join(live.trigger or ()), "/".join(action.trigger)))
    fields.extend(_secret_fields(secrets, action, live))
    detail: tuple[tuple[str, Any], ...] = (("trigger", action.trigger[0]),)
    if secrets.blocked is not None:
        if not live.deployed:
            analysis.not_live.add(action.name)
        return Change(p.ACTION, action.name, ChangeKind.UPDATE, tuple(fields), skipped=secrets.blocked, detail=detail)
    if secrets.kept:
        warnings.append(Reason.of("action.secrets_kept", name=action.name, names=sorted(secrets.kept)))
    rebuild = live.status == "failed" and not (code or runtime or deps or version or secrets.send)
    last: int | None = None
    if code or runtime or deps or version or secrets.send is not None or rebuild:
        payload = p.Draft(
            name=action.name, action_id=live.id,
            trigger=action.trigger if version else None,
            code=action.code if code or rebuild else None,
            runtime=action.runtime if runtime else None,
            dependencies=action.dependencies if deps else None,
            secrets=secrets.send,
        )
        reason = Reason.of("action.rebuild") if rebuild else (
            Reason.of("action.rotate") if options.rotate_secrets and secrets.send else None)
        last = part.add(action.name, p.UPDATE, payload, reason=reason, wait=p.BUILD_WAIT)
    draft_live = live.deployed and live.draft_is_deployed is True
    deploy = action.deployed and (last is not None or not draft_live)
    if deploy:
        reason = None if last is not None else Reason.of("action.deploy_draft")
        part.add(action.name, p.DEPLOY, p.Deploy(action.name, live.id), (last,), reason=reason, wait=p.DEPLOY_WAIT)
        analysis.deployed_here.add(action.name)
        if last is None:
            fields.append(FieldChange("deployed", "no" if not live.deployed else "an older version", "the draft"))
    elif not live.deployed:
        analysis.not_live.add(action.name)
    if last is None and not deploy:
        return None
    return Change(p.ACTION, action.name, ChangeKind.UPDATE, tuple(fields), detail=detail + (("deploy", deploy),))


def _secret_fields(secrets: SecretPlan, action: Action, live: LiveAction) -> list[FieldChange]:
    if not (secrets.add or secrets.remove or secrets.values_changed or secrets.send):
        return []
    update = sorted(set(action.secrets) & set(live.secret_names)) if secrets.values_changed else ()
    return [FieldChange(
        "secrets", sorted(n for n in live.secret_names if not n.startswith("RECONCILER_HMAC_")),
        sorted(action.secrets), secret_lines(secrets.add, update, secrets.remove) or "~ value marker (names only)",
    )]


def _removals(
    part: Part, analysis: Analysis, desired: ActionsDesired, live: LiveActions,
    olds: list[_Old], options: PlanOptions, changes: list[Change], warnings: list[Reason],
) -> int:
    """Delete what the config no longer has (allowed: unbound first, by the bindings part;
    a binding on a trigger the config does not manage is never touched, so such an action
    stays). Returns how many deletes were planned."""
    deletes = 0
    referenced = {ref.action_name for ref in desired.live_refs}
    for old in sorted(olds, key=lambda o: (o.live.name, o.live.id)):
        action, trigger = old.live, old.live.trigger_id or ""
        if old.kind == "orphan" and action.name in referenced:
            continue  # the config binds it by name: a live action the config keeps
        bound = any(b.action_id == action.id for b in (live.bindings.get(trigger) or ()))
        skipped: Reason | None = None
        if not options.allow_delete:
            skipped = Reason.of("action.delete_not_allowed")
        elif bound and trigger not in desired.managed_triggers:
            skipped = Reason.of("action.bound_unmanaged", trigger=trigger)
        if skipped is not None:
            analysis.kept[action.id] = action
            if old.kind == "replaced":
                warnings.append(Reason.of("action.replaced_kept", name=action.name, trigger=trigger))
            else:
                changes.append(Change(p.ACTION, action.name, ChangeKind.DELETE, skipped=skipped,
                                      detail=(("trigger", trigger),)))
            continue
        key = part.steps[old.rename].payload.new_name if old.rename is not None else action.name
        part.add(key, p.DELETE, p.Delete(key, action.id), (old.rename,), phase=Phase.REMOVE)
        analysis.deleting[action.id] = action
        deletes += 1
        if old.kind != "replaced":
            changes.append(Change(p.ACTION, action.name, ChangeKind.DELETE, detail=(("trigger", trigger), ("bound", bound))))
    return deletes
