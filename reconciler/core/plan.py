"""The plan: every registered type's part, merged into one sequence of steps.

A ``Plan`` is what the renderers show, what a saved plan file holds and what apply runs. It
is generic: it knows no resource type. Each type plans its own part (``TypePlan``: steps with
local indexes, changes, warnings, extras); :func:`assemble` merges the parts
(``planner.merge``: one numbering, cross-type edges resolved) and keeps, per type, what the
renderers need beside the steps.

Conventions for a part's ``extras`` (``(key, value)`` pairs; everything else is the type's
own, shown by its render blocks and kept in saved plans by its codec):

- ``config_digest`` / ``live_fingerprint``: what a saved plan is bound to (see
  :func:`_combined`: one type alone keeps its own digest, so a hooks-only plan's digests
  are exactly the hook digests);
- ``unmanaged``: names of live resources outside the config that the plan leaves in place
  (drift without a request);
- ``drift``: True when the type leaves other differences in place that only its warnings
  tell (Actions: a binding or a secret kept); the type decides which of its warnings are
  drift, so the core never reads a reason code.

Warnings and skip reasons are ``Reason`` data; only the types word them (the registry's
``word``), at the edge, when a renderer writes text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.core.changes import REPLACED_SUFFIX, Change, ChangeKind
from reconciler.core.digest import digest
from reconciler.core.keyword_report import KeywordReport
from reconciler.core.planner import TypePlan, merge
from reconciler.core.reasons import Reason
from reconciler.core.scope import Scope

DRIFT = "drift"  # a type's extra: differences it leaves in place beyond its changes

# Step operations that count as "enable/disable" in the summary line.
TOGGLES = frozenset({"enable", "disable"})


@dataclass(frozen=True)
class Summary:
    create: int
    update: int
    delete: int
    toggle: int
    skipped: int

    def line(self) -> str:
        text = (
            f"Plan: {self.create} to create, {self.update} to update, "
            f"{self.delete} to delete, {self.toggle} to enable/disable."
        )
        if self.skipped:
            text += f" ({self.skipped} skipped)"
        return text


@dataclass(frozen=True)
class Plan:
    """A merged, multi-type plan. ``types``: the types that planned, in planning order;
    ``extras``: each type's extras by type name; ``pairs``: strict pairs across types
    (leader, follower) as global indexes, for the executor."""

    steps: tuple[Any, ...]
    changes: tuple[Change, ...] = ()
    warnings: tuple[Reason, ...] = ()
    types: tuple[str, ...] = ()
    extras: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    config_digest: str = ""
    live_fingerprint: str = ""
    pairs: tuple[tuple[int, int], ...] = ()
    allow_delete: bool = False
    # Made with placeholders for missing keywords: fit to read, never to apply.
    review_only: bool = False
    # The tenant's host (``example.eu.auth0.com``): shown in every plan; a saved plan applies
    # to that tenant only. Empty: not known (a plan made without a client).
    domain: str = ""
    keywords: KeywordReport | None = None
    # --only/--target: what the plan was limited to (the default: the whole tenant).
    scope: Scope = Scope()

    def extra(self, type_name: str, key: str, default: Any = None) -> Any:
        """One of ``type_name``'s extras (``default`` when it has none of that name)."""
        for name, items in self.extras:
            if name == type_name:
                return dict(items).get(key, default)
        return default

    def steps_of(self, type_name: str) -> tuple[Any, ...]:
        return tuple(step for step in self.steps if step.type == type_name)

    def changes_of(self, type_name: str) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.type == type_name)

    @property
    def unmanaged(self) -> tuple[str, ...]:
        """Live resources outside the config left in place, every type's."""
        return tuple(name for t in self.types for name in self.extra(t, "unmanaged", ()))

    @property
    def has_changes(self) -> bool:
        return bool(self.steps)

    @property
    def has_drift(self) -> bool:
        """The tenant differs from the config: requests to make, or differences left in place
        (unmanaged resources, skipped changes, what a type says is drift: its ``drift``)."""
        return (
            self.has_changes or bool(self.unmanaged) or any(c.skipped for c in self.changes)
            or any(self.extra(t, DRIFT, False) is True for t in self.types)
        )

    @property
    def summary(self) -> Summary:
        counts: defaultdict[str, int] = defaultdict(int)
        deleted = {(step.type, step.key) for step in self.steps if str(step.operation) == "delete"}
        for change in self.changes:
            if change.skipped:
                counts["skipped"] += 1
            elif change.kind is ChangeKind.REPLACE:
                # The old one is deleted (same name, or renamed aside); with no delete step
                # (Actions with deletes off) it is kept, renamed aside: an update.
                gone = deleted & {(change.type, change.key), (change.type, change.key + REPLACED_SUFFIX)}
                counts["create"] += 1
                counts["delete" if gone else "update"] += 1
            elif change.kind in (ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.DELETE):
                counts[str(change.kind)] += 1
        toggles = sum(1 for step in self.steps if str(step.operation) in TOGGLES)
        return Summary(counts["create"], counts["update"], counts["delete"], toggles, counts["skipped"])


def assemble(
    parts: Sequence[TypePlan],
    *,
    steps: Sequence[Any] | None = None,
    pairs: Sequence[tuple[int, int]] = (),
    allow_delete: bool = False,
    review_only: bool = False,
) -> Plan:
    """One plan from the types' parts (in planning order). ``steps``: already merged (a
    driver that resolved strict pairs passes its result); else ``planner.merge(parts)``."""
    merged = tuple(steps) if steps is not None else merge(parts)
    return Plan(
        steps=merged,
        changes=tuple(change for part in parts for change in part.changes),
        warnings=tuple(warning for part in parts for warning in part.warnings),
        types=tuple(part.type for part in parts),
        extras=tuple((part.type, _own_extras(part.extras)) for part in parts),
        config_digest=_combined(parts, "config_digest"),
        live_fingerprint=_combined(parts, "live_fingerprint"),
        pairs=tuple(pairs),
        allow_delete=allow_delete,
        review_only=review_only,
    )


def _own_extras(extras: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, v) for k, v in extras if k not in ("config_digest", "live_fingerprint"))


def _combined(parts: Sequence[TypePlan], key: str) -> str:
    """The plan's digest: a single type's own (so a one-type plan keeps its digests), else
    a digest of every type's, by type name."""
    found = {part.type: dict(part.extras)[key] for part in parts if key in dict(part.extras)}
    if len(found) == 1:
        return str(next(iter(found.values())))
    return digest(found) if found else digest([])

