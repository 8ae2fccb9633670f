"""The comment's other bodies: a failed plan quoting its error line, a pull request that no
longer changes the config, and an apply's result posted to the merged pull request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.github.comment import Provenance, failure_body
from reconciler.usecases.commenting import CommentRequest, post_plan_comment
from tests.fake_github import FakeGitHub

REPO_NAME = "acme/cfg"
SHA = "ab" * 20


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.add_pull_request(REPO_NAME, 3)
    yield fake
    fake.stop()


def _env(gh: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": REPO_NAME, "GITHUB_API_URL": gh.url, "GITHUB_TOKEN": gh.token, "GITHUB_SHA": SHA}


def test_the_error_line_is_one_escaped_bounded_code_span() -> None:
    body = failure_body("dev", Provenance(), "bad `code` <img src=x>\n# heading " + "x" * 900)
    [quoted] = [line for line in body.splitlines() if "bad" in line]
    # A code span two backticks wide: the line's own backtick cannot close it, nor is its
    # "<img>" markup or its "# heading" a heading (one line).
    assert quoted.startswith("> ``bad `code` <img src=x> # heading x") and quoted.endswith("…``")
    assert "\n# heading" not in body and len(quoted) < 520
    assert "See the workflow run for the error" in failure_body("dev", Provenance(), None)


def test_unchanged_edits_an_existing_comment_and_never_creates_one(gh: FakeGitHub) -> None:
    nothing = post_plan_comment(CommentRequest(tenant="dev", unchanged=True, pr=3), _env(gh))
    assert nothing.action == "absent" and gh.comments(REPO_NAME, 3) == []
    post_plan_comment(CommentRequest(tenant="dev", failed=True, reason="x", pr=3), _env(gh))
    edited = post_plan_comment(CommentRequest(tenant="dev", unchanged=True, pr=3), _env(gh))
    assert edited.action == "updated"
    [comment] = gh.comments(REPO_NAME, 3)
    assert "no longer changes the config" in comment["body"]


def test_an_apply_result_goes_to_the_pull_request_of_the_pushed_commit(gh: FakeGitHub) -> None:
    lost = post_plan_comment(CommentRequest(tenant="dev", applied=True, failed=True, reason="boom"), _env(gh))
    assert lost.action == "absent"  # no pull request for the commit: nothing posted
    gh.merge(REPO_NAME, 3, SHA)
    found = post_plan_comment(CommentRequest(tenant="dev", applied=True, failed=True, reason="boom"), _env(gh))
    assert found.action == "created"
    [comment] = gh.comments(REPO_NAME, 3)
    assert "### Auth0 apply to tenant `dev` failed" in comment["body"] and "> `boom`" in comment["body"]
    assert f"merged commit {SHA[:12]} failed" in comment["body"]


@pytest.mark.parametrize("flags,heading", [
    (["--failed", "--reason", "boom"], "### Auth0 plan for tenant `dev` (`example.eu.auth0.com`)"),
    (["--unchanged"], "### Auth0 plan for tenant `dev` (`example.eu.auth0.com`)"),
    (["--applied", "--failed", "--reason", "boom"], "### Auth0 apply to tenant `dev` (`example.eu.auth0.com`) failed"),
    (["--applied", "--failed", "--failed-step", "plan", "--reason", "boom"],
     "### Auth0 apply to tenant `dev` (`example.eu.auth0.com`) did not run"),
])
def test_a_comment_without_a_plan_names_the_tenant_s_host(flags: list[str], heading: str) -> None:
    """The plan and apply jobs set AUTH0_DOMAIN for the whole job: a failed plan, an undone
    change and a failed apply name the host as a plan's comment does (not "hooks plan")."""
    from click.testing import CliRunner

    from reconciler.cli import cli

    env = {"AUTH0_DOMAIN": "https://example.eu.auth0.com/", "GITHUB_SHA": SHA}
    result = CliRunner().invoke(cli, ["comment", "--tenant", "dev", "--dry-run", *flags], env=env)
    assert result.exit_code == 0, result.output
    assert heading in result.output
    without = CliRunner().invoke(cli, ["comment", "--tenant", "dev", "--dry-run", *flags], env={"AUTH0_DOMAIN": ""})
    assert "auth0.com" not in without.output and "hooks plan" not in without.output


def test_a_failed_plan_after_the_merge_says_nothing_was_applied(gh: FakeGitHub) -> None:
    gh.merge(REPO_NAME, 3, SHA)
    request = CommentRequest(tenant="dev", applied=True, failed=True, failed_step="plan",
                             reason="unresolved keyword ##CLAIM_NAMESPACE##")
    assert post_plan_comment(request, _env(gh)).action == "created"
    [comment] = gh.comments(REPO_NAME, 3)
    assert "### Auth0 apply to tenant `dev` did not run" in comment["body"]
    assert f"plan for the apply of merged commit {SHA[:12]} failed; nothing was applied" in comment["body"]
    assert "> `unresolved keyword ##CLAIM_NAMESPACE##`" in comment["body"]
    assert "apply to tenant `dev` failed" not in comment["body"]


def test_an_apply_with_nothing_to_write_never_says_matched_while_something_runs_outside() -> None:
    from reconciler.core.plan import Plan
    from reconciler.github.comment import apply_body

    outside = Plan(steps=(), types=("hook",), extras=(("hook", (("unmanaged", ("legacy", "other")),)),))
    body = apply_body("dev", Provenance(commit=SHA), plan=outside)
    assert "**No changes applied** after the merge of commit" in body and "(2 live outside the config)" in body
    assert "matched" not in body
    assert "already matched the config" in apply_body("dev", Provenance(commit=SHA), plan=Plan(steps=(), types=("hook",)))
