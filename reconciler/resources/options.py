"""The options a plan is made with (flags and settings), part of the seam: every type's
``plan`` gets them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.resources.common.templates import FULL_VIEW, LiveView

# A type's delete threshold applies from this many live resources unless the options say otherwise.
DELETE_THRESHOLD_MIN = 10


@dataclass(frozen=True)
class PlanOptions:
    allow_delete: bool = False
    rotate_secrets: bool = False
    hmac_key: bytes | None = field(default=None, repr=False)
    force: bool = False
    # octoDNS-style safety: refuse to delete more than this share of a type's live resources...
    max_delete_share: float = 0.3
    # ...when the tenant has at least this many of them, per type name (``delete_threshold_min``).
    delete_threshold_mins: Mapping[str, int] = field(default_factory=dict)
    # Names outside management, per type name (deploy-cli's AUTH0_EXCLUDED_<TYPE>: each type
    # names its setting, ``ResourceType.excluded_setting``): neither the live resource nor a
    # config entry of that name is touched, and it is no drift.
    excluded: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # AUTH0_CUTOVER: ((trigger, "both" | "neither"), ...); unlisted triggers take the default.
    cutover: tuple[tuple[str, str], ...] = ()
    # How much of live scripts and code a diff may show: known keyword values masked, and
    # with values missing, only live lines the template explains (never written to a file).
    live_view: LiveView = field(default=FULL_VIEW, repr=False)
    # --only: the type groups planned ("actions", "hooks"; empty: all), none other is read.
    only: tuple[str, ...] = ()
    # --target: "GROUP:NAME" or a bare NAME; the plan keeps those and what they need.
    targets: tuple[str, ...] = ()

    def excluded_of(self, type_name: str) -> frozenset[str]:
        """The names of ``type_name``'s resources left alone."""
        return frozenset(self.excluded.get(type_name, ()))

    def delete_threshold_min(self, type_name: str) -> int:
        """How many live resources of ``type_name`` the delete threshold starts at."""
        return self.delete_threshold_mins.get(type_name, DELETE_THRESHOLD_MIN)
