"""An action's secrets: names diffed as sets, value changes noticed without storing values.

Auth0 never returns secret values, and a PATCH with ``secrets`` replaces the whole set (names
left out are deleted). So:

- a secrets PATCH always sends the complete set, values filled at apply time from the config;
- when the tenant holds names the config lacks and deletes are off, any secrets PATCH would
  delete them: it is not sent, and the action's change is skipped with a reason;
- value changes are noticed as hooks notice them (``resources.common.secrets``): with a
  CI-only HMAC key set, one extra secret whose *name* is an HMAC of the desired values
  (``RECONCILER_HMAC_<hex>``) travels with the set, within Auth0's cap of 30; a different
  marker means some value changed. ``--rotate-secrets`` re-sends the values regardless.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.core.reasons import Reason
from reconciler.resources.common.secrets import is_marker, marker_for, markers, user_keys

MAX_SECRETS = 30

__all__ = ["MAX_SECRETS", "SecretPlan", "marker", "plan_secrets"]


def marker(hmac_key: bytes, action_name: str, values: Mapping[str, str]) -> str:
    # Bound to the resource type too: a hook and an action of one name never share a marker.
    return marker_for(hmac_key, "action:" + action_name, values)


@dataclass(frozen=True)
class SecretPlan:
    send: tuple[str, ...] | None = None  # the complete set of names to PATCH; None: no secrets PATCH
    add: frozenset[str] = frozenset()
    remove: frozenset[str] = frozenset()  # deleted by the PATCH (deletes allowed)
    kept: frozenset[str] = frozenset()  # live names the config lacks, kept (deletes off)
    values_changed: bool = False
    blocked: Reason | None = None  # why no secrets PATCH (and no change) can be made


def wanted_names(values: Mapping[str, str], name: str, hmac_key: bytes | None) -> tuple[str, ...]:
    """The names a create sends: the config's, plus the marker when it fits."""
    found = set(values)
    if hmac_key and found and len(found) < MAX_SECRETS:
        found.add(marker(hmac_key, name, values))
    return tuple(sorted(found))


def plan_secrets(
    values: Mapping[str, str], live_names: Iterable[str], name: str, *,
    allow_delete: bool, rotate: bool, hmac_key: bytes | None,
) -> SecretPlan:
    """What to send so the action ends with the desired secrets (see the module docstring)."""
    live_all = frozenset(live_names)
    live_user, live_markers = user_keys(live_all), markers(live_all)
    wanted = frozenset(values)
    extra = live_user - wanted
    remove, kept = (extra, frozenset()) if allow_delete else (frozenset(), extra)
    add = wanted - live_user
    send = wanted_names(values, name, hmac_key)
    new_markers = frozenset(n for n in send if is_marker(n))
    stale_marker = hmac_key is not None and new_markers != live_markers
    values_changed = bool(wanted & live_user) and (rotate or (bool(new_markers) and stale_marker))
    needed = bool(add or remove or values_changed or (stale_marker and (wanted or live_markers)))
    if not needed:
        return SecretPlan(kept=kept)
    if kept:
        return SecretPlan(
            add=add, kept=kept, values_changed=values_changed,
            blocked=Reason.of("action.secrets_blocked", names=sorted(kept)),
        )
    if len(send) > MAX_SECRETS:  # the schema caps the config at 30: defensive only
        return SecretPlan(blocked=Reason.of("action.secrets_cap", count=len(send), cap=MAX_SECRETS))
    return SecretPlan(send=send, add=add, remove=remove, values_changed=values_changed)
