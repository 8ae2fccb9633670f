"""Loading a config and the options a plan is made with (no network)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reconciler.config import Settings
from reconciler.errors import InvalidConfig
from reconciler.keywords import Placeholder
from reconciler.planfile import SavedPlan
from reconciler.problems import Problem
from reconciler.resources.base import Desired
from reconciler.resources.common.templates import LiveView
from reconciler.resources.options import PlanOptions
from reconciler.usecases.validating import check


@dataclass(frozen=True)
class Loaded:
    desired: Desired
    warnings: tuple[Problem, ...]
    filled_keywords: tuple[str, ...]


def load_desired(
    config: str,
    env: Mapping[str, object] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
) -> Loaded:
    """The desired state, or ``InvalidConfig`` listing every error. No network."""
    report = check(config, env, fill_missing=fill_missing)
    if not report.ok() or report.desired is None:
        raise InvalidConfig(report.errors or report.problems)
    return Loaded(report.desired, report.warnings, report.filled_keywords)


# A keyword without a value in a review-only plan (``--allow-missing-keywords``).
def placeholder(keyword: str) -> str:
    return Placeholder(keyword)  # "<unset KEYWORD>", recognisable as unknown by type


def plan_options(
    settings: Settings | None = None,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
    exclude: Iterable[str] = (),
) -> PlanOptions:
    """Flags on top of ``settings`` (AUTH0_ALLOW_DELETE, the HMAC key); none: defaults."""
    settings = settings or Settings()
    return PlanOptions(
        allow_delete=allow_delete or settings.allow_delete,
        rotate_secrets=rotate_secrets,
        hmac_key=settings.hmac_key,
        force=force,
        excluded_hooks=frozenset(settings.excluded_hooks) | frozenset(exclude),
        excluded_actions=frozenset(settings.excluded_actions),
        cutover=tuple(sorted(settings.cutover.items())),
        live_view=live_view(settings),
    )


def live_view(settings: Settings, *, complete: bool = True) -> LiveView:
    """Diffs mask every value of the keyword mapping (used by the config or not); with
    ``complete`` False (values missing), they also hide live lines the template does not hold."""
    return LiveView(tuple(sorted(settings.keyword_mappings.items())), complete)


def saved_options(saved: SavedPlan, settings: Settings | None = None) -> PlanOptions:
    """The options a saved plan was made with (AUTH0_ALLOW_DELETE is not consulted: the
    file decides). Only the HMAC key, which never goes into a file, comes from ``settings``."""
    recorded, settings = saved.options, settings or Settings()
    return PlanOptions(
        allow_delete=recorded.allow_delete,
        rotate_secrets=recorded.rotate_secrets,
        hmac_key=settings.hmac_key,
        force=recorded.force,
        # Not recorded in the file: a different list makes a different plan, which is refused.
        excluded_hooks=frozenset(settings.excluded_hooks),
        excluded_actions=frozenset(settings.excluded_actions),
        # Not recorded either: a different AUTH0_CUTOVER makes different cutovers, refused.
        cutover=tuple(sorted(settings.cutover.items())),
        live_view=live_view(settings),
        # The file's scope (checked against the plan it holds when read: ``planfile.read_plan``).
        only=recorded.only,
        targets=recorded.targets,
    )
