"""Registers Actions with the engine: validation now; planning and operations next."""

from __future__ import annotations

from reconciler.resources.actions import check
from reconciler.resources.base import ResourceType, register

ACTIONS = register(
    ResourceType(
        name="action",
        noun="actions",
        folder="actions",
        check=check,
        # read_live (live.read_live_actions), plan and operations: the Actions planner's issue.
        after_types=("hook",),  # a cutover binds an action after (or before) a hook's disable
    )
)
