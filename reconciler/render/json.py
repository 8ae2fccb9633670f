"""The plan as JSON: for machines, and the body of saved plan files.

The top level is generic (summary, digests, warnings worded, ``changes``, ``steps``); each
change and step is written by its type's blocks (``resources.blocks``), and each type may add
top-level keys of its own (hooks: ``handovers``). Hook entries keep their old shape and have
no ``type`` key; every other type's entries carry one. Keys keep the order they always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.keyword_report import KeywordReport
from reconciler.core.plan import DRIFT, Plan
from reconciler.core.scope import Scope
from reconciler.escape import json_text
from reconciler.render.blocks import blocks_for, word
from reconciler.resources.blocks import worded

# Bump when a reader of an older file could misread a newer one. 2: any resource types
# (entries of types other than hooks carry ``type``; reasons are written as words).
# 3: scoped plans (``scope``) and cutover marks on hook changes (``taken_over_by``,
# ``takes_back_from``); a file of format 2 lacks them, so it is refused as older, not as altered.
FORMAT_VERSION = 3
# Entries without a ``type`` key: hooks, the one type of format 1.
UNTYPED = "hook"

_ORDER = (
    "format_version", "summary", "has_changes", "has_drift", "unmanaged", "config_digest",
    "domain", "live_fingerprint", "allow_delete", "review_only", "scope", "keywords", "warnings", "handovers", "changes", "steps",
)


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
        "warnings": [word(warning) for warning in plan.warnings],
        "changes": [blocks_for(c.type).change_to_dict(c) for c in plan.changes],
        "steps": [blocks_for(s.type).step_to_dict(s) for s in plan.steps],
    }
    if plan.domain:
        data["domain"] = plan.domain
    if plan.keywords is not None:
        data["keywords"] = keywords_to_dict(plan.keywords)
    if plan.scope.limited:  # an unscoped plan keeps the shape it always had
        data["scope"] = {**plan.scope.to_dict(), "lines": plan.scope.lines()}
    if plan.pairs:
        data["pairs"] = [list(pair) for pair in plan.pairs]
    if plan.types != (UNTYPED,):  # a hooks-only plan keeps the shape it always had
        data["types"] = list(plan.types)
    for type_name in plan.types:
        for key, value in blocks_for(type_name).extras_to_dict(plan).items():
            if key in data:
                raise ValueError(f"resource type {type_name!r} writes JSON key {key!r}, which is taken")
            data[key] = value
    order = {key: i for i, key in enumerate(_ORDER)}
    return dict(sorted(data.items(), key=lambda item: order.get(item[0], len(order))))


def types_of(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The types a plan dict holds: its ``types`` in their (planning) order, so a plan read
    back lists them as written; then any other an entry names (hooks for format 1)."""
    seen: dict[str, None] = {}
    for key in data.get("types", ()):
        seen.setdefault(str(key), None)
    for entry in [*data.get("changes", ()), *data.get("steps", ())]:
        seen.setdefault(str(entry.get("type", UNTYPED)), None)
    return tuple(seen) or (UNTYPED,)


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """A plan read back (its shape already checked: ``planfile``). Reasons come back as
    their words only; the plan is for comparing, never for running."""
    types = types_of(data)
    extras = [(t, blocks_for(t).extras_from_dict(data)) for t in types]
    # Names of live resources left in place: kept with the first type (only shown, never compared).
    unmanaged = tuple(str(name) for name in data.get("unmanaged", ()))
    extras[0] = (extras[0][0], extras[0][1] + (("unmanaged", unmanaged),))
    # Drift a type said it leaves in place (``core.plan.DRIFT``): kept the same way, so a
    # plan read back has the drift it was written with.
    if data.get("has_drift") is True:
        extras[0] = (extras[0][0], extras[0][1] + ((DRIFT, True),))
    return Plan(
        steps=tuple(blocks_for(s.get("type", UNTYPED)).step_from_dict(s) for s in data["steps"]),
        changes=tuple(blocks_for(c.get("type", UNTYPED)).change_from_dict(c) for c in data["changes"]),
        warnings=tuple(worded(str(w)) for w in data.get("warnings", ())),
        types=types,
        extras=tuple(extras),
        config_digest=data["config_digest"],
        live_fingerprint=data["live_fingerprint"],
        pairs=tuple((int(a), int(b)) for a, b in data.get("pairs", ())),
        allow_delete=bool(data.get("allow_delete", False)),
        review_only=bool(data.get("review_only", False)),
        domain=str(data.get("domain", "")),
        keywords=keywords_from_dict(data["keywords"]) if isinstance(data.get("keywords"), dict) else None,
        scope=scope_from_dict(data.get("scope")),
    )


def scope_from_dict(data: Any) -> Scope:
    if not isinstance(data, dict):
        return Scope()
    only, skipped, targets, needed = (tuple(str(n) for n in data.get(k) or ()) for k in Scope.__dataclass_fields__)
    return Scope(only, skipped, targets, needed)


def keywords_to_dict(report: KeywordReport) -> dict[str, Any]:
    """Names, the files' digest and keyed marks: never a value."""
    data: dict[str, Any] = {"used": list(report.used)}
    if report.added is not None:
        data["added"] = list(report.added)
        data["removed"] = list(report.removed)
    if report.template_digest is not None:
        data["template_digest"] = report.template_digest
    if report.key_mark is not None:
        data["key_mark"] = report.key_mark
        data["value_marks"] = dict(report.value_marks)
    return data


def keywords_from_dict(data: Mapping[str, Any]) -> KeywordReport:
    added = data.get("added")
    marks = data.get("value_marks") or {}
    return KeywordReport(
        tuple(str(k) for k in data.get("used", ())),
        tuple(str(k) for k in added) if isinstance(added, list) else None,
        tuple(str(k) for k in data.get("removed", ())),
        str(data["template_digest"]) if data.get("template_digest") is not None else None,
        str(data["key_mark"]) if data.get("key_mark") is not None else None,
        tuple((str(k), str(v)) for k, v in sorted(marks.items())),
    )


def render_json(plan: Plan) -> str:
    return json_text(plan_to_dict(plan), indent=2) + "\n"
