"""The GitHub Actions workflows: parsed as YAML, checked for their security properties."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.y*ml"))
NAMES = {path.stem for path in FILES}
TENANTS = [{"tenant": "dev", "config": "tenant-config"}, {"tenant": "prod", "config": "tenant-config"}]


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


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


def test_the_four_workflows_exist():
    assert {"ci", "plan", "apply", "drift"} <= NAMES


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_workflow_parses_and_is_safe(path: Path):
    text = path.read_text()
    assert "pull_request_target" not in text
    data = load(path.stem)
    assert "pull_request_target" not in (data["on"] if isinstance(data["on"], (dict, list)) else [data["on"]])
    assert data["jobs"], path.name
    # Least privilege: the token's permissions are spelled out at the top.
    assert isinstance(data.get("permissions"), dict) and data["permissions"].get("contents") == "read"
    for job_name, job in data["jobs"].items():
        assert "timeout-minutes" in job, f"{path.name}:{job_name} has no timeout"
        for step in steps(job):
            uses = step.get("uses")
            if uses:
                # Pinned to a major version of the official actions.
                assert re.fullmatch(r"actions/(checkout@v4|setup-python@v5|upload-artifact@v4)", uses), uses
            if uses == "actions/setup-python@v5":
                assert step["with"]["python-version"] == "3.11"
            if uses == "actions/checkout@v4":
                assert step.get("with", {}).get("persist-credentials") is False
            script = step.get("run", "")
            # Secrets reach scripts through env only; untrusted event text never inlined in a script.
            assert "${{ secrets." not in script
            assert "${{ github.event" not in script
            assert "${{ matrix" not in script
            if "pip install" in script:
                assert script.strip() == "pip install ."


def test_ci_runs_the_ci_entry_point():
    ci = load("ci")
    assert set(ci["on"]) == {"push", "pull_request"}
    assert "bash .ci/run" in runs(ci).splitlines()


def test_plan_uses_read_only_credentials_and_can_only_comment():
    plan = load("plan")
    assert list(plan["on"]) == ["pull_request"]
    assert plan["on"]["pull_request"]["paths"] == ["tenant-config/**"]
    assert plan["permissions"] == {"contents": "read", "pull-requests": "write"}
    text = "\n".join(strings(plan))
    # Only the read-only (read:hooks) client; the apply client's secrets are never named.
    assert "secrets.AUTH0_PLAN_CLIENT_ID" in text and "secrets.AUTH0_PLAN_CLIENT_SECRET" in text
    assert "secrets.AUTH0_CLIENT_ID" not in text and "secrets.AUTH0_CLIENT_SECRET" not in text
    job = plan["jobs"]["plan"]
    assert job["env"]["AUTH0_CLIENT_ID"] == "${{ secrets.AUTH0_PLAN_CLIENT_ID }}"
    assert job["env"]["AUTH0_CLIENT_SECRET"] == "${{ secrets.AUTH0_PLAN_CLIENT_SECRET }}"
    # Never a protected apply environment: the plan environments hold read-only credentials.
    assert job["environment"] == "${{ matrix.tenant }}-plan"
    script = runs(plan)
    # Keyword values are optional in the plan environment: placeholders, review-only plan.
    assert re.search(r"^reconciler plan -c \"\$CONFIG\" --allow-missing-keywords --out plan\.json$", script, re.M)
    assert "reconciler comment --plan plan.json" in script
    assert "reconciler apply" not in script
    assert any(s.get("uses") == "actions/upload-artifact@v4" and s["with"]["path"] == "plan.json"
               for s in steps(job))
    comment = next(s for s in steps(job) if "reconciler comment" in s.get("run", ""))
    assert comment["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_plan_on_forks_validates_only_and_does_not_need_secrets():
    plan = load("plan")
    validate = plan["jobs"]["validate"]
    assert "secrets." not in "\n".join(strings(validate))
    assert "environment" not in validate
    assert "reconciler validate" in runs({"jobs": {"v": validate}})
    assert "--allow-missing-keywords" in runs({"jobs": {"v": validate}})
    job = plan["jobs"]["plan"]
    assert job["needs"] == "validate"
    assert "github.event.pull_request.head.repo.fork" in job["if"] and "!" in job["if"]
    # Missing credentials (e.g. Dependabot) skip the plan instead of failing.
    creds = steps(job)[0]
    assert creds["id"] == "creds" and "available=false" in creds["run"]
    for step in steps(job)[1:]:
        assert step["if"] == "steps.creds.outputs.available == 'true'"


def test_apply_is_serialized_per_tenant_in_a_protected_environment():
    apply = load("apply")
    assert list(apply["on"]["push"]["branches"]) == ["main"]
    assert apply["on"]["push"]["paths"] == ["tenant-config/**"]
    assert "pull_request" not in apply["on"]
    job = apply["jobs"]["apply"]
    assert job["environment"] == "${{ matrix.tenant }}"
    assert job["concurrency"] == {"group": "auth0-apply-${{ matrix.tenant }}", "cancel-in-progress": False}
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["env"]["AUTH0_CLIENT_ID"] == "${{ secrets.AUTH0_CLIENT_ID }}"
    # Deletes only when the repository variable says so: never a hard-coded --allow-delete.
    assert job["env"]["AUTH0_ALLOW_DELETE"] == "${{ vars.AUTH0_ALLOW_DELETE }}"
    script = runs(apply)
    assert "--allow-delete" not in script
    lines = script.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(cmd))
             for cmd in ("reconciler validate", "reconciler plan", "reconciler apply")]
    assert order == sorted(order)
    assert any(line.startswith("reconciler apply") and "--yes" in line for line in lines)


def test_drift_plans_with_detailed_exitcode_and_never_applies():
    drift = load("drift")
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}
    assert drift["on"]["schedule"][0]["cron"]
    script = runs(drift)
    assert "--detailed-exitcode" in script and "--format markdown" in script
    assert "$GITHUB_STEP_SUMMARY" in script
    assert 'exit "$code"' in script  # exit 2 (drift) fails the job
    assert "reconciler apply" not in script
    text = "\n".join(strings(drift))
    assert "secrets.AUTH0_PLAN_CLIENT_ID" in text and "secrets.AUTH0_CLIENT_ID" not in text


def test_tenant_matrices_agree():
    matrices = [
        load("plan")["jobs"]["validate"]["strategy"]["matrix"]["include"],
        load("plan")["jobs"]["plan"]["strategy"]["matrix"]["include"],
        load("apply")["jobs"]["apply"]["strategy"]["matrix"]["include"],
        load("drift")["jobs"]["drift"]["strategy"]["matrix"]["include"],
    ]
    for matrix in matrices:
        assert matrix == TENANTS


def test_apply_runs_tenants_in_order_and_stops_on_failure():
    strategy = load("apply")["jobs"]["apply"]["strategy"]
    assert strategy["max-parallel"] == 1 and strategy["fail-fast"] is True
