"""Loading Actions from deploy-cli's directory layout and YAML format: what ends up in the model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.resources.actions.model import ActionsDesired
from reconciler.usecases.validating import check
from tests.example_tenant import keyword_env
from tests.resources.actions.actions_testlib import CODE, action, write_dir

REPO = Path(__file__).resolve().parents[3]
CANARY = "canary-s3cr3t-value-8472"


def desired(config: Path, env: dict[str, str] | None = None) -> ActionsDesired:
    report = check(config, env=env or {})
    assert report.errors == (), [str(p) for p in report.problems]
    assert report.desired is not None and report.desired["action"] is not None
    state: ActionsDesired = report.desired["action"]
    return state


def test_directory_layout_as_deploy_cli_writes_it(tmp_path: Path) -> None:
    doc = action("claims", dependencies=[{"name": "axios", "version": "1.7.9"}, {"name": "lodash", "version": "4.17.21"}],
                 secrets=[{"name": "API_KEY", "value": "##API_KEY##"}], status="built")
    config = write_dir(tmp_path / "c", [doc], {"post-login": [{"action_name": "claims", "display_name": "Claims"}]})
    got = desired(config, {"API_KEY": CANARY})
    (a,) = got.actions
    assert a.name == "claims" and a.code == CODE and a.runtime == "node22" and a.deployed
    assert a.dependencies == (("axios", "1.7.9"), ("lodash", "4.17.21"))  # order kept
    assert dict(a.secrets) == {"API_KEY": CANARY}
    assert a.supported_triggers == (("post-login", "v3"),)
    assert a.source.endswith("actions/claims.json")
    assert got.bindings.get("post-login") == (("claims", "Claims"),)
    assert got.managed_triggers == {"post-login"}
    assert CANARY not in repr(a) and CANARY not in repr(got)


def test_code_path_relative_to_the_action_folder_also_works(tmp_path: Path) -> None:
    # deploy-cli tries actions/<name>/<code> first, then the path as written.
    config = write_dir(tmp_path / "c", [action("a", code="./code.js")])
    assert desired(config).actions[0].code == CODE


def test_code_keeps_keywords_as_a_template_and_values_apart(tmp_path: Path) -> None:
    code = "const NS = '##NS##';\nconst TABLE = @@TABLE@@;\nexports.onExecutePostLogin = async () => {};\n"
    config = write_dir(tmp_path / "c", [action("a")], code={"a": code})
    env = {"NS": "https://example.com/", "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"TABLE": {"gold": [1, 2]}})}
    (a,) = desired(config, env).actions
    assert a.code == code  # the template, as in git
    assert dict(a.keyword_values) == {"NS": "https://example.com/", "TABLE": {"gold": [1, 2]}}
    assert a.code_for_api() == code.replace("##NS##", "https://example.com/").replace("@@TABLE@@", '{"gold": [1, 2]}')
    assert "example.com" not in repr(a)


def test_multi_line_keyword_values(tmp_path: Path) -> None:
    pem = "-----BEGIN KEY-----\nline1\nline2\n-----END KEY-----\n"
    doc = action("a", secrets=[{"name": "PEM", "value": "##PEM##"}])
    config = write_dir(tmp_path / "c", [doc], code={"a": "const pem = `##PEM##`;\n" + CODE})
    (a,) = desired(config, {"PEM": pem}).actions
    assert a.secrets["PEM"] == pem  # JSON-escaped in the metadata, intact after parsing
    assert a.code_for_api().startswith(f"const pem = `{pem}`;")
    assert "##PEM##" in a.code


def test_whole_secrets_list_from_one_keyword(tmp_path: Path) -> None:
    doc = action("a", secrets="@@MY_SECRETS@@")
    config = write_dir(tmp_path / "c", [doc])
    env = {"AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MY_SECRETS": [{"name": "A", "value": CANARY}]})}
    (a,) = desired(config, env).actions
    assert dict(a.secrets) == {"A": CANARY}


def test_runtime_defaults_to_the_trigger_versions_default(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a", runtime=None)])
    assert desired(config).actions[0].runtime == "node22"


def test_yaml_single_file(tmp_path: Path) -> None:
    (tmp_path / "actions" / "a").mkdir(parents=True)
    (tmp_path / "actions" / "a" / "code.js").write_text(CODE)
    (tmp_path / "tenant.yaml").write_text(
        "tenant:\n  friendly_name: Example\n"
        "actions:\n"
        "  - name: a\n    code: ./actions/a/code.js\n    runtime: node22\n    deployed: true\n"
        "    dependencies: []\n    secrets: \"@@MY_SECRETS@@\"\n"
        "    supported_triggers:\n      - id: post-login\n        version: v3\n"
        "triggers:\n  post-login:\n    - action_name: a\n      display_name: A\n  credentials-exchange: []\n"
    )
    env = {"AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MY_SECRETS": [{"name": "K", "value": "line1\nline2"}]})}
    got = desired(tmp_path / "tenant.yaml", env)
    (a,) = got.actions
    assert a.code == CODE and dict(a.secrets) == {"K": "line1\nline2"}
    assert got.bindings.get("post-login") == (("a", "A"),)
    assert got.managed_triggers == {"post-login", "credentials-exchange"}  # [] clears, so it is managed
    assert got.bindings.get("credentials-exchange") == ()


def test_triggers_left_out_are_not_managed(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], {"post-login": [{"action_name": "a"}]})
    got = desired(config)
    assert "credentials-exchange" not in got.managed_triggers
    assert got.bindings.get("post-login") == (("a", "a"),)  # display name defaults to the action name


def test_no_triggers_dir_manages_no_bindings(tmp_path: Path) -> None:
    got = desired(write_dir(tmp_path / "c", [action("a")]))
    assert got.managed_triggers == frozenset() and len(got.actions) == 1


def test_only_the_first_json_in_triggers_is_read(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], {"post-login": [{"action_name": "a"}]})
    (config / "triggers" / "zz-other.json").write_text('{"post-login": []}')
    report = check(config, env={})
    assert report.desired is not None and report.desired["action"] is not None
    assert report.desired["action"].bindings.get("post-login") == (("a", "a"),)
    assert any("zz-other.json" in str(w) and "only the first .json" in str(w) for w in report.warnings)


def test_hooks_only_actions_only_and_both_are_valid(tmp_path: Path) -> None:
    only_actions = write_dir(tmp_path / "actions-only", [action("a")])
    assert desired(only_actions).actions[0].name == "a"
    triggers_only = write_dir(tmp_path / "triggers-only", None, {"post-login": []})
    assert desired(triggers_only).managed_triggers == {"post-login"}
    env = keyword_env()
    shutil.copytree(REPO / "tenant-config" / "hooks", tmp_path / "hooks-only" / "hooks")
    hooks_only = check(tmp_path / "hooks-only", env=env)
    assert hooks_only.ok() and hooks_only.desired is not None and len(hooks_only.desired["hook"].hooks) == 6
    assert hooks_only.desired["action"] is None  # nothing of the type: it does not plan
    both = desired(REPO / "tenant-config", env)
    assert {a.name for a in both.actions} == {"add-profile-claims", "send-sms-via-provider"}


def test_a_config_with_nothing_to_manage_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path)])
    assert result.exit_code == 1
    assert "hooks: has no hooks/ directory, nor actions/ or triggers/" in result.output


def test_yaml_without_any_known_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "tenant.yaml").write_text("tenant:\n  friendly_name: x\n")
    result = CliRunner().invoke(cli, ["validate", "-c", str(tmp_path / "tenant.yaml")])
    assert result.exit_code == 1 and "has no top-level `hooks:` list, nor `actions:` or `triggers:`" in result.output


def test_example_tenant_config_actions_are_realistic() -> None:
    env = keyword_env()
    got = desired(REPO / "tenant-config", env)
    by = got.by_name()
    assert by["add-profile-claims"].trigger == ("post-login", "v3")
    assert set(by["add-profile-claims"].secrets) == {"ENTITLEMENTS_API_KEY"}
    assert by["send-sms-via-provider"].trigger == ("send-phone-message", "v2")  # a former hook trigger no hook uses
    assert set(by["send-sms-via-provider"].secrets) == {"SMS_PROVIDER_API_KEY"}
    assert got.bindings.get("post-login")[0][0] == "add-profile-claims"
    assert got.bindings.get("send-phone-message")[0][0] == "send-sms-via-provider"
    result = CliRunner().invoke(cli, ["validate", "-c", str(REPO / "tenant-config"), "--strict"], env=env)
    assert result.exit_code == 0, result.output
    assert "2 actions and bindings on 2 triggers valid" in result.output


def test_validate_without_keyword_values_still_counts_the_actions() -> None:
    """`reconciler validate` needs no keyword values: actions whose code or secrets use unset
    keywords are checked all the same and named in the ok line (not "ok: 6 hooks valid",
    as if the config had no actions)."""
    unset: dict[str, str | None] = dict.fromkeys(keyword_env())  # None: removed from the environment
    result = CliRunner().invoke(cli, ["validate", "-c", str(REPO / "tenant-config")], env=unset)
    assert result.exit_code == 0, result.output
    assert "ok: 6 hooks valid, 2 actions and bindings on 2 triggers valid" in result.stdout
    assert "note: keywords not set" in result.stderr
