"""After apply, read the tenant back and confirm the plan took effect (pure comparison).

A server (or a proxy in front of it) may answer 200 and not apply the write. So every hook
the plan touched is compared with the config (trigger, script, dependencies, enabled,
secret keys), every trigger with a hand-over must have exactly the planned hook enabled,
deleted hooks and secret keys must be gone. Secret *values* are write-only in Auth0 and
cannot be confirmed; their keys can.
"""

from __future__ import annotations

from reconciler.core.plan import Plan
from reconciler.resources.common.secrets import user_keys
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.plan import TYPE, action_of, handovers, payload_of


def differences(plan: Plan, desired: DesiredState, live: LiveState) -> list[str]:
    """What the tenant lacks of ``plan`` (empty when everything landed)."""
    found: list[str] = []
    wanted = desired.by_name()
    by_name = live.by_name()
    by_id = {hook.id: hook for hook in live.hooks}
    steps = plan.steps_of(TYPE)
    touched = {step.key for step in steps} | {h.after for h in handovers(plan) if h.after}
    for name in sorted(touched & wanted.keys()):
        hook, now = wanted[name], by_name.get(name)
        if now is None:
            found.append(f"hook {name} is missing")
            continue
        for label, ours, theirs in (
            ("triggerId", hook.trigger_id, now.trigger_id),
            ("script", hook.filled_script, now.script),  # the live script holds the values
            ("dependencies", dict(hook.dependencies), dict(now.dependencies)),
            ("enabled", hook.enabled, now.enabled),
        ):
            if ours != theirs:
                found.append(f"hook {name}: {label} differs")
        keys = user_keys(now.secret_keys)
        missing = set(hook.secrets) - keys
        extra = keys - set(hook.secrets) if plan.allow_delete else set()
        if missing or extra:
            found.append(f"hook {name}: secret keys differ ({', '.join(sorted(missing | extra))})")
    for step in steps:
        action, payload = action_of(step), payload_of(step)
        sent: set[str] = set(getattr(payload, "keys", ()))
        if action is Action.SECRETS_ADD or action is Action.SECRETS_UPDATE:
            now = by_name.get(step.key)
            lacking = sent - set(now.secret_keys) if now else set()
            if lacking and step.key in wanted:
                found.append(f"hook {step.key}: secret keys not written ({', '.join(sorted(lacking))})")
        elif action is Action.DELETE and payload.hook_id in by_id:
            found.append(f"hook {step.key} was not deleted")
        elif action is Action.SECRETS_DELETE and payload.hook_id in by_id:
            left = sent & set(by_id[str(payload.hook_id)].secret_keys)
            if left:
                found.append(f"hook {step.key}: secret keys not deleted ({', '.join(sorted(left))})")
    for handover in handovers(plan):
        enabled = sorted(h.name for h in live.hooks if h.trigger_id == handover.trigger_id and h.enabled)
        expected = [handover.after] if handover.after else []
        if enabled != expected:
            found.append(
                f"trigger {handover.trigger_id}: enabled is {', '.join(enabled) or 'none'}, "
                f"expected {', '.join(expected) or 'none'}"
            )
    return list(dict.fromkeys(found))
