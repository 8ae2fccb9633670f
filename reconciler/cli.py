"""The command line: thin click commands that parse, call one function, print, and exit.

Start-up matters (every CI step and shell completion starts a process), so this module
imports only click and the settings; each command imports what it uses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import getpass
import os
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, NoReturn

import click

from reconciler import __version__
from reconciler.config import CONNECTION_VARS, KEYWORD_VARS, PLAN_VARS, TERMINAL_VARS, Settings
from reconciler.errors import ReconcilerError
from reconciler.terminal import (
    Lazy, ReconcilerGroup, config_file_option, confirm_apply, env_help, no_color_option, run_settings,
    tls_hint,
)

if TYPE_CHECKING:
    from reconciler.resources.hooks.ops import ApplyReport
    from reconciler.client import ManagementClient
    from reconciler.resources.hooks.plan import Plan
    from reconciler.reconcile import Loaded


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@no_color_option
def cli() -> None:
    """Declarative GitOps reconciler for Auth0 Hooks."""


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _report_errors(function: Callable[..., None]) -> Callable[..., None]:
    """Every expected failure becomes one line per problem and exit 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            function(*args, **kwargs)
        except ReconcilerError as error:
            for problem in getattr(error, "problems", ()):  # InvalidConfig: one line each
                click.echo(str(problem), err=True)
            _fail(str(error) + tls_hint(error))
        except KeyboardInterrupt:
            _fail("interrupted")
        except OSError as error:  # files the user named: unreadable, unwritable, missing
            _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))

    return wrapper


# The emulator's server takes ~50 ms to import: only `reconciler emulator` pays for it.
cli.add_command(Lazy("emulator", "reconciler.emulator.command:emulator",
                      "Run a local emulator of the Auth0 Management API (hooks)."))


# --- validate / schema (issue #2) ----------------------------------------------------------


@cli.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", default="tenant-config", show_default=True,
              help="Config directory (deploy-cli layout, with hooks/) or deploy-cli YAML file.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. literal secrets) as errors.")
@click.option("--allow-missing-keywords", is_flag=True, hidden=True,
              help="Kept for old scripts: checking without keyword values is the default.")
@click.option("--require-keywords", is_flag=True,
              help="Fail on keywords without a value, as plan and apply do (a CI job that has them).")
