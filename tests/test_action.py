"""The composite action (action.yml): its structure, and its shell steps run as a runner runs
them (tests/action_runner.py) in a fresh directory holding only a copy of
examples/migrating-from-hooks (a hooks config: the action's hook paths, the comments' hook
wording), against the Auth0 emulator and a fake GitHub API."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.action_runner import REPO, ActionResult, load_action, parse_output_file, run_action
from tests.fake_github import FakeGitHub

EXAMPLE = REPO / "examples" / "migrating-from-hooks"
SCRIPTS = REPO / ".github" / "action"
RECONCILER = Path(sys.executable).with_name("reconciler")
CANARY = "https://hooks.slack.example/CANARY-7f3a9c"  # a keyword value: must never be shown
GH_REPO = "acme/auth0-config"
PR = 7
HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"

INPUTS = {
    "command", "config", "tenant", "allow-delete", "allow-missing-keywords", "plan-file", "format",
    "detailed-exitcode", "changed-since", "status", "result-of", "github-token", "reconciler", "python",
}
OUTPUTS = {"has-changes", "plan-path", "summary", "skipped"}

needs_reconciler = pytest.mark.skipif(not RECONCILER.exists(), reason=f"no {RECONCILER} (install with pip -e)")


# ---------------------------------------------------------------------------- action.yml


def _strings(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in _strings(value, path + (str(key),))]
    if isinstance(node, list):
        return [item for i, value in enumerate(node) for item in _strings(value, path + (str(i),))]
    return [(path, node)] if isinstance(node, str) else []


def test_the_action_is_named_for_actions_and_hooks() -> None:
    """The Marketplace listing and the allow-delete input speak of Actions first, as the CLI does."""
    action = load_action()
    assert action["name"] == "Auth0 Actions and Hooks reconciler"
    assert "Auth0 Actions, trigger bindings and Hooks" in action["description"]
    assert action["inputs"]["allow-delete"]["description"].startswith("'true' deletes actions, hooks and secret keys")


def test_action_declares_its_inputs_and_outputs() -> None:
    action = load_action()
    assert set(action["inputs"]) == INPUTS
    assert action["inputs"]["command"]["required"] is True
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec or spec.get("required"), name
    assert set(action["outputs"]) == OUTPUTS
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}" and spec["description"]


def test_action_steps_are_small_scripts_fed_only_through_env() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert [step["id"] for step in steps] == ["install", "run"]
    for step in steps:
        assert step["shell"] == "bash"
        # No expression inside shell code (script injection): the runs are fixed strings.
        assert "${{" not in step["run"]
        script = re.fullmatch(r'bash "\$GITHUB_ACTION_PATH/(\.github/action/[a-z]+\.sh)"', step["run"])
        assert script and (REPO / script.group(1)).is_file(), step["run"]
    # Every `${{ inputs.x }}` sits in a step's env (or another input's default), nowhere else.
    used = set()
    for path, text in _strings(action):
        for name in re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text):
            assert path[:2] == ("runs", "steps") and path[3] == "env", path
            assert name in action["inputs"], name
            used.add(name)
    assert used == INPUTS


def test_action_scripts_are_valid_bash() -> None:
    for script in sorted(SCRIPTS.glob("*.sh")):
        done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, f"{script.name}: {done.stderr}"
    shellcheck = shutil.which("shellcheck")
    if shellcheck:
        done = subprocess.run([shellcheck, "-x", "-S", "warning", *map(str, SCRIPTS.glob("*.sh"))],
                              cwd=SCRIPTS, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout


def test_output_file_parser_reads_both_forms(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.write_text("a=1\nb<<EOF\nline one\nline=two\nEOF\nc=x=y\n")
    assert parse_output_file(path) == {"a": "1", "b": "line one\nline=two", "c": "x=y"}


# ---------------------------------------------------------------------------- running it


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh directory holding only a copy of the example config repository."""
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLE, target)
    return target


class Act(Protocol):
    """The `act` fixture: runs the action with these inputs in the fixture's repository."""

    def __call__(self, inputs: dict[str, str], env: dict[str, str] | None = None, **kwargs: Any) -> ActionResult: ...


@pytest.fixture
def act(repo: Path, tmp_path: Path) -> Act:
    numbers = count()

    def run(inputs: dict[str, str], env: dict[str, str] | None = None, **kwargs: Any) -> ActionResult:
        runner_temp = tmp_path / f"runner-{next(numbers)}"
        runner_temp.mkdir()
        return run_action({"reconciler": str(RECONCILER), **inputs}, workspace=repo,
                          runner_temp=runner_temp, env=env, **kwargs)

    return run


def tenant_env(emulator: EmulatorProcess, **extra: str) -> dict[str, str]:
    return {**emulator.env(), **extra}


