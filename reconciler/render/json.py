"""The plan as JSON: for machines, and the body of saved plan files."""

from __future__ import annotations

import json
from typing import Any, Mapping

from reconciler.resources.hooks.plan import Handover, HookChange, Plan, Step

# Bump when a reader of an older file could misread a newer one.
FORMAT_VERSION = 1


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    summary = plan.summary
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "delete": summary.delete,
            "toggle": summary.toggle,
            "skipped": summary.skipped,
            "text": summary.line(),
        },
        "has_changes": plan.has_changes,
        "has_drift": plan.has_drift,
        "unmanaged": list(plan.unmanaged),
        "config_digest": plan.config_digest,
        "live_fingerprint": plan.live_fingerprint,
        "allow_delete": plan.allow_delete,
        "review_only": plan.review_only,
        "warnings": list(plan.warnings),
        "handovers": [handover.to_dict() for handover in plan.handovers],
        "changes": [change.to_dict() for change in plan.changes],
        "steps": [step.to_dict() for step in plan.steps],
        # Only in plans with hooks-to-Actions cutovers (older readers and goldens unchanged).
        **({"cutovers": [c.to_dict() for c in plan.cutovers]} if getattr(plan, "cutovers", ()) else {}),
    }
    if plan.parts:  # other resource types (Actions): absent for a hooks-only config
        from reconciler.resources.actions.engine import part_to_dict

        data["resources"] = [part_to_dict(part) for part in plan.parts]
    return data


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    return Plan(
        steps=tuple(Step.from_dict(step) for step in data["steps"]),
        changes=tuple(HookChange.from_dict(change) for change in data["changes"]),
        handovers=tuple(
            Handover(h["trigger_id"], tuple(h["before"]), h["after"]) for h in data["handovers"]
        ),
        warnings=tuple(data.get("warnings", ())),
        config_digest=data["config_digest"],
        live_fingerprint=data["live_fingerprint"],
        allow_delete=bool(data.get("allow_delete", False)),
        review_only=bool(data.get("review_only", False)),
        unmanaged=tuple(str(name) for name in data.get("unmanaged", ())),
        parts=tuple(data.get("resources") or ()),  # kept as read: only compared with a fresh plan
        cutovers=_cutovers(data.get("cutovers")),
    )


def _cutovers(data: Any) -> tuple[Any, ...]:
    if not data:
        return ()
    from reconciler.resources.cutover import Cutover

    if not isinstance(data, list) or len(data) > 20:
        raise ValueError("cutovers must be a list (one per hook trigger)")
    return tuple(Cutover.from_dict(item) for item in data)


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
