"""Runs the composite action in ``action.yml`` the way a GitHub runner does, without a runner.

Each step's ``env:`` is evaluated (only the expressions the action uses: ``inputs.*`` with
their defaults, ``steps.<id>.outputs.*``, ``github.token``), its ``run:`` text is written to
a file and run with ``bash --noprofile --norc -eo pipefail FILE`` (GitHub's ``shell: bash``),
with fresh ``GITHUB_OUTPUT`` / ``GITHUB_STEP_SUMMARY`` files and ``GITHUB_ACTION_PATH``
pointing at this repository. Steps stop at the first failure, as on a runner, and the
action's outputs are mapped from the step outputs.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return action


def parse_output_file(path: Path) -> dict[str, str]:
    """``NAME=VALUE`` lines and ``NAME<<DELIM`` ... ``DELIM`` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


@dataclass
class ActionResult:
    code: int
    outputs: dict[str, str]
    summary: str
    stdout: str
    stderr: str
    steps: list[str] = field(default_factory=list)  # ids of the steps that ran

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def run_action(
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    env: Mapping[str, str] | None = None,
    github: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> ActionResult:
    action = load_action()
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs not declared in action.yml: {unknown}"
    context = {"github.token": "", **(github or {})}
    step_outputs: dict[str, dict[str, str]] = {}

    def evaluate(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                name = expr[len("inputs."):]
                if name in inputs:
                    return inputs[name]
                default = str(declared[name].get("default", ""))
                return evaluate(default)
            step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if step:
                return step_outputs.get(step.group(1), {}).get(step.group(2), "")
            if expr in context:
                return context[expr]
            raise AssertionError(f"expression not supported by the test runner: {expr}")

        return _EXPR.sub(one, text)

    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    base_env.update(env or {})
    base_env.update({"GITHUB_ACTION_PATH": str(REPO), "RUNNER_TEMP": str(runner_temp), "GITHUB_WORKSPACE": str(workspace)})
    summary_file = runner_temp / "step_summary.md"
    summary_file.write_text("")
    result = ActionResult(0, {}, "", "", "")
    for index, step in enumerate(action["runs"]["steps"]):
        assert step.get("shell") == "bash"
        output_file = runner_temp / f"output-{index}"
        output_file.write_text("")
        script = runner_temp / f"step-{index}.sh"
        script.write_text(step["run"])
        step_env = dict(base_env)
        step_env.update({key: evaluate(str(value)) for key, value in (step.get("env") or {}).items()})
        step_env.update({"GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file)})
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env=step_env, capture_output=True, text=True, timeout=timeout,
        )
        result.stdout += done.stdout
        result.stderr += done.stderr
        result.steps.append(step.get("id", str(index)))
        step_outputs[step.get("id", str(index))] = parse_output_file(output_file)
        if done.returncode != 0:
            result.code = done.returncode
            break
    for name, spec in action["outputs"].items():
        result.outputs[name] = evaluate(spec["value"])
    result.summary = summary_file.read_text()
    return result
