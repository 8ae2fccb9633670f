"""A cutover reads as a cutover on every line (issue 19), end to end against the emulator: the
hook's own change line in text, markdown and JSON, and its request in the apply's progress
lines, name the action taking over. A hook turned off with nothing taking over still reads
as a trigger going dark, with its CAUTION."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.e2e.cutover_helpers import PUR, REPO, env_of, migrated_config
from tests.e2e.helpers import run_cli

HOOK = ACTION = "block-disposable-emails"
TAKES_OVER = f"action {ACTION} takes over in the same step"


@pytest.fixture
def tenant(emulator_factory: Callable[..., EmulatorProcess]) -> EmulatorProcess:
    return emulator_factory(build_time=0.05, build_time_per_dependency=0.05)


def _hook_change(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in data["changes"] if c.get("name") == name and "type" not in c]
    assert len(found) == 1, data["changes"]
    return found[0]


def test_the_hooks_own_lines_name_the_action_taking_over(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg = migrated_config(tenant, tmp_path)
    env = env_of(tenant, NO_COLOR="1")
    text = run_cli(["plan", "-c", str(cfg)], env).output
    assert f"  ~ {HOOK} ({PUR})\n      enabled: true -> false ({TAKES_OVER})\n" in text
    assert "-> (none)" not in text and "Hand-overs" not in text
    md = run_cli(["plan", "-c", str(cfg), "--format", "markdown"], env).output
    assert f"(<code>{PUR}</code>) disable, {TAKES_OVER}</summary>" in md
    assert "[!CAUTION]" not in md and "→ (none)" not in md
    data = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert _hook_change(data, HOOK)["taken_over_by"] == [ACTION]
    assert "takes_back_from" not in _hook_change(data, HOOK)
    # A saved plan keeps the line (``show``), and applying it notes both requests of the cutover.
    saved = tmp_path / "plan.json"
    assert run_cli(["plan", "-c", str(cfg), "--out", str(saved)], env).exit_code == 0
    assert f"enabled: true -> false ({TAKES_OVER})" in run_cli(["show", str(saved)], env).output
    applied = run_cli(["apply", str(saved)], env)
    assert applied.exit_code == 0, applied.output
    assert f"disable {HOOK} ({TAKES_OVER}): done" in applied.output
    assert f"bind trigger {PUR} (cutover from hook {HOOK}): done" in applied.output


def test_a_hook_turned_off_for_nothing_keeps_its_caution(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg = tmp_path / "hooks-only"
    shutil.copytree(REPO / "tenant-config", cfg, ignore=shutil.ignore_patterns("actions", "triggers"))
    env = env_of(tenant, NO_COLOR="1")
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    path = cfg / "hooks" / f"{HOOK}.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "enabled": False}))
    text = run_cli(["plan", "-c", str(cfg)], env).output
    assert f"  ~ {HOOK} ({PUR})\n      enabled: true -> false\n" in text
    assert f"{PUR}: {HOOK} -> (none)" in text and "takes over" not in text
    md = run_cli(["plan", "-c", str(cfg), "--format", "markdown"], env).output
    assert "> [!CAUTION]" in md and "→ (none)" in md and "takes over" not in md
    data = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert "taken_over_by" not in _hook_change(data, HOOK)
    assert [h for h in data["handovers"] if h["trigger_id"] == PUR] == [
        {"trigger_id": PUR, "before": [HOOK], "after": None}
    ]
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0 and f"disable {HOOK}: done" in applied.output, applied.output
