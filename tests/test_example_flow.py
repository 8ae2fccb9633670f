"""The example repository's workflows, driven through: the steps its plan.yml and apply.yml
declare run in order (``workflow_runner``), with the env and inputs the files give, against
the emulator and the fake GitHub. What a team sees from pull request to merge: the comment
flags a keyword the PR adds, a failed plan after the merge says why on the PR, the merge
applies once it is set and reports back to the PR, a fork's checks arrive under their names,
a failing apply says why in the summary and the PR, and a push that undoes the change clears
the plan shown before. The example (examples/gitops-repo) is an Actions config; the migration
starts from examples/migrating-from-hooks (a hooks config) under the same workflows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.fake_github import FakeGitHub
from tests.workflow_runner import Context, JobRun, run_job

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "gitops-repo"
MIGRATING = REPO / "examples" / "migrating-from-hooks"
PLAN_YML = EXAMPLE / ".github" / "workflows" / "plan.yml"
APPLY_YML = EXAMPLE / ".github" / "workflows" / "apply.yml"
RECONCILER = Path(sys.executable).with_name("reconciler")
GH_REPO = "acme/auth0-config"
PR = 12
SLACK = "https://hooks.slack.example/canary-5d2a-slack"
NAMESPACE = "https://canary-93fb-namespace.example/"
DEV = {"tenant": "dev", "config": "tenant-config"}

pytestmark = pytest.mark.skipif(not RECONCILER.exists(), reason=f"no {RECONCILER} (install with pip -e)")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.add_pull_request(GH_REPO, PR)
    yield fake
    fake.stop()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example repository as a git repository: one commit on main."""
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    return as_git_repository(target)


def hooks_repo(tmp_path: Path) -> Path:
    """A repository still holding hooks (examples/migrating-from-hooks) under the example's
    workflows: where a migration starts."""
    target = tmp_path / "hooks-repo"
    shutil.copytree(EXAMPLE / ".github", target / ".github")
    shutil.copytree(MIGRATING / "tenant-config", target / "tenant-config")
    return as_git_repository(target)


def as_git_repository(target: Path) -> Path:
    git(target, "init", "-q", "-b", "main")
    # What the jobs write in the workspace (a runner's checkout is fresh for every job).
    (target / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (target / ".git" / "info" / "exclude").write_text("plan.json\napproved-plan/\n")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "base")
    return target


Runner = Callable[..., JobRun]


@pytest.fixture
def run(repo: Path, tmp_path: Path, emulator: EmulatorProcess, gh: FakeGitHub) -> Runner:
    return make_runner(repo, tmp_path, emulator, gh)


def make_runner(repo: Path, tmp_path: Path, emulator: EmulatorProcess, gh: FakeGitHub,
                variables: dict[str, str] | None = None) -> Runner:
    """Runs one job of a workflow for one matrix entry, as GitHub would for an event."""
    numbers = count()
    artifacts = tmp_path / "artifacts"

    def job(workflow: Path, job_id: str, event: dict[str, Any], *, keywords: dict[str, str],
            matrix: dict[str, str] = DEV, ref: str = "refs/heads/main", sha: str = "") -> JobRun:
        temp = tmp_path / f"runner-{next(numbers)}"
        temp.mkdir()
        event_path = temp / "event.json"
        event_path.write_text(json.dumps(event))
        fork = bool(event.get("pull_request", {}).get("head", {}).get("repo", {}).get("fork"))
        secrets = {} if fork else {  # GitHub gives a fork's pull request no secrets
            "AUTH0_PLAN_CLIENT_ID": emulator.client_id, "AUTH0_PLAN_CLIENT_SECRET": emulator.client_secret,
            "AUTH0_CLIENT_ID": emulator.client_id, "AUTH0_CLIENT_SECRET": emulator.client_secret,
            "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(keywords), "RECONCILER_SECRETS_HMAC_KEY": "hmac-key-1",
        }
        context = Context(
            workspace=repo, runner_temp=temp, artifacts=artifacts, reconciler=str(RECONCILER), event=event,
            ref=ref, token=gh.token, secrets=secrets, vars={"AUTH0_DOMAIN": emulator.base_url, **(variables or {})},
            runner_env={"GITHUB_EVENT_PATH": str(event_path), "GITHUB_REPOSITORY": GH_REPO, "GITHUB_API_URL": gh.url,
                        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": str(100 + next(numbers)),
                        "GITHUB_SHA": sha or git(repo, "rev-parse", "HEAD")},
        )
        return run_job(workflow, job_id, matrix, context)

    return job


