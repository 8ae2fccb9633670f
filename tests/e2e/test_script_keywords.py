"""Keyword values used inside scripts never leave the tool except towards the API, and a plan
without keyword values (drift, fork PRs) compares scripts as templates (issues 9 §5, 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.emulator.process import EmulatorProcess
from reconciler.planfile import read_plan
from reconciler.render.markdown import render_markdown
from tests.e2e.helpers import live_hooks, run_cli

CANARY = "canary-SCRIPT-keyword-5e1d77"
CANARY_2 = "canary-SCRIPT-keyword-rotated-0a9f"
SCRIPT = (
    "const url = '##API_URL##';\n"
    "const cfg = @@CFG@@;\n"
    "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, { url, cfg });\n};\n"
)


def config(tmp_path: Path, script: str = SCRIPT) -> Path:
    hooks = tmp_path / "cfg" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "h.json").write_text(json.dumps(
        {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}))
    (hooks / "h.js").write_text(script)
    return tmp_path / "cfg"


def env(emulator: EmulatorProcess, url: str | None = CANARY) -> dict[str, str | None]:
    mapping: dict[str, Any] = {"CFG": {"token": CANARY + "-cfg"}}
    if url is not None:
        mapping["API_URL"] = url
    return {**emulator.env(), "AUTH0_ACCESS_TOKEN": None, "AUTH0_ALLOW_DELETE": None, "NO_COLOR": "1",
            "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(mapping), "API_URL": None, "CFG": None}


def clean(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text and CANARY_2 not in text


def plans(cfg: Path, e: dict[str, str | None], tmp_path: Path, *extra: str) -> list[str]:
    """Every output a plan has: text, JSON, markdown, the saved plan file, its comment body."""
    out = [run_cli(["plan", "-c", str(cfg), "--format", f, *extra], e).output for f in ("text", "json", "markdown")]
    saved = tmp_path / "plan.json"
    run_cli(["plan", "-c", str(cfg), "--out", str(saved), *extra], e)
    out.append(saved.read_text())
    out.append(render_markdown(read_plan(str(saved)).plan))
    return out


def test_script_keyword_values_never_appear_in_plans_files_comments_or_exports(emulator: EmulatorProcess, tmp_path: Path) -> None:
    cfg = config(tmp_path)
    e = env(emulator)
    outputs = plans(cfg, e, tmp_path)
    clean(*outputs)
    assert "##API_URL##" in outputs[0] and "@@CFG@@" in outputs[0]  # the template is what people review

    assert run_cli(["apply", "-c", str(cfg), "--yes"], e).exit_code == 0
    script = live_hooks(emulator)["h"]["script"]
    assert f"const url = '{CANARY}';" in script and CANARY + "-cfg" in script  # values reach the API
    again = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], e)
    assert again.exit_code == 0 and "No changes" in again.output

    # A rotated value: the plan names the keyword, shows neither value.
    rotated = env(emulator, CANARY_2)
    outputs = plans(cfg, rotated, tmp_path)
    clean(*outputs)
    assert "keyword API_URL: value changed" in outputs[0]

    # The script changes too, while the live one holds the old value: still no value shown.
    changed = config(tmp_path, SCRIPT.replace("cb(null", "cb(undefined"))
    outputs = plans(changed, rotated, tmp_path)
    clean(*outputs)
    assert "cb(undefined" in outputs[0]

    # Export writes known values back as their keywords, and re-planning it is a no-op.
    out_dir = tmp_path / "exported"
    exported = run_cli(["export", "-o", str(out_dir)], e)
    assert exported.exit_code == 0, exported.output
    js = (out_dir / "hooks" / "h.js").read_text()
    clean(js, exported.output)
    assert "##API_URL##" in js
    replan = run_cli(["plan", "-c", str(out_dir), "--detailed-exitcode"], e)
    assert replan.exit_code == 0, replan.output


def test_drift_without_keyword_values_is_not_drift(emulator: EmulatorProcess, tmp_path: Path) -> None:
    cfg = config(tmp_path)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env(emulator)).exit_code == 0
    # The drift job (or a fork's PR) has no keyword values at all.
    bare = {**env(emulator), "AUTH0_KEYWORD_REPLACE_MAPPINGS": None}
    for fmt in ("text", "markdown", "json"):
        drift = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords", "--detailed-exitcode", "--format", fmt], bare)
        assert drift.exit_code == 0, drift.output
        clean(drift.output)
    # A real change in the tenant's script is still drift, and still shows no value.
    emulator.seed([{"name": "other", "triggerId": "post-change-password", "script": "x();\n"}])
    hook_id = live_hooks(emulator)["h"]["id"]
    from reconciler.api.client import ManagementClient
    from reconciler.config import connection_from_env

    with ManagementClient(connection_from_env(emulator.env())) as client:
        client.hooks.update(hook_id, script=live_hooks(emulator)["h"]["script"].replace("cb(null", "cb(false"))
    drift = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords", "--detailed-exitcode"], bare)
    # The changed live line is not shown: without the values, any live line may hold one.
    assert drift.exit_code == 2 and "cb(false" not in drift.output
    assert "-<live line not shown: planned without keyword values>\n" in drift.output
    assert "+  cb(null, { url, cfg });" in drift.output
    clean(drift.output)
