"""``plan`` and ``apply``: parse, call the use cases, print, set the exit code."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from reconciler.commands.common import (
    TENANT_ENV,
    client_for,
    connection_options,
    fail,
    plan_flags,
    print_apply_report,
    print_steps,
    print_warnings,
    render,
    report_errors,
)
from reconciler.commands.interrupt import UnderWay, graceful_stop
from reconciler.commands.scope_flags import scope_flags
from reconciler.terminal import confirm_apply, run_settings

if TYPE_CHECKING:
    from reconciler.usecases.applying import ApplyOutcome
    from reconciler.usecases.loading import Loaded


@click.command(epilog=TENANT_ENV)
@plan_flags
@scope_flags
@connection_options
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan for `apply FILE`.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without changes, 2 with changes or drift (actions or hooks outside the config and "
    "AUTH0_EXCLUDED_ACTIONS / AUTH0_EXCLUDED_HOOKS, changes that cannot be made), 1 on error.")
@click.option(
    "--allow-missing-keywords", is_flag=True,
    help="Plan without keyword values (a read-only CI job): unset keywords get placeholders "
    "and secret values are not compared.",
)
@click.option("--tenant", default="default", show_default=True, help="Tenant name for the markdown heading.")
@click.option("--keywords-base", type=click.Path(), metavar="DIR",
              help="The config as at a base commit (a pull request's): the plan names the keywords this "
              "config adds or no longer uses (names only).")
@report_errors
def plan(
    config: str, allow_delete: bool, rotate_secrets: bool, force: bool, domain: str | None,
    client_id: str | None, audience: str | None, config_file: str | None, out: str | None,
    output_format: str, detailed_exitcode: bool, allow_missing_keywords: bool, tenant: str,
    keywords_base: str | None, only: tuple[str, ...], targets: tuple[str, ...],
) -> None:
    """Show what apply would change. Never writes to the tenant."""
    from reconciler.planfile import write_plan
    from reconciler.usecases.planning import plan_config

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)

    def loaded_note(loaded: Loaded) -> None:
        print_warnings(loaded)
        if loaded.filled_keywords:
            click.echo(
                "note: planned without these keywords (secret values not compared; scripts compared "
                "as templates, metadata with placeholders; secrets given whole by one of them are "
                "left as they are): " + ", ".join(loaded.filled_keywords),
                err=True,
            )

    planned = plan_config(
        config, lambda: client_for(settings), settings, allow_delete=allow_delete,
        rotate_secrets=rotate_secrets, force=force, allow_missing_keywords=allow_missing_keywords,
        on_loaded=loaded_note, keywords_base=keywords_base, only=only, targets=targets,
    )
    the_plan = planned.plan
    click.echo(render(the_plan, output_format, tenant), nl=False)
    if out:
        write_plan(the_plan, out, config=config, options=planned.options)
        click.echo(f"Saved the plan to {out}; run `reconciler apply {out}` to execute exactly it.", err=True)
    if detailed_exitcode and the_plan.has_drift:  # unmanaged hooks and skipped changes too
        sys.exit(2)


@click.command(epilog=TENANT_ENV)
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@plan_flags
@scope_flags
@connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (required without a terminal; a PLAN_FILE never asks).")
@click.option("--max-workers", default=8, show_default=True, help="Requests in flight at once.")
@click.option(
    "--wait-limit", type=float, default=None, metavar="SECONDS",
    help="End the run (one line) when any single wait would be longer: an action's build or deploy, "
    "a server's Retry-After (or AUTH0_WAIT_LIMIT; default: 300 s a build, 120 s a deploy).",
)
@click.option(
    "--lock-timeout", type=click.FloatRange(0, 24 * 3600), default=0, metavar="SECONDS",
    help="Wait up to SECONDS for the tenant lease another run holds (one line says who holds it "
    "and when it expires) instead of failing at once. Default 0: fail at once.",
)
@report_errors
def apply(
    plan_file: str | None, config: str, allow_delete: bool, rotate_secrets: bool, force: bool,
    domain: str | None, client_id: str | None, audience: str | None, config_file: str | None,
    yes: bool, max_workers: int, wait_limit: float | None, lock_timeout: float,
    only: tuple[str, ...], targets: tuple[str, ...],
) -> None:
    """Plan and apply the config, or apply a saved PLAN_FILE if it is still exactly what the
    config and the tenant produce. Takes the tenant lease while it writes."""
    from reconciler.progress import progress_bar
    from reconciler.render.text import render_text
    from reconciler.usecases.applying import load_for_apply, open_saved
    from reconciler.usecases.planning import make_plan

    flags = {"allow_delete": allow_delete, "rotate_secrets": rotate_secrets, "force": force}
    source = open_saved(plan_file, config, **flags, only=only, targets=targets)
    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience,
                            wait_limit=wait_limit)
    inputs = load_for_apply(source, settings, **flags, only=only, targets=targets)
    print_warnings(inputs.loaded)
    loaded, options, saved = inputs.loaded, inputs.options, inputs.saved
    keywords = None
    if saved is not None:  # to tell differing keyword values from a changed config
        from reconciler.usecases.keyword_names import keyword_report

        keywords = keyword_report(source.config, settings.keyword_source(), options.hmac_key)
    with client_for(settings, max_workers) as client:
        seen: dict[str, object] = {}
        the_plan = make_plan(loaded.desired, client, options, saved=saved, lives=seen, keywords=keywords)
        click.echo(render_text(the_plan), nl=False)
        if not the_plan.has_changes:
            return
        if saved is None:  # a saved plan was the approval
            confirm_apply(yes, tenant=settings.tenant_label)
        from reconciler.usecases.applying import apply_plan, lease_holder, progress_notes

        stop = threading.Event()
        notes = progress_notes(the_plan)
        with progress_bar(_step_count(the_plan), color=settings.color is not False, notes=notes) as on_step:
            under_way = UnderWay(on_step)
            with graceful_stop(stop, lambda: client.limiter.in_flight, under_way.count), _exit_130_when_interrupted():
                outcome = apply_plan(
                    the_plan, loaded.desired, client, options, holder=lease_holder(settings.environ),
                    max_workers=max_workers, on_step=under_way, stop=stop, seen=seen,
                    lock_timeout=lock_timeout, on_wait=lambda line: click.echo(line, err=True),
                )
        _print_apply_outcome(outcome, client.stats.snapshot())


def _step_count(plan: object) -> int:
    parts = getattr(plan, "parts", ())
    return len(plan.steps) + sum(len(getattr(part, "steps", ())) for part in parts)  # type: ignore[attr-defined]


@contextlib.contextmanager
def _exit_130_when_interrupted() -> Iterator[None]:
    """An interrupt during the lease wait: one line, nothing written, exit 130 as any interrupt."""
    from reconciler.errors import LeaseWaitInterrupted

    try:
        yield
    except LeaseWaitInterrupted as interrupted:
        click.echo(f"error: {interrupted}", err=True)
        sys.exit(130)


def _print_apply_outcome(outcome: ApplyOutcome, traffic: dict[str, int]) -> None:
    report = outcome.report
    if outcome.lease_problem:
        click.echo(f"warning: {outcome.lease_problem}", err=True)
    if report.interrupted or outcome.lease_lost:
        why = outcome.lease_lost or "interrupted"
        click.echo(f"{why}: finished the requests in flight and started hand-overs; started nothing new", err=True)
        print_steps(report)
        click.echo("the lease is released; run apply again to finish (it converges)", err=True)
        sys.exit(130 if report.interrupted and not outcome.lease_lost else 1)
    if report.ok and outcome.differences:
        more = f" (and {len(outcome.differences) - 1} more)" if len(outcome.differences) > 1 else ""
        fail(f"the server acknowledged the writes but the tenant does not show them: "
              f"{outcome.differences[0]}{more}")
    print_apply_report(report, traffic)


@click.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--tenant", default="default", show_default=True, help="Tenant name for the markdown heading.")
@report_errors
def show(plan_file: str, output_format: str, tenant: str) -> None:
    """Print a saved plan (`plan --out FILE`), as `terraform show` does. Offline: reads only
    the file, which is checked as strictly as `apply FILE` checks it."""
    from reconciler.planfile import read_plan

    saved = read_plan(plan_file)
    run_settings()  # colour choice only: nothing else is read
    if output_format == "text":
        from reconciler.escape import terminal

        # The file's own strings are the file author's: escaped, so no control code reaches the terminal.
        made = f", made {terminal(saved.created_at)[:40]}" if saved.created_at else ""
        click.echo(f"Saved plan {terminal(plan_file)} (config {terminal(saved.config)[:200]}{made}):\n", err=True)
    click.echo(render(saved.plan, output_format, tenant), nl=False)