def set_enabled(emulator: EmulatorProcess, name: str, enabled: bool) -> None:
    """Change the live tenant behind the tool's back, through the Management API."""
    [hook] = [h for h in emulator.state()["hooks"] if h["name"] == name]
    response = httpx.patch(f"{emulator.base_url}/api/v2/hooks/{hook['id']}", json={"enabled": enabled},
                           headers={"Authorization": f"Bearer {emulator.token()}"})
    assert response.status_code == 200, response.text


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text


@needs_reconciler
def test_plan_apply_drift_in_a_fresh_config_repository(act: Act, repo: Path, emulator: EmulatorProcess) -> None:
    # A pull-request plan: read-only, no keyword values.
    preview = act({"command": "plan", "tenant": "dev", "allow-missing-keywords": "true"}, tenant_env(emulator))
    assert preview.code == 0, preview.log
    assert preview.outputs["has-changes"] == "true"
    assert preview.outputs["summary"] == "Plan: 2 to create, 0 to update, 0 to delete, 2 to enable/disable."
    assert preview.outputs["plan-path"] == str(repo / "plan.json") and (repo / "plan.json").is_file()
    assert preview.summary.startswith("<!-- reconciler:plan tenant=dev -->\n### Auth0 hooks plan for tenant `dev`")
    assert "review only" in preview.summary
    assert emulator.stats()["writes"] == 0

    # The merge: plan with the values, then apply exactly that file.
    values = tenant_env(emulator, SLACK_WEBHOOK_URL=CANARY)
    plan = act({"command": "plan", "tenant": "dev", "plan-file": "out/plan.json"}, values)
    assert plan.code == 0, plan.log
    assert plan.outputs["has-changes"] == "true" and plan.outputs["plan-path"] == str(repo / "out" / "plan.json")
    assert emulator.stats()["writes"] == 0
    applied = act({"command": "apply", "tenant": "dev", "plan-file": "out/plan.json"}, values)
    assert applied.code == 0, applied.log
    assert applied.outputs["has-changes"] == "true"
    assert applied.outputs["summary"].startswith("Plan: 2 to create")
    assert applied.summary.startswith("## Applied to tenant `dev`")
    hooks = {h["name"]: h for h in emulator.state()["hooks"]}
    assert set(hooks) == {"block-disposable-emails", "notify-slack-on-signup"}
    assert all(h["enabled"] for h in hooks.values())
    assert hooks["notify-slack-on-signup"]["secrets"] == {"SLACK_WEBHOOK_URL": CANARY}

    # Drift, with the read-only client and no keyword values: in sync.
    drift = act({"command": "drift", "tenant": "dev"}, tenant_env(emulator))
    assert drift.code == 0, drift.log
    assert drift.outputs["has-changes"] == "false"
    assert drift.summary.startswith("## Tenant `dev`: no drift")

    # Someone disables a hook in the dashboard: drift fails the job, plan in the summary.
    set_enabled(emulator, "block-disposable-emails", False)
    drift = act({"command": "drift", "tenant": "dev"}, tenant_env(emulator))
    assert drift.code == 2, drift.log
    assert drift.outputs["has-changes"] == "true"
    assert drift.summary.startswith("## Drift in tenant `dev`")
    assert "block-disposable-emails" in drift.summary
    assert "::error title=Drift in dev::" in drift.stdout
    for result in (preview, plan, applied, drift):
        assert_no_canary(result.log, result.summary, json.dumps(result.outputs))
    assert_no_canary((repo / "plan.json").read_text(), (repo / "out" / "plan.json").read_text())


@needs_reconciler
def test_apply_refuses_a_stale_plan_and_writes_nothing(act: Act, repo: Path, emulator: EmulatorProcess) -> None:
    values = tenant_env(emulator, SLACK_WEBHOOK_URL=CANARY)
    assert act({"command": "plan", "tenant": "dev"}, values).code == 0
    assert act({"command": "apply", "tenant": "dev"}, values).code == 0
    set_enabled(emulator, "notify-slack-on-signup", False)
    plan = act({"command": "plan", "tenant": "dev"}, values)
    assert plan.outputs["has-changes"] == "true"
    set_enabled(emulator, "notify-slack-on-signup", True)  # the tenant moves after the plan
    set_enabled(emulator, "block-disposable-emails", False)
    writes = emulator.stats()["writes"]
    applied = act({"command": "apply", "tenant": "dev"}, values)
    assert applied.code == 1
    assert "stale plan" in applied.log
    assert applied.summary.startswith("## Apply to tenant `dev` failed (exit 1)")
    assert emulator.stats()["writes"] == writes


