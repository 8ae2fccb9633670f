"""``validate`` and ``schema``: the config, checked offline."""

from __future__ import annotations


import click

from reconciler.commands.common import report_errors
from reconciler.variables import KEYWORD_VARS, TERMINAL_VARS
from reconciler.terminal import config_file_option, env_help, no_color_option, run_settings
from reconciler.text import plural as _plural


@click.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", default="tenant-config", show_default=True,
              help="Config directory (deploy-cli layout, with hooks/) or deploy-cli YAML file.")
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. literal secrets) as errors.")
@click.option("--allow-missing-keywords", is_flag=True, hidden=True,
              help="Kept for old scripts: checking without keyword values is the default.")
@click.option("--require-keywords", is_flag=True,
              help="Fail on keywords without a value, as plan and apply do (a CI job that has them).")
@config_file_option
@no_color_option
@report_errors
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


@click.command()
@click.argument("kind", type=click.Choice(["hook", "action", "triggers"]), default="hook")
def schema(kind: str) -> None:
    """Print a JSON Schema for editors: hook metadata (default), an action, or triggers.json."""
    if kind == "hook":
        from reconciler.resources.hooks.schema import schema_text
    else:
        from reconciler.resources.actions.schema import schema_text as action_schema

        def schema_text() -> str:
            return action_schema(kind)

    click.echo(schema_text(), nl=False)
