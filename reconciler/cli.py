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


# --- comment (issue #5) ----------------------------------------------------------------------


@cli.command()
@click.option("--plan", "plan_file", required=True, type=click.Path(dir_okay=False),
              help="A plan saved by `reconciler plan --out FILE`.")
@click.option("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from $GITHUB_EVENT_PATH).")
@click.option("--tenant", default="default", show_default=True,
              help="Tenant name: the heading, and the marker that keeps one comment per tenant.")
@click.option("--api-url", help="GitHub REST API base URL (default: $GITHUB_API_URL or https://api.github.com).")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True,
              help="Environment variable holding the GitHub token.")
def comment(plan_file: str, repo: str | None, pr: int | None, tenant: str, api_url: str | None,
            token_env: str) -> None:
    """Post the saved plan as one sticky pull-request comment (edited in place on re-runs)."""
    from reconciler.comment import post_plan_comment, resolve_target
    from reconciler.errors import ReconcilerError
    from reconciler.github import marker_for
    from reconciler.planfile import read_plan

    try:
        marker_for(tenant)
        target = resolve_target(repo=repo, pr=pr, api_url=api_url, token_env=token_env)
        saved = read_plan(plan_file)
        outcome = post_plan_comment(saved.plan, target, tenant=tenant)
    except ReconcilerError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    words = {"created": "created comment", "updated": "updated comment", "unchanged": "comment unchanged"}
    click.echo(f"{words[outcome.action]} {outcome.url}")


def main() -> None:
    cli(prog_name="reconciler")
