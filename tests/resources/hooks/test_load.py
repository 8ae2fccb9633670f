"""Loading both auth0-deploy-cli layouts into Hook objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.keywords import KeywordError, parse_mappings  # noqa: E402
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.resources.hooks.model import DesiredState, Hook
from reconciler.resources.hooks.validate import check
from reconciler.variables import MAPPINGS_VAR  # noqa: E402

JS = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, {});\n};\n"


def write(path: Path, content: str | dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) if isinstance(content, dict) else content)
    return path


def loaded(config: Path, env: dict[str, str] | None = None) -> DesiredState:
    report = check(config, env=env or {})
    assert report.ok(), [str(p) for p in report.problems]
    assert report.state is not None
    return report.state


def test_directory_layout(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "claims.json", {
        "name": "claims", "triggerId": "credentials-exchange", "enabled": True,
        "script": "./claims.js", "dependencies": {"axios": "1.6.8"},
        "secrets": {"API_KEY": "##API_KEY##"},
    })
    write(tmp_path / "hooks" / "claims.js", JS)
    state = loaded(tmp_path, {"API_KEY": "k-123"})
    assert state.hooks == (
        Hook(
            name="claims", trigger_id="credentials-exchange", script=JS, enabled=True,
            dependencies={"axios": "1.6.8"}, secrets={"API_KEY": "k-123"},
            source=str(tmp_path / "hooks" / "claims.json"),
        ),
    )
    assert state.hooks[0].secrets["API_KEY"] == "k-123"
    assert state.source == str(tmp_path)


def test_defaults_enabled_false_and_empty_maps(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.json", {"name": "h", "triggerId": "post-change-password", "script": "./h.js"})
    write(tmp_path / "hooks" / "h.js", JS)
    (hook,) = loaded(tmp_path).hooks
    assert hook.enabled is False and dict(hook.dependencies) == {} and dict(hook.secrets) == {}


def test_yaml_metadata_in_the_directory_layout(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "audit.yaml", "name: audit\ntriggerId: post-change-password\nenabled: true\nscript: ./audit.js\n")
    write(tmp_path / "hooks" / "other.yml", "name: other\ntriggerId: post-user-registration\nscript: ./audit.js\n")
    write(tmp_path / "hooks" / "audit.js", JS)
    assert [h.name for h in loaded(tmp_path).hooks] == ["audit", "other"]


def test_file_name_need_not_match_the_hook_name(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "whatever.json", {"name": "Real Name", "triggerId": "credentials-exchange", "script": "./x.js"})
    write(tmp_path / "hooks" / "x.js", JS)
    assert loaded(tmp_path).hooks[0].name == "Real Name"


def test_script_may_live_elsewhere_inside_the_config(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.json", {"name": "h", "triggerId": "credentials-exchange", "script": "../scripts/h.js"})
    write(tmp_path / "scripts" / "h.js", JS)
    assert loaded(tmp_path).hooks[0].script == JS


def test_symlink_inside_the_config_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.json", {"name": "h", "triggerId": "credentials-exchange", "script": "./h.js"})
    write(tmp_path / "shared" / "real.js", JS)
    (tmp_path / "hooks" / "h.js").symlink_to(tmp_path / "shared" / "real.js")
    assert loaded(tmp_path).hooks[0].script == JS


def test_single_yaml_file_layout(tmp_path: Path) -> None:
    write(tmp_path / "tenant.yaml", (
        "tenant:\n  friendly_name: ##TENANT_NAME##\n"  # other sections are ignored, keywords too
        "hooks:\n"
        "  - name: signup-notify\n"
        "    triggerId: post-user-registration\n"
        "    enabled: true\n"
        "    script: ./hooks/signup-notify.js\n"
        '    dependencies: "@@DEPS@@"\n'
        "    secrets:\n"
        "      SLACK_WEBHOOK_URL: '##SLACK_WEBHOOK_URL##'\n"
    ))
    write(tmp_path / "hooks" / "signup-notify.js", "const url = '##SLACK_WEBHOOK_URL##';\n" + JS)
    env = {MAPPINGS_VAR: json.dumps({"DEPS": {"axios": "1.6.8"}}), "SLACK_WEBHOOK_URL": "https://hooks.slack.test/T0"}
    (hook,) = loaded(tmp_path / "tenant.yaml", env).hooks
    assert hook.name == "signup-notify" and hook.enabled
    assert dict(hook.dependencies) == {"axios": "1.6.8"}
    assert hook.secrets["SLACK_WEBHOOK_URL"] == "https://hooks.slack.test/T0"
    assert hook.script.startswith("const url = '##SLACK_WEBHOOK_URL##';")  # a template inside the tool
    assert hook.filled_script.startswith("const url = 'https://hooks.slack.test/T0';")
    assert hook.source == str(tmp_path / "tenant.yaml")


def test_yaml_file_with_empty_hooks_key(tmp_path: Path) -> None:
    write(tmp_path / "tenant.yaml", "hooks:\n")
    assert loaded(tmp_path / "tenant.yaml").hooks == ()


def test_empty_hooks_dir_means_no_hooks(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ok: 0 hooks valid" in result.output


def test_at_keyword_fills_whole_secrets_map(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.json",
          '{"name": "h", "triggerId": "credentials-exchange", "script": "./h.js", "secrets": "@@SECRETS@@"}')
    write(tmp_path / "hooks" / "h.js", JS)
    env = {MAPPINGS_VAR: json.dumps({"SECRETS": {"A": "1", "B": "2"}})}
    report = check(tmp_path, env=env)
    assert report.ok(strict=True)  # values came from a keyword: not literal
    assert report.state is not None
    assert dict(report.state.hooks[0].secrets) == {"A": "1", "B": "2"}


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    meta = json.dumps({"name": "h", "triggerId": "credentials-exchange", "script": "./h.js"})
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "h.json").write_bytes(b"\xef\xbb\xbf" + meta.encode())
    (tmp_path / "hooks" / "h.js").write_bytes(JS.replace("\n", "\r\n").encode())
    assert loaded(tmp_path).hooks[0].name == "h"


def test_non_metadata_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "README.md", "# hooks\n")
    write(tmp_path / "hooks" / ".h.json.swp", "garbage")
    write(tmp_path / "hooks" / "h.json", {"name": "h", "triggerId": "credentials-exchange", "script": "./h.js"})
    write(tmp_path / "hooks" / "h.js", JS)
    write(tmp_path / "rules" / "r.json", "not even json")
    assert len(loaded(tmp_path).hooks) == 1


def deploy_cli_export(root: Path) -> Path:
    """What `a0deploy export --format directory` writes for two hooks."""
    hooks = root / "export" / "hooks"
    write(hooks / "Add Claims.json", {
        "name": "Add Claims", "enabled": True, "script": "./Add Claims.js",
        "dependencies": {"lodash": "4.17.21"}, "triggerId": "credentials-exchange",
        "secrets": {"API_KEY": MASKED_SECRET, "REGION": MASKED_SECRET},
    })
    write(hooks / "Add Claims.js", JS)
    write(hooks / "audit.json", {
        "name": "audit", "enabled": False, "script": "./audit.js", "dependencies": {},
        "triggerId": "post-change-password",
    })
    write(hooks / "audit.js", JS)
    return root / "export"


def test_deploy_cli_export_loads_as_it_is_but_masked_secrets_are_refused(tmp_path: Path) -> None:
    config = deploy_cli_export(tmp_path)
    report = check(config, env={})
    assert report.state is None
    assert [(p.path, p.field) for p in report.errors] == [
        (str(config / "hooks" / "Add Claims.json"), "secrets.API_KEY"),
        (str(config / "hooks" / "Add Claims.json"), "secrets.REGION"),
    ]
    assert all("##" in p.message and MASKED_SECRET in p.message for p in report.errors)

    result = CliRunner().invoke(cli, ["validate", "-c", str(config)])
    assert result.exit_code == 1
    assert "Add Claims.json: secrets.API_KEY: is _VALUE_NOT_SHOWN_" in result.output
    assert "Traceback" not in result.output


def test_deploy_cli_export_with_keywords_put_in_loads(tmp_path: Path) -> None:
    config = deploy_cli_export(tmp_path)
    meta = config / "hooks" / "Add Claims.json"
    meta.write_text(meta.read_text().replace(f'"API_KEY": "{MASKED_SECRET}"', '"API_KEY": "##API_KEY##"')
                    .replace(f'"REGION": "{MASKED_SECRET}"', '"REGION": "##REGION##"'))
    state = loaded(config, {"API_KEY": "k", "REGION": "eu"})
    assert {h.name for h in state.hooks} == {"Add Claims", "audit"}
    assert state.by_name()["Add Claims"].secrets == {"API_KEY": "k", "REGION": "eu"}


# --- keyword values arrive exactly, in every metadata format (issue 9, section 6) ---------------

import pytest  # noqa: E402

AWKWARD = {
    "pem": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc+/=\n-----END PRIVATE KEY-----\n",
    "quotes": "it's \"quoted\" and 'single'",
    "backslash": "C:\\path\\to\\n\\t and \\\" done",
    "yaml-ish": "key: value\n- item\n# not a comment: @@ ## {x}",
}


def _formats(tmp_path: Path, spelling: str) -> list[Path]:
    """The same hook, secret S = the keyword K, in JSON dir, YAML dir and single-file YAML."""
    json_dir, yaml_dir, single = tmp_path / "json", tmp_path / "yaml", tmp_path / "single"
    write(json_dir / "hooks" / "h.json",
          '{"name": "h", "triggerId": "credentials-exchange", "script": "./h.js", "secrets": {"S": "' + spelling + '"}}')
    write(yaml_dir / "hooks" / "h.yaml",
          f"name: h\ntriggerId: credentials-exchange\nscript: ./h.js\nsecrets:\n  S: '{spelling}'\n")
    write(single / "tenant.yaml",
          f"hooks:\n  - name: h\n    triggerId: credentials-exchange\n    script: ./hooks/h.js\n    secrets:\n      S: \"{spelling}\"\n")
    for root in (json_dir, yaml_dir, single):
        write(root / "hooks" / "h.js", JS)
    return [json_dir, yaml_dir, single / "tenant.yaml"]


@pytest.mark.parametrize("spelling", ["##K##", "@@K@@"])
@pytest.mark.parametrize("kind", sorted(AWKWARD))
def test_keyword_values_round_trip_in_every_format(tmp_path: Path, spelling: str, kind: str) -> None:
    value = AWKWARD[kind]
    for config in _formats(tmp_path, spelling):
        for env in ({"K": value}, {MAPPINGS_VAR: json.dumps({"K": value})}):
            (hook,) = loaded(config, env).hooks
            assert hook.secrets["S"] == value, (config, env)


def test_keyword_inside_a_longer_string_keeps_newlines(tmp_path: Path) -> None:
    for config in _formats(tmp_path, "prefix ##K## suffix"):
        (hook,) = loaded(config, {"K": AWKWARD["pem"]}).hooks
        assert hook.secrets["S"] == "prefix " + AWKWARD["pem"] + " suffix"


def test_null_mapping_values_are_refused_naming_the_key_only() -> None:
    with pytest.raises(KeywordError) as caught:
        parse_mappings('{"GOOD": "x-secret-value", "K": null}')
    assert "'K'" in str(caught.value) and "x-secret-value" not in str(caught.value)
    assert parse_mappings('{"LIST": ["a"], "N": 3}') == {"LIST": ["a"], "N": 3}  # deploy-cli's @@KEY@@ values


def test_yaml_duplicate_keys_are_refused_like_json(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.yaml", "name: h\ntriggerId: credentials-exchange\nscript: ./h.js\nname: other\n")
    write(tmp_path / "hooks" / "h.js", JS)
    report = check(tmp_path, env={})
    assert [str(p) for p in report.errors] == [
        f"{tmp_path / 'hooks' / 'h.yaml'}: (file): has duplicate keys 'name' (line 4 column 1): only one value of each may be given"
    ]


def test_yaml_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    write(tmp_path / "tenant.yaml", (
        "base: &base {triggerId: credentials-exchange, script: ./hooks/h.js, enabled: false}\n"
        "hooks:\n  - <<: *base\n    name: h\n    enabled: true\n"
    ))
    write(tmp_path / "hooks" / "h.js", JS)
    (hook,) = loaded(tmp_path / "tenant.yaml").hooks
    assert hook.enabled is True


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deep_nesting_is_one_line_not_a_traceback(tmp_path: Path, suffix: str) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    text = ('{"name": "h", "triggerId": "credentials-exchange", "script": "./h.js", "x": ' + deep + "}"
            if suffix == ".json" else f"name: h\ntriggerId: credentials-exchange\nscript: ./h.js\nx: {deep}\n")
    write(tmp_path / "hooks" / f"h{suffix}", text)
    write(tmp_path / "hooks" / "h.js", JS)
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path)], env={MAPPINGS_VAR: None})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"h{suffix}: (file): is nested" in result.output


def test_schema_key_is_allowed_for_editors(tmp_path: Path) -> None:
    write(tmp_path / "hooks" / "h.json", {
        "$schema": "../../schemas/hook.schema.json", "name": "h", "triggerId": "credentials-exchange", "script": "./h.js",
    })
    write(tmp_path / "hooks" / "h.yml", "$schema: ../../schemas/hook.schema.json\nname: y\ntriggerId: post-change-password\nscript: ./h.js\n")
    write(tmp_path / "hooks" / "h.js", JS)
    assert [h.name for h in loaded(tmp_path).hooks] == ["h", "y"]
    write(tmp_path / "hooks" / "h.json", {"$schema": 3, "name": "h", "triggerId": "credentials-exchange", "script": "./h.js"})
    assert any("$schema: must be a string" in str(p) for p in check(tmp_path, env={}).errors)


def test_unreadable_metadata_is_an_error_not_a_removed_hook(tmp_path: Path) -> None:
    import os

    write(tmp_path / "hooks" / "h.json", {"name": "h", "triggerId": "credentials-exchange", "script": "./h.js"})
    write(tmp_path / "hooks" / "h.js", JS)
    (tmp_path / "hooks" / "h.json").chmod(0)
    if os.access(tmp_path / "hooks" / "h.json", os.R_OK):
        pytest.skip("running as root: every file is readable")
    report = check(tmp_path, env={})
    assert any("h.json: (file): cannot be read" in str(p) for p in report.errors)
