"""Apply stops at the first failed step, says what was done and what was not, and a
re-run converges. Also the newcomer's demo, end to end."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import live_hooks, run_cli

REPO = Path(__file__).resolve().parents[2]
PRE = "pre-user-registration"


def test_failed_step_stops_the_run_and_a_rerun_converges(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    # A client without delete:hooks: everything but the delete succeeds.
    emulator: EmulatorProcess = emulator_factory(scopes="read:hooks create:hooks update:hooks")
    emulator.seed([{"name": "orphan", "triggerId": PRE, "script": "// orphan\n", "enabled": True}])
    config = write_config(tmp_path / "config", [{"name": "new", "triggerId": PRE, "enabled": True, "script": "// new\n"}])
    result = run_cli(["apply", "-c", str(config), "--yes", "--allow-delete"], emulator.env())
    assert result.exit_code == 1
    assert "failed: step 4 delete orphan" in result.output
    assert "delete:hooks" in result.output  # the missing scope is named
    assert "done: 3 steps" in result.output and "not run: 0 steps" in result.output
    hooks = live_hooks(emulator)
    assert hooks["new"]["enabled"] and not hooks["orphan"]["enabled"]

    emulator.configure(scopes="read:hooks create:hooks update:hooks delete:hooks")
    rerun = run_cli(["apply", "-c", str(config), "--yes", "--allow-delete"], emulator.env())
    assert rerun.exit_code == 0, rerun.output
    assert set(live_hooks(emulator)) == {"new"}
    assert emulator.stats()["max_enabled_per_trigger"][PRE] == 1


def test_demo_plans_applies_and_converges() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "demo"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Plan: 8 to create" in out  # one summary for every type: 6 hooks and 2 actions
    assert "Apply complete" in out
    assert "No changes. The tenant matches the configuration." in out.rstrip().splitlines()[-5:]
    assert "Actions versions created: add-profile-claims 1, send-sms-via-provider 1" in out  # hooks and actions
    assert "never more than 1 enabled hook per trigger" in out
    assert "Traceback" not in result.stderr
