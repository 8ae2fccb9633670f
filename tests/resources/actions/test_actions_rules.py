"""Each bad Actions config is rejected with one line naming the file and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.resources.actions.model import ActionsDesired, LiveRef, TriggerBindings
from reconciler.resources.actions.rules import check_live_refs
from reconciler.usecases.validating import check
from tests.resources.actions.actions_testlib import CODE, action, write_dir

CANARY = "canary-s3cr3t-value-8472"
A = "actions/a.json"
T = "triggers/triggers.json"
Build = Callable[[Path], Path]


def one(doc: dict[str, Any], triggers: Any = None, code: Any = None) -> Build:
    return lambda root: write_dir(root, [doc], triggers, {"a": code} if code is not None else None)


def many(docs: list[dict[str, Any]], triggers: Any = None) -> Build:
    return lambda root: write_dir(root, docs, triggers)


def bound(name: str = "a", trigger: str = "post-login", **extra: Any) -> dict[str, Any]:
    return {trigger: [{"action_name": name, "display_name": name, **extra}]}


def _code_file_deleted(root: Path) -> Path:
    write_dir(root, [action("a")])
    (root / "actions" / "a" / "code.js").unlink()
    return root


def _actions_is_a_file(root: Path) -> Path:
    root.mkdir()
    (root / "actions").write_text("x")
    return root


# (case, config builder, env, the expected "path: field: message" line start after the config dir)
CASES: list[tuple[str, Build, dict[str, str], str]] = [
    ("name-missing", one({k: v for k, v in action("a").items() if k != "name"}), {}, f"{A}: name: is required"),
    ("name-empty", one(action("a") | {"name": ""}), {}, f"{A}: name: must not be empty"),
    ("name-number", one(action("a") | {"name": 7}), {}, f"{A}: name: must be a string"),
    ("name-of-the-lease", one(action("reconciler-lease")), {},
     "actions/reconciler-lease.json: name: the action name reconciler-lease is reserved for the apply lease"),
    ("duplicate-names", lambda r: (write_dir(r, [action("a")]), (r / "actions" / "b.json").write_text(json.dumps(action("a"))), r)[2],
     {}, f"{A.replace('a.json', 'b.json')}: name: duplicate action name 'a': also in"),
    ("unknown-field", one(action("a", runtim="node22")), {}, f"{A}: runtim: unknown field; did you mean 'runtime'?"),
    ("trigger-unknown", one(action("a", supported_triggers=[{"id": "post-logon", "version": "v3"}])), {}, f"{A}: supported_triggers[0].id: must be one of"),
    ("trigger-version-unknown", one(action("a", supported_triggers=[{"id": "post-login", "version": "v9"}])), {}, f"{A}: supported_triggers[0].version: post-login has no version 'v9'; known: v3 (current), v2, v1"),
    ("trigger-version-shape", one(action("a", supported_triggers=[{"id": "post-login", "version": "3"}])), {}, f"{A}: supported_triggers[0].version: must look like v1, v2, v3"),
    ("two-triggers", one(action("a", supported_triggers=[{"id": "post-login", "version": "v3"}, {"id": "credentials-exchange", "version": "v2"}])), {}, f"{A}: supported_triggers: has 2 triggers; Auth0 allows at most 1"),
    ("no-trigger", one(action("a", supported_triggers=[])), {}, f"{A}: supported_triggers: must list exactly one trigger"),
    ("runtime-unknown", one(action("a", runtime="node8")), {}, f"{A}: runtime: must be one of"),
    ("runtime-not-for-version", one(action("a", runtime="node18")), {}, f"{A}: runtime: node18 is not supported by post-login v3: use one of node18-actions, node22"),
    ("runtime-required-on-v1", one(action("a", runtime=None, supported_triggers=[{"id": "credentials-exchange", "version": "v1"}])), {}, f"{A}: runtime: is required for credentials-exchange v1"),
    ("code-missing-field", one({k: v for k, v in action("a").items() if k != "code"}), {}, f"{A}: code: is required"),
    ("code-file-missing", _code_file_deleted, {}, f"{A}: code: script file not found"),
    ("code-empty", one(action("a"), code="  \n"), {}, "actions/a/code.js: code: is empty"),
    ("code-not-utf8", one(action("a"), code=b"// caf\xe9\n" + CODE.encode()), {}, "actions/a/code.js: code: is not valid UTF-8"),
    ("code-too-large", one(action("a"), code="//" + "x" * (100 * 1024)), {}, "actions/a/code.js: code: is 102402 bytes; the limit is 102400 bytes"),
    ("code-escapes", one(action("a", code="../../outside.js")), {}, f"{A}: code: '../../outside.js' points outside the config directory"),
    ("code-absolute", one(action("a", code="/etc/passwd")), {}, f"{A}: code: must be a relative path"),
    ("code-inline", one(action("a", code="exports.onExecutePostLogin = async () => {}")), {}, f"{A}: code: must be the path of the code file"),
    ("code-unresolved-keyword", one(action("a"), code="const k = '##NOPE##';\n" + CODE), {}, "actions/a/code.js: code: unresolved keyword ##NOPE## (line 1)"),
    ("dependencies-11", one(action("a", dependencies=[{"name": f"p{i}", "version": "1.0.0"} for i in range(11)])), {}, f"{A}: dependencies: has 11 dependencies; Auth0 allows at most 10 per action"),
    ("dependencies-object", one(action("a", dependencies={"axios": "1.0.0"})), {}, f"{A}: dependencies: must be an array, got an object"),
    ("dependency-bad-name", one(action("a", dependencies=[{"name": "no spaces", "version": "1"}])), {}, f"{A}: dependencies[0].name: 'no spaces' is not an npm package name"),
    ("dependency-number-version", one(action("a", dependencies=[{"name": "axios", "version": 1}])), {}, f"{A}: dependencies[0].version: must be a string, got a number"),
    ("secrets-31", one(action("a", secrets=[{"name": f"S{i}", "value": f"##V{i}##"} for i in range(31)])), {f"V{i}": "x" for i in range(31)}, f"{A}: secrets: has 31 secrets; Auth0 allows at most 30 per action"),
    ("secret-name-too-long", one(action("a", secrets=[{"name": "N" * 129, "value": "##V##"}])), {"V": CANARY}, f"{A}: secrets[0].name: is longer than 128 characters"),
    ("secret-name-space", one(action("a", secrets=[{"name": " KEY", "value": "##V##"}])), {"V": CANARY}, f"{A}: secrets[0].name: must not start or end with whitespace"),
    ("secret-value-too-long", one(action("a", secrets=[{"name": "K", "value": "##V##"}])), {"V": "v" * 4097}, f"{A}: secrets[0].value: is longer than 4096 characters"),
    ("secret-twice", one(action("a", secrets=[{"name": "K", "value": "##V##"}, {"name": "K", "value": "##V##"}])), {"V": CANARY}, f"{A}: secrets[1].name: secret 'K' is listed twice (also secrets[0])"),
    ("secret-masked", one(action("a", secrets=[{"name": "K", "value": "_VALUE_NOT_SHOWN_"}])), {}, f"{A}: secrets[0].value: secret 'K' is _VALUE_NOT_SHOWN_, a placeholder"),
    ("secret-masked-via-keyword", one(action("a", secrets=[{"name": "K", "value": "##V##"}])), {"V": "_VALUE_NOT_SHOWN_"}, f"{A}: secrets[0].value: secret 'K' is _VALUE_NOT_SHOWN_"),
    ("secret-empty-after-keyword", one(action("a", secrets=[{"name": "K", "value": "##V##"}])), {"V": ""}, f"{A}: secrets[0].value: secret 'K' is empty after keyword replacement"),
    ("secret-no-value-as-exported", one(action("a", secrets=[{"name": "K"}])), {}, f"{A}: secrets[0].value: is required: Auth0 never returns secret values"),
    ("secret-unresolved", one(action("a", secrets=[{"name": "K", "value": "##NOPE##"}])), {}, f"{A}: secrets[0].value: unresolved keyword ##NOPE##"),
    ("modules", one(action("a", modules=[{"module_name": "m", "module_version_number": 1}])), {}, f"{A}: modules: is not supported by this tool"),
    ("deployed-string", one(action("a", deployed="yes")), {}, f"{A}: deployed: must be a boolean, got a string"),
    ("triggers-unknown", one(action("a"), {"post-logon": []}), {}, f"{T}: (file): unknown trigger 'post-logon'; known triggers: post-login"),
    ("triggers-not-object", one(action("a"), []), {}, f"{T}: (file): must be a JSON object of trigger id -> list of bindings, got an array"),
    ("triggers-list-not-array", one(action("a"), {"post-login": {"action_name": "a"}}), {}, f"{T}: post-login: must be an array, got an object"),
    ("binding-no-name", one(action("a"), {"post-login": [{"display_name": "x"}]}), {}, f"{T}: post-login[0].action_name: is required"),
    ("binding-unknown-field", one(action("a"), bound(ref="x")), {}, f"{T}: post-login[0].ref: unknown field"),
    ("bindings-21", many([action(f"a{i}") for i in range(21)], {"post-login": [{"action_name": f"a{i}"} for i in range(21)]}), {}, f"{T}: post-login: has 21 bindings; Auth0 allows at most 20 per trigger"),
    ("binding-entity-bound", one(action("a", supported_triggers=[{"id": "custom-token-exchange", "version": "v1"}]), bound(trigger="custom-token-exchange")), {}, f"{T}: custom-token-exchange: custom-token-exchange is entity-bound"),
    ("binding-wrong-trigger", one(action("a"), bound(trigger="credentials-exchange")), {}, f"{T}: credentials-exchange[0].action_name: action 'a' runs on post-login (its supported_triggers, in"),
    ("binding-undeployed", one(action("a", deployed=False), bound()), {}, f"{T}: post-login[0].action_name: action 'a' is not deployed"),
    ("binding-twice", one(action("a"), {"post-login": [{"action_name": "a"}, {"action_name": "a"}]}), {}, f"{T}: post-login[1].action_name: action 'a' is bound twice on post-login (also [0])"),
    ("triggers-bad-json", one(action("a"), '{"post-login": [,]}'), {}, f"{T}: (file): is not valid JSON: Expecting value (line 1 column 17)"),
    ("triggers-duplicate-key", one(action("a"), '{"post-login": [], "post-login": []}'), {}, f"{T}: (file): has duplicate keys 'post-login'"),
    ("actions-is-a-file", _actions_is_a_file, {}, "actions: (dir): must be a directory"),
]


@pytest.mark.parametrize("case,build,env,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_config_is_one_line_naming_file_and_field(case: str, build: Build, env: dict[str, str], expected: str, tmp_path: Path) -> None:
    config = build(tmp_path / case)
    result = CliRunner().invoke(cli, ["validate", "--require-keywords", "-c", str(config)], env={"AUTH0_KEYWORD_REPLACE_MAPPINGS": None, **env})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith(str(config) + "/")]
    assert any(line[len(str(config)) + 1:].startswith(expected) for line in lines), f"{expected!r} not in:\n{result.output}"
    for value in env.values():
        if len(value) >= 8 and value != "_VALUE_NOT_SHOWN_":
            assert value not in result.output
    assert check(config, env=env).desired is None


def test_every_problem_at_once(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a", runtime="node18"), action("b", deployed=False)], {"post-login": [{"action_name": "b"}], "mcp-tool": [{"action_name": "a"}]})
    report = check(config, env={})
    text = "\n".join(map(str, report.errors))
    assert "runtime: node18 is not supported" in text and "action 'b' is not deployed" in text and "mcp-tool is entity-bound" in text


def test_literal_secret_is_a_warning_strict_makes_it_an_error(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a", secrets=[{"name": "K", "value": CANARY}])])
    lenient = CliRunner().invoke(cli, ["validate", "-c", str(config)])
    assert lenient.exit_code == 0 and "warning: secrets[0].value: secret 'K' value is written literally" in lenient.output
    assert CANARY not in lenient.output
    assert CliRunner().invoke(cli, ["validate", "-c", str(config), "--strict"]).exit_code == 1


def test_deprecated_trigger_version_is_a_warning(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a", supported_triggers=[{"id": "post-login", "version": "v2"}])])
    report = check(config, env={})
    assert report.ok() and any("post-login v2 is deprecated; v3 is current" in str(w) for w in report.warnings)


def test_marketplace_actions_are_left_alone_and_may_be_bound(tmp_path: Path) -> None:
    market = {"name": "vendor-mfa", "integration": {"id": "x"}, "supported_triggers": [{"id": "post-login", "version": "v3"}]}
    config = write_dir(tmp_path / "c", [action("a"), market], {"post-login": [{"action_name": "vendor-mfa"}, {"action_name": "a"}]},
                       code={"vendor-mfa": None})
    report = check(config, env={})
    assert report.ok(), [str(p) for p in report.problems]
    assert report.desired is not None
    got = report.desired["action"]
    assert [a.name for a in got.actions] == ["a"] and got.marketplace == {"vendor-mfa"}
    assert got.bindings.get("post-login") == (("vendor-mfa", "vendor-mfa"), ("a", "a"))
    assert any("marketplace action: left alone" in str(w) for w in report.warnings)


def test_binding_to_an_action_outside_the_config_is_left_for_the_live_check(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("add-claims")], {"post-login": [{"action_name": "add-claim"}, {"action_name": "add-claims"}]})
    report = check(config, env={})
    assert report.ok()
    (warn,) = [str(w) for w in report.warnings]
    assert "post-login[0].action_name: action 'add-claim' is not in the config" in warn and "did you mean 'add-claims'?" in warn
    assert report.desired is not None
    got = report.desired["action"]
    assert got.live_refs == (LiveRef("post-login", "add-claim", str(config / T)),)
    assert check_live_refs(got, {"add-claim"}) == []
    assert "neither in the config nor in the tenant" in str(check_live_refs(got, set())[0])
    assert "which this plan deletes" in str(check_live_refs(got, {"add-claim"}, deleting={"add-claim"})[0])


def test_check_live_refs_on_a_hand_built_state() -> None:
    desired = ActionsDesired(bindings=TriggerBindings({"post-login": (("x", "x"),)}), live_refs=(LiveRef("post-login", "x", "t.json"),))
    assert str(check_live_refs(desired, set())[0]).startswith("t.json: post-login: binds action 'x'")
