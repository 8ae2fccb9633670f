"""The validation driver: every rule through the `reconciler validate` command and the `check()`
API, all problems at once. Each rule module has its own unit tests (test_rules, test_schema*)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.problems import Problem
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.resources.hooks.validate import Report, check
from reconciler.variables import MAPPINGS_VAR
from tests.example_tenant import keyword_env

REPO = Path(__file__).resolve().parents[3]
JS = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, {});\n};\n"
BASE = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def hook(config: Path, file: str = "h.json", js: str | bytes | None = JS, **fields: object) -> Path:
    meta = {**BASE, **fields}
    hooks = config / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / file).write_text(json.dumps(meta))
    script = hooks / str(meta["script"]).removeprefix("./") if isinstance(meta["script"], str) else None
    if js is not None and script is not None and script.parent == hooks:
        script.write_bytes(js.encode() if isinstance(js, str) else js)
    return hooks / file


def validate(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    full_env = {MAPPINGS_VAR: None, **(env or {})}
    return CliRunner().invoke(cli, ["validate", "-c", str(config), *args], env=full_env)


def assert_rejected(result: Result, file: Path | str, field: str, *more: str) -> None:
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out and (result.exception is None or isinstance(result.exception, SystemExit))
    assert f"{file}: {field}: " in out, out
    for text in more:
        assert text in out, out


# --- each rule, through the CLI -------------------------------------------------------------


def test_schema_error_names_file_and_field(tmp_path: Path) -> None:
    meta = hook(tmp_path, triggerId="post-login")
    assert_rejected(validate(tmp_path), meta, "triggerId", "must be one of")


def test_dependency_version_must_be_a_string(tmp_path: Path) -> None:
    meta = hook(tmp_path, dependencies={"lodash": 4.17})
    assert_rejected(validate(tmp_path), meta, "dependencies.lodash", "must be a string")


def test_unknown_field(tmp_path: Path) -> None:
    meta = hook(tmp_path, id="01HXYZ")
    assert_rejected(validate(tmp_path), meta, "id", "unknown field")


def test_two_enabled_on_one_trigger_is_one_problem_naming_all(tmp_path: Path) -> None:
    a = hook(tmp_path, "a.json", name="a")
    b = hook(tmp_path, "b.json", name="b")
    c = hook(tmp_path, "c.json", name="c")
    hook(tmp_path, "d.json", name="d", enabled=False)
    result = validate(tmp_path)
    assert_rejected(result, a, "enabled", "3 hooks are enabled on trigger credentials-exchange", str(b), str(c))
    assert result.output.count("enabled on trigger") == 1
    assert "'d'" not in result.output


def test_duplicate_names_name_both_files(tmp_path: Path) -> None:
    first = hook(tmp_path, "first.json", enabled=False)
    second = hook(tmp_path, "second.json", enabled=False, triggerId="post-change-password")
    assert_rejected(validate(tmp_path), second, "name", "duplicate hook name 'h'", str(first))


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("./missing.js", "script file not found"),
        ("../../outside.js", "points outside the config directory"),
        ("/etc/hosts", "must be a relative path"),
    ],
)
def test_script_reference_problems(tmp_path: Path, script: str, message: str) -> None:
    meta = hook(tmp_path, js=None, script=script)
    assert_rejected(validate(tmp_path), meta, "script", message)


def test_script_symlink_resolving_outside(tmp_path: Path) -> None:
    config = tmp_path / "config"
    meta = hook(config, js=None)
    (tmp_path / "secret.js").write_text(JS)
    (config / "hooks" / "h.js").symlink_to(tmp_path / "secret.js")
    assert_rejected(validate(config), meta, "script", "symlink that resolves outside")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        (b"\x00\x01\x02binary", "is a binary file"),
        ("caf\u00e9".encode("latin-1"), "is not valid UTF-8"),
        ("/" * (100 * 1024 + 1), "the limit is 102400 bytes"),
    ],
)
def test_script_content_problems(tmp_path: Path, content: str | bytes, message: str) -> None:
    hook(tmp_path, js=content)
    assert_rejected(validate(tmp_path), tmp_path / "hooks" / "h.js", "script", message)


def test_script_of_exactly_100_kb_is_fine(tmp_path: Path) -> None:
    hook(tmp_path, js="/" * (100 * 1024))
    assert validate(tmp_path).exit_code == 0


def test_invalid_json_gives_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    meta = tmp_path / "hooks" / "h.json"
    meta.write_text('{\n  "name": "h",\n  "triggerId": "credentials-exchange"\n  "script": "./h.js"\n}\n')
    assert_rejected(validate(tmp_path), meta, "(file)", "is not valid JSON", "line 4 column 3")


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    meta = tmp_path / "hooks" / "h.yaml"
    meta.write_text("name: h\ntriggerId: [credentials-exchange\nscript: ./h.js\n")
    assert_rejected(validate(tmp_path), meta, "(file)", "is not valid YAML", "line ")


def test_yaml_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    marker = tmp_path / "pwned"
    meta = tmp_path / "hooks" / "h.yaml"
    meta.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\ntriggerId: credentials-exchange\nscript: ./h.js\n")
    assert_rejected(validate(tmp_path), meta, "(file)", "!!python/object/apply:os.system", "line 1 column 7")
    assert not marker.exists()


def test_literal_secret_is_a_warning_and_strict_makes_it_an_error(tmp_path: Path) -> None:
    meta = hook(tmp_path, secrets={"API_KEY": "sk_live_abcdef123456"})
    lenient = validate(tmp_path)
    assert lenient.exit_code == 0, lenient.output
    assert f"{meta}: warning: secrets.API_KEY: secret value is written literally" in lenient.output
    assert "ok: 1 hook valid, 1 warning" in lenient.output
    assert "sk_live_abcdef123456" not in lenient.output
    assert_rejected(validate(tmp_path, "--strict"), meta, "warning: secrets.API_KEY")


def test_secret_via_keyword_is_not_literal(tmp_path: Path) -> None:
    hook(tmp_path, secrets={"API_KEY": "##API_KEY##", "URL": "https://##HOST##/hook"})
    result = validate(tmp_path, "--strict", env={"API_KEY": "sk_live_abcdef123456", "HOST": "h.example"})
    assert result.exit_code == 0, result.output
    assert "sk_live_abcdef123456" not in result.output


def test_masked_secret_tells_the_user_to_use_a_keyword(tmp_path: Path) -> None:
    meta = hook(tmp_path, secrets={"API_KEY": MASKED_SECRET})
    result = validate(tmp_path)
    assert_rejected(result, meta, "secrets.API_KEY", "##API_KEY##", "overwrite the real secret")
    assert "written literally" not in result.output  # one clear message, not two


def test_unresolved_keyword_names_file_and_keyword(tmp_path: Path) -> None:
    meta = hook(tmp_path, secrets={"SLACK_WEBHOOK_URL": "##SLACK_WEBHOOK_URL##"})
    assert_rejected(
        validate(tmp_path, "--require-keywords"), meta, "secrets.SLACK_WEBHOOK_URL", "unresolved keyword ##SLACK_WEBHOOK_URL##"
    )


def test_unresolved_keyword_in_script(tmp_path: Path) -> None:
    hook(tmp_path, js="const region = '##REGION##';\n" + JS)
    assert_rejected(
        validate(tmp_path, "--require-keywords"), tmp_path / "hooks" / "h.js", "script", "unresolved keyword ##REGION## (line 1)"
    )


def test_validate_is_offline_unset_keywords_are_a_note(tmp_path: Path) -> None:
    """Like `terraform validate`: a newcomer without the keyword values gets a pass and a note."""
    hook(tmp_path, js="const region = '##REGION##';\n" + JS,
         secrets={"SLACK_WEBHOOK_URL": "##SLACK_WEBHOOK_URL##"}, dependencies="@@DEPS@@")
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    assert "note: keywords not set (plan and apply need them): DEPS, REGION, SLACK_WEBHOOK_URL" in result.output
    assert "ok: 1 hook valid" in result.output
    # Real errors still fail, next to the note.
    hook(tmp_path, js="const region = '##REGION##';\n" + JS, triggerId="nope")
    result = validate(tmp_path)
    assert result.exit_code == 1 and "triggerId" in result.output and "REGION" in result.output


def test_validate_passes_on_the_example_config_without_keyword_values() -> None:
    example = REPO / "tenant-config"
    result = validate(example)
    assert result.exit_code == 0, result.output


def test_plan_still_refuses_unset_keywords(tmp_path: Path) -> None:
    from reconciler.errors import InvalidConfig
    from reconciler.usecases.loading import load_desired

    hook(tmp_path, js="const region = '##REGION##';\n" + JS)
    with pytest.raises(InvalidConfig) as caught:
        load_desired(str(tmp_path), env={})
    assert "unresolved keyword ##REGION##" in str(caught.value.problems[0])


def test_allow_missing_keywords_fills_dummies(tmp_path: Path) -> None:
    hook(tmp_path, secrets={"SLACK_WEBHOOK_URL": "##SLACK_WEBHOOK_URL##"})
    result = validate(tmp_path, "--allow-missing-keywords")  # the old spelling still works
    assert result.exit_code == 0, result.output
    assert "SLACK_WEBHOOK_URL" in result.output and "not set" in result.output


def test_bad_mapping_variable(tmp_path: Path) -> None:
    hook(tmp_path)
    assert_rejected(validate(tmp_path, env={MAPPINGS_VAR: "{nope"}), MAPPINGS_VAR, "(environment)", "not valid JSON")


def test_missing_config_path(tmp_path: Path) -> None:
    assert_rejected(validate(tmp_path / "nowhere"), tmp_path / "nowhere", "(config)", "does not exist")


def test_config_without_hooks_directory(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    assert_rejected(validate(tmp_path), tmp_path, "hooks", "has no hooks/ directory")


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    bad_trigger = hook(tmp_path, "a.json", name="a", triggerId="nope", enabled=False)
    bad_script = hook(tmp_path, "b.json", name="b", js=None, script="./missing.js", enabled=False)
    (tmp_path / "hooks" / "c.json").write_text("{")
    result = validate(tmp_path)
    assert_rejected(result, bad_trigger, "triggerId")
    assert_rejected(result, bad_script, "script")
    assert_rejected(result, tmp_path / "hooks" / "c.json", "(file)")
    assert "3 errors, 0 warnings" in result.output


# --- the check() API --------------------------------------------------------------------------


def test_report_api(tmp_path: Path) -> None:
    hook(tmp_path, secrets={"A": "literal-value-1"})
    report = check(tmp_path, env={})
    assert isinstance(report, Report)
    assert report.errors == () and len(report.warnings) == 1
    assert report.ok() and not report.ok(strict=True)
    assert report.state is not None and report.state.hooks[0].name == "h"
    (problem,) = report.problems
    assert isinstance(problem, Problem) and problem.severity == "warning"
    assert str(problem).startswith(f"{tmp_path / 'hooks' / 'h.json'}: warning: secrets.A: ")


def test_errors_mean_no_state(tmp_path: Path) -> None:
    hook(tmp_path, triggerId="nope")
    report = check(tmp_path, env={})
    assert report.state is None and not report.ok()
    assert str(report.errors[0]) == f"{tmp_path / 'hooks' / 'h.json'}: triggerId: " + report.errors[0].message


def test_fill_missing_is_recorded(tmp_path: Path) -> None:
    hook(tmp_path, secrets={"TOKEN": "##TOKEN##"})
    report = check(tmp_path, env={}, fill_missing=lambda key: f"dummy-{key.lower()}")
    assert report.ok() and report.filled_keywords == ("TOKEN",)
    assert report.state is not None
    assert report.state.hooks[0].secrets["TOKEN"] == "dummy-token"


def test_check_never_reads_the_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Library code gets its keyword values passed in (Settings); only the CLI reads os.environ."""
    hook(tmp_path, secrets={"TOKEN": "##TOKEN##"})
    monkeypatch.setenv("TOKEN", "from-os-environ")
    monkeypatch.delenv(MAPPINGS_VAR, raising=False)
    report = check(tmp_path)
    assert report.state is None and any("TOKEN" in str(p) for p in report.errors)
    passed = check(tmp_path, env={"TOKEN": "passed"}).state
    assert passed is not None and passed.hooks[0].secrets["TOKEN"] == "passed"


