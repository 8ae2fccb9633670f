"""The options a plan is made with (flags and settings), part of the seam: every type's
``plan`` gets them."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.resources.common.templates import FULL_VIEW, LiveView


@dataclass(frozen=True)
class PlanOptions:
    allow_delete: bool = False
    rotate_secrets: bool = False
    hmac_key: bytes | None = field(default=None, repr=False)
    force: bool = False
    # octoDNS-style safety: refuse to delete more than this share of the live hooks...
    max_delete_share: float = 0.3
    # ...when the tenant has at least this many hooks.
    delete_threshold_min_hooks: int = 10
    # Hook names outside management (deploy-cli's AUTH0_EXCLUDED_* naming): neither the live
    # hook nor a config entry of that name is touched, and it is no drift.
    excluded_hooks: frozenset[str] = frozenset()
    # AUTH0_EXCLUDED_ACTIONS: action names left alone likewise (the Actions planner reads it).
    excluded_actions: frozenset[str] = frozenset()
    # AUTH0_CUTOVER: ((trigger, "both" | "neither"), ...); unlisted triggers take the default.
    cutover: tuple[tuple[str, str], ...] = ()
    # How much of live scripts and code a diff may show: known keyword values masked, and
    # with values missing, only live lines the template explains (never written to a file).
    live_view: LiveView = field(default=FULL_VIEW, repr=False)
    # --only: the type groups planned ("actions", "hooks"; empty: all), none other is read.
    only: tuple[str, ...] = ()
    # --target: "GROUP:NAME" or a bare NAME; the plan keeps those and what they need.
    targets: tuple[str, ...] = ()
