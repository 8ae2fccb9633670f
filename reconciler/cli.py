"""The command line: thin click commands that parse, call one function, print, and exit."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from typing import Callable, NoReturn

import click

from reconciler import __version__
from reconciler.apply import ApplyReport, execute
from reconciler.client import ManagementClient
from reconciler.config import connection_from_env
from reconciler.errors import ReconcilerError
from reconciler.export import export_live
from reconciler.plan import Plan
from reconciler.planfile import read_plan, write_plan
from reconciler.progress import progress_bar
from reconciler.reconcile import (
    InvalidConfig,
    Loaded,
    load_desired,
    make_plan,
    plan_options,
)
from reconciler.render.json import render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
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
        except InvalidConfig as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            _fail(str(error))
        except ReconcilerError as error:
            _fail(str(error))
        except KeyboardInterrupt:
            _fail("interrupted")
        except OSError as error:  # files the user named: unreadable, unwritable, missing
            _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))

    return wrapper


from reconciler.emulator.command import emulator as _emulator_command  # noqa: E402

cli.add_command(_emulator_command)


# --- validate / schema (issue #2) ----------------------------------------------------------


@cli.command()
@click.option("-c", "--config", default="tenant-config", show_default=True,
              help="Config directory (deploy-cli layout, with hooks/) or deploy-cli YAML file.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. literal secrets) as errors.")
@click.option("--allow-missing-keywords", is_flag=True,
              help="Check without secret values (e.g. a fork's PR): unset keywords get dummy values.")
def validate(config: str, strict: bool, allow_missing_keywords: bool) -> None:
    """Check the config: JSON Schema and semantic rules, no network."""
    from reconciler.validate import check

    fill = (lambda key: f"<unset {key}>") if allow_missing_keywords else None
    report = check(config, fill_missing=fill)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.filled_keywords:
        click.echo(f"note: keywords not set, checked with dummy values: {', '.join(report.filled_keywords)}", err=True)
    errors, warnings = len(report.errors), len(report.warnings)
    if report.ok(strict) and report.state is not None:
        count = len(report.state.hooks)
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
        from reconciler.validate import schema_text
    else:
        from reconciler.resources.actions import schema_text as action_schema

        def schema_text() -> str:
            return action_schema(kind)

    click.echo(schema_text(), nl=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- comment (issue #5) ----------------------------------------------------------------------


@cli.command()
@click.option("--plan", "plan_file", required=True, type=click.Path(dir_okay=False),
              help="A plan saved by `reconciler plan --out FILE`.")
@click.option("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from $GITHUB_EVENT_PATH).")
@click.option("--tenant", default="default", show_default=True,
              help="Tenant name: the heading, and the marker that keeps one comment per tenant.")
@click.option("--api-url", help="GitHub REST API base URL (default: $GITHUB_API_URL or https://api.github.com).")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True,
              help="Environment variable holding the GitHub token.")
@_report_errors
def comment(plan_file: str, repo: str | None, pr: int | None, tenant: str, api_url: str | None,
            token_env: str) -> None:
    """Post the saved plan as one sticky pull-request comment (edited in place on re-runs)."""
    from reconciler.comment import post_plan_comment, resolve_target
    from reconciler.github import marker_for

    marker_for(tenant)  # refuses a tenant name that cannot go in the marker
    target = resolve_target(repo=repo, pr=pr, api_url=api_url, token_env=token_env)
    saved = read_plan(plan_file)
    outcome = post_plan_comment(saved.plan, target, tenant=tenant)
    words = {"created": "created comment", "updated": "updated comment", "unchanged": "comment unchanged"}
    click.echo(f"{words[outcome.action]} {outcome.url}")


# ---------------------------------------------------------------------------- reconcile


def _connection_options(function: Callable[..., None]) -> Callable[..., None]:
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


def _client(
    domain: str | None, client_id: str | None, audience: str | None, max_workers: int = 8
) -> ManagementClient:
    connection = connection_from_env(os.environ, domain=domain, client_id=client_id, audience=audience)
    return ManagementClient(connection, max_workers=max_workers)


def _print_warnings(loaded: Loaded) -> None:
    for problem in loaded.warnings:
        click.echo(str(problem), err=True)


def _render(plan: Plan, output_format: str, tenant: str) -> str:
    if output_format == "json":
        return render_json(plan)
    if output_format == "markdown":
        return render_markdown(plan, tenant=tenant)
    return render_text(plan)


@cli.command()
@_plan_options
@_connection_options
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan for `apply FILE`.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 without changes, 2 with changes, 1 on error.")
@click.option(
    "--allow-missing-keywords", is_flag=True,
    help="Plan without keyword values (a read-only CI job): unset keywords get placeholders "
    "and secret values are not compared.",
)
@click.option("--tenant", default="default", show_default=True, help="Tenant name for the markdown heading.")
@_report_errors
def plan(
    config: str, allow_delete: bool, rotate_secrets: bool, force: bool, domain: str | None,
    client_id: str | None, audience: str | None, out: str | None, output_format: str,
    detailed_exitcode: bool, allow_missing_keywords: bool, tenant: str,
) -> None:
    """Show what apply would change. Never writes to the tenant."""
    fill = (lambda keyword: f"<unset {keyword}>") if allow_missing_keywords else None
    loaded = load_desired(config, fill_missing=fill)
    _print_warnings(loaded)
    options = plan_options(allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    if loaded.filled_keywords:
        # Placeholders are not the real values: comparing them would report every secret
        # as changed. Key changes still show; the plan is marked review-only for apply.
        options = dataclasses.replace(options, hmac_key=None, rotate_secrets=False)
        click.echo(
            "note: planned without these keywords (placeholders; secret values not compared, "
            "text that uses them may show as changed): " + ", ".join(loaded.filled_keywords),
            err=True,
        )
    with _client(domain, client_id, audience) as client:
        the_plan = make_plan(loaded.desired, client, options)
    if loaded.filled_keywords:
        the_plan = dataclasses.replace(the_plan, review_only=True)
    click.echo(_render(the_plan, output_format, tenant), nl=False)
    if out:
        write_plan(the_plan, out, config=config)
        click.echo(f"Saved the plan to {out}; run `reconciler apply {out}` to execute exactly it.", err=True)
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(2)


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@_plan_options
@_connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--max-workers", default=8, show_default=True, help="Requests in flight at once.")
@_report_errors
def apply(
    plan_file: str | None, config: str, allow_delete: bool, rotate_secrets: bool, force: bool,
    domain: str | None, client_id: str | None, audience: str | None, yes: bool, max_workers: int,
) -> None:
    """Plan and apply the config, or execute a saved PLAN_FILE exactly."""
    saved = read_plan(plan_file) if plan_file else None
    if saved is not None and config == "tenant-config":
        config = saved.config
    loaded = load_desired(config)
    _print_warnings(loaded)
    options = plan_options(allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    with _client(domain, client_id, audience, max_workers) as client:
        the_plan = make_plan(loaded.desired, client, options, saved=saved)
        click.echo(render_text(the_plan), nl=False)
        if not the_plan.has_changes:
            return
        if not yes:
            if not sys.stdin.isatty():
                _fail("not a terminal: pass --yes to apply without confirmation")
            click.confirm("Apply these changes to the tenant?", abort=True)
        with progress_bar(len(the_plan.steps)) as on_step:
            report = execute(the_plan, client, loaded.desired, max_workers=max_workers, on_step=on_step)
        _print_apply_report(report, client.stats.snapshot())


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
    click.echo(f"done: {len(report.done)} steps", err=True)
    for step in report.done:
        click.echo(f"  {step.index + 1}. {step.action} {step.hook}", err=True)
    click.echo(f"not run: {len(report.not_run)} steps", err=True)
    for step in report.not_run:
        click.echo(f"  {step.index + 1}. {step.action} {step.hook}", err=True)
    _fail("apply stopped at the first failed step; fix the cause and run apply again (it converges)")


@cli.command()
@click.option("-o", "--output", default="exported-config", show_default=True, type=click.Path(file_okay=False))
@_connection_options
@_report_errors
def export(output: str, domain: str | None, client_id: str | None, audience: str | None) -> None:
    """Write the live hooks as a config directory (secrets as ##KEY## keywords)."""
    with _client(domain, client_id, audience) as client:
        live = client.read_live_state()
    result = export_live(live, output)
    click.echo(f"Exported {result.hooks} hooks to {result.directory}/hooks")
    if result.keywords:
        click.echo(
            "Secret values cannot be read from Auth0. Before planning, set these variables "
            "(or put them in AUTH0_KEYWORD_REPLACE_MAPPINGS): " + ", ".join(result.keywords)
        )


@cli.command()
@click.option("-c", "--config", "config", default="tenant-config", show_default=True)
@_report_errors
def demo(config: str) -> None:
    """Plan and apply CONFIG against a throwaway local emulator: no tenant needed."""
    from reconciler.emulator.server import start

    loaded = load_desired(config, fill_missing=lambda keyword: f"demo-value-for-{keyword}")
    if loaded.filled_keywords:
        click.echo(
            "Demo: these keywords are not set, so they get visible dummy values: "
            + ", ".join(loaded.filled_keywords)
        )
    emulator = start(port=0)
    try:
        click.echo(f"Demo: started an Auth0 emulator at {emulator.base_url} (empty tenant)\n")
        connection = connection_from_env(
            {}, domain=emulator.base_url, client_id=emulator.client_id,
            client_secret=emulator.client_secret,
        )
        options = plan_options({})
        with ManagementClient(connection) as client:
            click.echo(click.style(f"$ reconciler plan -c {config}", bold=True))
            the_plan = make_plan(loaded.desired, client, options)
            click.echo(render_text(the_plan))
            click.echo(click.style(f"$ reconciler apply -c {config} --yes", bold=True))
            with progress_bar(len(the_plan.steps)) as on_step:
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