def pull_request(repo: Path, base: str, *, fork: bool = False) -> dict[str, Any]:
    head = git(repo, "rev-parse", "HEAD")
    return {"number": PR, "pull_request": {"number": PR, "head": {"sha": head, "repo": {"fork": fork}},
                                            "base": {"sha": base}}}


def add_claim_namespace_secret(repo: Path) -> None:
    action = repo / "tenant-config" / "actions" / "block-disposable-emails.json"
    data = json.loads(action.read_text())
    data["secrets"] = [{"name": "CLAIM_NAMESPACE", "value": "##CLAIM_NAMESPACE##"}]
    action.write_text(json.dumps(data, indent=2) + "\n")


def the_comment(gh: FakeGitHub) -> str:
    [comment] = gh.comments(GH_REPO, PR)
    body: str = comment["body"]
    assert SLACK not in body and NAMESPACE not in body and "canary-" not in body
    return body


def test_a_pull_request_adding_a_secret_then_its_merge(run: Runner, repo: Path, gh: FakeGitHub,
                                                      emulator: EmulatorProcess) -> None:
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "add-namespace")
    add_claim_namespace_secret(repo)
    git(repo, "commit", "-qam", "action: a claim namespace secret")
    event = pull_request(repo, base)
    host = emulator.base_url.split("://")[1]

    # The pull request: validate, then the plan job posts the comment, which flags the keyword.
    validated = run(PLAN_YML, "validate", event, keywords={})
    assert (validated.check_name, validated.status) == ("validate (dev)", "success")
    planned = run(PLAN_YML, "plan", event, keywords={"SLACK_WEBHOOK_URL": SLACK})
    assert (planned.check_name, planned.status) == ("plan (dev)", "success"), planned.log
    body = the_comment(gh)
    assert "New keyword `CLAIM_NAMESPACE`: set it in the apply environments before merging." in body
    assert "Keywords this config uses: `CLAIM_NAMESPACE`, `SLACK_WEBHOOK_URL`." in body
    assert f"plan for tenant `dev` (`{host}`)" in body
    assert "New keyword `CLAIM_NAMESPACE`" in planned.summary

    # Merged before the value was set: the plan for apply fails, and says why (no "see the log").
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "add-namespace")
    merge = git(repo, "rev-parse", "HEAD")
    gh.merge(GH_REPO, PR, merge)
    push = {"after": merge, "ref": "refs/heads/main"}
    unset = run(APPLY_YML, "plan", push, keywords={"SLACK_WEBHOOK_URL": SLACK})
    assert (unset.check_name, unset.status) == ("plan (dev)", "failure")
    assert "unresolved keyword ##CLAIM_NAMESPACE##" in unset.summary and "see the job log" not in unset.summary
    # ... and so does the merged pull request: nothing was applied, with the error line.
    assert unset.step("Report a failed plan to the pull request").ran
    body = the_comment(gh)
    assert f"### Auth0 apply to tenant `dev` (`{host}`) did not run" in body
    assert f"The plan for the apply of merged commit {merge[:12]} failed; nothing was applied:" in body
    assert "unresolved keyword ##CLAIM_NAMESPACE##" in body and "see the job log" not in body.lower()

    # Once it is set (re-run): planned, applied, and the result posted back to the pull request.
    keywords = {"SLACK_WEBHOOK_URL": SLACK, "CLAIM_NAMESPACE": NAMESPACE}
    assert run(APPLY_YML, "plan", push, keywords=keywords).status == "success"
    applied = run(APPLY_YML, "apply", push, keywords=keywords)
    assert (applied.check_name, applied.status) == ("apply (dev)", "success"), applied.log
    assert "Applied to tenant `dev`" in applied.summary
    body = the_comment(gh)
    assert body.startswith("<!-- reconciler:plan tenant=dev -->")
    assert f"### Applied to tenant `dev` (`{host}`)" in body and "Plan: 2 to create" in body
    assert f"commit {merge[:12]}" in body


def test_a_failing_apply_says_why_in_the_summary_and_on_the_pull_request(
    run: Runner, repo: Path, gh: FakeGitHub, emulator: EmulatorProcess
) -> None:
    keywords = {"SLACK_WEBHOOK_URL": SLACK}
    merge = git(repo, "rev-parse", "HEAD")
    gh.merge(GH_REPO, PR, merge)
    push = {"after": merge, "ref": "refs/heads/main"}
    assert run(APPLY_YML, "plan", push, keywords=keywords).status == "success"
    # Between the approval and the apply, someone creates one of the actions by hand: the plan
    # (which creates it) is stale.
    token = httpx.post(f"{emulator.base_url}/oauth/token", json={
        "grant_type": "client_credentials", "client_id": emulator.client_id,
        "client_secret": emulator.client_secret, "audience": f"{emulator.base_url}/api/v2/"}).json()["access_token"]
    made = httpx.post(f"{emulator.base_url}/api/v2/actions/actions", headers={"Authorization": f"Bearer {token}"},
                      json={"name": "block-disposable-emails", "code": "exports.onExecutePreUserRegistration = async () => {};",
                            "supported_triggers": [{"id": "pre-user-registration", "version": "v2"}]})
    assert made.status_code in (200, 201), made.text
    failed = run(APPLY_YML, "apply", push, keywords=keywords)
    assert failed.status == "failure"
    reason = "stale plan: the live tenant changed since the plan was made"
    assert reason in failed.summary and "see the job log" not in failed.summary
    assert failed.step("Report the result to the pull request").ran
    body = the_comment(gh)
    assert f"### Auth0 apply to tenant `dev` (`{emulator.base_url.split('://')[1]}`) failed" in body and reason in body


