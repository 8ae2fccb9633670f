"""The pipeline, one function a use: load, plan, apply. I/O lives here and in the client;
the planning core stays pure. The CLI calls these and only prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

from reconciler.config import Settings
from reconciler.errors import ReconcilerError
from reconciler.model import DesiredState
from reconciler.plan import Plan, PlanOptions, config_digest, live_fingerprint
from reconciler.planfile import SavedPlan, check_fresh
from reconciler.planner import build_plan
from reconciler.validate import Problem, check

if TYPE_CHECKING:  # only a type here: httpx loads when a command talks to a tenant
    from reconciler.client import ManagementClient


class InvalidConfig(ReconcilerError):
    """The config has errors; ``problems`` holds one line each."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the configuration")
        self.problems = problems


@dataclass(frozen=True)
class Loaded:
    desired: DesiredState
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
    if not report.ok() or report.state is None:
        raise InvalidConfig(report.errors or report.problems)
    return Loaded(report.state, report.warnings, report.filled_keywords)


def plan_options(
    settings: Settings | None = None,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
) -> PlanOptions:
    """Flags on top of ``settings`` (AUTH0_ALLOW_DELETE, the HMAC key); none: defaults."""
    settings = settings or Settings()
    return PlanOptions(
        allow_delete=allow_delete or settings.allow_delete,
        rotate_secrets=rotate_secrets,
        hmac_key=settings.hmac_key,
        force=force,
    )


def make_plan(
    desired: DesiredState,
    client: ManagementClient,
    options: PlanOptions,
    *,
    saved: SavedPlan | None = None,
) -> Plan:
    """A fresh plan against the live tenant, or ``saved`` if it still describes reality."""
    live = client.read_live_state()
    if saved is None:
        return build_plan(desired, live, options)
    check_fresh(
        saved,
        config_digest=config_digest(desired, options.hmac_key),
        live_fingerprint=live_fingerprint(live),
    )
    return saved.plan
