"""`reconciler migrate` end to end through the CLI, with real Node: diffs, files, proof, safety."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.migrate.migration import plan_migration
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config

CANARY = "canary-9d1e-secret-value"
PRE = "pre-user-registration"


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["migrate", *args], env=env or {})


def statuses(config: Path) -> dict[str, str]:
    return {r.migrated.name: r.migrated.status for r in plan_migration(str(config)).results}


def test_diff_only_without_write_and_report_per_hook(node: Node, example: Path) -> None:
    before = {p: p.read_bytes() for p in example.rglob("*") if p.is_file()}
    result = invoke("-c", str(example))
    assert result.exit_code == 0
    assert f"+++ b/{example.as_posix()}/actions/block-disposable-emails/code.js" in result.stdout
    assert "api.access.deny('Disposable e-mail address: ' + domain, 'Please sign up with a permanent e-mail address.')" in result.stdout
    assert "block-disposable-emails: translated" in result.stderr
    assert "audit-password-change: adapted (uses the name `event`" in result.stderr
    assert "add-api-claims: translated" in result.stderr
    assert {p: p.read_bytes() for p in example.rglob("*") if p.is_file()} == before


def test_write_disable_hooks_then_idempotent(node: Node, example: Path) -> None:
    meta = example / "hooks" / "block-disposable-emails.json"
    original = meta.read_text()
    assert invoke("-c", str(example), "--write", "--disable-hooks").exit_code == 0
    assert meta.read_text() == original.replace('"enabled": true', '"enabled": false')
    assert '"enabled": false' in (example / "hooks" / "add-api-claims.json").read_text()  # translated: disabled too
    action = json.loads((example / "actions" / "block-disposable-emails.json").read_text())
    assert action == {
        "name": "block-disposable-emails", "code": "./actions/block-disposable-emails/code.js", "runtime": "node22",
        "dependencies": [{"name": "disposable-email-domains", "version": "1.0.62"}], "secrets": [],
        "supported_triggers": [{"id": PRE, "version": "v2"}], "deployed": True,
    }
    snapshot = {p: p.read_bytes() for p in example.rglob("*") if p.is_file()}
    again = invoke("-c", str(example), "--write", "--disable-hooks")
    assert again.exit_code == 0 and again.stdout == ""
    assert "[up to date]" in again.stderr
    assert {p: p.read_bytes() for p in example.rglob("*") if p.is_file()} == snapshot


def test_hook_that_blocks_a_registration(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (user, context, cb) {
  if (user.email.endsWith('@mailinator.com')) return cb(new PreUserRegistrationError('blocked ' + user.email, 'Use another address.'));
  cb(null, { user: { app_metadata: { checked: true } } });
};"""
    config = hook_config(tmp_path, "blocker", PRE, code)
    assert invoke("-c", str(config), "--write").exit_code == 0
    assert statuses(config) == {"blocker": "translated"}
    result = invoke("-c", str(config), "--check")
    assert result.exit_code == 0, result.stdout
    assert re.search(r"^ok blocker: same effects in \d+ runs, (\d+)/\1 branches of the hook \(the config action\)$", result.stdout, re.M)


