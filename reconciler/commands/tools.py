"""``run`` and ``migrate``: hooks as code on this machine, and their move to Actions."""

from __future__ import annotations

import sys

import click

from reconciler.commands.common import fail, report_errors
from reconciler.terminal import run_settings

# Names of keywords `run` may fill with real values (an opt-in, as --keyword-value).
REAL_KEYWORDS_VAR = "RECONCILER_RUN_KEYWORDS"


@click.command("run")
@click.argument("name")
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory.")
@click.option("--kind", type=click.Choice(["hook", "action"]), help="When a hook and an action share NAME.")
@click.option("--event", "event_file", type=click.Path(dir_okay=False), help="Run on this event (JSON) instead of the built-in sample.")
@click.option("--all-samples", is_flag=True, help="Run on every built-in sample and the config's tests/events/<trigger>/*.json.")
@click.option("--keyword-value", "keyword_values", multiple=True, metavar="NAME",
              help=f"Run with the real value of keyword NAME (repeatable; also ${REAL_KEYWORDS_VAR}, comma-separated). Others get dummy values.")
@report_errors
def run_command(name: str, config: str, kind: str | None, event_file: str | None, all_samples: bool,
                keyword_values: tuple[str, ...]) -> None:
    """Run a hook or an action of the config locally in Node.js (offline) and print what it did."""
    import json
    import os

    from reconciler.credentials import is_tool_credential
    from reconciler.runner.targets import run_named

    real = [*keyword_values, *(n.strip() for n in os.environ.get(REAL_KEYWORDS_VAR, "").split(",") if n.strip())]
    ran = run_named(config, name, kind=kind, event=event_file, all_samples=all_samples,
                    env=run_settings().keyword_source(), real_keywords=real)
    unset = [key for key in ran.filled if key not in ran.withheld]
    if unset:
        click.echo(f"note: keywords not set, run with dummy values: {', '.join(unset)}", err=True)
    chosen = [key for key in ran.withheld if not is_tool_credential(key)]
    if chosen:
        click.echo(f"note: keywords run with dummy values although set (use --keyword-value NAME for the real one): {', '.join(chosen)}", err=True)
    credentials = [key for key in ran.withheld if is_tool_credential(key)]
    if credentials:
        click.echo(f"note: the tool's own credentials are never keyword values, run with dummy values: {', '.join(credentials)}", err=True)
    outcomes = [outcome.to_dict() for outcome in ran.outcomes]
    click.echo(json.dumps(outcomes if all_samples else outcomes[0], indent=2))


@click.command()
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory (deploy-cli layout).")
@click.option("--write", is_flag=True, help="Write the changes (default: only show them as a diff).")
@click.option("--disable-hooks", is_flag=True, help='Also mark each migrated enabled hook "enabled": false.')
@click.option("--check", is_flag=True, help="Run each hook and its action on the sample events; exit 1 on any difference.")
@click.option("--only", help="Migrate or check only the hook NAME.")
@report_errors
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
        fail(f"{len(result.conflicts)} conflict(s): nothing {'written' if write else 'to write until they are resolved'}")
    if write:
        migration.write_migration(result)
        click.echo(f"wrote {len(result.changes)} file(s)", err=True)
    elif result.changes:
        click.echo("(nothing written: review the diff, then run again with --write)", err=True)
