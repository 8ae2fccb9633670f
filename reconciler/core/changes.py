"""What happens to one resource, for people: a ``Change`` renders as one block of a plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.core.reasons import Reason

# The name a REPLACE renames the old resource to while its replacement is prepared
# (``resources.common.names``).
REPLACED_SUFFIX = "-replaced-by-reconciler"


class ChangeKind(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    ENABLE = "enable"
    DISABLE = "disable"


@dataclass(frozen=True)
class FieldChange:
    """One field of one resource: before and after, or a ready-made diff (scripts, secrets)."""

    field: str
    before: Any
    after: Any
    diff: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "before": self.before, "after": self.after}
        if self.diff:
            data["diff"] = self.diff
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        return cls(data["field"], data.get("before"), data.get("after"), data.get("diff", ""))


@dataclass(frozen=True)
class Change:
    """A change keyed by resource type and key. ``skipped``: why it will not happen."""

    type: str
    key: str
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()
    skipped: Reason | None = None
    # Type-specific facts for the type's renderer blocks (trigger, previous name, ...).
    detail: tuple[tuple[str, Any], ...] = ()
