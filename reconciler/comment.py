"""``reconciler comment``: a saved plan as one sticky pull-request comment per tenant.

Where to comment comes from flags, else from what GitHub Actions sets in every job:
``GITHUB_REPOSITORY`` (owner/name), ``GITHUB_EVENT_PATH`` (the event JSON, holding the pull
request number), ``GITHUB_API_URL`` (GitHub Enterprise Server sets its own) and the token
from ``GITHUB_TOKEN`` (or the variable named by ``--token-env``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import httpx

from reconciler.github import (
    DEFAULT_API_URL,
    GitHubError,
    Outcome,
    Sleep,
    check_repo,
    marker_for,
    upsert_sticky_comment,
    with_marker,
)
from reconciler.plan import Plan
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT, render_markdown


@dataclass(frozen=True)
class Target:
    api_url: str
    repo: str
    pr: int
    token: str

    def __repr__(self) -> str:  # never show the token
        return f"Target(api_url={self.api_url!r}, repo={self.repo!r}, pr={self.pr})"


def resolve_target(
    *,
    repo: str | None,
    pr: int | None,
    api_url: str | None,
    token_env: str = "GITHUB_TOKEN",
    environ: Mapping[str, str] | None = None,
) -> Target:
    """Flags first, then the GitHub Actions environment (``environ``, from the CLI's Settings:
    library code never reads the process environment itself). Names the missing flag/variable."""
    env = {} if environ is None else environ
    repo = repo or _clean(env.get("GITHUB_REPOSITORY"))
    if not repo:
        raise GitHubError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
    check_repo(repo)
    if pr is None:
        pr = _pr_from_event(_clean(env.get("GITHUB_EVENT_PATH")))
    if pr is None or pr < 1:
        raise GitHubError(
            "no pull request number: pass --pr N or run on a pull_request event (GITHUB_EVENT_PATH)"
        )
    api_url = api_url or _clean(env.get("GITHUB_API_URL")) or DEFAULT_API_URL
    token = _clean(env.get(token_env))
    if not token:
        raise GitHubError(
            f"no GitHub token: set {token_env}"
            + (" (in a workflow: `env: GITHUB_TOKEN: ${{ github.token }}`)" if token_env == "GITHUB_TOKEN" else "")
        )
    return Target(api_url, repo, pr, token)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _pr_from_event(path: str | None) -> int | None:
    if not path:
        return None
    try:
        event: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GitHubError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event ({error.__class__.__name__}); pass --pr N"
        ) from None
    if not isinstance(event, dict):
        return None
    candidates = [
        (event.get("pull_request") or {}).get("number") if isinstance(event.get("pull_request"), dict) else None,
        # issue_comment events on a pull request
        (event.get("issue") or {}).get("number")
        if isinstance(event.get("issue"), dict) and event["issue"].get("pull_request")
        else None,
        event.get("number"),
    ]
    for number in candidates:
        if isinstance(number, int) and not isinstance(number, bool):
            return number
    return None


def comment_body(plan: Plan, tenant: str) -> str:
    """The whole comment: marker line, then the markdown plan within GitHub's size limit."""
    marker = marker_for(tenant)
    room = GITHUB_COMMENT_LIMIT - len(marker) - 1 - 64  # a margin for GitHub's own counting
    return with_marker(render_markdown(plan, tenant=tenant, limit=room), marker)


def post_plan_comment(
    plan: Plan,
    target: Target,
    *,
    tenant: str = "default",
    sleep: Sleep | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Outcome:
    return upsert_sticky_comment(
        target.api_url,
        target.repo,
        target.pr,
        target.token,
        comment_body(plan, tenant),
        marker_for(tenant),
        sleep=sleep,
        transport=transport,
    )
