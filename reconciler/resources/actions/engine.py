"""What the Actions types' registrations share: whether the config has Actions, and the one
read of the live Actions (planning, merging with hooks, running and verifying go through the
registry and the use cases).

A config without actions/ and triggers/ makes zero Actions requests and gets no parts, so a
hooks-only plan is exactly what it was before Actions existed.
"""

from __future__ import annotations

from typing import Any

from reconciler.resources.actions.live import NOT_READ, LiveActions, read_live_actions
from reconciler.resources.actions.model import ActionsDesired, wanted


def read_live(client: Any, desired: ActionsDesired | None) -> LiveActions:
    if not wanted(desired):
        return NOT_READ
    assert desired is not None
    return read_live_actions(client, desired.managed_triggers)
