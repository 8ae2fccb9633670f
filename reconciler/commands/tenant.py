"""``unlock`` and ``demo``: commands about one tenant (or a throwaway one)."""

from __future__ import annotations

import sys

import click

from reconciler.commands.common import client_for, connection_options, fail, print_apply_report, report_errors
from reconciler.terminal import env_help, no_color_option, run_settings
from reconciler.variables import CONNECTION_VARS, KEYWORD_VARS, TERMINAL_VARS


@click.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@report_errors
def unlock(domain: str | None, client_id: str | None, audience: str | None, config_file: str | None,
           yes: bool) -> None:
    """Remove the tenant lease left by a killed apply (like `terraform force-unlock`).

    Only when no apply is running: the lease is what keeps two applies apart."""
    from reconciler.lease import LEASE_NAME
    from reconciler.usecases.unlocking import find_lease, remove_lease

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with client_for(settings) as client:
        lookup = find_lease(client)
        if not lookup.locked or lookup.info is None:
            click.echo("The tenant is not locked.")
            return
        if not lookup.removable:
            fail(f"a hook named {LEASE_NAME} is in the tenant but it is not a lease marker (enabled, or "
                 "its script is not the lease comment): left alone; rename or delete it yourself")
        click.echo(f"The tenant is locked by {lookup.info.describe()}.")
        if not yes:
            if not sys.stdin.isatty():
                fail("not a terminal: pass --yes to remove the lease")
            click.confirm("Remove the lease? Only do this if that apply is not running", abort=True)
        remove_lease(lookup)  # by id: a lease taken since we looked is not touched
        click.echo("Lease removed.")


@click.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", "config", default="tenant-config", show_default=True,
              help="Config directory (deploy-cli layout: actions/, triggers/, hooks/).")
@no_color_option
@report_errors
def demo(config: str) -> None:
    """Plan and apply CONFIG against a throwaway local emulator: no tenant needed."""
    from reconciler.api.client import ManagementClient
    from reconciler.config import Settings
    from reconciler.emulator.server import start
    from reconciler.progress import progress_bar
    from reconciler.render.text import render_text
    from reconciler.usecases.applying import execute_plan, progress_notes
    from reconciler.usecases.demo import DemoTraffic, load_for_demo
    from reconciler.usecases.loading import plan_options
    from reconciler.usecases.planning import make_plan

    settings = run_settings()
    loaded = load_for_demo(config, settings)
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
            notes = progress_notes(the_plan)
            with progress_bar(len(the_plan.steps), color=settings.color is not False, notes=notes) as on_step:
                report = execute_plan(the_plan, loaded.desired, client, on_step=on_step)
            print_apply_report(report, client.stats.snapshot())
            click.echo(click.style(f"\n$ reconciler plan -c {config}   # again", bold=True))
            again = make_plan(loaded.desired, client, options)
            click.echo(render_text(again), nl=False)
        seen = DemoTraffic.from_stats(emulator.stats())
        click.echo(
            f"\nDemo: the emulator saw {seen.requests} requests ({seen.writes} writes); "
            f"never more than {seen.most_enabled} enabled hook per trigger."
        )
        if seen.versions:
            versions = ", ".join(f"{name} {n}" for name, n in seen.versions)
            click.echo(f"Demo: Actions versions created: {versions}; bound: {seen.bound}.")
    finally:
        emulator.stop()
