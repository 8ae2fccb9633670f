"""``run`` and ``migrate``: hooks as code on this machine, and their move to Actions."""

from __future__ import annotations

import sys

import click

from reconciler.commands.common import fail, report_errors
from reconciler.terminal import run_settings


@click.command("run")
@click.argument("name")
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory.")
@click.option("--kind", type=click.Choice(["hook", "action"]), help="When a hook and an action share NAME.")
@click.option("--event", "event_file", type=click.Path(dir_okay=False), help="Run on this event (JSON) instead of the built-in sample.")
@click.option("--all-samples", is_flag=True, help="Run on every built-in sample and the config's tests/events/<trigger>/*.json.")
@report_errors
def run_command(name: str, config: str, kind: str | None, event_file: str | None, all_samples: bool) -> None:
    """Run a hook or an action of the config locally in Node.js (offline) and print what it did."""
    import json

    from reconciler.runner.targets import run_named

    ran = run_named(config, name, kind=kind, event=event_file, all_samples=all_samples,
                    env=run_settings().keyword_source())
    if ran.filled:
        click.echo(f"note: keywords not set, run with dummy values: {', '.join(ran.filled)}", err=True)
    outcomes = [outcome.to_dict() for outcome in ran.outcomes]
    click.echo(json.dumps(outcomes if all_samples else outcomes[0], indent=2))


@click.command()
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory (deploy-cli layout).")
@click.option("--write", is_flag=True, help="Write the changes (default: only show them as a diff).")
@click.option("--disable-hooks", is_flag=True, help='Also mark each migrated enabled hook "enabled": false.')
@click.option("--check", is_flag=True, help="Prove each action against its hook: both run side by side on generated "
              "cases (every event field the hook reads varied, every outbound call answered 2xx/4xx/5xx/error/"
              "timeout); ok only with the same effects in every run and every block of the hook run. Exit 0 all "
              "ok, 1 an action differs, 3 none differs but some are unverified.")
@click.option("--only", help="Migrate or check only the hook NAME.")
@report_errors
def migrate(config: str, write: bool, disable_hooks: bool, check: bool, only: str | None) -> None:
    """Hooks to Actions: a diff of the new actions and bindings (stdout), one report line per hook (stderr)."""
    from reconciler.migrate import migration, report

    if check:
        checked = migration.check_migration(config, only=only)
        click.echo("\n".join(report.check_lines(checked)))
        code = report.check_exit_code(checked)
        if code:
            sys.exit(code)
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
