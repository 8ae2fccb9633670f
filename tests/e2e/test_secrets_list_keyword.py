"""The documented ``"secrets": "@@LIST@@"`` form (a whole secrets object or list from one
keyword) does not make ``plan --allow-missing-keywords`` fail (issue 18): without the value
the secret names are unknown, so the review-only plan leaves the live ones as they are and
says so; with the value, the plan and apply use it as before. Hooks and actions alike."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.emulator.process import EmulatorProcess
from reconciler.secret_forms import found_in
from tests.e2e.helpers import run_cli

CANARY = "canary-LIST-secret-4d0e"


def write(root: Path) -> Path:
    cfg = root / "cfg"
    (cfg / "hooks").mkdir(parents=True)
    (cfg / "actions" / "a").mkdir(parents=True)
    (cfg / "hooks" / "h.json").write_text(json.dumps({
        "name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js",
        "secrets": "@@HOOK_SECRETS@@"}))
    (cfg / "hooks" / "h.js").write_text("module.exports = function (c, s, a, x, cb) { cb(null, {}); };\n")
    (cfg / "actions" / "a.json").write_text(json.dumps({
        "name": "a", "code": "./actions/a/code.js", "runtime": "node22", "deployed": True,
        "supported_triggers": [{"id": "post-login", "version": "v3"}], "secrets": "@@ACTION_SECRETS@@"}))
    (cfg / "actions" / "a" / "code.js").write_text("exports.onExecutePostLogin = async () => {};\n")
    return cfg


def test_a_whole_secrets_keyword_without_a_value_is_planned_for_review(emulator: EmulatorProcess, tmp_path: Path) -> None:
    cfg = write(tmp_path)
    base = {**emulator.env(), "NO_COLOR": "1", "AUTH0_ACCESS_TOKEN": None, "AUTH0_ALLOW_DELETE": None,
            "AUTH0_KEYWORD_REPLACE_MAPPINGS": None, "HOOK_SECRETS": None, "ACTION_SECRETS": None}
    values = {**base, "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({
        "HOOK_SECRETS": {"API_KEY": CANARY}, "ACTION_SECRETS": [{"name": "API_KEY", "value": CANARY}]})}

    first = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords"], base)  # nothing live yet
    assert first.exit_code == 0, first.output
    assert "review only" in first.output

    applied = run_cli(["apply", "-c", str(cfg), "--yes"], values)
    assert applied.exit_code == 0, applied.output
    for fmt in ("text", "json", "markdown"):
        pr = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords", "--detailed-exitcode", "--format", fmt], base)
        assert pr.exit_code == 0, pr.output  # the live secrets stand: no change, no drift
        assert found_in(pr.output, CANARY) == []
    text = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords", "--allow-delete"], base).output
    assert "secrets given whole by one of them are left as they are): ACTION_SECRETS, HOOK_SECRETS" in text
    assert "API_KEY" not in text  # not deleted, not re-added, even with deletes allowed

    again = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], values)
    assert again.exit_code == 0, again.output
