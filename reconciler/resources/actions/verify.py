"""After apply, read the tenant back and confirm the Actions steps took effect (pure).

A server may answer 200 and not apply the write. Every action written must hold the config's
code (filled), runtime, dependencies and secret names; every deployed one must run exactly its
draft; every bound trigger must hold the planned list, in order; deleted actions must be gone; a
name written must be held by one action only.
Secret values are write-only and cannot be confirmed; their names can.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.resources.actions import payloads as p
from reconciler.resources.actions.live import LiveActions
from reconciler.resources.actions.model import ActionsDesired


def differences(steps: Sequence[Any], desired: ActionsDesired, live: LiveActions) -> list[str]:
    found: list[str] = []
    wanted = desired.by_name()
    named = {a.name: a for a in live.custom()}
    written = {getattr(step.payload, "new_name", step.payload.name) for step in steps
               if step.type == p.ACTION and step.operation != p.DELETE}
    for name in sorted(live.duplicate_names() & written):
        # A create sent twice (its answer lost while the name lookup lagged): which one the
        # config means is unknown, so the run is not complete.
        listed = ", ".join(a.id for a in live.named(name) if not a.marketplace)
        found.append(f"two actions are named {name} ({listed}): delete the one the config does not mean")
    ids = live.by_id()
    for step in steps:
        payload = step.payload
        if step.type == p.ACTION and step.operation in (p.CREATE, p.UPDATE, p.DEPLOY):
            action, now = wanted.get(payload.name), named.get(payload.name)
            if action is None:
                continue
            if now is None:
                found.append(f"action {payload.name} is missing")
                continue
            if step.operation == p.DEPLOY:
                if not now.deployed or now.draft_is_deployed is not True:
                    found.append(f"action {payload.name}: the draft is not the deployed version")
                continue
            for label, ours, theirs in (
                ("code", action.code_for_api(), now.code),  # the live code holds the values
                ("runtime", action.runtime, now.runtime),
                ("dependencies", sorted(action.dependencies), sorted(now.dependencies)),
                ("trigger", action.trigger, now.trigger),
            ):
                if ours != theirs:
                    found.append(f"action {payload.name}: {label} differs")
            if payload.secrets is not None and set(payload.secrets) != set(now.secret_names):
                found.append(f"action {payload.name}: secret names differ")
        elif step.type == p.ACTION and step.operation == p.DELETE and payload.action_id in ids:
            found.append(f"action {payload.name} was not deleted")
        elif step.type == p.BINDINGS:
            now_list = live.bindings.get(payload.trigger_id) or ()
            got = [(b.action_id, b.action_name, b.display_name) for b in now_list]
            same = len(got) == len(payload.entries) and all(
                (action_id == entry.action_id if entry.action_id else name == entry.action_name)
                and display == entry.display_name
                for entry, (action_id, name, display) in zip(payload.entries, got)
            )
            if not same:
                shown = ", ".join(name for _, name, _ in got) or "none"
                found.append(f"trigger {payload.trigger_id}: bound is {shown}, not the planned list")
    return list(dict.fromkeys(found))