def test_a_fork_pull_request_gets_its_checks_under_their_names(run: Runner, repo: Path, gh: FakeGitHub,
                                                              emulator: EmulatorProcess) -> None:
    base = git(repo, "rev-parse", "HEAD")
    add_claim_namespace_secret(repo)
    git(repo, "commit", "-qam", "from a fork")
    event = pull_request(repo, base, fork=True)
    for tenant in ("dev", "prod"):
        matrix = {"tenant": tenant, "config": "tenant-config"}
        validated = run(PLAN_YML, "validate", event, keywords={}, matrix=matrix)
        planned = run(PLAN_YML, "plan", event, keywords={}, matrix=matrix)
        assert (validated.check_name, validated.status) == (f"validate ({tenant})", "success"), validated.log
        assert (planned.check_name, planned.status) == (f"plan ({tenant})", "success"), planned.log
        assert [s.name for s in planned.steps if s.ran] == ["Credentials available?"]
        assert "pull requests from forks get no credentials" in planned.log
    assert gh.comments(GH_REPO, PR) == [] and emulator.stats()["requests"] == 0


def test_a_push_that_undoes_the_change_clears_the_plan_shown(run: Runner, repo: Path, gh: FakeGitHub) -> None:
    base = git(repo, "rev-parse", "HEAD")
    add_claim_namespace_secret(repo)
    git(repo, "commit", "-qam", "change")
    assert run(PLAN_YML, "plan", pull_request(repo, base), keywords={}).status == "success"
    assert "New keyword `CLAIM_NAMESPACE`" in the_comment(gh)
    git(repo, "revert", "--no-edit", "HEAD")
    undone = run(PLAN_YML, "plan", pull_request(repo, base), keywords={})
    assert undone.status == "success"
    body = the_comment(gh)
    assert "This pull request no longer changes the config" in body and "CLAIM_NAMESPACE" not in body


def test_a_broken_config_says_why_in_the_checks_and_the_comment(run: Runner, repo: Path, gh: FakeGitHub) -> None:
    base = git(repo, "rev-parse", "HEAD")
    action = repo / "tenant-config" / "actions" / "block-disposable-emails.json"
    action.write_text(action.read_text().replace('"deployed": true', '"deployed": "`yes`"'))
    git(repo, "commit", "-qam", "broken")
    event = pull_request(repo, base)
    validated = run(PLAN_YML, "validate", event, keywords={})
    assert validated.status == "failure"
    assert "block-disposable-emails.json" in validated.summary and "deployed" in validated.summary
    assert "job log" not in validated.summary
    planned = run(PLAN_YML, "plan", event, keywords={"SLACK_WEBHOOK_URL": SLACK})
    assert planned.status == "failure" and planned.step("Comment on the pull request").ran
    assert "the plan failed" in planned.summary and "block-disposable-emails.json" in planned.summary
    assert "job log" not in planned.summary
    body = the_comment(gh)
    assert "**The plan failed for commit" in body and "block-disposable-emails.json" in body
    # The config's own backticks cannot break out of the quoted line.
    quoted = next(line for line in body.splitlines() if "block-disposable-emails.json" in line)
    assert quoted.startswith("> ``") or quoted.startswith("> `")