@config_file_option
@no_color_option
@_report_errors
def validate(config: str, strict: bool, allow_missing_keywords: bool, require_keywords: bool,
             config_file: str | None) -> None:
    """Check the config offline, like `terraform validate`: JSON Schema and semantic rules.

    Keyword values are not needed: unset ones are listed as a note (plan and apply refuse
    them unless --allow-missing-keywords)."""
    from reconciler.resources.hooks.validate import check

    settings = run_settings(config_file=config_file)
    report = check(config, settings.keyword_source(), offline=not require_keywords)
    for problem in report.problems:
        if problem not in report.notes:
            click.echo(str(problem), err=True)
    if report.notes:
        click.echo(f"note: keywords not set (plan and apply need them): {', '.join(report.unset_keywords)}", err=True)
    errors, warnings = len(report.errors), len(report.warnings)
    if report.ok(strict) and report.state is not None:
        count = report.hooks_checked
        extra = f", {_plural(warnings, 'warning')}" if warnings else ""
        actions = report.state.actions
        if actions is not None and (actions.actions or actions.managed_triggers):
            triggers = _plural(len(actions.managed_triggers), "trigger")
            extra = f", {_plural(len(actions.actions), 'action')} and bindings on {triggers} valid{extra}"
        click.echo(f"ok: {_plural(count, 'hook')} valid{extra}")
        return
    click.echo(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    raise SystemExit(1)


@cli.command()
@click.argument("kind", type=click.Choice(["hook", "action", "triggers"]), default="hook")
def schema(kind: str) -> None:
    """Print a JSON Schema for editors: hook metadata (default), an action, or triggers.json."""
    if kind == "hook":
        from reconciler.resources.hooks.validate import schema_text
    else:
        from reconciler.resources.actions import schema_text as action_schema

        def schema_text() -> str:
            return action_schema(kind)

    click.echo(schema_text(), nl=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- comment (issue #5) ----------------------------------------------------------------------


@cli.command(epilog=env_help("GITHUB_TOKEN (or the variable named by --token-env)", "GITHUB_REPOSITORY",
                              "GITHUB_EVENT_PATH", "GITHUB_API_URL",
                              "GITHUB_SHA", "GITHUB_SERVER_URL", "GITHUB_RUN_ID"))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="A plan saved by `reconciler plan --out FILE` (required unless --failed).")
@click.option("--failed", is_flag=True,
              help="The plan failed: replace the plan on display with a note saying so.")
@click.option("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from $GITHUB_EVENT_PATH).")
@click.option("--tenant", default="default", show_default=True,
              help="Tenant name: the heading, and the marker that keeps one comment per tenant.")
@click.option("--commit", help="The commit that was planned (default: the pull request's head "
              "from $GITHUB_EVENT_PATH, else $GITHUB_SHA).")
@click.option("--run-url", help="Link to the run (default: built from $GITHUB_SERVER_URL, "
              "$GITHUB_REPOSITORY, $GITHUB_RUN_ID).")
@click.option("--api-url", help="GitHub REST API base URL (default: $GITHUB_API_URL or https://api.github.com).")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True,
              help="Environment variable holding the GitHub token.")
@click.option("--dry-run", is_flag=True, help="Print the comment body instead of posting it (no token needed).")
@_report_errors
def comment(plan_file: str | None, failed: bool, repo: str | None, pr: int | None, tenant: str,
            commit: str | None, run_url: str | None, api_url: str | None, token_env: str,
            dry_run: bool) -> None:
    """Post the saved plan as one sticky pull-request comment (edited in place on re-runs).

    The comment names the commit it planned, links the workflow run and gives the time.
    With --failed it says that the latest plan failed instead of showing an out-of-date one.
    """
    from reconciler.comment import comment_body, failure_body, post_comment, resolve_provenance, resolve_target
    from reconciler.github import marker_for
    from reconciler.planfile import read_plan

    marker_for(tenant)  # refuses a tenant name that cannot go in the marker
    settings = run_settings()
    if failed == bool(plan_file):
        raise click.UsageError("pass either --plan FILE or --failed")
    provenance = resolve_provenance(commit=commit, run_url=run_url, environ=settings.environ)
    if failed:
        body = failure_body(tenant, provenance)
    else:
        assert plan_file is not None
        body = comment_body(read_plan(plan_file).plan, tenant, provenance)
    if dry_run:
        click.echo(body, nl=False)
        return
    target = resolve_target(repo=repo, pr=pr, api_url=api_url, token_env=token_env, environ=settings.environ)
    outcome = post_comment(body, target, tenant=tenant)
    words = {"created": "created comment", "updated": "updated comment", "unchanged": "comment unchanged"}
    click.echo(f"{words[outcome.action]} {outcome.url}")


# ---------------------------------------------------------------------------- reconcile

_TENANT_ENV = env_help(*CONNECTION_VARS, *KEYWORD_VARS, *PLAN_VARS, *TERMINAL_VARS)


def _connection_options(function: Callable[..., None]) -> Callable[..., None]:
    function = no_color_option(function)
    function = config_file_option(function)
    function = click.option("--audience", help="Management API audience (default https://DOMAIN/api/v2/).")(function)
    function = click.option("--client-id", help="M2M client id (default $AUTH0_CLIENT_ID).")(function)
    function = click.option("--domain", help="Tenant host or base URL (default $AUTH0_DOMAIN).")(function)
    return function


def _plan_options(function: Callable[..., None]) -> Callable[..., None]:
    function = click.option("--force", is_flag=True, help="Allow deleting more than 30% of the hooks.")(function)
    function = click.option(
        "--rotate-secrets", is_flag=True, help="Re-send every secret value even if unchanged."
    )(function)
    function = click.option(
        "--allow-delete", is_flag=True, help="Delete hooks and secret keys missing from the config (or AUTH0_ALLOW_DELETE=true)."
    )(function)
    function = click.option(
        "-c", "--config", "config", default="tenant-config", show_default=True,
        help="Config directory (deploy-cli layout) or YAML file.",
    )(function)
    return function


def _client(settings: Settings, max_workers: int = 8) -> ManagementClient:
    from reconciler.client import ManagementClient

    return ManagementClient(settings.connection(), max_workers=max_workers)


def _print_warnings(loaded: Loaded) -> None:
    for problem in loaded.warnings:
        click.echo(str(problem), err=True)


def _render(plan: Plan, output_format: str, tenant: str) -> str:
    from reconciler.render.json import render_json
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    if output_format == "json":
        return render_json(plan)
    if output_format == "markdown":
        return render_markdown(plan, tenant=tenant)
    return render_text(plan)


@cli.command(epilog=_TENANT_ENV)
@_plan_options
@_connection_options
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan for `apply FILE`.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without changes, 2 with changes or drift (hooks outside the config and "
    "AUTH0_EXCLUDED_HOOKS, changes that cannot be made), 1 on error.")
@click.option(
    "--allow-missing-keywords", is_flag=True,
    help="Plan without keyword values (a read-only CI job): unset keywords get placeholders "
    "and secret values are not compared.",
)
@click.option("--tenant", default="default", show_default=True, help="Tenant name for the markdown heading.")
@_report_errors
def plan(
    config: str, allow_delete: bool, rotate_secrets: bool, force: bool, domain: str | None,
    client_id: str | None, audience: str | None, config_file: str | None, out: str | None,
    output_format: str, detailed_exitcode: bool, allow_missing_keywords: bool, tenant: str,
) -> None:
    """Show what apply would change. Never writes to the tenant."""
    from reconciler.planfile import write_plan
    from reconciler.reconcile import load_desired, make_plan, plan_options

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    fill = (lambda keyword: f"<unset {keyword}>") if allow_missing_keywords else None
    loaded = load_desired(config, settings.keyword_source(), fill_missing=fill)
    _print_warnings(loaded)
    options = plan_options(settings, allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    if loaded.filled_keywords:
        # Placeholders are not the real values: comparing them would report every secret
        # as changed. Key changes still show; the plan is marked review-only for apply.
        options = dataclasses.replace(options, hmac_key=None, rotate_secrets=False)
        click.echo(
            "note: planned without these keywords (secret values not compared; scripts compared "
            "as templates, metadata with placeholders): " + ", ".join(loaded.filled_keywords),
            err=True,
        )
    with _client(settings) as client:
        the_plan = make_plan(loaded.desired, client, options)
    if loaded.filled_keywords:
        the_plan = dataclasses.replace(the_plan, review_only=True)
    click.echo(_render(the_plan, output_format, tenant), nl=False)
    if out:
        write_plan(the_plan, out, config=config, options=options)
        click.echo(f"Saved the plan to {out}; run `reconciler apply {out}` to execute exactly it.", err=True)
    if detailed_exitcode and the_plan.has_drift:  # unmanaged hooks and skipped changes too
        sys.exit(2)


@cli.command(epilog=_TENANT_ENV)
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@_plan_options
@_connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (required without a terminal; a PLAN_FILE never asks).")
@click.option("--max-workers", default=8, show_default=True, help="Requests in flight at once.")
@_report_errors
def apply(
    plan_file: str | None, config: str, allow_delete: bool, rotate_secrets: bool, force: bool,
    domain: str | None, client_id: str | None, audience: str | None, config_file: str | None,
    yes: bool, max_workers: int,
) -> None:
    """Plan and apply the config, or apply a saved PLAN_FILE if it is still exactly what the
    config and the tenant produce. Takes the tenant lease while it writes."""
    from reconciler.planfile import read_plan
    from reconciler.progress import progress_bar
    from reconciler.reconcile import load_desired, make_plan, plan_options, saved_options
    from reconciler.render.text import render_text

    saved = None
    if plan_file:
        # The plan file records the options it was made with; another value here would
        # silently not apply, so it is refused.
        given = [flag for flag, on in (("--allow-delete", allow_delete), ("--force", force),
                                       ("--rotate-secrets", rotate_secrets)) if on]
        if given:
            _fail(f"{', '.join(given)} cannot change a saved plan (it records its own options); "
                  f"make the plan again with `reconciler plan {given[0]} --out FILE`")
        saved = read_plan(plan_file)
        if config == "tenant-config":
            config = saved.config
    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    loaded = load_desired(config, settings.keyword_source())
    _print_warnings(loaded)
    if saved is not None:
        options = saved_options(saved, settings)
    else:
        options = plan_options(settings, allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    with _client(settings, max_workers) as client:
        the_plan = make_plan(loaded.desired, client, options, saved=saved)
        click.echo(render_text(the_plan), nl=False)
        if not the_plan.has_changes:
            return
        if saved is None:  # a saved plan was the approval
            confirm_apply(yes)
        from reconciler.reconcile import apply_plan

        stop = threading.Event()
        with _graceful_stop(stop), progress_bar(len(the_plan.steps), color=settings.color is not False) as on_step:
            outcome = apply_plan(
                the_plan, loaded.desired, client, options, holder=_lease_holder(settings.environ),
                max_workers=max_workers, on_step=on_step, stop=stop,
            )
        _print_apply_outcome(outcome, client.stats.snapshot())


@contextlib.contextmanager
def _graceful_stop(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C (or SIGTERM, as CI cancels a job) during apply: requests in flight and started
    hand-overs finish, nothing new starts; the lease is released and exit is 130."""

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _lease_holder(env: Mapping[str, str]) -> str:
    """Who holds the lease, for the message a second apply prints."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in a minimal container
        user = "unknown"
    holder = f"{user}@{socket.gethostname()} pid {os.getpid()}"
    if env.get("GITHUB_RUN_ID"):
        holder += f" (GitHub run {env.get('GITHUB_REPOSITORY', '')}#{env['GITHUB_RUN_ID']})"
    return holder


def _print_apply_outcome(outcome: ApplyOutcome, traffic: dict[str, int]) -> None:
    report = outcome.report
    if outcome.lease_problem:
        click.echo(f"warning: {outcome.lease_problem}", err=True)
    if report.interrupted or outcome.lease_lost:
        why = outcome.lease_lost or "interrupted"
        click.echo(f"{why}: finished the requests in flight and started hand-overs; started nothing new", err=True)
        _print_steps(report)
        click.echo("the lease is released; run apply again to finish (it converges)", err=True)
        sys.exit(130 if report.interrupted and not outcome.lease_lost else 1)
    if report.ok and outcome.differences:
        more = f" (and {len(outcome.differences) - 1} more)" if len(outcome.differences) > 1 else ""
        _fail(f"the server acknowledged the writes but the tenant does not show them: "
              f"{outcome.differences[0]}{more}")
    _print_apply_report(report, traffic)


def _print_steps(report: ApplyReport) -> None:
    click.echo(f"done: {len(report.done)} steps", err=True)
    for step in report.done:
        click.echo(f"  {step.index + 1}. {step.action} {step.hook}", err=True)
    click.echo(f"not run: {len(report.not_run)} steps", err=True)
    for step in report.not_run:
        click.echo(f"  {step.index + 1}. {step.action} {step.hook}", err=True)


def _print_apply_report(report: ApplyReport, traffic: dict[str, int]) -> None:
    if report.ok:
        click.echo(click.style(f"Apply complete: {len(report.done)} requests made.", fg="green", bold=True))
        click.echo(
            f"({traffic['requests']} API requests in all, {traffic['retries']} retried, "
            f"{traffic['rate_limited']} rate-limited)"
        )
        return
    for failure in report.failed:
        step = failure.step
        click.echo(f"failed: step {step.index + 1} {step.action} {step.hook}: {failure.message}", err=True)
    _print_steps(report)
    _fail("apply stopped at the first failed step; fix the cause and run apply again (it converges)")


@cli.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@_connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@_report_errors
def unlock(domain: str | None, client_id: str | None, audience: str | None, config_file: str | None,
           yes: bool) -> None:
    """Remove the tenant lease left by a killed apply (like `terraform force-unlock`).

    Only when no apply is running: the lease is what keeps two applies apart."""
    from reconciler.lease import HookMarkerStore, parse_marker

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with _client(settings) as client:
        store = HookMarkerStore(client)
        marker = store.read()
        if marker is None:
            click.echo("The tenant is not locked.")
            return
        info = parse_marker(marker.text)
        click.echo(f"The tenant is locked by {info.describe()}.")
        if not yes:
            if not sys.stdin.isatty():
                _fail("not a terminal: pass --yes to remove the lease")
            click.confirm("Remove the lease? Only do this if that apply is not running", abort=True)
        store.delete(marker.id)  # by id: a lease taken since we looked is not touched
        click.echo("Lease removed.")


@cli.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@click.option("-o", "--output", default="exported-config", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist in OUTPUT/hooks.")
@_connection_options
@_report_errors
def export(output: str, force: bool, domain: str | None, client_id: str | None, audience: str | None,
           config_file: str | None) -> None:
    """Write the live hooks as a config directory (secrets as ##KEY## keywords)."""
    from reconciler.resources.hooks.export import export_live
    from reconciler.reconcile import read_live

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with _client(settings) as client:
        live = read_live(client)
    # Known keyword values are written back as ##KEY## in the exported scripts.
    result = export_live(live, output, settings.keyword_mappings, force=force)
    click.echo(f"Exported {result.hooks} hooks to {result.directory}/hooks")
    for name, stem in result.encoded.items():
        click.echo(f"note: hook {name!r} is not a safe file name; written as {stem}.json / {stem}.js")
    if result.keywords:
        click.echo(
            "Secret values cannot be read from Auth0. Before planning, set these variables "
            "(or put them in AUTH0_KEYWORD_REPLACE_MAPPINGS): " + ", ".join(result.keywords)
        )
    for keyword, hooks in result.shared_keywords.items():
        click.echo(
            f"note: ##{keyword}## is shared by hooks {', '.join(hooks)}: one value for all of them "
            "(rename the keyword in one hook's JSON to give it its own value)"
        )


@cli.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", "config", default="tenant-config", show_default=True)
@no_color_option
@_report_errors
def demo(config: str) -> None:
    """Plan and apply CONFIG against a throwaway local emulator: no tenant needed."""
    from reconciler.resources.hooks.ops import execute
    from reconciler.client import ManagementClient
    from reconciler.emulator.server import start
    from reconciler.progress import progress_bar
    from reconciler.reconcile import load_desired, make_plan, plan_options
    from reconciler.render.text import render_text

    settings = run_settings()
    loaded = load_desired(config, settings.keyword_source(),
                          fill_missing=lambda keyword: f"demo-value-for-{keyword}")
    if loaded.filled_keywords:
        click.echo(
            "Demo: these keywords are not set, so they get visible dummy values: "
            + ", ".join(loaded.filled_keywords)
        )
    emulator = start(port=0)
    try:
        click.echo(f"Demo: started an Auth0 emulator at {emulator.base_url} (empty tenant)\n")
        connection = Settings(
            domain=emulator.base_url, client_id=emulator.client_id, client_secret=emulator.client_secret,
        ).connection()
        options = plan_options()
        with ManagementClient(connection) as client:
            click.echo(click.style(f"$ reconciler plan -c {config}", bold=True))
            the_plan = make_plan(loaded.desired, client, options)
            click.echo(render_text(the_plan))
            click.echo(click.style(f"$ reconciler apply -c {config} --yes", bold=True))
            with progress_bar(len(the_plan.steps), color=settings.color is not False) as on_step:
                report = execute(the_plan, client, loaded.desired, on_step=on_step)
            _print_apply_report(report, client.stats.snapshot())
            click.echo(click.style(f"\n$ reconciler plan -c {config}   # again", bold=True))
            again = make_plan(loaded.desired, client, options)
            click.echo(render_text(again), nl=False)
        stats = emulator.stats()
        most = max(stats["max_enabled_per_trigger"].values(), default=0)
        click.echo(
            f"\nDemo: the emulator saw {stats['requests']} requests ({stats['writes']} writes); "
            f"never more than {most} enabled hook per trigger."
        )
    finally:
        emulator.stop()


# --- run / migrate (issue #13) ---------------------------------------------------------------


@cli.command("run")
@click.argument("name")
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory.")
@click.option("--kind", type=click.Choice(["hook", "action"]), help="When a hook and an action share NAME.")
@click.option("--event", "event_file", type=click.Path(dir_okay=False), help="Run on this event (JSON) instead of the built-in sample.")
@click.option("--all-samples", is_flag=True, help="Run on every built-in sample and the config's tests/events/<trigger>/*.json.")
@_report_errors
def run_command(name: str, config: str, kind: str | None, event_file: str | None, all_samples: bool) -> None:
    """Run a hook or an action of the config locally in Node.js (offline) and print what it did."""
    import json

    from reconciler.runner.targets import run_named

    ran = run_named(config, name, kind=kind, event=event_file, all_samples=all_samples)
    if ran.filled:
        click.echo(f"note: keywords not set, run with dummy values: {', '.join(ran.filled)}", err=True)
    outcomes = [outcome.to_dict() for outcome in ran.outcomes]
    click.echo(json.dumps(outcomes if all_samples else outcomes[0], indent=2))


@cli.command()
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory (deploy-cli layout).")
@click.option("--write", is_flag=True, help="Write the changes (default: only show them as a diff).")
@click.option("--disable-hooks", is_flag=True, help='Also mark each migrated enabled hook "enabled": false.')
@click.option("--check", is_flag=True, help="Run each hook and its action on the sample events; exit 1 on any difference.")
@click.option("--only", help="Migrate or check only the hook NAME.")
@_report_errors
def migrate(config: str, write: bool, disable_hooks: bool, check: bool, only: str | None) -> None:
    """Hooks to Actions: a diff of the new actions and bindings (stdout), one report line per hook (stderr)."""
    from reconciler.migrate import migration, report

    if check:
        checked = migration.check_migration(config, only=only)
        click.echo("\n".join(report.check_lines(checked)))
        if not all(item.same for item in checked):
            sys.exit(1)
        return
    result = migration.plan_migration(config, only=only, disable_hooks=disable_hooks)
    from reconciler.migrate.layout import diff

    click.echo(diff(list(result.changes)), nl=False)
    for line in report.migration_lines(result):
        click.echo(line, err=True)
    if result.conflicts:
        _fail(f"{len(result.conflicts)} conflict(s): nothing {'written' if write else 'to write until they are resolved'}")
    if write:
        migration.write_migration(result)
        click.echo(f"wrote {len(result.changes)} file(s)", err=True)
    elif result.changes:
        click.echo("(nothing written: review the diff, then run again with --write)", err=True)


def main() -> None:
    cli(prog_name="reconciler")
