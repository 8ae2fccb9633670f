"""The Actions triggers a tenant offers, as data: ids, versions, runtimes, binding policy.

Copied from a real tenant's ``GET /api/v2/actions/triggers`` answer (2026-08).
The list is tenant-dependent and grows; this is what validation checks against offline. The
JSON Schemas' trigger enum must list the same ids (a test keeps them in sync).
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENT = "CURRENT"
DEPRECATED = "DEPRECATED"
TRIGGER_BOUND = "trigger-bound"
ENTITY_BOUND = "entity-bound"  # bound through another entity (a profile, a stream), not bindings


@dataclass(frozen=True)
class TriggerVersion:
    id: str
    version: str
    status: str
    runtimes: tuple[str, ...]
    default_runtime: str
    binding_policy: str = TRIGGER_BOUND

    @property
    def bindable(self) -> bool:
        """Whether ``PATCH /actions/triggers/{id}/bindings`` (and triggers.json) can bind to it."""
        return self.binding_policy == TRIGGER_BOUND


_NEW = ("node18-actions", "node22")
_OLD = ("node22",)


def _pair(trigger: str) -> tuple[TriggerVersion, ...]:
    """A former hook trigger: v2 current, v1 deprecated (API default node12, not allowed any more)."""
    return (
        TriggerVersion(trigger, "v2", CURRENT, _NEW, "node22"),
        TriggerVersion(trigger, "v1", DEPRECATED, _OLD, "node12"),
    )


KNOWN: tuple[TriggerVersion, ...] = (
    TriggerVersion("post-login", "v3", CURRENT, _NEW, "node22"),
    TriggerVersion("post-login", "v2", DEPRECATED, ("node18", "node22"), "node16"),
    TriggerVersion("post-login", "v1", DEPRECATED, _OLD, "node12"),
    *_pair("credentials-exchange"),
    *_pair("pre-user-registration"),
    *_pair("post-user-registration"),
    *_pair("post-change-password"),
    *_pair("send-phone-message"),
    TriggerVersion("password-reset-post-challenge", "v1", CURRENT, _NEW, "node22"),
    TriggerVersion("custom-phone-provider", "v1", CURRENT, _NEW, "node22"),
    TriggerVersion("custom-email-provider", "v1", CURRENT, _NEW, "node22"),
    TriggerVersion("custom-token-exchange", "v1", CURRENT, ("node18", "node22"), "node22", ENTITY_BOUND),
    TriggerVersion("event-stream", "v1", CURRENT, _OLD, "node22", ENTITY_BOUND),
    TriggerVersion("password-hash-migration", "v1", CURRENT, _OLD, "node22", ENTITY_BOUND),
    TriggerVersion("mcp-tool", "v1", CURRENT, _OLD, "node22", ENTITY_BOUND),
)

TRIGGER_IDS: tuple[str, ...] = tuple(dict.fromkeys(t.id for t in KNOWN))
RUNTIMES: tuple[str, ...] = tuple(sorted({r for t in KNOWN for r in t.runtimes}))
_BY_KEY = {(t.id, t.version): t for t in KNOWN}


def lookup(trigger_id: str, version: str) -> TriggerVersion | None:
    return _BY_KEY.get((trigger_id, version))


def versions(trigger_id: str) -> tuple[TriggerVersion, ...]:
    return tuple(t for t in KNOWN if t.id == trigger_id)


def current(trigger_id: str) -> TriggerVersion | None:
    return next((t for t in KNOWN if t.id == trigger_id and t.status == CURRENT), None)


def bindable(trigger_id: str) -> bool:
    """Trigger-bound in every known version (entity-bound triggers are bound elsewhere)."""
    known = versions(trigger_id)
    return bool(known) and all(t.bindable for t in known)
