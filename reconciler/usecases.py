"""The use cases, one function each: load, plan, apply (validate, export, comment, run and
migrate have theirs in their packages: validate.check, export.export_live, github.comment,
runner.targets.run_named, migrate.migration). I/O lives here and in the client;
the planning core stays pure. The CLI calls these and only prints.

Planning asks every registered type that can plan (``planning_types``: in planning order)
for its part against the live state it reads, and merges the parts into one ``Plan``
(``core.plan.assemble``); apply runs the plan's steps with each type's operations
(``core.executor.Dispatch``) and has each type verify what it wrote."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from reconciler.config import Settings
from reconciler.core.executor import ApplyReport, Dispatch, StepCallback, execute
from reconciler.core.plan import Plan, assemble
from reconciler.core.planner import TypePlan
from reconciler.core.steps import Job
from reconciler.errors import PlanError, ReconcilerError
from reconciler.lease import LEASE_NAME, Lease
from reconciler.lease_actions import lease_store
from reconciler.planfile import PlanFileError, SavedPlan, canonical, check_matches, step_dicts
from reconciler.resources.base import ResourceType, registry
from reconciler.resources.actions.blocks import cutovers_of
from reconciler.resources.cutover_wiring import PairedRunner
from reconciler.core.reasons import Reason
from reconciler.resources.hooks.model import DesiredState, LiveState
from reconciler.resources.hooks.plan import PlanOptions
from reconciler.resources.hooks.validate import Problem, check

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
    """The live hooks as every command sees them (the apply lease's marker left out; a
    tenant without Hooks or a config not managing them: none, see the hooks type)."""
    from reconciler.resources.hooks.register import read_live as read_live_hooks

    live: LiveState = read_live_hooks(client, desired)
    return live


def planning_types() -> list[ResourceType]:
    """The registered types that can plan, in planning order (a type before those that wait
    for it)."""
    return [t for t in registry().planning_order() if t.plan is not None and t.read_live is not None]


def state_of(resource: ResourceType, desired: DesiredState) -> object:
    """The type's part of the desired state (None: the config has nothing of that type)."""
    return resource.select(desired) if resource.select is not None else desired


def plan_parts(
    desired: DesiredState, client: ManagementClient, options: PlanOptions
) -> tuple[list[TypePlan], dict[str, object]]:
    """Every planning type's part, each against the live state it reads (types sharing a
    reader, Actions and their bindings, read the tenant once); and the live states by type."""
    parts: list[TypePlan] = []
    lives: dict[str, object] = {}
    read: dict[tuple[object, int], object] = {}
    for resource in planning_types():
        state = state_of(resource, desired)
        if state is None:
            continue
        assert resource.plan is not None and resource.read_live is not None
        key = (resource.read_live, id(state))
        if key not in read:
            read[key] = resource.read_live(client, state)
        lives[resource.name] = read[key]
        parts.append(resource.plan(state, read[key], options))
    return parts, lives


def plan_against(desired: DesiredState, client: ManagementClient, options: PlanOptions) -> Plan:
    """The merged plan; with Actions, the hooks-to-Actions cutovers: strict pairs at the
    merge and an extra of the ``action`` type (``cutovers``), which its render blocks show
    and saved plans are compared on."""
    from reconciler.resources.cutover import word
    from reconciler.resources.cutover_wiring import plan_cutover

    parts, lives = plan_parts(desired, client, options)
    hooks = getattr(lives.get("hook"), "hooks", ())
    merged, cut = plan_cutover(
        parts, desired, hooks, lives.get("action"), dict(options.cutover), options.excluded_hooks
    )
    if cut.cutovers:
        parts = [
            dataclasses.replace(part, extras=part.extras + (("cutovers", cut.cutovers),))
            if part.type == "action" else part
            for part in parts
        ]
    plan = assemble(parts, steps=merged.steps, pairs=merged.pairs, allow_delete=options.allow_delete)
    if not cut.warnings:
        return plan
    return dataclasses.replace(
        plan, warnings=plan.warnings + tuple(Reason.worded(word(reason)) for reason in cut.warnings)
    )


