"""What fills a script's keywords in `run` and `migrate --check`: declared keywords, dummies unless opted in, never the tool's credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config
from tests.runner.attacks import reversed_js

CANARY = "canary-5e1d-attack-value"
POST = "post-user-registration"


def _config_with(tmp_path: Path, code: str, trigger: str = POST) -> Path:
    return hook_config(tmp_path / "config", "attack", trigger, code)


# ------------------------------------------------------------------ keyword sources


CREDENTIALS = ["AUTH0_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN", "RECONCILER_SECRETS_HMAC_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"]


def _leaking_hook(keyword: str) -> str:
    return (f"module.exports = function (user, context, cb) {{ console.log({reversed_js(repr(f'##{keyword}##'))});"
            " cb(null, {}); };")


@pytest.mark.parametrize("name", CREDENTIALS)
def test_the_tools_own_credentials_never_reach_a_script(node: Node, tmp_path: Path, name: str) -> None:
    config = _config_with(tmp_path, _leaking_hook(name))
    result = CliRunner().invoke(cli, ["run", "attack", "-c", str(config)], env={name: CANARY})
    assert CANARY[::-1] not in result.output


def test_run_uses_dummy_values_unless_the_user_opts_in(node: Node, tmp_path: Path) -> None:
    config = _config_with(tmp_path, _leaking_hook("PARTNER_KEY"))
    result = CliRunner().invoke(cli, ["run", "attack", "-c", str(config)], env={"PARTNER_KEY": CANARY})
    assert CANARY[::-1] not in result.output


def test_migrate_check_never_reads_credentials(node: Node, tmp_path: Path) -> None:
    config = _config_with(tmp_path, _leaking_hook("GITHUB_TOKEN"))
    result = CliRunner().invoke(cli, ["migrate", "--check", "-c", str(config)], env={"GITHUB_TOKEN": CANARY})
    assert CANARY[::-1] not in result.output


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_a_keyword_the_user_names_runs_with_its_real_value_masked(node: Node, tmp_path: Path, how: str) -> None:
    config = _config_with(tmp_path, _leaking_hook("PARTNER_KEY"))
    args, env = (["--keyword-value", "PARTNER_KEY"], {}) if how == "flag" else ([], {"RECONCILER_RUN_KEYWORDS": "OTHER, PARTNER_KEY"})
    result = CliRunner().invoke(cli, ["run", "attack", "-c", str(config), *args], env={"PARTNER_KEY": CANARY, **env})
    assert result.exit_code == 0, result.output
    assert CANARY[::-1] in result.stdout  # reversed: the real value reached the script
    assert CANARY not in result.output


def test_opting_in_to_a_credential_is_refused_in_one_line(node: Node, tmp_path: Path) -> None:
    config = _config_with(tmp_path, _leaking_hook("GITHUB_TOKEN"))
    result = CliRunner().invoke(cli, ["run", "attack", "-c", str(config), "--keyword-value", "GITHUB_TOKEN"], env={"GITHUB_TOKEN": CANARY})
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "own credentials" in result.stderr
    assert CANARY not in result.output and CANARY[::-1] not in result.output


def _list_secrets_config(tmp_path: Path) -> Path:
    config = _config_with(tmp_path, "module.exports = function (user, context, cb) { cb(null, {}); };")
    action = config / "actions" / "listed"
    action.mkdir(parents=True)
    (action / "code.js").write_text("exports.onExecutePostUserRegistration = async (event, api) => { console.log(Object.keys(event.secrets).join()); };")
    (config / "actions" / "listed.json").write_text(json.dumps({
        "name": "listed", "code": "./actions/listed/code.js", "runtime": "node22", "dependencies": [],
        "secrets": "@@LISTED_SECRETS@@", "supported_triggers": [{"id": POST, "version": "v2"}], "deployed": True,
    }))
    return config


def test_a_whole_secrets_list_keyword_works_in_run_and_migrate(node: Node, tmp_path: Path) -> None:
    config = _list_secrets_config(tmp_path)
    dummy = CliRunner().invoke(cli, ["run", "listed", "-c", str(config)])
    assert dummy.exit_code == 0, dummy.output
    assert json.loads(dummy.stdout)["logs"] == [""]  # no secrets without the real list
    real = CliRunner().invoke(cli, ["run", "listed", "-c", str(config), "--keyword-value", "LISTED_SECRETS"],
                              env={"AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"LISTED_SECRETS": [{"name": "API_KEY", "value": CANARY}]})})
    assert real.exit_code == 0, real.output
    assert json.loads(real.stdout)["logs"] == ["API_KEY"] and CANARY not in real.output
    for command in (["migrate"], ["migrate", "--check"]):
        result = CliRunner().invoke(cli, [*command, "-c", str(config)])
        assert "must be an array" not in result.output and "Traceback" not in result.output, result.output
