"""Hostile --target values and a target that disappears between a saved plan and its apply:
one line, exit 1, no control code and a bounded line, no traceback, no write to the tenant
(beyond the lease's own marker, which an apply that stops removes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.cutover_helpers import env_of
from tests.e2e.helpers import run_cli
from tests.e2e.test_scoped_plans import _edit_action_and_hook, applied  # noqa: F401  (a fixture)

HOOK = "add-api-claims"
HOSTILE = [
    "hooks:a\x1b]0;pwned\x07\x1b[2J",  # terminal title and clear screen
    "x\n\nerror: fake second line",
    "hooks:x\u2028Plan: No changes.",
    "a\u202egnp.exe",
    "hooks:" + "A" * 100_000,  # huge
    "hooks:\u0430dd-api-claims",  # Cyrillic a: a confusable of the real hook's name
    "actions:</summary>![i](https://evil.example/i.png)",
    "hooks:",
    ":",
    "\x9b31mred",  # 8-bit CSI
]


def _one_clean_line(output: str) -> None:
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and output.count("\n") == 1, output[:300]
    assert len(errors[0]) < 400, len(errors[0])
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", output), output[:300]
    assert "Traceback" not in output


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_target_is_one_clean_line_and_writes_nothing(emulator: Any, applied: Path, value: str) -> None:  # noqa: F811
    env = env_of(emulator)
    writes = emulator.stats()["writes"]
    for command in (["plan"], ["apply", "--yes"]):
        result = run_cli([*command, "-c", str(applied), "--target", value], env)
        assert result.exit_code == 1, result.output[:300]
        _one_clean_line(result.output)
    assert emulator.stats()["writes"] == writes


def test_too_many_targets_are_one_line(emulator: Any, applied: Path) -> None:  # noqa: F811
    args = [a for i in range(300) for a in ("--target", f"hooks:n{i}")]
    result = run_cli(["plan", "-c", str(applied), *args], env_of(emulator))
    assert result.exit_code == 1
    _one_clean_line(result.output)


def _delete_live_hook(emulator: Any, name: str) -> None:
    hooks = emulator.state()["hooks"]
    found = [h for h in (hooks.values() if isinstance(hooks, dict) else hooks) if h["name"] == name]
    token = emulator.token()
    answer = httpx.delete(f"http://127.0.0.1:{emulator.port}/api/v2/hooks/{found[0]['id']}",
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code in (200, 204), answer.text


@pytest.mark.parametrize("where", ["tenant", "config"])
def test_a_target_that_disappears_before_the_apply_stops_it(emulator: Any, applied: Path, tmp_path: Path,  # noqa: F811
                                                            where: str) -> None:
    env = env_of(emulator)
    _edit_action_and_hook(applied)
    saved = tmp_path / "scoped.plan"
    made = run_cli(["plan", "-c", str(applied), "--target", f"hooks:{HOOK}", "--out", str(saved)], env)
    assert made.exit_code == 0, made.output
    assert json.loads(saved.read_text())["scope"]["targets"] == [f"hooks:{HOOK}"]
    if where == "tenant":
        _delete_live_hook(emulator, HOOK)
    else:
        (applied / "hooks" / f"{HOOK}.js").unlink()
        (applied / "hooks" / f"{HOOK}.json").unlink()
    before = emulator.state()
    result = run_cli(["apply", str(saved), "-c", str(applied)], env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "stale plan" in errors[0], result.output
    assert "Traceback" not in result.output
    after = emulator.state()
    assert after["hooks"] == before["hooks"]  # nothing written (the lease's marker came and went)
    assert after.get("actions") == before.get("actions")
