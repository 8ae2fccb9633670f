"""The command line: thin click commands that parse, call one function, print, and exit."""

from __future__ import annotations

import click

from reconciler import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def cli() -> None:
    """Declarative GitOps reconciler for Auth0 Hooks."""


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
        click.echo(f"ok: {_plural(count, 'hook')} valid{extra}")
        return
    click.echo(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    raise SystemExit(1)


@cli.command()
def schema() -> None:
    """Print the hook metadata JSON Schema (for editors)."""
    from reconciler.validate import schema_text

    click.echo(schema_text(), nl=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"




def main() -> None:
    cli(prog_name="reconciler")
