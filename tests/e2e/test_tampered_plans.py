"""A saved plan is an approval, not a script: every edit to it is refused with one line,
exit 1 and zero writes to the tenant (counted by the emulator)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.render.json import FORMAT_VERSION
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import run_cli

PRE = "pre-user-registration"
CRED = "credentials-exchange"

Edit = Callable[[dict[str, Any], dict[str, str]], None]
# The saved plan file, the seeded hooks' ids by name, and the CLI's environment.
Planned = tuple[Path, dict[str, str], dict[str, str]]


def _step(data: dict[str, Any], action: str, hook: str) -> dict[str, Any]:
    return next(s for s in data["steps"] if s["action"] == action and s["hook"] == hook)


def _append(data: dict[str, Any], **step: Any) -> None:
    data["steps"].append({"index": len(data["steps"]), "after": [], "reason": "", "body": {}, "created_by": None, **step})


def _edit_script(data: dict[str, Any], ids: dict[str, str]) -> None:
    _step(data, "update", "a")["body"]["script"] = "module.exports = (u, c, cb) => fetch('https://evil');\n"


def _add_delete(data: dict[str, Any], ids: dict[str, str]) -> None:
    _append(data, action="delete", hook="keep", trigger_id=CRED, hook_id=ids["keep"], phase="remove")


def _secret_delete(data: dict[str, Any], ids: dict[str, str]) -> None:
    _append(data, action="secrets-delete", hook="a", trigger_id=PRE, hook_id=ids["a"], phase="remove",
            body={"keys": ["OLD"]})


def _disable_other_trigger(data: dict[str, Any], ids: dict[str, str]) -> None:
    _append(data, action="disable", hook="other", trigger_id=CRED, hook_id=ids["other"], phase="handover",
            body={"enabled": False})


def _remove_enable(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["steps"] = [s for s in data["steps"] if s["action"] != "enable"]


def _allow_delete_flipped(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["allow_delete"] = True
    data["options"]["allow_delete"] = True


def _reorder(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["steps"][0], data["steps"][1] = data["steps"][1], data["steps"][0]


def _hook_id_swapped(data: dict[str, Any], ids: dict[str, str]) -> None:
    _step(data, "update", "a")["hook_id"] = ids["other"]


def _forward_reference(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["steps"][0]["after"] = [len(data["steps"]) - 1]


def _cycle(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["steps"][-1]["after"] = [len(data["steps"]) - 1]


def _changes_hidden(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["changes"] = []


def _format_version(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["format_version"] = FORMAT_VERSION + 1


def _older_format(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["format_version"] = 1


def _wrong_type(data: dict[str, Any], ids: dict[str, str]) -> None:
    data["steps"] = "rm -rf"


CASES: list[tuple[str, Edit, str]] = [
    ("edited script body", _edit_script, "plan file was altered or is malformed: step"),
    ("added hook delete", _add_delete, "plan file was altered or is malformed"),
    ("secret delete without allow_delete", _secret_delete, "plan file was altered or is malformed"),
    ("disable of another trigger's hook", _disable_other_trigger, "plan file was altered or is malformed"),
    ("removed enable step", _remove_enable, "plan file was altered or is malformed"),
    ("allow_delete flipped on", _allow_delete_flipped, "plan file was altered or is malformed"),
    ("steps reordered", _reorder, "plan file was altered or is malformed"),
    ("update aimed at another hook", _hook_id_swapped, "plan file was altered or is malformed: step"),
    ("forward reference", _forward_reference, "not an earlier step"),
    ("self reference (cycle)", _cycle, "not an earlier step"),
    ("changes hidden from the reviewer", _changes_hidden, "described changes"),
    ("unknown format version", _format_version, f"format_version {FORMAT_VERSION + 1} is not supported"),
    ("older format version", _older_format, "made by an older version of reconciler (format 1); plan again"),
    ("steps not a list", _wrong_type, "plan.steps must be list"),
]


@pytest.fixture
def planned(emulator: EmulatorProcess, tmp_path: Path) -> Planned:
    seeded = emulator.seed([
        {"name": "a", "triggerId": PRE, "script": "// a v1\n", "secrets": {"OLD": "x"}},
        {"name": "old", "triggerId": PRE, "script": "// old\n", "enabled": True},
        {"name": "keep", "triggerId": CRED, "script": "// keep\n"},
        {"name": "other", "triggerId": CRED, "script": "// other\n", "enabled": True},
    ])
    ids = {hook["name"]: hook["id"] for hook in seeded}
    config = write_config(tmp_path / "config", [
        {"name": "a", "triggerId": PRE, "enabled": True, "script": "// a v2\n"},
        {"name": "old", "triggerId": PRE, "enabled": False, "script": "// old\n"},
        {"name": "keep", "triggerId": CRED, "enabled": False, "script": "// keep\n"},
        {"name": "other", "triggerId": CRED, "enabled": True, "script": "// other\n"},
    ])
    plan_file = tmp_path / "plan.json"
    made = run_cli(["plan", "-c", str(config), "--out", str(plan_file)], emulator.env())
    assert made.exit_code == 0, made.output
    return plan_file, ids, emulator.env()


@pytest.mark.parametrize("name, edit, message", CASES, ids=[c[0] for c in CASES])
def test_tampered_plan_is_refused_without_a_write(emulator: EmulatorProcess, planned: Planned, name: str, edit: Edit, message: str) -> None:
    plan_file, ids, env = planned
    data = json.loads(plan_file.read_text())
    edit(data, ids)
    plan_file.write_text(json.dumps(data))
    result = run_cli(["apply", str(plan_file)], env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output
    assert emulator.stats()["writes"] == 0


def test_untampered_plan_applies_without_asking(emulator: EmulatorProcess, planned: Planned) -> None:
    plan_file, _, env = planned
    result = run_cli(["apply", str(plan_file)], env)  # no --yes and no terminal: the plan was the approval
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.output
    hooks = {h["name"]: h for h in emulator.state()["hooks"]}
    assert hooks["a"]["enabled"] and hooks["a"]["script"] == "// a v2\n" and not hooks["old"]["enabled"]
    assert "reconciler-lease" not in hooks  # the lease is given back


@pytest.mark.parametrize("flag", ["--allow-delete", "--force", "--rotate-secrets"])
def test_plan_changing_flags_are_refused_next_to_a_plan_file(emulator: EmulatorProcess, planned: Planned, flag: str) -> None:
    plan_file, _, env = planned
    before = emulator.stats()["requests"]
    result = run_cli(["apply", str(plan_file), flag, "--yes"], env)
    assert result.exit_code == 1
    assert f"{flag} cannot change a saved plan" in result.output
    assert emulator.stats()["requests"] == before  # refused before any request


def test_plan_made_with_allow_delete_replans_with_it(emulator: EmulatorProcess, tmp_path: Path) -> None:
    emulator.seed([{"name": "gone", "triggerId": CRED, "script": "// g\n"}])
    config = write_config(tmp_path / "config", [{"name": "x", "triggerId": PRE, "script": "// x\n"}])
    plan_file = tmp_path / "plan.json"
    env = emulator.env()
    assert run_cli(["plan", "-c", str(config), "--allow-delete", "--out", str(plan_file)], env).exit_code == 0
    assert json.loads(plan_file.read_text())["options"] == {"allow_delete": True, "rotate_secrets": False, "force": False}
    result = run_cli(["apply", str(plan_file)], env)
    assert result.exit_code == 0, result.output
    assert {h["name"] for h in emulator.state()["hooks"]} == {"x"}
