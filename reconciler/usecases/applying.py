"""Applying: a plan's steps run with each type's operations, under the tenant lease, made
again under the lease and refused when stale, then read back (each type verifies what it
wrote). Also what ``apply FILE`` decides before anything is read: the saved plan and the
flags it refuses."""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.config import Settings
from reconciler.core.executor import ApplyReport, Dispatch, StepCallback, execute
from reconciler.core.plan import Plan
from reconciler.core.steps import Job
from reconciler.errors import LeaseError, PlanFileError, SavedPlanFlags
from reconciler.lease import Lease
from reconciler.lease_actions import lease_store
from reconciler.lease_wait import acquire_waiting
from reconciler.planfile import SavedPlan, canonical, read_plan, step_dicts
from reconciler.resources.base import Desired, ResourceType
from reconciler.resources.builtin import registry
from reconciler.resources.cutover import cutovers_of, step_notes
from reconciler.resources.cutover_wiring import PairedRunner
from reconciler.resources.options import PlanOptions
from reconciler.resources.scope_rules import parse_only
from reconciler.usecases.loading import Loaded, load_desired, plan_options, saved_options
from reconciler.usecases.planning import Reader, plan_against, read_live, state_of

if TYPE_CHECKING:  # only a type here: httpx loads when a command talks to a tenant
    from reconciler.api.client import ManagementClient


DEFAULT_CONFIG = "tenant-config"  # the --config default: `apply FILE` then takes the file's config


def progress_notes(plan: Plan) -> dict[tuple[str, str, str], str]:
    """Words after some steps' names in the apply's progress lines: a cutover's hook request
    is not a trigger going dark (``resources.cutover.step_notes``)."""
    return step_notes(plan)


@dataclass(frozen=True)
class ApplySource:
    """What ``apply`` works from: the config, and the saved plan when one was given."""

    config: str
    saved: SavedPlan | None = None


def open_saved(
    plan_file: str | None, config: str, *, allow_delete: bool = False, force: bool = False,
    rotate_secrets: bool = False, only: Sequence[str] = (), targets: Sequence[str] = (),
) -> ApplySource:
    """The saved plan in ``plan_file`` (none: plan ``config``). The file records the options
    it was made with; a flag here would silently not apply, so it is refused before the
    file is read. The default config is the one the file names."""
    if not plan_file:
        return ApplySource(config)
    scope = [flag for flag, on in (("--only", only), ("--target", targets)) if on]
    if scope:
        raise SavedPlanFlags(
            f"{' and '.join(scope)} cannot change a saved plan: its scope comes from the file "
            f"(`reconciler show {plan_file}` shows it); make the plan again with `reconciler plan {scope[0]} ... --out FILE`"
        )
    given = [flag for flag, on in (("--allow-delete", allow_delete), ("--force", force),
                                   ("--rotate-secrets", rotate_secrets)) if on]
    if given:
        raise SavedPlanFlags(
            f"{', '.join(given)} cannot change a saved plan (it records its own options); "
            f"make the plan again with `reconciler plan {given[0]} --out FILE`"
        )
    saved = read_plan(plan_file)
    return ApplySource(saved.config if config == DEFAULT_CONFIG else config, saved)


@dataclass(frozen=True)
class ApplyInputs:
    loaded: Loaded
    options: PlanOptions
    saved: SavedPlan | None = None


