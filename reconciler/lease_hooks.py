"""The tenant lease's marker as a disabled hook: hook names are unique per tenant, so the
create is atomic (of two applies, the second gets 409). See :mod:`reconciler.lease`."""

from __future__ import annotations

from typing import Any, Protocol

from reconciler.errors import ApiError
from reconciler.lease import LEASE_NAME, LEASE_TRIGGER, Marker, is_marker_hook, parse_marker, unless_gone


class HookEndpoints(Protocol):
    def list(self) -> list[dict[str, Any]]: ...
    def create(self, name: str, trigger_id: str, script: str, enabled: bool = False,
               dependencies: Any = None) -> Any: ...
    def update(self, hook_id: str, **fields: Any) -> Any: ...
    def delete(self, hook_id: str) -> None: ...


class HookClient(Protocol):
    @property
    def hooks(self) -> HookEndpoints: ...


class HookMarkerStore:
    """The marker as a disabled hook (names are unique per tenant: create is atomic)."""

    def __init__(self, client: HookClient) -> None:
        self.client = client
        # The last whole list read: the apply's check under the lease reuses the one made
        # right after the marker's create, rather than listing again.
        self.listed: list[dict[str, Any]] | None = None
        # The last create answered with our own text (its nonce is ours alone): our marker
        # was made, names are unique, so the lease is held from then on. A lost answer's
        # look-up by name may find another run's marker: then False, and the read decides.
        self.created_ours = False

    def create(self, text: str) -> bool:
        self.created_ours = False
        try:
            answer = self.client.hooks.create(name=LEASE_NAME, trigger_id=LEASE_TRIGGER, script=text, enabled=False)
        except ApiError as error:
            if error.status == 409:
                return False
            raise
        self.created_ours = isinstance(answer, dict) and answer.get("script") == text
        return True

    def read(self) -> Marker | None:
        """The hook named like the marker (names are unique: it blocks the create, marker
        or not); ``provable`` says whether it is one."""
        self.listed = hooks = self.client.hooks.list()
        for hook in hooks:
            if isinstance(hook, dict) and hook.get("name") == LEASE_NAME:
                script = hook.get("script")
                return Marker(str(hook.get("id", "")), script if isinstance(script, str) else "", is_marker_hook(hook))
        return None

    def update(self, marker_id: str, text: str) -> bool:
        return unless_gone(lambda: self.client.hooks.update(marker_id, script=text))

    def delete(self, marker_id: str) -> None:
        unless_gone(lambda: self.client.hooks.delete(marker_id))

    def own(self, nonce: str) -> list[str]:
        marker = self.read()
        return [marker.id] if marker is not None and marker.provable and parse_marker(marker.text).nonce == nonce else []
