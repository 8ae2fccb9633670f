"""Runs a job of a GitHub Actions workflow file the way a runner does, without a runner.

The steps are the ones the file declares, in order, with the ``if:`` conditions, ``env:`` and
``with:`` the file gives (expressions evaluated against a context the test sets: matrix,
secrets, vars, the event, step outputs, job status). The reconciler's action runs through
``action_runner.run_action`` (its own shell scripts, as a runner runs them); ``run:`` steps
run in bash; GitHub's own actions are stood in for by what they do here: checkout and
setup-python are already done (the test's workspace and venv), upload/download-artifact copy
files through a directory. Only the expression forms these workflows use are understood;
anything else fails the test, so a workflow change cannot slip past unread.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.action_runner import parse_output_file, run_action

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ACTION_NAMES = ("./", "your-org/auth0-reconciler@v1")


def load_workflow(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return {str(key): value for key, value in data.items()}


@dataclass
class StepRun:
    name: str
    ran: bool
    code: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    log: str = ""


@dataclass
class JobRun:
    check_name: str  # the name GitHub reports the check under
    status: str  # success | failure
    steps: list[StepRun]

    @property
    def summary(self) -> str:
        return "".join(step.summary for step in self.steps)

    @property
    def log(self) -> str:
        return "".join(step.log for step in self.steps)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


@dataclass
class Context:
    """What a workflow's expressions read: ``github`` (event, ref, token...), ``secrets``,
    ``vars``; ``runner_env``: the variables a runner sets (GITHUB_EVENT_PATH...)."""

    workspace: Path
    runner_temp: Path
    artifacts: Path
    reconciler: str
    event: dict[str, Any]
    ref: str = "refs/heads/main"
    token: str = ""
    secrets: Mapping[str, str] = field(default_factory=dict)
    vars: Mapping[str, str] = field(default_factory=dict)
    runner_env: Mapping[str, str] = field(default_factory=dict)


class _Job:
    def __init__(self, context: Context, matrix: Mapping[str, str]) -> None:
        self.context = context
        self.matrix = matrix
        self.outputs: dict[str, dict[str, str]] = {}
        self.status = "success"

    def value(self, expr: str) -> str:
        expr = expr.strip()
        literal = re.fullmatch(r"'([^']*)'", expr)
        if literal:
            return literal.group(1)
        compare = re.fullmatch(r"(.+?)\s*(==|!=)\s*(.+)", expr)
        if compare:
            same = self.value(compare.group(1)) == self.value(compare.group(3))
            return "true" if same == (compare.group(2) == "==") else "false"
        head, _, rest = expr.partition(".")
        if head == "matrix":
            return self.matrix[rest]
        if head == "secrets":
            return self.context.secrets.get(rest, "")
        if head == "vars":
            return self.context.vars.get(rest, "")
        if expr == "job.status":
            return self.status
        if expr == "github.token":
            return self.context.token
        if expr == "github.ref":
            return self.context.ref
        if head == "github" and rest.startswith("event."):
            node: Any = self.context.event
            for key in rest[len("event."):].split("."):
                node = node.get(key) if isinstance(node, dict) else None
            return "" if node is None else json.dumps(node) if isinstance(node, bool) else str(node)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if step:
            return self.outputs.get(step.group(1), {}).get(step.group(2), "")
        raise AssertionError(f"expression not understood by the workflow runner: {expr}")

    def text(self, template: object) -> str:
        return _EXPR.sub(lambda m: self.value(m.group(1)), str(template))

    def condition(self, condition: object) -> bool:
        """A step's ``if:``; without one, GitHub's default ``success()``."""
        if condition is None:
            return self.status == "success"
        terms = [t.strip() for t in _EXPR.sub(lambda m: m.group(1), str(condition)).split("&&")]
        if "failure()" in terms:  # runs only once a step before it failed
            return self.status == "failure" and all(self.value(t) == "true" for t in terms if t != "failure()")
        always = "always()" in terms
        if not always and self.status != "success":
            return False
        return all(self.value(t) == "true" for t in terms if t != "always()")


def run_job(path: Path, job_id: str, matrix: Mapping[str, str], context: Context) -> JobRun:
    workflow = load_workflow(path)
    spec = workflow["jobs"][job_id]
    job = _Job(context, matrix)
    check_name = job.text(spec.get("name", job_id))
    if "if" in spec and not job.condition(spec["if"]):
        return JobRun(check_name, "skipped", [])
    job_env = {key: job.text(value) for key, value in (spec.get("env") or {}).items()}
    runs: list[StepRun] = []
    for index, step in enumerate(spec["steps"]):
        name = step.get("name") or step.get("uses") or f"step {index}"
        step_id = step.get("id", f"_{index}")
        if not job.condition(step.get("if")):
            runs.append(StepRun(name, False))
            continue
        env = {**context.runner_env, **job_env, **{k: job.text(v) for k, v in (step.get("env") or {}).items()}}
        result = _run_step(step, job, env)
        result.name = name
        runs.append(result)
        job.outputs[step_id] = result.outputs
        if result.code != 0:
            job.status = "failure"
    return JobRun(check_name, job.status, runs)


def _run_step(step: Mapping[str, Any], job: _Job, env: dict[str, str]) -> StepRun:
    context = job.context
    uses = step.get("uses")
    inputs = {key: job.text(value) for key, value in (step.get("with") or {}).items()}
    if uses in ACTION_NAMES:
        done = run_action(
            {**inputs, "reconciler": context.reconciler}, workspace=context.workspace,
            runner_temp=context.runner_temp, env=env, github={"github.token": context.token},
        )
        return StepRun("", True, done.code, done.outputs, done.summary, done.log)
    if uses in ("actions/checkout@v5", "actions/setup-python@v6"):
        return StepRun("", True)  # the workspace is the checkout; the test's venv is the Python
    if uses == "actions/upload-artifact@v6":
        source = Path(inputs["path"])
        target = context.artifacts / inputs["name"]
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / source.name)
        return StepRun("", True)
    if uses == "actions/download-artifact@v7":
        source = context.artifacts / inputs["name"]
        if not source.is_dir():
            return StepRun("", True, 1, log=f"artifact {inputs['name']} not found")
        shutil.copytree(source, context.workspace / inputs["path"], dirs_exist_ok=True)
        return StepRun("", True)
    assert uses is None, f"the workflow runner does not stand in for {uses}"
    output = context.runner_temp / "run-output"
    output.write_text("")
    ran = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=context.workspace, env={"PATH": "/usr/bin:/bin", **env, "GITHUB_OUTPUT": str(output)},
        capture_output=True, text=True, timeout=60,
    )
    return StepRun("", True, ran.returncode, parse_output_file(output), "", ran.stdout + ran.stderr)