def reconciler_in(repo: Path, *args: str) -> str:
    done = subprocess.run([str(RECONCILER), *args], cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def merge_pull_request(repo: Path, gh: FakeGitHub, branch: str, number: int) -> dict[str, Any]:
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", branch)
    merge = git(repo, "rev-parse", "HEAD")
    gh.add_pull_request(GH_REPO, number)
    gh.merge(GH_REPO, number, merge)
    return {"after": merge, "ref": "refs/heads/main"}


@pytest.mark.parametrize("hooks", [True, False], ids=["tenant-with-hooks", "tenant-without-hooks"])
def test_a_full_migration_to_deleting_the_hooks(tmp_path: Path, gh: FakeGitHub, hooks: bool,
                                               emulator_factory: Callable[..., EmulatorProcess]) -> None:
    repo = hooks_repo(tmp_path)
    tenant = emulator_factory(hooks_enabled=hooks)
    run = make_runner(repo, tmp_path, tenant, gh, {"AUTH0_ALLOW_DELETE": "true"})
    keywords = {"SLACK_WEBHOOK_URL": SLACK}
    if hooks:  # the hooks run live, as the example config says
        push = {"after": git(repo, "rev-parse", "HEAD"), "ref": "refs/heads/main"}
        first = run(APPLY_YML, "plan", push, keywords=keywords)
        assert first.status == "success", first.summary + first.log
        first = run(APPLY_YML, "apply", push, keywords=keywords)
        assert first.status == "success", first.summary + first.log
        assert len(tenant.state()["hooks"]) == 2

    # PR 1: the actions, written offline by migrate, take over (hooks disabled where they live).
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "migrate")
    reconciler_in(repo, "migrate", "-c", "tenant-config", "--write", "--disable-hooks")
    if not hooks:  # nothing of Hooks to keep on a tenant without them: retire in the same PR
        reconciler_in(repo, "migrate", "-c", "tenant-config", "--retire-hooks", "--write")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "migrate to actions")
    event = {"number": 20, "pull_request": {"number": 20, "head": {"sha": git(repo, "rev-parse", "HEAD"),
                                                                       "repo": {"fork": False}}, "base": {"sha": base}}}
    gh.add_pull_request(GH_REPO, 20)
    planned = run(PLAN_YML, "plan", event, keywords=keywords)
    assert planned.status == "success", planned.log
    push = merge_pull_request(repo, gh, "migrate", 20)
    assert run(APPLY_YML, "plan", push, keywords=keywords).status == "success"
    applied = run(APPLY_YML, "apply", push, keywords=keywords)
    assert applied.status == "success", applied.log
    [comment] = gh.comments(GH_REPO, 20)
    assert "### Applied to tenant `dev`" in comment["body"]

    if hooks:
        # A pull request that only deletes hooks/ deletes nothing (hooks become unmanaged): its
        # comment names the hooks left running and never says the tenant matches.
        base = git(repo, "rev-parse", "HEAD")
        git(repo, "checkout", "-q", "-b", "rm-hooks")
        git(repo, "rm", "-rq", "tenant-config/hooks")
        git(repo, "commit", "-qm", "remove hooks/")
        gh.add_pull_request(GH_REPO, 22)
        event = {"number": 22, "pull_request": {"number": 22, "head": {"sha": git(repo, "rev-parse", "HEAD"),
                                                                           "repo": {"fork": False}}, "base": {"sha": base}}}
        assert run(PLAN_YML, "plan", event, keywords=keywords).status == "success"
        [comment] = gh.comments(GH_REPO, 22)
        assert "hooks are not managed (the config has no hooks/), so live hooks are left running: " \
               "block-disposable-emails, notify-slack-on-signup (2 hooks)" in comment["body"]
        assert "--retire-hooks" in comment["body"] and "matches" not in comment["body"]
        git(repo, "checkout", "-q", "main")

        # PR 2: retire the hooks; merged, the apply deletes them.
        git(repo, "checkout", "-q", "-b", "retire")
        reconciler_in(repo, "migrate", "-c", "tenant-config", "--retire-hooks", "--write")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "retire hooks")
        push = merge_pull_request(repo, gh, "retire", 21)
        assert run(APPLY_YML, "plan", push, keywords=keywords).status == "success"
        deleted = run(APPLY_YML, "apply", push, keywords=keywords)
        assert deleted.status == "success", deleted.log
        assert "2 to delete" in deleted.summary
        [comment] = gh.comments(GH_REPO, 21)
        assert "2 to delete" in comment["body"]
        assert tenant.state()["hooks"] in ([], {})

    # Done: the next plan has nothing to do, and says nothing is left unmanaged.
    final = run(APPLY_YML, "plan", {"after": git(repo, "rev-parse", "HEAD"), "ref": "refs/heads/main"},
                keywords=keywords)
    assert final.status == "success" and "No changes. The tenant matches the configuration." in final.summary
    # The migrated config has the example's shape: the same actions, bound on the same triggers.
    done, example = repo / "tenant-config", EXAMPLE / "tenant-config"
    assert sorted(p.name for p in (done / "actions").glob("*.json")) == \
        sorted(p.name for p in (example / "actions").glob("*.json"))
    bindings = json.loads((done / "triggers" / "triggers.json").read_text())
    assert bindings.keys() == json.loads((example / "triggers" / "triggers.json").read_text()).keys()
