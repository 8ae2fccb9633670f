"""Planning a hook's secret requests so Auth0's cap is never exceeded, with the HMAC marker
(``reconciler.resources.common.secrets``) added in the same request as the values it covers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.core.reasons import Reason
from reconciler.resources.common.secrets import marker_for, markers, user_keys
from reconciler.resources.hooks.model import MAX_SECRETS


@dataclass(frozen=True)
class SecretChanges:
    """The secret requests for one existing hook, ordered so Auth0's cap is never exceeded.

    Requests run in this order: ``update`` (PATCH values), ``early_delete`` (make room),
    ``add`` (POST new keys and the new marker together), then ``late_delete`` in the remove
    phase. The marker is only ever added in the same request as the last values it covers,
    after they were written, so an interrupted run leaves a marker that is missing or stale,
    never one that vouches for values not written; the next plan re-sends them.
    """

    add: frozenset[str] = frozenset()  # user keys the config adds (values shown as sensitive)
    update: frozenset[str] = frozenset()  # user keys whose values are re-sent
    remove: frozenset[str] = frozenset()  # user keys deleted (deletes allowed)
    kept: frozenset[str] = frozenset()  # user keys not in the config, kept (deletes off)
    add_keys: frozenset[str] = frozenset()  # the POST: ``add`` plus the new marker, if any
    early_delete: frozenset[str] = frozenset()
    late_delete: frozenset[str] = frozenset()
    # Why nothing can be planned (the config needs more keys than fit while deletes are off).
    blocked: Reason | None = None

    @property
    def any(self) -> bool:
        return bool(self.add_keys or self.update or self.early_delete or self.late_delete)


def plan_secret_changes(
    desired: Mapping[str, str],
    live_keys: Iterable[str],
    hook_name: str,
    *,
    allow_delete: bool,
    rotate: bool,
    hmac_key: bytes | None,
) -> SecretChanges:
    """What to send so the hook ends with the desired keys, never above ``MAX_SECRETS``."""
    live_all = frozenset(live_keys)
    live_user, live_markers = user_keys(live_all), markers(live_all)
    wanted = frozenset(desired)
    add, common = wanted - live_user, wanted & live_user
    removable = live_user - wanted if allow_delete else frozenset()
    kept = frozenset() if allow_delete else live_user - wanted
    final_user = wanted | kept
    if len(final_user) > MAX_SECRETS:
        return SecretChanges(
            kept=kept,
            blocked=Reason.of("hook.too_many_secrets", count=len(final_user), cap=MAX_SECRETS, kept=sorted(kept)),
        )
    # The marker takes a slot of its own; a hook that fills every slot goes without one.
    marker = None
    if hmac_key and wanted and len(final_user) < MAX_SECRETS:
        marker = marker_for(hmac_key, hook_name, desired)
    changed = bool(common) and (rotate or (marker is not None and marker not in live_markers))
    update = common if changed else frozenset()
    stale = live_markers - {marker} if hmac_key else frozenset()
    add_keys = add | ({marker} if marker and marker not in live_markers else frozenset())
    late = stale | removable
    # Adding first would pass the cap: delete first, stale markers before user keys.
    excess = len(live_all) + len(add_keys) - MAX_SECRETS
    early: frozenset[str] = frozenset()
    if excess > 0:
        spare = sorted(live_markers - {marker}) + sorted(removable)
        early = frozenset(spare[:excess])  # enough by construction: final_user fits
        late -= early
    return SecretChanges(
        add=add, update=update, remove=removable, kept=kept, add_keys=add_keys,
        early_delete=early, late_delete=late,
    )
