"""Actions, the successor of Hooks: desired state (model, schemas, loaders, validation).

``check(config, keywords)`` is the one entry point the validator calls; planning and applying
come with later issues.
"""

from __future__ import annotations

import os

from reconciler.keywords import Keywords
from reconciler.problems import Problem
from reconciler.resources.actions.load import present, read_actions
from reconciler.resources.actions.model import Action, ActionsDesired, LiveRef, TriggerBindings
from reconciler.resources.actions.rules import check_live_refs
from reconciler.resources.actions.schema import KINDS as SCHEMA_KINDS, schema_text

__all__ = [
    "Action", "ActionsDesired", "LiveRef", "SCHEMA_KINDS", "TriggerBindings", "check", "check_live_refs",
    "present", "schema_text",
]


def check(config: str | os.PathLike[str], keywords: Keywords) -> tuple[ActionsDesired | None, list[Problem]]:
    """Load and validate the Actions part of ``config``: the desired state (None on any error)
    and every problem. A config without actions/ and triggers/ gives an empty state."""
    from reconciler.resources.actions.rules import check as check_rules

    return check_rules(read_actions(config, keywords), keywords, os.fspath(config))
