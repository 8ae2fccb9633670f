"""``unlock``, ``export`` and ``demo``: commands about one tenant (or a throwaway one)."""

from __future__ import annotations

import sys

import click

from reconciler.commands.common import client_for, connection_options, fail, print_apply_report, report_errors
from reconciler.config import CONNECTION_VARS, KEYWORD_VARS, TERMINAL_VARS, Settings
from reconciler.terminal import env_help, no_color_option, run_settings


@click.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@connection_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@report_errors
def unlock(domain: str | None, client_id: str | None, audience: str | None, config_file: str | None,
           yes: bool) -> None:
    """Remove the tenant lease left by a killed apply (like `terraform force-unlock`).

    Only when no apply is running: the lease is what keeps two applies apart."""
    from reconciler.lease import HookMarkerStore, parse_marker

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with client_for(settings) as client:
        store = HookMarkerStore(client)
        marker = store.read()
        if marker is None:
            click.echo("The tenant is not locked.")
            return
        info = parse_marker(marker.text)
        click.echo(f"The tenant is locked by {info.describe()}.")
        if not yes:
            if not sys.stdin.isatty():
                fail("not a terminal: pass --yes to remove the lease")
            click.confirm("Remove the lease? Only do this if that apply is not running", abort=True)
        store.delete(marker.id)  # by id: a lease taken since we looked is not touched
        click.echo("Lease removed.")


@click.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@click.option("-o", "--output", default="exported-config", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist in OUTPUT/hooks.")
@connection_options
@report_errors
def export(output: str, force: bool, domain: str | None, client_id: str | None, audience: str | None,
           config_file: str | None) -> None:
    """Write the live hooks as a config directory (secrets as ##KEY## keywords)."""
    from reconciler.resources.hooks.export import export_live
    from reconciler.usecases import read_live

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    with client_for(settings) as client:
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


@click.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", "config", default="tenant-config", show_default=True)
@no_color_option
@report_errors
def demo(config: str) -> None:
    """Plan and apply CONFIG against a throwaway local emulator: no tenant needed."""
    from reconciler.client import ManagementClient
    from reconciler.emulator.server import start
    from reconciler.progress import progress_bar
    from reconciler.usecases import execute_plan, load_desired, make_plan, plan_options
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
                report = execute_plan(the_plan, loaded.desired, client, on_step=on_step)
            print_apply_report(report, client.stats.snapshot())
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
