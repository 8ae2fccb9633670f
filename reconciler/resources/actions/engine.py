"""What the Actions types' registrations share: whether the config has Actions, and the one
read of the live Actions (planning, merging with hooks, running and verifying go through the
registry and the use cases).

A config without actions/ and triggers/ makes zero Actions requests and gets no parts, so a
hooks-only plan is exactly what it was before Actions existed.
"""

from __future__ import annotations

from typing import Any

from reconciler.resources.actions.live import NOT_READ, LiveAction, LiveActions, read_live_actions
from reconciler.resources.actions.model import ActionsDesired, wanted


def read_live(client: Any, desired: ActionsDesired | None) -> LiveActions:
    if not wanted(desired):
        return NOT_READ
    assert desired is not None
    return read_live_actions(client, desired.managed_triggers)


def read_back(client: Any, desired: ActionsDesired | None, before: LiveActions, written: Any, listed: Any = None) -> LiveActions:
    """The read-back of what the plan ``written`` wrote: each action as the server last
    answered for it (:mod:`reconciler.api.action_answers`: a create's or PATCH's answer, the
    build poll, the live check after a deploy), the bindings of each trigger it bound read
    again; the rest (the other actions, the triggers offered, the other bindings) as
    ``before``, the state read under the lease. The actions are listed instead when an answer
    cannot tell (a create whose outcome was unknown may have made two of one name; an
    action written without an answer kept). The check under the lease (``written`` None)
    reads everything but the trigger versions the tenant offers (no writer changes them):
    the read is lists already."""
    from concurrent.futures import ThreadPoolExecutor

    from reconciler.resources.actions.live import LiveBinding, LiveBindings

    if not before.read or not wanted(desired):
        return read_live(client, desired)
    if written is None:
        assert desired is not None
        return read_live_actions(client, desired.managed_triggers, offered=before.triggers,
                                 likely=before.bindings.read)
    steps = [step for step in written.steps if step.type in ("action", "bindings")]
    bound = sorted({step.payload.trigger_id for step in steps if step.type == "bindings"})
    api = client.actions
    with ThreadPoolExecutor(max_workers=max(1, min(client.max_workers, len(bound) + 1))) as pool:
        lists = pool.map(api.bindings, bound)
        actions = before.actions
        if any(step.type == "action" for step in steps):
            actions = _answered(api, before, steps)
        fresh = {trigger: tuple(LiveBinding.from_api(b) for b in found) for trigger, found in zip(bound, lists)}
    return LiveActions(actions=actions, bindings=LiveBindings({**before.bindings.by_trigger, **fresh}),
                       triggers=before.triggers)


def _answered(api: Any, before: LiveActions, steps: list[Any]) -> tuple[LiveAction, ...]:
    """The actions after the run: ``before`` with the server's answers to this run's writes
    laid over it, or a fresh list when the answers cannot tell."""
    from reconciler.lease_actions import is_marker_action

    answers = getattr(api, "answers", None)
    kept, gone = answers.snapshot() if answers is not None else ({}, frozenset())
    written = {getattr(step.payload, "new_name", None) or step.payload.name
               for step in steps if step.type == "action" and step.operation != "delete"
               and getattr(step.payload, "action_id", None) not in gone}  # renamed aside, then deleted
    ids = {str(step.payload.action_id) for step in steps if step.type == "action" and step.payload.action_id}
    # Only this plan's actions (a client that applied before keeps older answers), never the
    # lease's marker.
    kept = {key: a for key, a in kept.items()
            if (key in ids or str(a.get("name")) in written) and not is_marker_action(a)}
    if answers is None or answers.unsure or not written <= {str(a.get("name")) for a in kept.values()}:
        fresh = {str(a["id"]): LiveAction.from_api(a) for a in api.list() if not is_marker_action(a)}
    else:
        fresh = {a.id: a for a in before.actions if a.id not in gone}
        fresh.update((key, LiveAction.from_api(a)) for key, a in kept.items())
    return tuple(sorted(fresh.values(), key=lambda a: (a.name, a.id)))
