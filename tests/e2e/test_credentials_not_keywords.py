"""The tool's own credentials are never keyword sources (issue 18, "Keyword sources"): a config
asking for ``##AUTH0_CLIENT_SECRET##`` (or another credential) in a script, action code or
metadata is refused with one line naming the file, before any write, in every command that
loads it; the value appears in no output in any spelling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.keywords import CREDENTIALS
from reconciler.secret_forms import found_in
from tests.e2e.helpers import live_hooks, run_cli

CANARY = "canary-CRED-c0ffee-4417"
WHERE = ["hook script", "hook secret", "action code", "action secret"]


def write(root: Path, key: str, where: str) -> Path:
    cfg = root / "cfg"
    (cfg / "hooks").mkdir(parents=True)
    (cfg / "actions" / "a").mkdir(parents=True)
    script = "module.exports = function (c, s, a, ctx, cb) { cb(null, {}); };\n"
    hook = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}
    action = {"name": "a", "code": "./actions/a/code.js", "runtime": "node22", "deployed": True,
              "supported_triggers": [{"id": "post-login", "version": "v3"}]}
    code = "exports.onExecutePostLogin = async () => {};\n"
    if where == "hook script":
        script = f"const k = '##{key}##';\n" + script
    elif where == "hook secret":
        hook["secrets"] = {"K": f"##{key}##"}
    elif where == "action code":
        code = f"const k = '##{key}##';\n" + code
    else:
        action["secrets"] = [{"name": "K", "value": f"##{key}##"}]
    (cfg / "hooks" / "h.json").write_text(json.dumps(hook))
    (cfg / "hooks" / "h.js").write_text(script)
    (cfg / "actions" / "a.json").write_text(json.dumps(action))
    (cfg / "actions" / "a" / "code.js").write_text(code)
    return cfg


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("key", sorted(CREDENTIALS))
def test_a_credential_named_as_a_keyword_is_refused_never_filled(emulator: EmulatorProcess, tmp_path: Path, key: str, where: str) -> None:
    env = {**emulator.env(), "NO_COLOR": "1", "AUTH0_ALLOW_DELETE": None, "AUTH0_KEYWORD_REPLACE_MAPPINGS": None,
           key: CANARY if key != "AUTH0_KEYWORD_REPLACE_MAPPINGS" else json.dumps({"X": CANARY})}
    if key in ("AUTH0_ACCESS_TOKEN",):
        env[key] = None  # the emulator's own token stays the credential in use
    cfg = write(tmp_path, key, where)
    writes = emulator.stats()["writes"]
    for args in (["apply", "-c", str(cfg), "--yes"], ["plan", "-c", str(cfg)],
                 ["plan", "-c", str(cfg), "--allow-missing-keywords"], ["validate", "-c", str(cfg)]):
        result = run_cli(args, env)
        assert result.exit_code == 1, (args, result.output)
        assert f"names the tool's own credential {key}" in result.output, result.output
        assert found_in(result.output, CANARY) == [] and "Traceback" not in result.output
    assert emulator.stats()["writes"] == writes and "h" not in live_hooks(emulator)


def test_the_client_secret_in_use_is_not_filled_either(emulator: EmulatorProcess, tmp_path: Path) -> None:
    env = {**emulator.env(), "NO_COLOR": "1", "AUTH0_ACCESS_TOKEN": None}
    secret = env.get("AUTH0_CLIENT_SECRET")
    if not secret:
        pytest.skip("the emulator hands out a token, not client credentials")
    result = run_cli(["apply", "-c", str(write(tmp_path, "AUTH0_CLIENT_SECRET", "hook script")), "--yes"], env)
    assert result.exit_code == 1 and found_in(result.output, secret) == []
    assert len([line for line in result.output.splitlines() if "AUTH0_CLIENT_SECRET" in line]) == 1
