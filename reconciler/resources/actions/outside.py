"""What a config without Actions (no actions/, no triggers/) leaves running: the live actions
bound to a trigger. Such a config does not manage Actions (deploy-cli's rule), and a plan
must not say the tenant matches while they run: it names them instead.

Cheap first: one list of the actions; only when one of them is deployed (nothing runs
otherwise), the trigger list and the bindings of the triggers those actions are for.
"""

from __future__ import annotations

from typing import Any

from reconciler.errors import ActionsUnavailableError, AuthError
from reconciler.lease_actions import is_marker_action
from reconciler.resources.actions.live import LiveAction, LiveBinding, bindings_to_read, trigger_from_api


def bound_outside(client: Any) -> tuple[str, ...]:
    """The names of the live custom actions bound to a trigger, sorted; () on a tenant
    without Actions (403 feature_not_enabled) or for a client without read:actions (a
    hooks-only setup never needed it: its plans are not refused for a notice)."""
    api = client.actions
    try:
        listed = [LiveAction.from_api(a) for a in api.list() if not is_marker_action(a)]
        deployed = [a for a in listed if a.deployed and not a.marketplace]
        if not deployed:
            return ()
        offered = [trigger_from_api(t) for t in api.list_triggers()]
        ours = {a.name for a in deployed}
        bound = {
            LiveBinding.from_api(b).action_name
            for trigger in bindings_to_read((), deployed, offered, None)
            for b in api.bindings(trigger)
        }
    except ActionsUnavailableError:
        return ()
    except AuthError as error:
        if error.status == 403:
            return ()
        raise
    return tuple(sorted(bound & ours))