def test_validate_command_reads_keywords_from_the_environment(tmp_path: Path) -> None:
    hook(tmp_path, secrets={"TOKEN": "##TOKEN##"})
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path)], env={"TOKEN": "x", MAPPINGS_VAR: ""})
    assert result.exit_code == 0, result.output


def test_no_secret_value_in_any_message(tmp_path: Path) -> None:
    secret = "s3cr3t-do-not-print"
    hook(tmp_path, "a.json", name="a", secrets={"K": "##K##", "N": 5}, dependencies="@@K@@")
    hook(tmp_path, "b.json", name="b", secrets={"K": "##K##"}, triggerId="##K##")
    hook(tmp_path, "c.json", name="c", secrets={"K": secret + "-literal"}, enabled=False)
    report = check(tmp_path, env={"K": secret})
    assert report.errors
    assert all(secret not in str(p) for p in report.problems)


# --- the example tenant ---------------------------------------------------------------------


def test_example_tenant_config_is_valid() -> None:
    env = keyword_env("https://example.test/")
    result = validate(REPO / "tenant-config", "--strict", env=env)
    assert result.exit_code == 0, result.output
    assert "ok: 6 hooks valid" in result.output
    state = check(REPO / "tenant-config", env=env).state
    assert state is not None
    triggers = {h.trigger_id for h in state.hooks}
    assert {"credentials-exchange", "pre-user-registration", "post-user-registration", "post-change-password"} <= triggers
    enabled = [h.trigger_id for h in state.hooks if h.enabled]
    assert len(enabled) == len(set(enabled))
    assert any(not h.enabled and h.trigger_id in enabled for h in state.hooks)


def test_python_m_reconciler_validate(tmp_path: Path) -> None:
    import subprocess
    import sys

    hook(tmp_path, triggerId="nope")
    proc = subprocess.run([sys.executable, "-m", "reconciler", "validate", "-c", str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, env={**os.environ, MAPPINGS_VAR: ""})
    assert proc.returncode == 1
    assert f"{tmp_path / 'hooks' / 'h.json'}: triggerId:" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
