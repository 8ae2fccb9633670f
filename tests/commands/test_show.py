"""``reconciler show PLAN_FILE``: a saved plan printed offline, checked as ``apply FILE`` checks it."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.planfile import write_plan
from reconciler.render.text import render_text
from reconciler.resources.hooks.model import DesiredState, Hook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions

CANARY = "canary-secret-value-show-41"


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, str]:
    desired = DesiredState((Hook("check-signup", "pre-user-registration", "cb();\n", secrets={"K": CANARY}),))
    plan = build_plan(desired, LiveState(()), PlanOptions())
    path = tmp_path / "plan.json"
    write_plan(plan, path, config="tenant-config")
    return path, render_text(plan)


def test_show_prints_the_saved_plan_as_plan_did(saved: tuple[Path, str]) -> None:
    path, text = saved
    result = CliRunner().invoke(cli, ["show", str(path), "--no-color"])
    assert result.exit_code == 0, result.output
    assert result.stdout == click.unstyle(text)
    assert "check-signup" in result.stdout and CANARY not in result.output


def test_show_json_round_trips(saved: tuple[Path, str]) -> None:
    path, _ = saved
    result = CliRunner().invoke(cli, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["has_changes"] is True


def test_a_tampered_plan_is_one_line_exit_1(saved: tuple[Path, str]) -> None:
    path, _ = saved
    data = json.loads(path.read_text())
    data["format_version"] = "x"
    path.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["show", str(path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert str(path) in result.output


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and result.output.count("\n") == 1


def test_strings_from_the_file_reach_the_terminal_escaped(saved: tuple[Path, str]) -> None:
    path, _ = saved
    data = json.loads(path.read_text())
    data["config"] = "cfg\x1b]0;owned\x07\x1b[2J"
    data["created_at"] = "\x1b[31mnow"
    path.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["show", str(path), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\\x1b]0;owned" in result.output
