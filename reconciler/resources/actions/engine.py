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


def read_back(client: Any, desired: ActionsDesired | None, before: LiveActions, written: Any, listed: Any = None) -> LiveActions:
    """The read-back of what the plan ``written`` wrote: the actions list when it wrote an
    action, the bindings of each trigger it bound; the rest (the triggers offered, the other
    bindings) as ``before``, the state read under the lease. The check under the lease
    (``written`` None) reads everything: the read is lists already."""
    from concurrent.futures import ThreadPoolExecutor

    from reconciler.lease_actions import is_marker_action
    from reconciler.resources.actions.live import LiveAction, LiveBinding, LiveBindings

    if written is None or not before.read:
        return read_live(client, desired)
    steps = [step for step in written.steps if step.type in ("action", "bindings")]
    bound = sorted({step.payload.trigger_id for step in steps if step.type == "bindings"})
    api = client.actions
    with ThreadPoolExecutor(max_workers=max(1, min(client.max_workers, len(bound) + 1))) as pool:
        lists = pool.map(api.bindings, bound)
        actions = before.actions
        if any(step.type == "action" for step in steps):
            actions = tuple(sorted(
                (LiveAction.from_api(a) for a in api.list() if not is_marker_action(a)), key=lambda a: (a.name, a.id),
            ))
        fresh = {trigger: tuple(LiveBinding.from_api(b) for b in found) for trigger, found in zip(bound, lists)}
    return LiveActions(actions=actions, bindings=LiveBindings({**before.bindings.by_trigger, **fresh}),
                       triggers=before.triggers)