@needs_reconciler
def test_apply_needs_the_plan_file(act: Act, emulator: EmulatorProcess) -> None:
    result = act({"command": "apply", "tenant": "dev", "plan-file": "missing.json"}, tenant_env(emulator))
    assert result.code == 1
    assert "plan file missing.json not found: run the plan command first" in result.stderr
    assert emulator.stats()["requests"] == 0


@needs_reconciler
def test_plan_with_detailed_exitcode_fails_on_changes(act: Act, emulator: EmulatorProcess) -> None:
    result = act({"command": "plan", "allow-missing-keywords": "true", "detailed-exitcode": "true",
                  "format": "json"}, tenant_env(emulator))
    assert result.code == 2 and result.outputs["has-changes"] == "true"
    text = result.stdout[result.stdout.index("{\n"):]
    assert json.loads(text[: text.rindex("}") + 1])["has_changes"] is True


@needs_reconciler
def test_allow_delete_input_overrides_the_variable(act: Act, emulator: EmulatorProcess) -> None:
    emulator.seed([{"name": "orphan", "script": "x();", "triggerId": "send-phone-message"}])
    env = tenant_env(emulator, AUTH0_ALLOW_DELETE="true")
    kept = act({"command": "plan", "allow-missing-keywords": "true", "allow-delete": "false"}, env)
    assert kept.code == 0 and "1 to delete" not in kept.outputs["summary"]
    deleted = act({"command": "plan", "allow-missing-keywords": "true"}, env)
    assert "1 to delete" in deleted.outputs["summary"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout.strip()


@needs_reconciler
def test_changed_since_skips_a_pull_request_that_does_not_touch_the_config(act: Act, repo: Path, emulator: EmulatorProcess) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "README.md").write_text("docs only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "docs")
    inputs = {"command": "plan", "tenant": "dev", "allow-missing-keywords": "true", "changed-since": base}
    skipped = act(inputs, tenant_env(emulator))
    assert skipped.code == 0, skipped.log
    assert skipped.outputs["skipped"] == "true" and skipped.outputs["has-changes"] == "false"
    assert "no change under `tenant-config`" in skipped.summary
    assert emulator.stats()["requests"] == 0 and not (repo / "plan.json").exists()

    hook = repo / "tenant-config" / "hooks" / "block-disposable-emails.json"
    hook.write_text(hook.read_text().replace('"enabled": true', '"enabled": false'))
    git(repo, "commit", "-qam", "config")
    planned = act(inputs, tenant_env(emulator))
    assert planned.code == 0, planned.log
    assert planned.outputs["skipped"] == "false" and planned.outputs["has-changes"] == "true"

    missing = act({**inputs, "changed-since": "f" * 40}, tenant_env(emulator))
    assert missing.code == 1 and "fetch-depth: 0" in missing.stderr


# ---------------------------------------------------------------------------- the comment


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.add_pull_request(GH_REPO, PR)
    yield fake
    fake.stop()


def github_env(gh: FakeGitHub, tmp_path: Path, *, fork: bool = False) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": PR, "pull_request": {
        "number": PR, "head": {"sha": HEAD_SHA, "repo": {"fork": fork}}, "base": {"sha": "f" * 40}}}))
    return {"GITHUB_REPOSITORY": GH_REPO, "GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": gh.url,
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "4242", "GITHUB_SHA": "e" * 40}


@needs_reconciler
def test_comment_shows_commit_run_and_time_then_says_when_a_plan_failed(act: Act, emulator: EmulatorProcess, gh: FakeGitHub, tmp_path: Path) -> None:
    env = {**tenant_env(emulator), **github_env(gh, tmp_path)}
    token = {"github.token": gh.token}
    assert act({"command": "plan", "tenant": "dev", "allow-missing-keywords": "true"}, env).code == 0
    posted = act({"command": "comment", "tenant": "dev", "status": "success"}, env, github=token)
    assert posted.code == 0, posted.log
    [comment] = gh.comments(GH_REPO, PR)
    assert posted.outputs["summary"] == f"created comment {comment['html_url']}"
    body = comment["body"]
    assert body.startswith("<!-- reconciler:plan tenant=dev -->") and "Plan: 2 to create" in body
    assert f"commit {HEAD_SHA[:12]}" in body
    assert f"[workflow run](https://github.com/{GH_REPO}/actions/runs/4242)" in body
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", body)

    # A later push breaks the config: the plan fails, and the comment must say so.
    broken = act({"command": "plan", "tenant": "dev", "config": "no-such-dir"}, env)
    assert broken.code == 1
    failed = act({"command": "comment", "tenant": "dev", "status": "failure"}, env, github=token)
    assert failed.code == 0, failed.log
    [edited] = gh.comments(GH_REPO, PR)
    assert edited["id"] == comment["id"]
    assert "The plan failed" in edited["body"] and "Plan: 2 to create" not in edited["body"]
    assert f"commit {HEAD_SHA[:12]}" in edited["body"] and "actions/runs/4242" in edited["body"]

    gh.clear_log()
    cancelled = act({"command": "comment", "tenant": "dev", "status": "cancelled"}, env, github=token)
    assert cancelled.code == 0 and gh.requests == []
    for record in gh.requests:
        assert gh.token not in record.body


