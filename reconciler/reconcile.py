"""The pipeline, one function a use: load, plan, apply. I/O lives here and in the client;
the planning core stays pure. The CLI calls these and only prints."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from reconciler.client import ManagementClient
from reconciler.errors import ReconcilerError
from reconciler.model import NAME_PATTERN, DesiredState
from reconciler.plan import Plan, PlanOptions, config_digest, live_fingerprint
from reconciler.planfile import SavedPlan, check_fresh
from reconciler.planner import build_plan
from reconciler.secrets import HMAC_ENV
from reconciler.validate import Problem, check

TRUE_WORDS = {"1", "true", "yes", "on"}
# deploy-cli's naming (AUTH0_EXCLUDED_RULES, AUTH0_EXCLUDED_CLIENTS, ...): hook names the
# tool leaves alone, a JSON array (as in deploy-cli's config.json) or comma-separated.
EXCLUDED_HOOKS_ENV = "AUTH0_EXCLUDED_HOOKS"
MAX_EXCLUDED = 10_000


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


def excluded_hooks(value: Any) -> frozenset[str]:
    """``AUTH0_EXCLUDED_HOOKS`` as a set of names: a list, a JSON array, or ``a,b``."""
    if value is None or value == "":
        return frozenset()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ReconcilerError(f"{EXCLUDED_HOOKS_ENV}: not a JSON array of hook names") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ReconcilerError(f"{EXCLUDED_HOOKS_ENV}: expected a list of hook names")
    bad = next((name for name in value if not re.match(NAME_PATTERN, name)), None)
    if bad is not None:
        raise ReconcilerError(f"{EXCLUDED_HOOKS_ENV}: {bad[:60]!r} is not a hook name")
    if len(value) > MAX_EXCLUDED:
        raise ReconcilerError(f"{EXCLUDED_HOOKS_ENV}: more than {MAX_EXCLUDED} names")
    return frozenset(value)


def plan_options(
    env: Mapping[str, str] | None = None,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
    exclude: Iterable[str] = (),
) -> PlanOptions:
    env = os.environ if env is None else env
    hmac_key = env.get(HMAC_ENV) or None
    return PlanOptions(
        allow_delete=allow_delete or env_flag(env, "AUTH0_ALLOW_DELETE"),
        rotate_secrets=rotate_secrets,
        hmac_key=hmac_key.encode() if hmac_key else None,
        force=force,
        excluded_hooks=excluded_hooks(env.get(EXCLUDED_HOOKS_ENV)) | frozenset(exclude),
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
