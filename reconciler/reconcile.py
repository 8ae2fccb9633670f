"""The pipeline, one function a use: load, plan, apply. I/O lives here and in the client;
the planning core stays pure. The CLI calls these and only prints."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping

from reconciler.client import ManagementClient
from reconciler.errors import ReconcilerError
from reconciler.model import DesiredState
from reconciler.plan import Plan, PlanOptions, config_digest, live_fingerprint
from reconciler.planfile import SavedPlan, check_fresh
from reconciler.planner import build_plan
from reconciler.secrets import HMAC_ENV
from reconciler.validate import Problem, check

TRUE_WORDS = {"1", "true", "yes", "on"}


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
    env: Mapping[str, str] | None = None,
    *,
    fill_missing: Callable[[str], str] | None = None,
) -> Loaded:
    """The desired state, or ``InvalidConfig`` listing every error. No network."""
    report = check(config, env, fill_missing=fill_missing)
    if not report.ok() or report.state is None:
        raise InvalidConfig(report.errors or report.problems)
    return Loaded(report.state, report.warnings, report.filled_keywords)


def env_flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in TRUE_WORDS


def plan_options(
    env: Mapping[str, str] | None = None,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
) -> PlanOptions:
    env = os.environ if env is None else env
    hmac_key = env.get(HMAC_ENV) or None
    return PlanOptions(
        allow_delete=allow_delete or env_flag(env, "AUTH0_ALLOW_DELETE"),
        rotate_secrets=rotate_secrets,
        hmac_key=hmac_key.encode() if hmac_key else None,
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