def load_for_apply(
    source: ApplySource, settings: Settings, *, allow_delete: bool = False,
    rotate_secrets: bool = False, force: bool = False, only: Sequence[str] = (), targets: Sequence[str] = (),
) -> ApplyInputs:
    """The config loaded and the options to plan with: a saved plan's own, else the flags'."""
    groups = parse_only(only, registry())  # before anything is read: a typo costs no request
    loaded = load_desired(source.config, settings.keyword_source())
    if source.saved is not None:
        options = saved_options(source.saved, settings)
    else:
        options = plan_options(settings, allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
        options = dataclasses.replace(options, only=groups, targets=tuple(targets))
    return ApplyInputs(loaded, options, source.saved)


def lease_holder(env: Mapping[str, str]) -> str:
    """Who holds the lease, for the message a second apply prints. The user is looked up as
    the standard library does (LOGNAME, USER, LNAME, USERNAME, then the password database),
    but in ``env``, the Settings' copy of the environment."""
    user = next((env[name] for name in ("LOGNAME", "USER", "LNAME", "USERNAME") if env.get(name)), None)
    if user is None:
        try:
            import pwd

            user = pwd.getpwuid(os.getuid())[0]
        except Exception:  # no user name in a minimal container
            user = "unknown"
    holder = f"{user}@{socket.gethostname()} pid {os.getpid()}"
    if env.get("GITHUB_RUN_ID"):
        holder += f" (GitHub run {env.get('GITHUB_REPOSITORY', '')}#{env['GITHUB_RUN_ID']})"
    return holder


def execute_plan(
    plan: Plan, desired: Desired, client: ManagementClient, *, max_workers: int = 8,
    on_step: StepCallback | None = None, stop: threading.Event | None = None,
) -> ApplyReport[Any]:
    """Run ``plan``'s steps with each type's operations (no lease, no re-plan: ``apply_plan``
    does both; the demo's throwaway tenant needs neither)."""
    types = [registry().get(name) for name in plan.types]
    runners = {t.name: t.operations(client, state_of(t, desired)) for t in types if t.operations is not None}
    jobs = _jobs(plan, types)
    # A strict pair's two requests (a cutover, a hooks hand-over) run back to back, alone,
    # their checks made before either (``resources.cutover_wiring``).
    pairs = [(job.follows, index) for index, job in jobs.items() if job.follows is not None]
    runner = PairedRunner(Dispatch(runners), plan.steps, pairs, client)
    return execute(
        plan.steps, runner, max_workers=max_workers, on_step=on_step, stop=stop,
        job_of=lambda step: jobs[step.index],
    )


@dataclass(frozen=True)
class ApplyOutcome:
    report: ApplyReport[Any]
    # What the tenant lacks of the plan when read back (empty: confirmed). Not checked
    # after a failure or an interrupt: the report already says what was not done.
    differences: tuple[str, ...] = ()
    lease_lost: str | None = None  # the run stopped because the lease was lost
    lease_problem: str | None = None  # the lease could not be given back cleanly


def apply_plan(
    plan: Plan,
    desired: Desired,
    client: ManagementClient,
    options: PlanOptions,
    *,
    holder: str,
    max_workers: int = 8,
    on_step: StepCallback | None = None,
    stop: threading.Event | None = None,
    seen: Mapping[str, object] | None = None,
    lock_timeout: float = 0.0,
    on_wait: Callable[[str], None] | None = None,
) -> ApplyOutcome:
    """Execute ``plan`` (already shown and approved) under the tenant lease.

    Under the lease the plan is made again and must be the same: a writer that finished
    between our plan and our lease made it stale, and nothing is written. After the run
    the tenant is read back and compared with the plan. ``seen``: the live states the plan
    was made from (``make_plan(lives=...)``); with them a type that can (hooks) checks with
    one list and reads again only what changed, and reads back only what was written.
    ``lock_timeout``: seconds to wait for a lease another run holds (``on_wait`` told once
    who holds it, until when).
    """
    stop = stop or threading.Event()
    over = threading.Event()  # the take is over (held or not): the lease's own list is known
    early: list[Future[_Checked]] = []

    def lease_list() -> Any:
        """The lease's own list, for the types that check with it (``reads_lease_list``)."""
        over.wait()
        if lease.marker_id is None:
            raise LeaseError("the tenant lease was not taken: this check is dropped")
        return getattr(lease.store, "listed", None)

    def check() -> _Checked:
        lives: dict[str, object] = {}
        again = plan_against(desired, client, options, reader=_reader(seen or {}, None, lease_list), lives=lives)
        return again, lives

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lease-check") as pool:
        # Hooks if the tenant serves them, else an Actions marker (reconciler/lease_actions.py).
        # Once the marker's create proves it ours, the check starts alongside the lease's read.
        lease = Lease(lease_store(client), holder, on_lost=lambda why: stop.set(),
                      on_taken=lambda: early.append(pool.submit(check)))
        try:
            try:
                # The wait sleeps on ``stop``: Ctrl-C ends it at once, not at the next poll.
                waited = acquire_waiting(lease, lock_timeout, on_wait=on_wait or (lambda line: None),
                                         sleep=stop.wait, stopped=stop.is_set)
            finally:
                over.set()
            # Only a check the successful take started counts (one an earlier try started
            # ran before the lease was ours).
            checked = early[-1] if lease.taken_early else pool.submit(check)
            outcome = _apply_leased(plan, desired, client, lease, checked.result(), max_workers, on_step, stop,
                                    waited=waited, give_back=lambda: _give_back(client, lease))
        finally:
            # Every exit (a failed take, a failed apply, the run deadline) gives back what this
            # run made, past the deadline if need be (once: a read-back gave it back already).
            _give_back(client, lease)
    return dataclasses.replace(outcome, lease_problem=lease.release_problem)


def _give_back(client: ManagementClient, lease: Lease) -> None:
    with client.cleanup_time():
        lease.release()


# The plan made again under the lease, and the live states it read.
_Checked = tuple[Plan, dict[str, object]]


def _apply_leased(
    plan: Plan, desired: Desired, client: ManagementClient, lease: Lease, checked: _Checked,
    max_workers: int, on_step: StepCallback | None, stop: threading.Event, *, waited: bool,
    give_back: Callable[[], None],
) -> ApplyOutcome:
    again, lives = checked
    if canonical(step_dicts(again)) != canonical(step_dicts(plan)) or (
        canonical([c.to_dict() for c in cutovers_of(again)]) != canonical([c.to_dict() for c in cutovers_of(plan)])
    ):
        why = ("the run whose lease this one waited for changed the tenant" if waited
               else "the tenant changed between the plan and the apply (another writer?)")
        raise PlanFileError(f"stale plan: {why}; nothing was written; run apply again (it plans against the tenant as it is now)")
    report = execute_plan(plan, desired, client, max_workers=max_workers, on_step=on_step, stop=stop)
    if lease.lost or not report.ok or report.interrupted:
        return ApplyOutcome(report, lease_lost=lease.lost)
    return ApplyOutcome(report, _read_back(plan, desired, client, lives, give_back))


def _read_back(plan: Plan, desired: Desired, client: ManagementClient, lives: Mapping[str, object],
               give_back: Callable[[], None]) -> tuple[str, ...]:
    """What the tenant lacks of ``plan`` when read back (each type verifies what it wrote).
    The types' read-backs go out at once, and the lease is given back alongside them, not
    after their answers: every write of this run was answered before, and another run
    writes only after its own marker's create, its list and its check, so nothing it
    writes comes before these reads."""
    read = _reader(lives, plan, None)
    checked = [(resource, state_of(resource, desired)) for resource in [registry().get(name) for name in plan.types]
               if resource.verify is not None and resource.read_live is not None]
    going = [threading.Event() for _ in checked]

    def read_one(index: int) -> object:
        going[index].set()
        resource, state = checked[index]
        return read(resource, client, state)

    with ThreadPoolExecutor(max_workers=max(1, len(checked)), thread_name_prefix="read-back") as pool:
        reads = [pool.submit(read_one, index) for index in range(len(checked))]
        for started in going:
            started.wait()
        give_back()
        found: list[str] = []
        for (resource, state), answer in zip(checked, reads):
            assert resource.verify is not None
            found += resource.verify(plan, (state, answer.result()))
    return tuple(found)


def _reader(before: Mapping[str, object], written: Plan | None, listed: Callable[[], Any] | None) -> Reader:
    """How each type is read again: cheaply against ``before`` where the type can, else in
    full (``ResourceType.read_again``: ``written`` None checks what changed; the plan run is
    the read-back of what it wrote). ``listed``: the lease's own list, asked for only by the
    types that read with it (``ResourceType.reads_lease_list``)."""

    def read(resource: ResourceType[Any, Any], client: Any, state: object) -> object:
        if resource.read_again is not None and resource.name in before:
            shared = listed() if listed is not None and resource.reads_lease_list else None
            return resource.read_again(client, state, before[resource.name], written, shared)
        return read_live(resource, client, state)

    return read


def _jobs(plan: Plan, types: Iterable[ResourceType[Any, Any]]) -> dict[int, Job]:
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
