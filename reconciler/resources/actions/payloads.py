"""What each Actions step carries: frozen dataclasses, never raw wire JSON.

A payload never holds a secret value or a keyword value: code is the template (keywords
unfilled), secrets are names. Values are filled by the operations on the way to the API
(``ops``), from the config, so a saved plan and every rendering are free of them.

Types and operations (the cutover builds against these names):

- ``action`` (key: the action name): ``create`` and ``update`` (polled until the draft is
  built), ``rename`` (frees the name for a replacement), ``deploy`` (polled until that
  version is live), ``delete`` (remove phase, never forced).
- ``bindings`` (key: the trigger id): ``bind``, one PATCH of the whole ordered list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reconciler.core.steps import Step, Wait

Pair = tuple[str, str]

ACTION = "action"
BINDINGS = "bindings"

CREATE, UPDATE, RENAME, DEPLOY, DELETE, BIND = "create", "update", "rename", "deploy", "delete", "bind"

# Builds take seconds (npm dependencies up to a minute; a bad one fails after ~60 s); a
# deploy is live within a second. The executor looks every POLL s; the operations themselves
# back off between GETs (``ops.Backoff``), so a long build costs few requests.
POLL = 0.1
BUILD_WAIT = Wait(timeout=300.0, interval=POLL)
DEPLOY_WAIT = Wait(timeout=120.0, interval=POLL)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Draft:
    """``create`` (every field) or ``update`` (only what changes; None keeps it). ``secrets``
    is the complete set of names the PATCH sends, markers included: a secrets PATCH replaces
    the whole set, so it is never partial."""

    name: str
    action_id: str | None = None  # None: created by this plan
    trigger: Pair | None = None
    code: str | None = None  # the template
    runtime: str | None = None
    dependencies: tuple[Pair, ...] | None = None
    secrets: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: _plain(v) for k, v in asdict(self).items() if v is not None or k == "action_id"}


@dataclass(frozen=True)
class Rename:
    action_id: str
    name: str  # the current name
    new_name: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Deploy:
    """Deploy the built draft. ``action_id`` None: the action this plan creates (its id is
    the result of the create step this step waits for)."""

    name: str
    action_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Delete:
    name: str
    action_id: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Entry:
    """One binding: the action by name (ids are known only for live actions)."""

    action_name: str
    display_name: str
    action_id: str | None = None  # None: created by this plan, found in the results

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Bind:
    """The whole ordered list for ``trigger_id``; ``before`` is the list as read (action id,
    display name), checked again just before the PATCH so another writer's change is never
    silently overwritten."""

    trigger_id: str
    entries: tuple[Entry, ...]
    before: tuple[Pair, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "trigger_id": self.trigger_id,
            "entries": [entry.to_dict() for entry in self.entries],
            "before": [list(pair) for pair in self.before],
        }


def step_to_dict(step: Step) -> dict[str, Any]:
    """A generic step with its typed payload, as plan files and JSON hold it."""
    data: dict[str, Any] = {
        "index": step.index,
        "type": step.type,
        "key": step.key,
        "operation": step.operation,
        "payload": step.payload.to_dict() if step.payload is not None else None,
        "after": list(step.after),
        "phase": str(step.phase),
    }
    if step.reason is not None:
        data["reason"] = step.reason.to_dict()
    if step.wait is not None:
        data["wait"] = {"timeout": step.wait.timeout, "interval": step.wait.interval}
    return data
