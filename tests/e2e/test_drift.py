"""Drift through the CLI: live hooks the config does not manage are drift (reported once)
unless AUTH0_EXCLUDED_HOOKS names them (deploy-cli's AUTH0_EXCLUDED_* naming)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.render.text import NO_CHANGES, NOTHING_TO_APPLY
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
PRE, POST = "pre-user-registration", "post-user-registration"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess({"enabled_conflict": "reject"}, cwd=str(REPO))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def tenant(emulator: EmulatorProcess, tmp_path: Path) -> tuple[EmulatorProcess, Path]:
    emulator.reset()
    emulator.seed([
        {"name": "keep", "triggerId": PRE, "script": "// keep\n", "enabled": True},
        {"name": "by-hand", "triggerId": POST, "script": "// made in the dashboard\n", "enabled": True},
    ])
    config = write_config(tmp_path / "config", [{"name": "keep", "triggerId": PRE, "script": "// keep\n", "enabled": True}])
    return emulator, config


def test_unmanaged_live_hook_is_drift_reported_once(tenant: tuple[EmulatorProcess, Path]) -> None:
    emulator, config = tenant
    result = run_cli(["plan", "-c", str(config), "--detailed-exitcode"], emulator.env())
    assert result.exit_code == 2, result.output
    assert result.output.count("by-hand") == 1, result.output
    assert result.output.rstrip().splitlines()[-1] == NOTHING_TO_APPLY
    markdown = run_cli(["plan", "-c", str(config), "--detailed-exitcode", "--format", "markdown"], emulator.env())
    assert markdown.exit_code == 2 and markdown.output.count("by-hand") == 1, markdown.output
    assert emulator.stats()["writes"] == 0


@pytest.mark.parametrize("value", ['["by-hand"]', "by-hand", " other , by-hand "])
def test_excluded_hook_is_no_drift(tenant: tuple[EmulatorProcess, Path], value: str) -> None:
    emulator, config = tenant
    env = {**emulator.env(), "AUTH0_EXCLUDED_HOOKS": value}
    result = run_cli(["plan", "-c", str(config), "--detailed-exitcode"], env)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == NO_CHANGES
    # Excluded means left alone, even when deletes are on.
    applied = run_cli(["apply", "-c", str(config), "--yes", "--allow-delete"], env)
    assert applied.exit_code == 0, applied.output
    assert {h["name"] for h in emulator.state()["hooks"]} == {"keep", "by-hand"}


def test_bad_exclusion_list_is_one_line(tenant: tuple[EmulatorProcess, Path]) -> None:
    emulator, config = tenant
    result = run_cli(["plan", "-c", str(config)], {**emulator.env(), "AUTH0_EXCLUDED_HOOKS": '["a", 3'})
    assert result.exit_code == 1
    assert "AUTH0_EXCLUDED_HOOKS" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
