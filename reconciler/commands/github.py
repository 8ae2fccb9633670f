"""``comment``: the saved plan as one sticky pull-request comment."""

from __future__ import annotations

import click

from reconciler.commands.common import report_errors
from reconciler.terminal import env_help, run_settings


@click.command(epilog=env_help("GITHUB_TOKEN (or the variable named by --token-env)", "GITHUB_REPOSITORY",
                              "GITHUB_EVENT_PATH", "GITHUB_API_URL",
                              "GITHUB_SHA", "GITHUB_SERVER_URL", "GITHUB_RUN_ID"))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False),
              help="A plan saved by `reconciler plan --out FILE` (required unless --failed).")
@click.option("--failed", is_flag=True,
              help="The plan failed: replace the plan on display with a note saying so.")
@click.option("--reason", help="With --failed: the error line to quote (one line, at most 500 characters shown).")
@click.option("--unchanged", is_flag=True,
              help="The pull request no longer changes the config: edit the tenant's comment to say so "
              "(none is created).")
@click.option("--applied", is_flag=True,
              help="After a merge: post the apply result (--plan FILE applied, or --failed --reason) to the pull "
              "request the pushed commit came from (default: found from $GITHUB_SHA).")
@click.option("--failed-step", type=click.Choice(["plan", "apply"]), default="apply", show_default=True,
              help="With --applied --failed: which job failed; plan says nothing was applied.")
@click.option("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY).")
@click.option("--pr", type=click.IntRange(min=1), help="Pull request number (default: from $GITHUB_EVENT_PATH).")
@click.option("--tenant", default="default", show_default=True,
              help="Tenant name: the heading, and the marker that keeps one comment per tenant.")
@click.option("--commit", help="The commit that was planned (default: the pull request's head "
              "from $GITHUB_EVENT_PATH, else $GITHUB_SHA).")
@click.option("--run-url", help="Link to the run (default: built from $GITHUB_SERVER_URL, "
              "$GITHUB_REPOSITORY, $GITHUB_RUN_ID).")
@click.option("--api-url", help="GitHub REST API base URL (default: $GITHUB_API_URL or https://api.github.com).")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True,
              help="Environment variable holding the GitHub token.")
@click.option("--dry-run", is_flag=True, help="Print the comment body instead of posting it (no token needed).")
@report_errors
def comment(plan_file: str | None, failed: bool, reason: str | None, unchanged: bool, applied: bool,
            failed_step: str, repo: str | None, pr: int | None, tenant: str,
            commit: str | None, run_url: str | None, api_url: str | None, token_env: str,
            dry_run: bool) -> None:
    """Post the saved plan as one sticky pull-request comment (edited in place on re-runs).

    The comment names the commit it planned, links the workflow run and gives the time.
    With --failed it says that the latest plan failed instead of showing an out-of-date one.
    """
    from reconciler.usecases.commenting import CommentRequest, post_plan_comment

    settings = run_settings()
    # A comment without a plan (failed, unchanged) names the tenant's host as a plan does:
    # from $AUTH0_DOMAIN, which the plan and apply jobs set for the whole job.
    host = settings.tenant_label if settings.domain else ""
    request = CommentRequest(tenant=tenant, plan_file=plan_file, failed=failed, reason=reason,
                             unchanged=unchanged, applied=applied, failed_step=failed_step, repo=repo, pr=pr, commit=commit,
                             run_url=run_url, api_url=api_url, token_env=token_env, dry_run=dry_run,
                             domain=host)
    if unchanged:
        if failed or plan_file or applied:
            raise click.UsageError("--unchanged takes neither --plan, --failed nor --applied")
    elif failed == bool(plan_file):
        raise click.UsageError("pass either --plan FILE or --failed")
    outcome = post_plan_comment(request, settings.environ)
    if not outcome.posted:  # a dry run
        click.echo(outcome.body, nl=False)
        return
    if outcome.action == "absent":
        click.echo("no comment to update" if unchanged else "no pull request found for the commit: nothing posted")
        return
    words = {"created": "created comment", "updated": "updated comment", "unchanged": "comment unchanged"}
    click.echo(f"{words[outcome.action or 'created']} {outcome.url}")
