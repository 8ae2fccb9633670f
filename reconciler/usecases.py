"""The use cases, one function each: load, plan, apply (validate, export, comment, run and
migrate have theirs in their packages: validate.check, export.export_live, github.comment,
runner.targets.run_named, migrate.migration). I/O lives here and in the client;
the planning core stays pure. The CLI calls these and only prints."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from reconciler.resources.hooks.ops import ApplyReport, StepCallback, execute
from reconciler.config import Settings
from reconciler.errors import HooksUnavailableError, ReconcilerError, hooks_unavailable
from reconciler.lease import LEASE_NAME, Lease
from reconciler.lease_actions import lease_store
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.plan import Plan, PlanError, PlanOptions
from reconciler.planfile import PlanFileError, SavedPlan, canonical, check_matches
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.hooks.validate import Problem, check
from reconciler.resources.hooks.verify import differences

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
    )


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
    )


def read_live(client: ManagementClient, desired: DesiredState | None = None) -> LiveState:
    """The live tenant as every command sees it: the one place the apply lease's marker
    hook is filtered out, so plans, drift, export and the delete threshold never see it.

    Auth0 ended Hooks on 2026-11-18: a tenant without them has no live hooks, which is fine
    for a config without hooks (Actions only); a config that has hooks gets the one-line
    error saying the tenant has none. A config that does not manage hooks reads none."""
    if desired is not None and not desired.manages_hooks:
        return LiveState(hooks=())
    try:
        live = client.read_live_state()
    except ReconcilerError as error:
        if not hooks_unavailable(error):
            raise
        if desired is not None and not desired.hooks:
            return LiveState(hooks=())
        raise HooksUnavailableError(
            "this tenant has no Hooks (Auth0 retired them on 2026-11-18), but the config has "
            f"hooks/: move them to Actions with `reconciler migrate` ({error})"
        ) from None
    return LiveState(hooks=tuple(h for h in live.hooks if h.name != LEASE_NAME))


def make_plan(
    desired: DesiredState,
    client: ManagementClient,
    options: PlanOptions,
    *,
    saved: SavedPlan | None = None,
) -> Plan:
    """A fresh plan against the live tenant. With ``saved``: the fresh plan, made with the
    saved plan's options, and only if it is identical to the saved one (else refused)."""
    reserved = [hook.source or hook.name for hook in desired.hooks if hook.name == LEASE_NAME]
    if reserved:
        raise PlanError(f"{reserved[0]}: the hook name {LEASE_NAME} is reserved for the apply lease")
    live = read_live(client, desired)
    fresh = _with_parts(build_plan(desired, live, options), desired, live, client, options)
    if saved is not None:
        check_matches(saved, fresh)
    return fresh


def _with_parts(plan: Plan, desired: DesiredState, live: LiveState, client: ManagementClient, options: PlanOptions) -> Plan:
    """The hooks plan plus the Actions parts and the hooks-to-Actions cutovers (none, and no
    request, for a hooks-only config)."""
    from reconciler.resources.actions.engine import plan_parts_and_live
    from reconciler.resources.cutover import word
    from reconciler.resources.cutover_wiring import plan_cutover

    parts, live_actions = plan_parts_and_live(desired.actions, client, options)
    if not parts:
        return plan
    cut = plan_cutover(plan.steps, parts, desired, live.hooks, live_actions, dict(options.cutover), options.excluded_hooks)
    warnings = plan.warnings + tuple(word(reason) for reason in cut.warnings)
    return dataclasses.replace(plan, parts=parts, cutovers=cut.cutovers, warnings=warnings)


def _parts_dict(plan: Plan) -> list[object]:
    from reconciler.resources.actions.engine import part_to_dict

    return [part_to_dict(part) for part in plan.parts]


@dataclass(frozen=True)
class ApplyOutcome:
    report: ApplyReport
    # What the tenant lacks of the plan when read back (empty: confirmed). Not checked
    # after a failure or an interrupt: the report already says what was not done.
    differences: tuple[str, ...] = ()
    lease_lost: str | None = None  # the run stopped because the lease was lost
    lease_problem: str | None = None  # the lease could not be given back cleanly


def apply_plan(
    plan: Plan,
    desired: DesiredState,
    client: ManagementClient,
    options: PlanOptions,
    *,
    holder: str,
    max_workers: int = 8,
    on_step: StepCallback | None = None,
    stop: threading.Event | None = None,
) -> ApplyOutcome:
    """Execute ``plan`` (already shown and approved) under the tenant lease.

    Under the lease the plan is made again and must be the same: a writer that finished
    between our plan and our lease made it stale, and nothing is written. After the run
    the tenant is read back and compared with the plan.
    """
    stop = stop or threading.Event()
    # Hooks if the tenant serves them, else an Actions marker (reconciler/lease_actions.py).
    lease = Lease(lease_store(client), holder, on_lost=lambda why: stop.set())
    lease.acquire()
    try:
        outcome = _apply_leased(plan, desired, client, options, lease, max_workers, on_step, stop)
    finally:
        lease.release()
    return dataclasses.replace(outcome, lease_problem=lease.release_problem)


def _apply_leased(
    plan: Plan, desired: DesiredState, client: ManagementClient, options: PlanOptions,
    lease: Lease, max_workers: int, on_step: StepCallback | None, stop: threading.Event,
) -> ApplyOutcome:
    live = read_live(client, desired)
    again = _with_parts(build_plan(desired, live, options), desired, live, client, options)
    if canonical([s.to_dict() for s in again.steps]) != canonical([s.to_dict() for s in plan.steps]) or (
        canonical(_parts_dict(again)) != canonical(_parts_dict(plan))
    ) or canonical([c.to_dict() for c in again.cutovers]) != canonical([c.to_dict() for c in plan.cutovers]):
        raise PlanFileError(
            "stale plan: the tenant changed between the plan and the apply (another writer?); "
            "nothing was written; run apply again"
        )
    if plan.parts:
        from reconciler.resources.actions.engine import execute_all, verify

        report = execute_all(plan.steps, plan.parts, client, desired, desired.actions,
                             max_workers=max_workers, on_step=on_step, stop=stop, cutovers=plan.cutovers)
    else:
        report = execute(plan, client, desired, max_workers=max_workers, on_step=on_step, stop=stop)
    if lease.lost or not report.ok or report.interrupted:
        return ApplyOutcome(report, lease_lost=lease.lost)
    found = differences(plan, desired, read_live(client, desired))
    if plan.parts:
        found += verify(report.done, client, desired.actions)
    return ApplyOutcome(report, tuple(found))
