"""``run`` and ``migrate``: hooks as code on this machine, and their move to Actions."""

from __future__ import annotations

import sys

import click

from reconciler.commands.common import fail, report_errors
from reconciler.runner.node import accept_without_namespaces
from reconciler.terminal import run_settings, runner_opt_ins


@click.command("run")
@click.argument("name")
@click.option("-c", "--config", default="tenant-config", show_default=True, help="Config directory (deploy-cli layout: actions/, hooks/).")
@click.option("--kind", type=click.Choice(["hook", "action"]), help="When a hook and an action share NAME.")
@click.option("--event", "event_file", type=click.Path(dir_okay=False), help="Run on this event (JSON) instead of the built-in sample.")
@click.option("--all-samples", is_flag=True, help="Run on every built-in sample and the config's tests/events/<trigger>/*.json.")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False), metavar="FILE",
              help='Scripted answers for outbound calls, as migrate --check reads them from tests/answers: '
              '{"answers": [{"url": "slack", "status": 500}, {"url": "crm", "error": "ECONNREFUSED"}]} '
              '(first match wins; other calls answer 200 {}). Without it calls are recorded, not answered.')
@click.option("--keyword-value", "keyword_values", multiple=True, metavar="NAME",
              help="Run with the real value of keyword NAME (repeatable; also $RECONCILER_RUN_KEYWORDS, comma-separated). Others get dummy values.")
@report_errors
def run_command(name: str, config: str, kind: str | None, event_file: str | None, all_samples: bool,
                keyword_values: tuple[str, ...], answers_file: str | None) -> None:
    """Run a hook or an action of the config locally in Node.js (offline) and print what it did."""
    import json

    from reconciler.credentials import is_tool_credential
    from reconciler.runner.targets import run_named

    named, without_namespaces = runner_opt_ins()
    if without_namespaces:
        accept_without_namespaces()
    real = [*keyword_values, *named]
    ran = run_named(config, name, kind=kind, event=event_file, all_samples=all_samples,
                    env=run_settings().keyword_source(), real_keywords=real, answers=answers_file)
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
    from reconciler.runner.summary import summary_line

    # People read the line on stderr; scripts read the JSON on stdout, unchanged.
    for outcome in outcomes:
        click.echo(summary_line(outcome), err=True)
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
@click.option("--retire-hooks", is_flag=True, help="The last step: empty hooks/ (a README.md keeps it in git), "
              "so plan/apply --allow-delete delete every live hook. Refused while a hook has no action yet.")
@report_errors
def migrate(config: str, write: bool, disable_hooks: bool, check: bool, only: str | None, retire_hooks: bool) -> None:
    """Hooks to Actions: a diff of the new actions and bindings (stdout), one report line per hook (stderr)."""
    from reconciler.migrate import migration, report

    if retire_hooks:
        if check or disable_hooks or only:
            fail("--retire-hooks takes no --check, --disable-hooks or --only: it retires every hook")
        _retire(config, write)
        return

    if runner_opt_ins()[1]:
        accept_without_namespaces()
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


def _retire(config: str, write: bool) -> None:
    from reconciler.migrate.retire import diff, plan_retirement, write_retirement

    retirement = plan_retirement(config)
    click.echo(diff(retirement), nl=False)
    if not retirement.changes:
        click.echo(f"{retirement.hooks_dir}: already retired (managed and empty)", err=True)
    elif write:
        write_retirement(retirement, config)
        click.echo(f"{retirement.hooks_dir}: emptied ({len(retirement.removed)} file(s) removed); "
                   "next: `reconciler plan --allow-delete` shows every live hook deleted, "
                   "then `reconciler apply --allow-delete`", err=True)
    else:
        click.echo("(nothing written: review the diff, then run again with --write)", err=True)
