"""``reconciler comment``: a saved plan as one sticky pull-request comment per tenant.

Where to comment comes from flags, else from what GitHub Actions sets in every job:
``GITHUB_REPOSITORY`` (owner/name), ``GITHUB_EVENT_PATH`` (the event JSON, holding the pull
request number), ``GITHUB_API_URL`` (GitHub Enterprise Server sets its own) and the token
from ``GITHUB_TOKEN`` (or the variable named by ``--token-env``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from reconciler.core.plan import Plan
from reconciler.errors import GitHubError
from reconciler.escape import md_code
from reconciler.github.client import (
    DEFAULT_API_URL,
    STAMP_END,
    STAMP_START,
    GitHubClient,
    Outcome,
    Sleep,
    check_repo,
    marker_for,
    upsert_sticky_comment,
    with_marker,
)
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT, render_markdown
from reconciler.text import clean as _clean
from reconciler.text import valid_text


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
    pr_required: bool = True,
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
    if pr is None and not pr_required:
        pr = 0  # the caller finds it (the pull request of a pushed commit)
    elif pr is None or pr < 1:
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


def _read_event(path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        event: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GitHubError(
            f"GITHUB_EVENT_PATH {path}: cannot read the event ({error.__class__.__name__}); pass --pr N"
        ) from None
    return event if isinstance(event, dict) else None


def _pr_from_event(path: str | None) -> int | None:
    event = _read_event(path)
    if event is None:
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


# ---------------------------------------------------------------------------- provenance

_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_RUN_URL = re.compile(r"^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~%/+-]*)?$")


@dataclass(frozen=True)
class Provenance:
    """What the comment says about where its plan came from: commit, run, time."""

    commit: str | None = None  # full hex SHA
    run_url: str | None = None
    time: datetime | None = None

    def footer(self) -> str:
        """One line; the run link and time are the "stamp" a re-run may change freely."""
        stable = [f"commit {self.commit[:12]}"] if self.commit else []  # GitHub links a bare SHA
        stamp = [f"[workflow run]({self.run_url})"] if self.run_url else []
        if self.time is not None:
            stamp.append(self.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        text = " · ".join(stable)
        if stamp:
            text += (" · " if text else "") + STAMP_START + " · ".join(stamp) + STAMP_END
        return f"<sub>{text}</sub>" if text else ""


def resolve_provenance(
    *,
    commit: str | None,
    run_url: str | None,
    environ: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Provenance:
    """Flags first, then the GitHub Actions environment (``environ``, from the CLI's Settings);
    malformed values are refused.

    The commit of a pull-request run is the PR's head (what the author pushed), not the
    merge commit GitHub builds in ``GITHUB_SHA``.
    """
    env = {} if environ is None else environ
    if commit is None:
        event = _read_event(_clean(env.get("GITHUB_EVENT_PATH")))
        head = (event or {}).get("pull_request")
        head_sha = (head.get("head") or {}).get("sha") if isinstance(head, dict) else None
        commit = head_sha if isinstance(head_sha, str) else _clean(env.get("GITHUB_SHA"))
    commit = _clean(commit)
    if commit is not None and not _SHA.match(commit.lower()):
        raise GitHubError("commit must be a hexadecimal SHA (--commit, the event's head.sha or GITHUB_SHA)")
    if run_url is None:
        server, repo, run_id = (_clean(env.get(k)) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
        if server and repo and run_id:
            run_url = f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
            attempt = _clean(env.get("GITHUB_RUN_ATTEMPT"))
            if attempt and attempt != "1":
                run_url += f"/attempts/{attempt}"
    run_url = _clean(run_url)
    if run_url is not None and (len(run_url) > 500 or not _RUN_URL.match(run_url)):
        raise GitHubError("run URL must be an http(s) URL (--run-url, or GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID)")
    return Provenance(commit.lower() if commit else None, run_url, now or datetime.now(UTC))


# ---------------------------------------------------------------------------- bodies


def comment_body(plan: Plan, tenant: str, provenance: Provenance | None = None) -> str:
    """The whole comment: marker line, the markdown plan within GitHub's size limit, footer."""
    marker = marker_for(tenant)
    footer = provenance.footer() if provenance else ""
    room = GITHUB_COMMENT_LIMIT - len(marker) - 1 - len(footer) - 2 - 64  # a margin for GitHub's own counting
    text = render_markdown(plan, tenant=tenant, limit=room).rstrip("\n")
    return with_marker(f"{text}\n\n{footer}\n" if footer else text + "\n", marker)


# The longest error line a comment quotes (the job log has the rest).
MAX_REASON = 500


def _reason_line(reason: str | None) -> str | None:
    """The error line as one escaped markdown code span, bounded; None when there is none."""
    text = " ".join(valid_text(reason or "").split())
    if not text:
        return None
    if len(text) > MAX_REASON:
        text = text[: MAX_REASON - 1] + "…"
    return md_code(text)


def _with_footer(lines: list[str], tenant: str, provenance: Provenance) -> str:
    footer = provenance.footer()
    if footer:
        lines += ["", footer]
    return with_marker("\n".join(lines) + "\n", marker_for(tenant))


def _host(domain: str) -> str:
    """`` (`example.eu.auth0.com`)`` after a heading's tenant name, or nothing: the tenant's
    host as a comment without a plan names it (bounded: it comes from the environment)."""
    return f" ({md_code(domain[:200])})" if domain else ""


def failure_body(tenant: str, provenance: Provenance | None = None, reason: str | None = None, *,
                 domain: str = "") -> str:
    """Replaces the plan on display when a later plan failed: a stale plan must not look current.
    ``reason``: the error line the plan ended with (quoted, so a reviewer need not open the log).
    ``domain``: the tenant's host, as a plan's heading names it."""
    provenance = provenance or Provenance()
    what = f"for commit {provenance.commit[:12]}" if provenance.commit else "for the latest commit"
    where = f"the [workflow run]({provenance.run_url})" if provenance.run_url else "the workflow run"
    quoted = _reason_line(reason)
    why = f"> {quoted}\n>\n" if quoted else ""
    detail = f"The whole log is in {where}" if quoted else f"See {where} for the error"
    lines = [
        f"### Auth0 plan for tenant {md_code(tenant)}{_host(domain)}",
        "",
        "> [!CAUTION]",
        f"> **The plan failed {what}:**" if quoted else f"> **The plan failed {what}.**",
        *([why.rstrip("\n")] if quoted else []),
        f"> The plan shown here before is out of date and has been removed. {detail}; the next "
        "successful plan replaces this message.",
    ]
    return _with_footer(lines, tenant, provenance)


def unchanged_body(tenant: str, provenance: Provenance | None = None, *, domain: str = "") -> str:
    """Replaces a plan on display when a later push undid the pull request's config change."""
    provenance = provenance or Provenance()
    what = f"as of commit {provenance.commit[:12]}" if provenance.commit else "any more"
    lines = [
        f"### Auth0 plan for tenant {md_code(tenant)}{_host(domain)}",
        "",
        f"**This pull request no longer changes the config {what}:** merging it changes nothing in "
        "this tenant. The plan shown here before has been removed.",
    ]
    return _with_footer(lines, tenant, provenance)


def apply_body(
    tenant: str, provenance: Provenance | None = None, *, plan: Plan | None = None, reason: str | None = None,
    domain: str = "", failed_step: str = "apply",
) -> str:
    """After the merge: what the apply did to the tenant (``plan``: it applied that plan), or
    why it failed (``reason``); ``failed_step`` "plan": the plan made for the apply failed, so
    nothing was applied (the apply job never started)."""
    provenance = provenance or Provenance()
    where = _host(plan.domain if plan is not None and plan.domain else domain)
    commit = f" commit {provenance.commit[:12]}" if provenance.commit else ""
    run = f" See the [workflow run]({provenance.run_url})." if provenance.run_url else ""
    if plan is None and failed_step == "plan":
        quoted = _reason_line(reason) or "(no error line was recorded)"
        lines = [
            f"### Auth0 apply to tenant {md_code(tenant)}{where} did not run",
            "",
            "> [!CAUTION]",
            f"> **The plan for the apply of merged{commit or ' changes'} failed; nothing was applied:**",
            f"> {quoted}",
            ">",
            f"> Fix the cause and re-run the apply workflow: it plans again, then applies.{run}",
        ]
    elif plan is None:
        quoted = _reason_line(reason) or "(no error line was recorded)"
        lines = [
            f"### Auth0 apply to tenant {md_code(tenant)}{where} failed",
            "",
            "> [!CAUTION]",
            f"> **The apply of merged{commit or ' changes'} failed:**",
            f"> {quoted}",
            ">",
            f"> Fix the cause and re-run the apply workflow (an interrupted apply converges when run again).{run}",
        ]
    elif plan.has_changes:
        lines = [f"### Applied to tenant {md_code(tenant)}{where}", "",
                 f"**{plan.summary.line()}** Applied after the merge of{commit or ' this pull request'}.{run}"]
    elif plan.has_drift:  # nothing to write, but never "matched": something runs outside the config
        left = f" ({len(plan.unmanaged)} live outside the config)" if plan.unmanaged else ""
        lines = [f"### Auth0 apply to tenant {md_code(tenant)}{where}", "",
                 f"**No changes applied** after the merge of{commit or ' this pull request'}, but the tenant "
                 f"still differs from the config in what the plan leaves in place{left}: see the plan's "
                 f"warnings in the job summary.{run}"]
    else:
        lines = [f"### Auth0 apply to tenant {md_code(tenant)}{where}", "",
                 f"**No changes:** the tenant already matched the config after the merge of"
                 f"{commit or ' this pull request'}.{run}"]
    return _with_footer(lines, tenant, provenance)


def pull_request_of_commit(
    target: Target, commit: str, *, sleep: Sleep | None = None, transport: httpx.BaseTransport | None = None
) -> int | None:
    """The pull request a pushed commit came from (apply after a merge), or None."""
    with GitHubClient(target.api_url, target.token, sleep=sleep, transport=transport) as client:
        numbers = client.pull_requests_of_commit(target.repo, commit)
    return numbers[0] if numbers else None


def post_comment(
    body: str,
    target: Target,
    *,
    tenant: str = "default",
    sleep: Sleep | None = None,
    transport: httpx.BaseTransport | None = None,
    create_missing: bool = True,
) -> Outcome:
    return upsert_sticky_comment(
        target.api_url,
        target.repo,
        target.pr,
        target.token,
        valid_text(body),  # a name from a plan file may hold a lone surrogate JSON allows
        marker_for(tenant),
        sleep=sleep,
        transport=transport,
        create_missing=create_missing,
    )


def post_plan_comment(
    plan: Plan,
    target: Target,
    *,
    tenant: str = "default",
    provenance: Provenance | None = None,
    sleep: Sleep | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Outcome:
    body = comment_body(plan, tenant, provenance)
    return post_comment(body, target, tenant=tenant, sleep=sleep, transport=transport)
