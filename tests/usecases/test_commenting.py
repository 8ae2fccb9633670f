"""``post_plan_comment``: the body chosen (plan or failure), its provenance from the
environment given (never the process's), and the sticky comment posted through
``httpx.MockTransport``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from reconciler.errors import GitHubError
from reconciler.github.client import marker_for
from reconciler.planfile import write_plan
from reconciler.resources.hooks.model import DesiredState, Hook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions
from reconciler.usecases.commenting import CommentOutcome, CommentRequest, comment_body_for, post_plan_comment

SHA = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ghs_canary_token_value"
CANARY = "canary-secret-value-77"
NOW = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
ENV = {"GITHUB_REPOSITORY": "octo/repo", "GITHUB_SHA": SHA, "GITHUB_TOKEN": TOKEN,
       "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42", "GITHUB_API_URL": "https://api.github.test"}


@pytest.fixture
def plan_file(tmp_path: Path) -> str:
    desired = DesiredState((Hook("check-signup", "pre-user-registration", "cb();\n", secrets={"K": CANARY}),))
    path = tmp_path / "plan.json"
    write_plan(build_plan(desired, LiveState(()), PlanOptions()), path, config="tenant-config")
    return str(path)


class FakeGitHub:
    """Comments on one pull request; records each request as "METHOD path"."""

    def __init__(self, comments: list[dict[str, object]] | None = None) -> None:
        self.comments = comments or []
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        assert request.headers["Authorization"].endswith(TOKEN)
        if request.url.path == "/user":  # an installation token: writes as github-actions[bot]
            return httpx.Response(403, json={"message": "Resource not accessible by integration"})
        if request.method == "GET":
            return httpx.Response(200, json=self.comments)
        body = json.loads(request.content)["body"]
        if request.method == "POST":
            self.comments.append({"id": 7, "body": body, "html_url": "https://github.test/c/7",
                                  "user": {"login": "github-actions[bot]"}})
            return httpx.Response(201, json=self.comments[-1])
        self.comments[0]["body"] = body
        return httpx.Response(200, json=self.comments[0])


def test_a_dry_run_composes_the_plan_body_and_posts_nothing(plan_file: str) -> None:
    outcome = post_plan_comment(CommentRequest(tenant="dev", plan_file=plan_file, dry_run=True), ENV, now=NOW)
    assert not outcome.posted and outcome.action is None and outcome.url is None
    assert outcome.body.startswith(marker_for("dev") + "\n")
    assert "check-signup" in outcome.body and f"commit {SHA[:12]}" in outcome.body
    assert "[workflow run](https://github.com/octo/repo/actions/runs/42)" in outcome.body
    assert "2030-01-02 03:04 UTC" in outcome.body
    assert CANARY not in outcome.body and TOKEN not in outcome.body


def test_failed_gets_the_failure_note_instead_of_a_plan() -> None:
    body = comment_body_for(CommentRequest(tenant="dev", failed=True), ENV, now=NOW)
    assert "**The plan failed for commit 0123456789ab.**" in body and "check-signup" not in body


def test_posting_creates_then_edits_then_leaves_alone(plan_file: str) -> None:
    github = FakeGitHub()
    transport = httpx.MockTransport(github)
    request = CommentRequest(tenant="dev", plan_file=plan_file, pr=5)
    first = post_plan_comment(request, ENV, now=NOW, transport=transport, sleep=lambda s: None)
    assert first == CommentOutcome(first.body, "created", "https://github.test/c/7") and first.posted
    assert github.seen == ["GET /repos/octo/repo/issues/5/comments", "POST /repos/octo/repo/issues/5/comments"]
    failed = post_plan_comment(CommentRequest(tenant="dev", failed=True, pr=5), ENV, now=NOW, transport=transport)
    assert failed.action == "updated" and github.seen[-1] == "PATCH /repos/octo/repo/issues/comments/7"
    again = post_plan_comment(CommentRequest(tenant="dev", failed=True, pr=5), ENV, now=NOW, transport=transport)
    assert again.action == "unchanged" and len(github.seen) == 7  # each look-up asks GET /user once
    assert TOKEN not in repr(again) and CANARY not in str(github.comments[0]["body"])


def test_where_to_post_comes_from_the_environment_given(plan_file: str) -> None:
    request = CommentRequest(tenant="dev", plan_file=plan_file)  # no --pr, no event file
    with pytest.raises(GitHubError, match="no pull request number"):
        post_plan_comment(request, ENV, transport=httpx.MockTransport(FakeGitHub()))
    with pytest.raises(GitHubError, match="no GitHub token: set GITHUB_TOKEN"):
        post_plan_comment(CommentRequest(plan_file=plan_file, pr=1), {**ENV, "GITHUB_TOKEN": ""})


def test_a_tenant_name_that_cannot_be_a_marker_is_refused_at_once() -> None:
    with pytest.raises(GitHubError, match="tenant name 'a b'"):
        CommentRequest(tenant="a b", failed=True)
