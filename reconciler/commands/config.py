"""``validate`` and ``schema``: the config, checked offline."""

from __future__ import annotations

import click

from reconciler.commands.common import report_errors
from reconciler.terminal import config_file_option, env_help, no_color_option, run_settings
from reconciler.text import plural as _plural
from reconciler.variables import KEYWORD_VARS, TERMINAL_VARS


@click.command(epilog=env_help(*KEYWORD_VARS, *TERMINAL_VARS))
@click.option("-c", "--config", default="tenant-config", show_default=True,
              help="Config directory (deploy-cli layout: actions/, triggers/, hooks/) or deploy-cli YAML file.")
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
    from reconciler.usecases.validating import check

    settings = run_settings(config_file=config_file)
    report = check(config, settings.keyword_source(), offline=not require_keywords)
    for problem in report.problems:
        if problem not in report.notes:
            click.echo(str(problem), err=True)
    if report.notes:
        click.echo(f"note: keywords not set (plan and apply need them): {', '.join(report.unset_keywords)}", err=True)
    errors, warnings = len(report.errors), len(report.warnings)
    if report.ok(strict) and report.desired is not None:
        extra = f", {_plural(warnings, 'warning')}" if warnings else ""
        click.echo(f"ok: {', '.join(report.summaries) or 'nothing to manage'}{extra}")
        return
    click.echo(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    raise SystemExit(1)


class _SchemaKinds(click.Choice[str]):
    """The schema kinds the registered types ship (``ResourceType.schemas``), asked of the
    registry when first needed: loading the types at start-up would slow every command."""

    def __init__(self) -> None:
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        from reconciler.resources.builtin import registry

        return [kind for resource in registry().planning_order() for kind, _ in resource.schemas]

    @choices.setter
    def choices(self, value: object) -> None:
        pass  # click's __init__ sets it; the registry decides


@click.command()
@click.argument("kind", type=_SchemaKinds(), default="hook")
def schema(kind: str) -> None:
    """Print a JSON Schema for editors: hook metadata (default), an action, or triggers.json."""
    from reconciler.resources.builtin import registry

    texts = {name: text for resource in registry().planning_order() for name, text in resource.schemas}
    click.echo(texts[kind](), nl=False)