def make_plan(
    desired: DesiredState,
    client: ManagementClient,
    options: PlanOptions,
    *,
    saved: SavedPlan | None = None,
) -> Plan:
    """A fresh plan against the live tenant, from every type that plans (a hooks-only config
    gives a hooks-only plan). With ``saved``: the fresh plan, made with the saved plan's
    options, and only if it is identical to the saved one (else refused)."""
    reserved = [hook.source or hook.name for hook in desired.hooks if hook.name == LEASE_NAME]
    if reserved:
        raise PlanError(f"{reserved[0]}: the hook name {LEASE_NAME} is reserved for the apply lease")
    fresh = plan_against(desired, client, options)
    if saved is not None:
        check_matches(saved, fresh)
    return fresh


@dataclass(frozen=True)
class Planned:
    plan: Plan
    loaded: Loaded
    options: PlanOptions


# A keyword without a value in a review-only plan (``--allow-missing-keywords``).
def placeholder(keyword: str) -> str:
    return f"<unset {keyword}>"


def plan_config(
    config: str,
    client_factory: Callable[[], "ManagementClient"],
    settings: Settings,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
    allow_missing_keywords: bool = False,
    on_loaded: Callable[[Loaded], None] | None = None,
) -> Planned:
    """``reconciler plan``: load, plan against the tenant. With ``allow_missing_keywords``,
    unset keywords get placeholders, secret values are not compared (placeholders are not
    the real values: comparing them would report every secret as changed) and the plan is
    marked review-only, so no apply takes it. ``on_loaded``: told the loaded config before
    the tenant is read (the CLI prints its warnings then)."""
    fill = placeholder if allow_missing_keywords else None
    loaded = load_desired(config, settings.keyword_source(), fill_missing=fill)
    if on_loaded is not None:
        on_loaded(loaded)
    options = plan_options(settings, allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    if loaded.filled_keywords:
        options = dataclasses.replace(options, hmac_key=None, rotate_secrets=False)
    with client_factory() as client:
        the_plan = make_plan(loaded.desired, client, options)
    if loaded.filled_keywords:
        the_plan = dataclasses.replace(the_plan, review_only=True)
    return Planned(the_plan, loaded, options)


def execute_plan(
    plan: Plan, desired: DesiredState, client: "ManagementClient", *, max_workers: int = 8,
    on_step: StepCallback | None = None, stop: threading.Event | None = None,
) -> ApplyReport:
    """Run ``plan``'s steps with each type's operations (no lease, no re-plan: ``apply_plan``
    does both; the demo's throwaway tenant needs neither)."""
    types = [registry().get(name) for name in plan.types]
    runners = {t.name: t.operations(client, state_of(t, desired)) for t in types if t.operations is not None}
    jobs = _jobs(plan, types)
    # A cutover's two requests run back to back, alone (``resources.cutover_wiring``).
    runner = PairedRunner(Dispatch(runners), plan.steps, plan.pairs, client)
    return execute(
        plan.steps, runner, max_workers=max_workers, on_step=on_step, stop=stop,
        job_of=lambda step: jobs[step.index],
    )


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
    again = plan_against(desired, client, options)
    if canonical(step_dicts(again)) != canonical(step_dicts(plan)) or (
        canonical([c.to_dict() for c in cutovers_of(again)]) != canonical([c.to_dict() for c in cutovers_of(plan)])
    ):
        raise PlanFileError(
            "stale plan: the tenant changed between the plan and the apply (another writer?); "
            "nothing was written; run apply again"
        )
    report = execute_plan(plan, desired, client, max_workers=max_workers, on_step=on_step, stop=stop)
    if lease.lost or not report.ok or report.interrupted:
        return ApplyOutcome(report, lease_lost=lease.lost)
    found: list[str] = []
    for resource in [registry().get(name) for name in plan.types]:
        if resource.verify is not None and resource.read_live is not None:
            state = state_of(resource, desired)
            found += resource.verify(plan, (state, resource.read_live(client, state)))
    return ApplyOutcome(report, tuple(found))


def _jobs(plan: Plan, types: Iterable[ResourceType]) -> dict[int, Job]:
    """Each step's scheduling facts (from its type when the type says them), with the
    plan's cross-type strict pairs."""
    jobs: dict[int, Job] = {step.index: step.job() for step in plan.steps}
    for resource in types:
        if resource.jobs is not None:
            jobs.update(resource.jobs(plan.steps_of(resource.name)))
    for leader, follower in plan.pairs:
        jobs[leader] = dataclasses.replace(jobs[leader], first=True)
        jobs[follower] = dataclasses.replace(jobs[follower], follows=leader)
    return jobs
