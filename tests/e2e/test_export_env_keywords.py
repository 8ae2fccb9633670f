"""``export`` never writes a keyword value from the environment into a file (issue 18): every
known value (the mapping's and the environment's) goes back as its ``##KEY##``, the command
names the variables it found (never their values), and planning the export is a no-op."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.emulator.process import EmulatorProcess
from reconciler.secret_forms import found_in
from tests.e2e.helpers import run_cli
from tests.e2e.test_pr_plan_keywords import base_env, write_config

CANARY = "canary-EXPORT-env-5b2f81"
CANARY_MAP = "canary-EXPORT-map-77aa03"
HOOK = "const url = '##API_URL##';\nconst token = '##MAPPED##';\nmodule.exports = function (c, s, a, x, cb) { cb(null, {}); };\n"
ACTION = "const url = @@API_URL@@;\nexports.onExecutePostLogin = async (event, api) => { api.access.deny(url); };\n"


def files(root: Path) -> list[str]:
    return [p.read_text() for p in sorted(root.rglob("*")) if p.is_file()]


def test_export_writes_environment_values_back_as_keywords(emulator: EmulatorProcess, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, HOOK, ACTION)
    env = {**base_env(emulator), "API_URL": CANARY, "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MAPPED": CANARY_MAP})}
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0

    out = tmp_path / "exported"
    exported = run_cli(["export", "-o", str(out)], env)
    assert exported.exit_code == 0, exported.output
    leaks = [form for text in [exported.output, *files(out)] for s in (CANARY, CANARY_MAP) for form in found_in(text, s)]
    assert leaks == []
    assert "##API_URL##" in exported.output and "MAPPED" not in exported.output.split("note: the live code")[-1]
    assert "const url = '##API_URL##';" in (out / "hooks" / "h.js").read_text()
    assert 'const url = "##API_URL##";' in (out / "actions" / "a" / "code.js").read_text()  # fills the same
    replan = run_cli(["plan", "-c", str(out), "--detailed-exitcode"], env)
    assert replan.exit_code == 0, replan.output


def test_machine_variables_and_short_values_are_left_alone(emulator: EmulatorProcess, tmp_path: Path) -> None:
    code = "const home = '/home/someone-long';\nconst on = 'yes';\nmodule.exports = function (c, s, a, x, cb) { cb(null, {}); };\n"
    cfg = write_config(tmp_path, code, "exports.onExecutePostLogin = async () => {};\n")
    env = {**base_env(emulator), "HOME": "/home/someone-long", "FLAG": "yes"}
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    out = tmp_path / "exported"
    exported = run_cli(["export", "-o", str(out)], env)
    assert exported.exit_code == 0 and "note: the live code" not in exported.output
    assert (out / "hooks" / "h.js").read_text() == code
