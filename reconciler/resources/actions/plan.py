"""The Actions half of a plan: both parts at once, and the digests a saved plan is bound by.

``plan_actions`` runs the action part, then the bindings part (which needs to know what the
action part creates, deploys and deletes). Both registered types call it and take their part;
it is pure and cheap, so computing it twice costs nothing worth a cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

from reconciler.core.digest import digest
from reconciler.core.plan import DRIFT
from reconciler.core.planner import TypePlan
from reconciler.resources.actions.bindings import plan_bindings_part
from reconciler.resources.actions.live import LiveActions
from reconciler.resources.actions.model import ActionsDesired
from reconciler.resources.actions.planner import plan_action_part
from reconciler.resources.actions.secrets import marker
from reconciler.resources.options import PlanOptions


def plan_actions(desired: ActionsDesired | None, live: LiveActions, options: PlanOptions) -> tuple[TypePlan, TypePlan]:
    """(action part, bindings part). Nothing to do when the config has no Actions part or
    the tenant was not read for it."""
    if desired is None or not live.read:
        return TypePlan("action"), TypePlan("bindings")
    actions, analysis = plan_action_part(desired, live, options)
    bindings = plan_bindings_part(desired, live, options, analysis)
    extras = actions.extras + (
        ("config_digest", config_digest(desired, options.hmac_key)),
        ("live_fingerprint", live_fingerprint(live)),
    )
    actions = TypePlan(actions.type, actions.steps, actions.edges, actions.changes, actions.warnings, extras)
    return with_drift(actions), with_drift(bindings)


# Warnings that are no difference between the tenant and the config: an excluded action's
# config is ignored on purpose (as an excluded hook is no drift).
NOT_DRIFT = frozenset({"action.excluded"})


def with_drift(part: TypePlan) -> TypePlan:
    """``part`` with the core's ``drift`` extra when a warning reports a difference left in
    place (a binding, a secret or a replaced action kept; a list not applied): the plan
    then has drift even without a step or a skipped change."""
    if not any(w.code not in NOT_DRIFT for w in part.warnings):
        return part
    return dataclasses.replace(part, extras=part.extras + ((DRIFT, True),))


def _values_digest(values: dict[str, object], code: str, key: bytes | None) -> str | None:
    """What keyword values add to the code: a hash (keyed when a key is set) of the filled
    code, so the digest's input never holds a value."""
    if not values:
        return None
    if key:
        return "hmac:" + hmac.new(key, code.encode(), hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(code.encode()).hexdigest()


def config_digest(desired: ActionsDesired, hmac_key: bytes | None = None) -> str:
    return digest({
        "actions": [
            {
                "name": a.name, "code": a.code, "runtime": a.runtime, "triggers": [list(t) for t in a.supported_triggers],
                "values": _values_digest(dict(a.keyword_values), a.code_for_api(), hmac_key),
                "dependencies": [list(d) for d in a.dependencies], "deployed": a.deployed,
                "secrets": sorted(a.secrets), "marker": marker(hmac_key, a.name, a.secrets) if hmac_key else None,
            }
            for a in sorted(desired.actions, key=lambda a: a.name)
        ],
        "bindings": {t: [list(e) for e in desired.bindings.get(t)] for t in sorted(desired.managed_triggers)},
    })


def live_fingerprint(live: LiveActions) -> str:
    return digest({
        "actions": [
            {
                "id": a.id, "name": a.name, "triggers": [list(t) for t in a.supported_triggers], "code": a.code,
                "runtime": a.runtime, "dependencies": [list(d) for d in a.dependencies],
                "secrets": sorted(a.secret_names), "status": a.status, "deployed": a.deployed_version_id,
                "draft_is_deployed": a.draft_is_deployed, "marketplace": a.marketplace,
            }
            for a in sorted(live.actions, key=lambda a: a.id)
        ],
        "bindings": {t: [[b.action_id, b.display_name] for b in bs] for t, bs in live.bindings.by_trigger.items()},
    })
