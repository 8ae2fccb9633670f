"""The hook type's part of a plan, as core data (``reconciler.core``).

Steps are core ``Step``s of type ``hook`` (key: the hook name; operation: an ``Action``)
with a typed payload (``payloads``); changes are core ``Change``s with the trigger and what
a hook was renamed or moved from in ``detail`` (:func:`hook_change`); warnings and reasons
are ``Reason``s worded by ``wording``. The part's extras: ``handovers`` (triggers whose
enabled hook changes), ``unmanaged`` and the digests. ``planner.plan_part`` makes one;
``planner.build_plan`` makes a hooks-only core ``Plan``.
"""


from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.digest import digest as _digest
from reconciler.core.plan import Plan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase, Step
from reconciler.resources.common.secrets import marker_for
from reconciler.resources.cutover import TAKEN_OVER_BY, TAKES_BACK_FROM, hook_side_words
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.payloads import HookPayload, payload_from
from reconciler.resources.hooks.wording import word
from reconciler.resources.options import PlanOptions

__all__ = [
    "Handover", "PlanOptions", "config_digest", "detail", "hook_change", "live_fingerprint", "hook_plan", "hook_step", "step_from_dict", "step_to_dict",
]

TYPE = "hook"


def action_of(step: Step) -> Action:
    return Action(step.operation)


def payload_of(step: Step) -> HookPayload:
    payload: HookPayload = step.payload
    return payload


def step_to_dict(step: Step) -> dict[str, Any]:
    """The shape plan files have always held for a hook step."""
    payload = payload_of(step)
    return {
        "index": step.index,
        "action": step.operation,
        "hook": step.key,
        "trigger_id": payload.trigger_id,
        "hook_id": payload.hook_id,
        "created_by": payload.created_by,
        "body": payload.body(),
        "after": list(step.after),
        "phase": str(step.phase),
        "reason": word(step.reason),
    }


def step_from_dict(data: Mapping[str, Any]) -> Step:
    action = Action(data["action"])
    payload = payload_from(action, str(data["trigger_id"]), data.get("hook_id"), data.get("created_by"),
                           dict(data.get("body") or {}))
    reason = str(data.get("reason", ""))
    return Step(
        index=int(data["index"]), type=TYPE, key=str(data["hook"]), operation=str(action), payload=payload,
        after=tuple(int(i) for i in data.get("after") or ()), phase=Phase(data["phase"]),
        reason=Reason.worded(reason) if reason else None,
    )


def hook_step(
    index: int, action: Action, hook: str, trigger_id: str, hook_id: str | None = None,
    created_by: int | None = None, body: Mapping[str, Any] | None = None, after: tuple[int, ...] = (),
    phase: Phase = Phase.PREPARE, reason: Reason | None = None,
) -> Step:
    """A hook step from its request's parts (the order the old hook ``Step`` took them)."""
    payload = payload_from(Action(action), trigger_id, hook_id, created_by, body or {})
    return Step(index, TYPE, hook, str(action), payload, tuple(after), phase, reason)


def hook_plan(
    steps: tuple[Step, ...] = (), changes: tuple[Change, ...] = (), *, handovers: tuple[Handover, ...] = (),
    warnings: tuple[Reason | str, ...] = (), unmanaged: tuple[str, ...] = (), config_digest: str = "",
    live_fingerprint: str = "", allow_delete: bool = False, review_only: bool = False,
) -> Plan:
    """A hooks-only plan from its parts (tests and tools; the planner makes real ones)."""
    return Plan(
        steps=tuple(steps), changes=tuple(changes),
        warnings=tuple(Reason.worded(w) if isinstance(w, str) else w for w in warnings),
        types=(TYPE,), extras=((TYPE, (("handovers", tuple(handovers)), ("unmanaged", tuple(unmanaged)))),),
        config_digest=config_digest, live_fingerprint=live_fingerprint,
        allow_delete=allow_delete, review_only=review_only,
    )


def detail(change: Change, key: str) -> str:
    """A hook change's fact: ``trigger_id``, ``previous_name`` or ``previous_trigger_id``."""
    return str(dict(change.detail).get(key, ""))


def handed(change: Change) -> tuple[str, tuple[str, ...]]:
    """``(TAKEN_OVER_BY | TAKES_BACK_FROM, actions)`` of a cutover's hook change, else ``("", ())``."""
    facts = dict(change.detail)
    for key in (TAKEN_OVER_BY, TAKES_BACK_FROM):
        if facts.get(key):
            return key, tuple(facts[key])
    return "", ()


def handed_words(change: Change) -> str:
    """What a cutover's hook change means, for the line that shows it."""
    key, actions = handed(change)
    return hook_side_words(actions, rollback=key == TAKES_BACK_FROM) if actions else ""


def hook_change(
    kind: ChangeKind, name: str, trigger_id: str, fields: tuple[FieldChange, ...] = (), *,
    previous_name: str = "", previous_trigger_id: str = "", skipped: Reason | None = None,
    handed: tuple[str, tuple[str, ...]] = ("", ()),
) -> Change:
    """A hook's core ``Change``: the trigger and what it was renamed or moved from in ``detail``;
    ``handed``: a cutover's side (``TAKEN_OVER_BY`` or ``TAKES_BACK_FROM``, the actions)."""
    facts: dict[str, Any] = {
        "trigger_id": trigger_id, "previous_name": previous_name, "previous_trigger_id": previous_trigger_id,
    }
    if handed[0] and handed[1]:
        facts[handed[0]] = tuple(handed[1])
    return Change(TYPE, name, kind, fields, skipped, tuple(sorted((k, v) for k, v in facts.items() if v)))


@dataclass(frozen=True)
class Handover:
    """A trigger whose enabled hook changes: shown prominently in reviews."""

    trigger_id: str
    before: tuple[str, ...]
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"trigger_id": self.trigger_id, "before": list(self.before), "after": self.after}


def handovers(plan: Plan) -> tuple[Handover, ...]:
    return tuple(plan.extra(TYPE, "handovers", ()))


# ---------------------------------------------------------------------------- digests


def _script_values_digest(hook: Any, hmac_key: bytes | None) -> str | None:
    """What the script's keyword values add: the filled script, keyed when a key is set.

    The script itself enters as its template, so the digest's input never holds a value."""
    if not hook.script_values:
        return None
    filled = hook.filled_script.encode()
    if hmac_key:
        return "hmac:" + hmac.new(hmac_key, filled, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(filled).hexdigest()


def config_digest(desired: DesiredState, hmac_key: bytes | None = None) -> str:
    """A digest of the desired state. Secret values enter only through a keyed HMAC; script
    keyword values through a hash of the filled script (keyed when a key is set)."""
    return _digest(
        [
            {
                "name": hook.name,
                "triggerId": hook.trigger_id,
                "enabled": hook.enabled,
                "script": hook.script,
                "script_values": _script_values_digest(hook, hmac_key),
                "dependencies": dict(hook.dependencies),
                "secrets": sorted(hook.secrets),
                "values": marker_for(hmac_key, hook.name, hook.secrets) if hmac_key else None,
            }
            for hook in sorted(desired.hooks, key=lambda h: h.name)
        ]
    )


def live_fingerprint(live: LiveState) -> str:
    return _digest(
        [
            {
                "id": hook.id,
                "name": hook.name,
                "triggerId": hook.trigger_id,
                "enabled": hook.enabled,
                "script": hook.script,
                "dependencies": dict(hook.dependencies),
                "secrets": sorted(hook.secret_keys),
            }
            for hook in sorted(live.hooks, key=lambda h: h.id)
        ]
    )
