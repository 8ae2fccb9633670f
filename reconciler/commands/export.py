"""``export``: the live hooks, actions and trigger bindings as a config directory (the use
case: :func:`reconciler.usecases.exporting.export_tenant`)."""

from __future__ import annotations

import click

from reconciler.commands.common import client_for, connection_options, report_errors
from reconciler.terminal import env_help, run_settings
from reconciler.variables import CONNECTION_VARS, TERMINAL_VARS


@click.command(epilog=env_help(*CONNECTION_VARS, *TERMINAL_VARS))
@click.option("-o", "--output", default="exported-config", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist in OUTPUT (hooks/, actions/, triggers/).")
@connection_options
@report_errors
def export(output: str, force: bool, domain: str | None, client_id: str | None, audience: str | None,
           config_file: str | None) -> None:
    """Write the live actions, trigger bindings and hooks as a config directory (secrets as
    ##KEY## keywords)."""
    from reconciler.usecases.exporting import export_tenant

    settings = run_settings(config_file=config_file, domain=domain, client_id=client_id, audience=audience)
    done = export_tenant(lambda: client_for(settings), settings, output, force=force)
    exported = [part.noun for part in done.parts if part.written is not None]
    for part in done.parts:
        if part.written is not None:
            click.echo(part.written.summary)
        else:
            click.echo(f"note: {part.skipped}: exported {' and '.join(exported)} only")
    for note in done.notes:
        click.echo(f"note: {note}")
    if done.keywords:
        click.echo(
            "Secret values cannot be read from Auth0. Before planning, set these variables "
            "(or put them in AUTH0_KEYWORD_REPLACE_MAPPINGS): " + ", ".join(done.keywords)
        )
    if done.from_environment:
        click.echo("note: the live code held the values of these environment variables; they are "
                   "written as keywords (set them before planning): "
                   + ", ".join(f"##{name}##" for name in done.from_environment))
    for note in done.keyword_notes:
        click.echo(f"note: {note}")
