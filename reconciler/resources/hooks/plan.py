"""A plan: the ordered Management API requests that take the tenant to the config.

``Plan`` holds the steps (one request each, with their dependencies), the per-hook changes for
people to read, the hand-overs, warnings, and the digests a saved plan is checked against.
Pure data; ``planner.build_plan`` makes one.
"""


from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, ClassVar, Iterable, Mapping

from reconciler.core.changes import ChangeKind, FieldChange
from reconciler.core.digest import digest as _digest
from reconciler.errors import PlanError
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.secrets import marker_for


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ENABLE = "enable"
    DISABLE = "disable"
    DELETE = "delete"
    SECRETS_ADD = "secrets-add"
    SECRETS_UPDATE = "secrets-update"
    SECRETS_DELETE = "secrets-delete"


TOGGLE_ACTIONS = (Action.ENABLE, Action.DISABLE)


class Phase(StrEnum):
    PREPARE = "prepare"
    HANDOVER = "handover"
    REMOVE = "remove"


@dataclass(frozen=True)
class Step:
    """One Management API request.

    The hook is addressed by its live ``hook_id``, or, for a hook this plan creates, by
    ``created_by`` (the index of the create step). ``body`` never holds a secret value:
    secret steps list key names under ``"keys"``; values are read from the config at apply.
    Steps of the ``remove`` phase implicitly wait for every other step.
    """

    index: int
    action: Action
    hook: str
    trigger_id: str
    hook_id: str | None
    created_by: int | None
    body: Mapping[str, Any]
    after: tuple[int, ...]
    phase: Phase
    reason: str = ""

    # The generic step's view (reconciler.core.steps.Step): type, key, operation.
    type: ClassVar[str] = "hook"

    @property
    def key(self) -> str:
        return self.hook

    @property
    def operation(self) -> str:
        return str(self.action)

    def shifted(self, offset: int, extra_after: Iterable[int] = ()) -> "Step":
        """Renumbered when merged with other types' steps (``created_by`` is an index too)."""
        after = {i + offset for i in self.after} | set(extra_after)
        created_by = self.created_by + offset if self.created_by is not None else None
        return replace(self, index=self.index + offset, after=tuple(sorted(after)), created_by=created_by)

    def renumbered(self, mapping: Mapping[int, int], after: Iterable[int]) -> "Step":
        """Moved when a merged plan is reordered (a cross-type strict pair, the cutover)."""
        created_by = mapping[self.created_by] if self.created_by is not None else None
        return replace(self, index=mapping[self.index], after=tuple(sorted(after)), created_by=created_by)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "action": str(self.action),
            "hook": self.hook,
            "trigger_id": self.trigger_id,
            "hook_id": self.hook_id,
            "created_by": self.created_by,
            "body": dict(self.body),
            "after": list(self.after),
            "phase": str(self.phase),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Step":
        return cls(
            index=int(data["index"]),
            action=Action(data["action"]),
            hook=str(data["hook"]),
            trigger_id=str(data["trigger_id"]),
            hook_id=data.get("hook_id"),
            created_by=data.get("created_by"),
            body=dict(data.get("body") or {}),
            after=tuple(int(i) for i in data.get("after") or ()),
            phase=Phase(data["phase"]),
            reason=str(data.get("reason", "")),
        )


@dataclass(frozen=True)
class HookChange:
    """What happens to one hook, for people: renders as one block of the plan."""

    kind: ChangeKind
    name: str
    trigger_id: str
    fields: tuple[FieldChange, ...] = ()
    previous_name: str = ""
    previous_trigger_id: str = ""
    skipped: str = ""  # why it will not happen (deletes not allowed)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": str(self.kind),
            "name": self.name,
            "trigger_id": self.trigger_id,
            "fields": [change.to_dict() for change in self.fields],
        }
        if self.previous_name:
            data["previous_name"] = self.previous_name
        if self.previous_trigger_id:
            data["previous_trigger_id"] = self.previous_trigger_id
        if self.skipped:
            data["skipped"] = self.skipped
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HookChange":
        return cls(
            kind=ChangeKind(data["kind"]),
            name=data["name"],
            trigger_id=data["trigger_id"],
            fields=tuple(
                FieldChange(f["field"], f.get("before"), f.get("after"), f.get("diff", ""))
                for f in data.get("fields", ())
            ),
            previous_name=data.get("previous_name", ""),
            previous_trigger_id=data.get("previous_trigger_id", ""),
            skipped=data.get("skipped", ""),
        )


@dataclass(frozen=True)
class Handover:
    """A trigger whose enabled hook changes: shown prominently in reviews."""

    trigger_id: str
    before: tuple[str, ...]
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"trigger_id": self.trigger_id, "before": list(self.before), "after": self.after}


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
class PlanOptions:
    allow_delete: bool = False
    rotate_secrets: bool = False
    hmac_key: bytes | None = field(default=None, repr=False)
    force: bool = False
    # octoDNS-style safety: refuse to delete more than this share of the live hooks...
    max_delete_share: float = 0.3
    # ...when the tenant has at least this many hooks.
    delete_threshold_min_hooks: int = 10
    # Hook names outside management (deploy-cli's AUTH0_EXCLUDED_* naming): neither the live
    # hook nor a config entry of that name is touched, and it is no drift.
    excluded_hooks: frozenset[str] = frozenset()
    # AUTH0_EXCLUDED_ACTIONS: action names left alone likewise (the Actions planner reads it).
    excluded_actions: frozenset[str] = frozenset()
    # AUTH0_CUTOVER: ((trigger, "both" | "neither"), ...); unlisted triggers take the default.
    cutover: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    changes: tuple[HookChange, ...]
    handovers: tuple[Handover, ...]
    warnings: tuple[str, ...]
    config_digest: str
    live_fingerprint: str
    allow_delete: bool = False
    # Made with placeholders for missing keywords: fit to read, never to apply.
    review_only: bool = False
    # Live hooks outside the config (and its exclusions) that this plan leaves in place.
    unmanaged: tuple[str, ...] = ()
    # Other resource types' parts (core.planner.TypePlan; Actions and bindings), local
    # indexes: run after the hook steps' numbers (``resources.actions.engine.all_steps``).
    # A plan read from a file keeps them as read (dicts): they are only compared.
    parts: tuple[Any, ...] = ()
    # Hooks-to-Actions cutovers (resources.cutover.Cutover): a hook's disable and an action's
    # bind run as two adjacent requests; shown by the renderers, compared for saved plans.
    cutovers: tuple[Any, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.steps) or any(getattr(part, "steps", None) for part in self.parts)

    @property
    def has_drift(self) -> bool:
        """The tenant differs from the config: requests to make, or differences left in place
        (unmanaged hooks, skipped changes)."""
        if self.has_changes or bool(self.unmanaged) or any(c.skipped for c in self.changes):
            return True
        from reconciler.resources.actions.render import has_drift

        return bool(self.parts) and has_drift(self.parts)

    @property
    def summary(self) -> Summary:
        counts: defaultdict[str, int] = defaultdict(int)
        for change in self.changes:
            if change.skipped:
                counts["skipped"] += 1
            elif change.kind is ChangeKind.REPLACE:
                counts["create"] += 1
                counts["delete"] += 1
            elif change.kind in (ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.DELETE):
                counts[str(change.kind)] += 1
        toggles = sum(1 for step in self.steps if step.action in TOGGLE_ACTIONS)
        return Summary(
            counts["create"], counts["update"], counts["delete"], toggles, counts["skipped"]
        )


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
