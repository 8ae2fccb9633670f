"""How a plan's steps are made and addressed, and how desired hooks pair with live ones
(shared by the planner and its phases)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase, Step
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import LiveHook
from reconciler.resources.hooks.payloads import payload_from
from reconciler.resources.hooks.plan import TYPE


@dataclass
class Target:
    """How later steps address a hook: by live id or by the step that creates it."""

    hook_id: str | None = None
    created_by: int | None = None


@dataclass
class Builder:
    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        action: Action,
        hook: str,
        trigger_id: str,
        target: Target,
        phase: Phase,
        body: Mapping[str, Any] | None = None,
        after: Iterable[int | None] = (),
        reason: Reason | None = None,
    ) -> int:
        """A step of ``action`` on ``hook``; ``body``: the request's fields, made into the
        action's typed payload."""
        index = len(self.steps)
        self.steps.append(
            Step(
                index=index,
                type=TYPE,
                key=hook,
                operation=str(action),
                payload=payload_from(action, trigger_id, target.hook_id, target.created_by, body or {}),
                after=tuple(sorted({i for i in after if i is not None})),
                phase=phase,
                reason=reason,
            )
        )
        return index


@dataclass(frozen=True)
class Pairing:
    """How desired hooks line up with live ones."""

    matched: dict[str, LiveHook]  # desired name -> live hook (same trigger; maybe renamed)
    replaced: dict[str, LiveHook]  # desired name -> live hook on another trigger
    orphans: tuple[LiveHook, ...]  # live hooks nothing desired accounts for
    leftovers: tuple[LiveHook, ...]  # "-replaced-by-reconciler" hooks from an earlier run
    # Live hooks on triggers this tool does not know: never touched, only reported.
    unknown: tuple[LiveHook, ...]
    clashes: dict[str, LiveHook]  # desired name -> the unknown-trigger hook holding it
