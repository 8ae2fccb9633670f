"""What every command shares: one-line errors and exit 1, the connection and plan flags,
the client, and the plan and apply-report printers. Imports only click and the settings."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from reconciler.errors import ReconcilerError
from reconciler.terminal import config_file_option, env_help, no_color_option, tls_hint
from reconciler.variables import CONNECTION_VARS, KEYWORD_VARS, PLAN_VARS, TERMINAL_VARS

if TYPE_CHECKING:
    from reconciler.api.client import ManagementClient
    from reconciler.config import Settings
    from reconciler.core.executor import ApplyReport
    from reconciler.core.plan import Plan
    from reconciler.usecases.loading import Loaded


def fail(message: str) -> NoReturn:
    from reconciler.escape import terminal

    click.echo(f"error: {terminal(message)}", err=True)  # one line, no control code from the data
    sys.exit(1)


def report_errors(function: Callable[..., None]) -> Callable[..., None]:
    """Every expected failure becomes one line per problem and exit 1, never a traceback."""

    from reconciler.escape import terminal

    @functools.wraps(function)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            function(*args, **kwargs)
        except ReconcilerError as error:
            for problem in getattr(error, "problems", ()):  # InvalidConfig: one line each
                click.echo(terminal(str(problem)), err=True)
            fail(str(error) + tls_hint(error))
        except KeyboardInterrupt:
            fail("interrupted")
        except OSError as error:  # files the user named: unreadable, unwritable, missing
            fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))

    return wrapper


TENANT_ENV = env_help(*CONNECTION_VARS, *KEYWORD_VARS, *PLAN_VARS, *TERMINAL_VARS)


def connection_options(function: Callable[..., None]) -> Callable[..., None]:
    function = no_color_option(function)
    function = config_file_option(function)
    function = click.option("--audience", help="Management API audience (default https://DOMAIN/api/v2/).")(function)
    function = click.option("--client-id", help="M2M client id (default $AUTH0_CLIENT_ID).")(function)
    function = click.option("--domain", help="Tenant host or base URL (default $AUTH0_DOMAIN).")(function)
    return function


def plan_flags(function: Callable[..., None]) -> Callable[..., None]:
    function = click.option("--force", is_flag=True, help="Allow deleting more than 30% of the live actions (or hooks) at once.")(function)
    function = click.option(
        "--rotate-secrets", is_flag=True, help="Re-send every secret value even if unchanged."
    )(function)
    function = click.option(
        "--allow-delete", is_flag=True, help="Delete actions, hooks and secret keys missing from the config (or AUTH0_ALLOW_DELETE=true); "
        "unbinding an action from a trigger needs no flag."
    )(function)
    function = click.option(
        "-c", "--config", "config", default="tenant-config", show_default=True,
        help="Config directory (deploy-cli layout: actions/, triggers/, hooks/) or YAML file.",
    )(function)
    return function


def client_for(settings: Settings, max_workers: int = 8) -> ManagementClient:
    from reconciler.api.client import ManagementClient

    # Long waits (a build, a deploy, a server's Retry-After) say what they wait for.
    return ManagementClient(settings.connection(), max_workers=max_workers,
                            on_wait=lambda line: click.echo(line, err=True))


def print_warnings(loaded: Loaded) -> None:
    for problem in loaded.warnings:
        click.echo(str(problem), err=True)


def render(plan: Plan, output_format: str, tenant: str) -> str:
    from reconciler.render.json import render_json
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    if output_format == "json":
        return render_json(plan)
    if output_format == "markdown":
        return render_markdown(plan, tenant=tenant)
    return render_text(plan)


def print_steps(report: ApplyReport[Any]) -> None:
    click.echo(f"done: {len(report.done)} steps", err=True)
    for step in report.done:
        click.echo(f"  {step.index + 1}. {_step_name(step)}", err=True)
    click.echo(f"not run: {len(report.not_run)} steps", err=True)
    for step in report.not_run:
        click.echo(f"  {step.index + 1}. {_step_name(step)}", err=True)


def _step_name(step: object) -> str:
    from reconciler.escape import terminal
    from reconciler.text import step_label

    return terminal(step_label(step))


def print_apply_report(report: ApplyReport[Any], traffic: dict[str, int]) -> None:
    if report.ok:
        click.echo(click.style(f"Apply complete: {len(report.done)} requests made.", fg="green", bold=True))
        click.echo(
            f"({traffic['requests']} API requests in all, {traffic['retries']} retried, "
            f"{traffic['rate_limited']} rate-limited)"
        )
        return
    for failure in report.failed:
        step = failure.step
        click.echo(f"failed: step {step.index + 1} {_step_name(step)}: {failure.message}", err=True)
    print_steps(report)
    fail("apply stopped at the first failed step; fix the cause and run apply again (it converges)")
