"""``comment``: a saved plan (or a note that the plan failed) as one sticky pull-request
comment per tenant. Where to post comes from the request, else from the GitHub Actions
variables in ``environ`` (the Settings' copy: library code never reads the process's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from reconciler.github.client import Sleep


@dataclass(frozen=True)
class CommentRequest:
    """The comment asked for: ``plan_file``, or ``failed`` for the failure note (``reason``: its
    error line); ``unchanged``: the pull request no longer changes the config (only an existing
    comment is edited); ``applied``: the apply result after the merge (``plan_file`` applied, or
    ``failed`` with ``reason``), posted to the pull request the pushed commit came from;
    ``failed_step``: "plan" when the plan made for that apply failed (nothing was applied)."""

    tenant: str = "default"
    plan_file: str | None = None
    failed: bool = False
    reason: str | None = None
    unchanged: bool = False
    applied: bool = False
    failed_step: str = "apply"
    repo: str | None = None
    pr: int | None = None
    commit: str | None = None
    run_url: str | None = None
    api_url: str | None = None
    token_env: str = "GITHUB_TOKEN"
    dry_run: bool = False
    domain: str = ""  # the tenant's host, for a comment without a plan (a saved plan names its own)

    def __post_init__(self) -> None:
        from reconciler.github.client import marker_for

        marker_for(self.tenant)  # refuses a tenant name that cannot go in the marker


@dataclass(frozen=True)
class CommentOutcome:
    body: str
    # "created" | "updated" | "unchanged" | "absent" (nothing to edit, or no pull request found);
    # None: a dry run, not posted
    action: str | None = None
    url: str | None = None

    @property
    def posted(self) -> bool:
        return self.action is not None


def comment_body_for(request: CommentRequest, environ: Mapping[str, str], *, now: datetime | None = None) -> str:
    """The body: the saved plan in markdown, or the failure note; with its provenance."""
    from reconciler.github.comment import (
        apply_body,
        comment_body,
        failure_body,
        resolve_provenance,
        unchanged_body,
    )
    from reconciler.planfile import read_plan

    provenance = resolve_provenance(commit=request.commit, run_url=request.run_url, environ=environ, now=now)
    if request.applied:
        if request.failed or request.plan_file is None:
            return apply_body(request.tenant, provenance, reason=request.reason, failed_step=request.failed_step,
                              domain=request.domain)
        return apply_body(request.tenant, provenance, plan=read_plan(request.plan_file).plan)
    if request.unchanged:
        return unchanged_body(request.tenant, provenance, domain=request.domain)
    if request.failed or request.plan_file is None:
        return failure_body(request.tenant, provenance, request.reason, domain=request.domain)
    return comment_body(read_plan(request.plan_file).plan, request.tenant, provenance)


def post_plan_comment(
    request: CommentRequest,
    environ: Mapping[str, str],
    *,
    now: datetime | None = None,
    sleep: Sleep | None = None,
    transport: httpx.BaseTransport | None = None,
) -> CommentOutcome:
    """Compose the body; unless a dry run, create or edit the tenant's sticky comment."""
    import dataclasses

    from reconciler.github.comment import post_comment, pull_request_of_commit, resolve_provenance, resolve_target

    body = comment_body_for(request, environ, now=now)
    if request.dry_run:
        return CommentOutcome(body)
    target = resolve_target(repo=request.repo, pr=request.pr, api_url=request.api_url,
                            token_env=request.token_env, environ=environ, pr_required=not request.applied)
    if target.pr == 0:  # an apply after a push: the pull request the commit came from
        commit = resolve_provenance(commit=request.commit, run_url=request.run_url, environ=environ).commit
        number = pull_request_of_commit(target, commit, sleep=sleep, transport=transport) if commit else None
        if number is None:
            return CommentOutcome(body, "absent")
        target = dataclasses.replace(target, pr=number)
    outcome = post_comment(body, target, tenant=request.tenant, sleep=sleep, transport=transport,
                           create_missing=not request.unchanged)
    return CommentOutcome(body, outcome.action, outcome.url)