def test_hook_that_adds_claims_with_a_secret_never_shows_the_value(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (client, scope, audience, context, cb) {
  cb(null, { scope: scope, 'https://x/key': context.webtask.secrets.API_KEY, 'https://x/aud': audience });
};"""
    config = hook_config(tmp_path, "claims", "credentials-exchange", code, secrets={"API_KEY": "##API_KEY##"})
    env = {"API_KEY": CANARY}
    shown = invoke("-c", str(config), env=env)
    checked = invoke("-c", str(config), "--check", env=env)
    assert shown.exit_code == 0 and checked.exit_code == 0, checked.stdout
    assert '"value": "##API_KEY##"' in shown.stdout and "claims: translated" in shown.stderr
    assert '"https://x/key": "##API_KEY##"' in checked.stdout or "ok claims" in checked.stdout
    for output in (shown.stdout, shown.stderr, checked.stdout, checked.stderr):
        assert CANARY not in output


def test_literal_secret_becomes_a_keyword_not_a_copy(node: Node, tmp_path: Path) -> None:
    code = "module.exports = function (u, context, cb) { cb(); };"
    config = hook_config(tmp_path, "lit", "post-user-registration", code, secrets={"TOKEN": CANARY})
    result = invoke("-c", str(config))
    assert '"value": "##TOKEN##"' in result.stdout and CANARY not in result.output


def test_hook_with_a_dependency(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (user, context, cb) {
  var axios = require('axios@1.6.8');
  var uuid = require('uuid');
  axios.post('https://audit.example/', { id: user.id }).then(function () { cb(); });
};"""
    config = hook_config(tmp_path, "dep", "post-user-registration", code, dependencies={"lodash": "4.17.21"})
    result = invoke("-c", str(config), "--write")
    assert result.exit_code == 0
    action = json.loads((config / "actions" / "dep.json").read_text())
    assert action["dependencies"] == [{"name": "lodash", "version": "4.17.21"}, {"name": "axios", "version": "1.6.8"},
                                      {"name": "uuid", "version": "latest"}]
    assert "require('axios')" in (config / "actions" / "dep" / "code.js").read_text()
    assert 'uuid is required without a version' in result.stderr
    assert invoke("-c", str(config), "--check").exit_code == 0


def test_hook_that_must_be_adapted_runs_unchanged_and_checks(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (user, context, cb) {
  decide(user, cb);
};
function decide(u, done) {
  if (u.email.indexOf('mailinator') > 0) return done(new PreUserRegistrationError('no', 'Not here.'));
  done(null, { user: { user_metadata: { ok: u.email } } });
}"""
    config = hook_config(tmp_path, "adapt", PRE, code)
    result = invoke("-c", str(config), "--write")
    assert "adapt: adapted (uses `user` as a whole, which has no event field in Actions, on line 2)" in result.stderr
    written = (config / "actions" / "adapt" / "code.js").read_text()
    assert "TODO(reconciler migrate): uses `user` as a whole, which has no event field in Actions, on line\n * 2." in written
    assert code in written
    assert invoke("-c", str(config), "--check").exit_code == 0


def test_translation_that_differs_falls_back_to_the_adapter(node: Node, tmp_path: Path) -> None:
    # A second callback call is ignored by Hooks; the translation would deny and then set metadata.
    code = """module.exports = function (user, context, cb) {
  cb(null, { user: { user_metadata: { first: true } } });
  cb(new Error('too late'));
};"""
    config = hook_config(tmp_path, "twice", PRE, code)
    result = invoke("-c", str(config))
    assert "twice: adapted (the translation differs from the hook on event 'regular-signup' (denied))" in result.stderr


def test_hook_that_needs_a_person_fails_the_check_with_both_results(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (client, scope, audience, context, cb) {
  cb(null, { scope: (scope || []).filter(function (s) { return s !== 'admin:invoices'; }) });
};"""
    config = hook_config(tmp_path, "scopes", "credentials-exchange", code)
    shown = invoke("-c", str(config), "--disable-hooks", "--write")
    assert "scopes: needs a person (changes the token's scopes" in shown.stderr
    assert '"enabled": true' in (config / "hooks" / "scopes.json").read_text()  # never disabled
    checked = invoke("-c", str(config), "--check")
    assert checked.exit_code == 1
    assert "DIFFERS scopes on event 'partner-client': denied, scopes" in checked.stdout
    assert '"read:invoices"' in checked.stdout


def test_existing_action_of_that_name_is_a_conflict_not_an_overwrite(node: Node, example: Path) -> None:
    code = example / "actions" / "block-disposable-emails" / "code.js"
    assert invoke("-c", str(example), "--write").exit_code == 0
    code.write_text(code.read_text() + "\n// edited by a person\n")
    result = invoke("-c", str(example), "--write")
    assert result.exit_code == 1
    assert "block-disposable-emails: conflict (an action named 'block-disposable-emails' already exists" in result.stderr
    assert code.read_text().endswith("// edited by a person\n")


def test_triggers_file_keeps_existing_bindings_and_merges(node: Node, example: Path) -> None:
    before = json.loads((example / "triggers" / "triggers.json").read_text())
    invoke("-c", str(example), "--write")
    after = json.loads((example / "triggers" / "triggers.json").read_text())
    for trigger, bindings in before.items():
        assert after[trigger][: len(bindings)] == bindings


def test_only_and_unknown_names(node: Node, example: Path) -> None:
    result = invoke("-c", str(example), "--only", "legacy-token-claims")
    assert result.exit_code == 0 and result.stderr.startswith("legacy-token-claims: translated")
    assert "triggers.json" not in result.stdout  # disabled hook: no binding
    missing = invoke("-c", str(example), "--only", "nope")
    assert missing.exit_code == 1 and "no hook named 'nope'" in missing.stderr


def test_bad_config_is_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "x.json").write_text("{ not json")
    result = invoke("-c", str(tmp_path))
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_check_without_node_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, example: Path) -> None:
    from reconciler.runner import node as node_module

    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda name: None)
    monkeypatch.setattr(node_module, "_wheel_node", lambda: None)
    node_module.find_node.cache_clear()
    try:
        result = invoke("-c", str(example), "--check")
        shown = invoke("-c", str(example))
    finally:
        node_module.find_node.cache_clear()
    assert result.exit_code == 1 and "Node.js was not found" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "block-disposable-emails: translated (unverified: Node.js not found)" in shown.stderr
