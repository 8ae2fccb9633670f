"""`reconciler comment` end to end against a fake GitHub REST server on loopback.

Every test goes through the real command (click's CliRunner), real HTTP and a plan file
written by `reconciler.planfile.write_plan`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import reconciler.github.client as github
from reconciler.cli import cli
from reconciler.errors import GitHubError
from reconciler.github.client import GitHubClient, marker_for, upsert_sticky_comment
from reconciler.planfile import write_plan
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions
from tests.fake_github import BODY_LIMIT, FakeGitHub

REPO = "acme/auth0-config"
PR = 42
CANARY = "canary-SECRET-value-7f3a9c"  # a secret value that must never leave the process
CANARY_KEYWORD = "canary-KEYWORD-value-b41e"


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.add_pull_request(REPO, PR)
    yield fake
    fake.stop()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the client's back-off instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(github, "_default_sleep", recorded.append)
    return recorded


@pytest.fixture
def event(tmp_path: Path) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "synchronize", "number": PR, "pull_request": {"number": PR}}))
    return path


def env_for(gh: FakeGitHub, event: Path | None, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_PATH": str(event) if event else None,
        "GITHUB_API_URL": gh.url,
        "GITHUB_TOKEN": gh.token,
    }
    env.update(extra)
    return env


def run(gh: FakeGitHub, event: Path | None, *args: str, **env: str | None) -> Result:
    result = CliRunner().invoke(cli, ["comment", *args], env=env_for(gh, event, **env))
    return result


def desired_hooks(script_version: int = 1, n_extra: int = 0, script_lines: int = 3) -> DesiredState:
    hooks = [
        Hook(
            "check-signup",
            "pre-user-registration",
            f"module.exports = function (user, context, cb) {{ cb(null, {{ v: {script_version} }}); }};\n",
            enabled=True,
            dependencies={"axios": "1.6.8"},
            secrets={"API_KEY": CANARY, "OTHER": CANARY_KEYWORD},
        ),
        Hook(
            "welcome",
            "post-user-registration",
            "module.exports = function () { /* ``` not a fence end */ };\n",
            secrets={"SLACK_URL": CANARY},
        ),
    ]
    for i in range(n_extra):
        body = "".join(f"  const line{j} = 'hook {i} line {j} " + "x" * 40 + "';\n" for j in range(script_lines))
        hooks.append(
            Hook(f"bulk-{i:04d}", "credentials-exchange", f"module.exports = () => {{\n{body}}};\n",
                 secrets={"TOKEN": CANARY})
        )
    return DesiredState(tuple(hooks))


def live_hooks(n_orphans: int = 0) -> LiveState:
    hooks = [
        LiveHook("h1", "legacy-signup", "pre-user-registration", "old();\n", True),
        LiveHook("h2", "welcome", "post-user-registration", "module.exports = function () {};\n", False,
                 secret_keys=frozenset({"SLACK_URL"})),
    ]
    hooks += [
        LiveHook(f"o{i}", f"orphan-{i:03d}", "send-phone-message", "x();\n", False) for i in range(n_orphans)
    ]
    return LiveState(tuple(hooks))


def plan_file(tmp_path: Path, name: str = "plan.json", **kwargs: int) -> Path:
    n_orphans = kwargs.pop("n_orphans", 1)
    plan = build_plan(desired_hooks(**kwargs), live_hooks(n_orphans), PlanOptions(allow_delete=False))
    path = tmp_path / name
    write_plan(plan, path, config="tenant-config")
    return path


def assert_no_secrets(gh: FakeGitHub, *texts: str) -> None:
    for record in gh.requests:
        assert CANARY not in record.body and CANARY_KEYWORD not in record.body
    for text in texts:
        assert CANARY not in text and CANARY_KEYWORD not in text
        assert gh.token not in text


# ---------------------------------------------------------------------------- the sticky comment


def test_create_then_update_then_unchanged(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    first = plan_file(tmp_path, "one.json", script_version=1)
    result = run(gh, event, "--plan", str(first), "--tenant", "dev")
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "POST"]
    [comment] = gh.comments(REPO, PR)
    assert result.output.strip() == f"created comment {comment['html_url']}"
    assert comment["body"].startswith(marker_for("dev") + "\n")
    assert "Plan: 1 to create" in comment["body"]
    post = gh.requests[1]
    assert post.headers["authorization"] == f"Bearer {gh.token}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert post.path == f"/repos/{REPO}/issues/{PR}/comments"

    # A different plan edits the same comment in place.
    gh.clear_log()
    second = plan_file(tmp_path, "two.json", script_version=2)
    result = run(gh, event, "--plan", str(second), "--tenant", "dev")
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "GET", "PATCH"]  # the comments, then who the token is (GET /user)
    assert gh.requests[1].path == "/user"
    assert gh.requests[2].path == f"/repos/{REPO}/issues/comments/{comment['id']}"
    [edited] = gh.comments(REPO, PR)
    assert edited["id"] == comment["id"]
    assert edited["body"] != comment["body"] and "v: 2" in edited["body"]
    assert result.output.strip() == f"updated comment {comment['html_url']}"

    # The same plan again: no write at all.
    gh.clear_log()
    result = run(gh, event, "--plan", str(second), "--tenant", "dev")
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "GET"]
    assert result.output.strip() == f"comment unchanged {comment['html_url']}"
    assert len(gh.comments(REPO, PR)) == 1
    assert sleeps == []
    assert_no_secrets(gh, result.output, comment["body"], edited["body"])


def test_one_comment_per_tenant(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    path = plan_file(tmp_path)
    assert run(gh, event, "--plan", str(path), "--tenant", "dev").exit_code == 0
    assert run(gh, event, "--plan", str(path), "--tenant", "prod").exit_code == 0
    assert run(gh, event, "--plan", str(path), "--tenant", "dev").exit_code == 0
    bodies = [c["body"] for c in gh.comments(REPO, PR)]
    assert len(bodies) == 2
    assert bodies[0].startswith(marker_for("dev")) and bodies[1].startswith(marker_for("prod"))
    assert [r.method for r in gh.writes()] == ["POST", "POST"]


def test_marker_found_across_pages(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    first = plan_file(tmp_path, "one.json", script_version=1)
    # A comment that only quotes the marker (not at its top) is not ours.
    gh.add_pull_request(REPO, PR, [f"> see {marker_for('dev')}"])
    gh.add_pull_request(REPO, PR, [f"review comment {i}" for i in range(249)])
    assert run(gh, event, "--plan", str(first), "--tenant", "dev").exit_code == 0
    assert gh.methods() == ["GET", "GET", "GET", "POST"]  # the quoting comment was left alone
    gh.clear_log()

    second = plan_file(tmp_path, "two.json", script_version=2)
    result = run(gh, event, "--plan", str(second), "--tenant", "dev")
    assert result.exit_code == 0, result.output
    gets = [r for r in gh.requests if r.method == "GET" and r.path != "/user"]
    assert [r.query.get("page", ["1"])[0] for r in gets] == ["1", "2", "3"]
    assert all(r.query["per_page"] == ["100"] for r in gets)
    assert [r.method for r in gh.writes()] == ["PATCH"]
    ours = [c for c in gh.comments(REPO, PR) if c["body"].startswith(marker_for("dev"))]
    assert len(ours) == 1 and "v: 2" in ours[0]["body"]
    assert "updated comment" in result.output


def test_marker_absent_on_every_page_creates(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    gh.add_pull_request(REPO, PR, [f"comment {i}" for i in range(205)])
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "GET", "GET", "POST"]
    assert gh.comments(REPO, PR)[-1]["body"].startswith(marker_for("default"))


def test_huge_plan_fits_with_summary_and_warnings(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    path = plan_file(tmp_path, n_extra=400, script_lines=60, n_orphans=30)
    result = run(gh, event, "--plan", str(path), "--tenant", "prod")
    assert result.exit_code == 0, result.output
    [comment] = gh.comments(REPO, PR)
    body = comment["body"]
    assert len(body) < BODY_LIMIT
    assert "Plan: 401 to create, 1 to update, 0 to delete, 2 to enable/disable. (31 skipped)" in body
    assert "[!CAUTION]" in body and "pre-user-registration: legacy-signup → check-signup" in body
    assert "[!WARNING]" in body
    for i in range(30):
        assert f"`orphan-{i:03d}`" in body  # every skipped delete is still listed
    assert "hook diffs omitted (body limit); " in body and "run `reconciler plan` to see everything" in body
    assert_no_secrets(gh, body, result.output)


def test_canary_secrets_never_sent(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    path = plan_file(tmp_path)
    assert CANARY not in path.read_text()
    result = run(gh, event, "--plan", str(path))
    assert result.exit_code == 0, result.output
    body = gh.comments(REPO, PR)[0]["body"]
    assert "API_KEY = (sensitive)" in body and "OTHER = (sensitive)" in body
    assert_no_secrets(gh, body, result.output)


# ---------------------------------------------------------------------------- where to comment


def test_pr_number_from_event_variants(gh: FakeGitHub, tmp_path: Path) -> None:
    path = plan_file(tmp_path)
    for i, event_data in enumerate([{"pull_request": {"number": PR}}, {"number": PR}]):
        event = tmp_path / f"event{i}.json"
        event.write_text(json.dumps(event_data))
        result = run(gh, event, "--plan", str(path), "--tenant", f"t{i}")
        assert result.exit_code == 0, result.output
    assert len(gh.comments(REPO, PR)) == 2


def test_flags_override_environment(gh: FakeGitHub, tmp_path: Path) -> None:
    gh.add_pull_request("other/repo", 7)
    result = CliRunner().invoke(
        cli,
        ["comment", "--plan", str(plan_file(tmp_path)), "--repo", "other/repo", "--pr", "7",
         "--api-url", gh.url, "--token-env", "MY_TOKEN"],
        env={"GITHUB_REPOSITORY": REPO, "GITHUB_EVENT_PATH": None, "GITHUB_API_URL": "http://127.0.0.1:9",
             "GITHUB_TOKEN": None, "MY_TOKEN": gh.token},
    )
    assert result.exit_code == 0, result.output
    assert len(gh.comments("other/repo", 7)) == 1 and gh.comments(REPO, PR) == []


@pytest.mark.parametrize(
    "unset, expected",
    [
        ("GITHUB_REPOSITORY", "--repo OWNER/NAME or set GITHUB_REPOSITORY"),
        ("GITHUB_EVENT_PATH", "--pr N"),
        ("GITHUB_TOKEN", "set GITHUB_TOKEN"),
    ],
)
def test_missing_settings_name_the_flag_or_variable(gh: FakeGitHub, event: Path, tmp_path: Path, unset: str, expected: str) -> None:
    result = run(gh, event, "--plan", str(plan_file(tmp_path)), **{unset: None})
    assert result.exit_code == 1
    assert expected in result.output
    assert gh.requests == []


def test_missing_custom_token_variable(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    result = run(gh, event, "--plan", str(plan_file(tmp_path)), "--token-env", "BOT_TOKEN", BOT_TOKEN=None)
    assert result.exit_code == 1 and "set BOT_TOKEN" in result.output


def test_bad_plan_file_and_bad_tenant(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    result = run(gh, event, "--plan", str(tmp_path / "nope.json"))
    assert result.exit_code == 1 and "no such plan file" in result.output
    result = run(gh, event, "--plan", str(plan_file(tmp_path)), "--tenant", "x -->")
    assert result.exit_code == 1 and "tenant name" in result.output
    assert gh.requests == []


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "setup, expected",
    [
        ("token", "(401): Bad credentials — check the token"),
        ("403", "GitHub refused to create the comment on acme/auth0-config#42 (403): Resource not accessible "
                "by integration — the workflow needs `permissions: pull-requests: write`"),
        ("404", "(404): Not Found — check --repo/--pr"),
        ("422", "(422): Validation Failed (body is too long (maximum is 65536 characters))"),
    ],
)
def test_api_errors_exit_1_with_a_clear_line(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float], setup: str, expected: str) -> None:
    extra: dict[str, str | None] = {}
    if setup == "token":
        extra["GITHUB_TOKEN"] = "ghs_WRONGtoken_do_not_print_42"
    elif setup == "403":
        gh.fail("POST", 403, body={"message": "Resource not accessible by integration",
                                   "documentation_url": "https://docs.github.com/rest"})
    elif setup == "404":
        extra["GITHUB_REPOSITORY"] = "acme/missing"
    else:
        gh.fail("POST", 422, body={"message": "Validation Failed", "errors": [
            {"resource": "IssueComment", "code": "custom", "field": "body",
             "message": "body is too long (maximum is 65536 characters)"}]})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)), **extra)
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert gh.token not in result.output and "ghs_WRONGtoken" not in result.output
    assert sleeps == []  # a refusal is not retried
    assert gh.comments(REPO, PR) == []


def test_502_then_success_is_retried(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    gh.fail("GET", 502, body={"message": "Server Error"})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "GET", "POST"]
    assert len(sleeps) == 1 and sleeps[0] < 1.0


def test_post_with_unknown_result_is_not_duplicated(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    # The server makes the comment but answers 502: the client looks before re-sending.
    gh.fail("POST", 502, after_processing=True)
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "POST", "GET", "GET"]  # the look-up asks GET /user once
    assert len(gh.comments(REPO, PR)) == 1
    assert "comment unchanged" in result.output


def test_post_502_not_processed_is_sent_again(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    gh.fail("POST", 502)
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "POST", "GET", "POST"]
    assert len(gh.comments(REPO, PR)) == 1 and "created comment" in result.output


def test_persistent_5xx_gives_up(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    gh.fail("GET", 503, count=100, body={"message": "Service Unavailable"})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 1
    assert "GitHub failed (503) after 5 attempts to list the comments" in result.output
    assert len(gh.requests) == 5 and len(sleeps) == 4


@pytest.mark.parametrize("retry_after", ["0", "1"])
def test_secondary_rate_limit_retry_after(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float], retry_after: str) -> None:
    gh.fail("POST", 403, headers={"retry-after": retry_after},
            body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "POST", "POST"]  # a rate-limited POST was not processed: re-sent
    assert sleeps == [float(retry_after)]
    assert len(gh.comments(REPO, PR)) == 1


def test_retry_after_is_really_waited(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    gh.fail("GET", 429, headers={"retry-after": "1"}, body={"message": "rate limited"})
    started = time.monotonic()
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0
    assert gh.methods() == ["GET", "GET", "POST"]


def test_primary_rate_limit_waits_for_reset(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    gh.fail("GET", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()))},
            body={"message": "API rate limit exceeded"})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert gh.methods() == ["GET", "GET", "POST"]
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 2.0


def test_rate_limit_resetting_too_late_is_reported(gh: FakeGitHub, event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    reset = str(int(time.time()) + 3600)
    gh.fail("GET", 403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
            body={"message": "API rate limit exceeded"})
    result = run(gh, event, "--plan", str(plan_file(tmp_path)))
    assert result.exit_code == 1
    assert "rate limit exceeded (403)" in result.output and "run it again later" in result.output
    assert sleeps == []


def test_unreachable_api(event: Path, tmp_path: Path, sleeps: list[float]) -> None:
    fake = FakeGitHub()  # never started: nothing listens on its port
    url = fake.url
    fake.stop()
    result = CliRunner().invoke(
        cli, ["comment", "--plan", str(plan_file(tmp_path)), "--repo", REPO, "--pr", "1", "--api-url", url],
        env={"GITHUB_TOKEN": "ghs_secret_token_value"},
    )
    assert result.exit_code == 1
    assert "cannot reach GitHub" in result.output and "ghs_secret_token_value" not in result.output


# ---------------------------------------------------------------------------- the client


def test_link_to_another_host_is_not_followed(gh: FakeGitHub, sleeps: list[float]) -> None:
    """A Link header must never carry the token to another host."""
    comments = [{"id": 1, "body": "x", "html_url": "u"}]

    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.github.test":
            return httpx.Response(200, json=comments,
                                  headers={"Link": '<https://evil.test/next?page=2>; rel="next"'})
        raise AssertionError("followed a link to another host")

    with pytest.raises(GitHubError, match="another host"):
        upsert_sticky_comment("https://api.github.test", REPO, 1, "tok", "body", marker_for("dev"),
                              transport=httpx.MockTransport(handler))


def test_marker_at_top_exactly_once() -> None:
    marker = marker_for("dev")
    body = github.with_marker(f"hello\n{marker}\nworld", marker)
    assert body.startswith(marker + "\n") and body.count(marker) == 1


def test_enterprise_api_url_prefix(sleeps: list[float]) -> None:
    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "GET":
            return httpx.Response(200, json=[])
        return httpx.Response(201, json={"id": 5, "html_url": "https://ghe.test/x"})

    outcome = upsert_sticky_comment("https://ghe.test/api/v3/", REPO, 3, "tok", "b", marker_for("dev"),
                                    transport=httpx.MockTransport(handler))
    assert outcome.action == "created" and outcome.comment_id == 5
    assert seen == [f"GET /api/v3/repos/{REPO}/issues/3/comments", f"POST /api/v3/repos/{REPO}/issues/3/comments"]


def test_client_repr_has_no_token() -> None:
    client = GitHubClient("https://api.github.com", "ghs_secret")
    try:
        assert "ghs_secret" not in repr(client)
    finally:
        client.close()


# ---------------------------------------------------------------------------- provenance and failures

HEAD = "89abcdef0123456789abcdef0123456789abcdef"


def run_env(gh: FakeGitHub, event: Path, **extra: str | None) -> dict[str, str | None]:
    return env_for(gh, event, GITHUB_SERVER_URL="https://github.example", GITHUB_RUN_ID="77",
                   GITHUB_RUN_ATTEMPT="2", GITHUB_SHA="1" * 40, **extra)


def test_comment_names_the_head_commit_links_the_run_and_gives_the_time(gh: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": HEAD}}}))
    result = CliRunner().invoke(cli, ["comment", "--plan", str(plan_file(tmp_path)), "--tenant", "dev"],
                                env=run_env(gh, event))
    assert result.exit_code == 0, result.output
    [comment] = gh.comments(REPO, PR)
    footer = comment["body"].rstrip().splitlines()[-1]
    assert f"commit {HEAD[:12]}" in footer  # the PR head, not GITHUB_SHA (the merge commit)
    assert f"[workflow run](https://github.example/{REPO}/actions/runs/77/attempts/2)" in footer
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", footer)


def test_a_rerun_with_the_same_plan_does_not_edit(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    path = plan_file(tmp_path)
    assert run(gh, event, "--plan", str(path), GITHUB_RUN_ID="1", GITHUB_SERVER_URL="https://g").exit_code == 0
    gh.clear_log()
    result = run(gh, event, "--plan", str(path), GITHUB_RUN_ID="2", GITHUB_SERVER_URL="https://g")
    assert result.exit_code == 0 and result.output.startswith("comment unchanged")
    assert gh.methods() == ["GET", "GET"]


def test_failed_replaces_the_plan_on_display(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    assert run(gh, event, "--plan", str(plan_file(tmp_path)), "--tenant", "dev").exit_code == 0
    result = run(gh, event, "--failed", "--tenant", "dev", "--commit", HEAD, "--run-url", "https://g/r/1")
    assert result.exit_code == 0, result.output
    [comment] = gh.comments(REPO, PR)
    body = comment["body"]
    assert body.startswith(marker_for("dev") + "\n")
    assert "The plan failed for commit 89abcdef0123" in body and "[workflow run](https://g/r/1)" in body
    assert "Plan:" not in body and "check-signup" not in body
    # The next good plan takes the comment back.
    assert run(gh, event, "--plan", str(plan_file(tmp_path)), "--tenant", "dev").exit_code == 0
    assert "Plan: 1 to create" in gh.comments(REPO, PR)[0]["body"]


def test_dry_run_prints_the_body_and_needs_no_token(gh: FakeGitHub, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["comment", "--dry-run", "--plan", str(plan_file(tmp_path))],
                                env={"GITHUB_TOKEN": None, "GITHUB_REPOSITORY": None, "GITHUB_EVENT_PATH": None})
    assert result.exit_code == 0, result.output
    assert result.output.startswith(marker_for("default")) and "Plan: 1 to create" in result.output
    assert gh.requests == []
    assert_no_secrets(gh, result.output)


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], "pass either --plan FILE or --failed"),
        (["--failed", "--plan", "x.json"], "pass either --plan FILE or --failed"),
        (["--failed", "--commit", "not-a-sha"], "commit must be a hexadecimal SHA"),
        (["--failed", "--run-url", "javascript:alert(1)"], "run URL must be an http(s) URL"),
        (["--failed", "--run-url", "https://x/y) [click](https://evil"], "run URL must be an http(s) URL"),
    ],
)
def test_comment_refuses_bad_options(gh: FakeGitHub, event: Path, args: list[str], expected: str) -> None:
    result = run(gh, event, *args)
    assert result.exit_code != 0 and expected in result.output
    assert gh.requests == []