@needs_reconciler
def test_no_comment_on_a_fork_pull_request(act: Act, emulator: EmulatorProcess, gh: FakeGitHub, tmp_path: Path) -> None:
    env = {**tenant_env(emulator), **github_env(gh, tmp_path, fork=True)}
    assert act({"command": "plan", "allow-missing-keywords": "true"}, env).code == 0
    result = act({"command": "comment"}, env, github={"github.token": gh.token})
    assert result.code == 0 and "fork" in result.stdout
    assert gh.requests == []


@needs_reconciler
def test_validate_passes_without_keyword_values(act: Act) -> None:
    result = act({"command": "validate", "allow-missing-keywords": "true"})
    assert result.code == 0, result.log
    assert result.outputs["summary"] == "ok: 2 hooks valid"
    strict = act({"command": "validate"})
    assert strict.code == 1 and "SLACK_WEBHOOK_URL" in strict.log


# ---------------------------------------------------------------------------- inputs are data


@pytest.fixture
def stub(tmp_path: Path) -> Path:
    """A stand-in `reconciler` that records its arguments and environment."""
    path = tmp_path / "bin" / "reconciler"
    path.parent.mkdir()
    path.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        "open(os.environ['STUB_LOG'], 'a').write(json.dumps({'argv': sys.argv[1:], 'env': dict(os.environ)}) + '\\n')\n"
        "print('ok: stub')\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def stub_calls(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "stub.log").read_text().splitlines()]


def test_inputs_are_passed_as_data_never_as_code(act: Act, repo: Path, stub: Path, tmp_path: Path) -> None:
    evil = '$(touch pwned); `touch pwned2` "quoted"'
    result = act({"command": "validate", "reconciler": str(stub), "config": evil},
                 {"STUB_LOG": str(tmp_path / "stub.log")}, github={"github.token": "ghs_SECRET_token"})
    assert result.code == 0, result.log
    calls = stub_calls(tmp_path)
    assert calls[-1]["argv"] == ["validate", "-c", evil, "--require-keywords"]
    assert not (repo / "pwned").exists() and not (repo / "pwned2").exists()
    # Only the comment command gets the GitHub token.
    for call in calls:
        assert "ghs_SECRET_token" not in json.dumps(call["env"])


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"command": "destroy"}, "input command must be one of validate, plan, apply, drift, comment"),
        ({"command": "plan", "tenant": "dev\n::error::x"}, "input tenant must be 1-64 letters"),
        ({"command": "plan", "allow-delete": "maybe"}, "input allow-delete must be true or false"),
        ({"command": "plan", "format": "yaml"}, "input format must be text, json or markdown"),
        ({"command": "plan", "changed-since": "main; rm -rf /"}, "input changed-since must be a commit SHA"),
        ({"command": "comment", "status": "skipped"}, "input status must be success, failure or cancelled"),
        ({"command": "plan", "reconciler": "/nonexistent/reconciler"}, "is not an executable file"),
    ],
)
def test_bad_inputs_fail_with_one_clear_line(act: Act, stub: Path, tmp_path: Path, inputs: dict[str, str], message: str) -> None:
    result = act({"reconciler": str(stub), **inputs}, {"STUB_LOG": str(tmp_path / "stub.log")})
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.log
    assert not (tmp_path / "stub.log").exists() or all(
        call["argv"][:1] == ["--version"] for call in stub_calls(tmp_path))


def test_install_step_installs_from_the_action_checkout(repo: Path, tmp_path: Path) -> None:
    """No `reconciler` input: a venv under RUNNER_TEMP, installed from this repository."""
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    inputs = {"command": "validate", "allow-missing-keywords": "true", "python": sys.executable}
    first = run_action(inputs, workspace=repo, runner_temp=runner_temp, timeout=600)
    assert first.code == 0, first.log
    assert first.outputs["summary"] == "ok: 2 hooks valid"
    venv = runner_temp / "reconciler-venv"
    assert (venv / "bin" / "reconciler").is_file()
    assert (venv / ".installed-from").read_text() == str(REPO)
    # A second use in the same job reuses the venv.
    marker = venv / "reused"
    marker.write_text("")
    again = run_action(inputs, workspace=repo, runner_temp=runner_temp)
    assert again.code == 0 and marker.exists()
