"""The proof measures its own reach: generated cases, scripted answers, coverage, verdicts, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config

POST = "post-user-registration"


def check(config: Path) -> Result:
    return CliRunner().invoke(cli, ["migrate", "-c", str(config), "--check"])


def test_a_hook_that_never_answers_is_unverified_not_ok(node: Node, tmp_path: Path) -> None:
    config = hook_config(tmp_path, "silent", POST, "module.exports = function (user, context, cb) { };")
    result = check(config)
    assert result.exit_code == 3, result.output
    assert "unverified silent: the hook errors or never answers in every run" in result.stdout


def test_error_branches_run_through_scripted_outbound_answers(node: Node, tmp_path: Path) -> None:
    code = """module.exports = function (user, context, cb) {
  require('axios').post('https://crm.example/users', { email: user.email })
    .then(function (res) {
      if (res.data.state === 'merged') return cb(new Error('merged into ' + res.data.into));
      cb();
    })
    .catch(function (err) {
      if (err.response && err.response.status === 409) return cb();
      cb(new Error('crm: ' + (err.code || err.response.status)));
    });
};"""
    config = hook_config(tmp_path, "crm", POST, code)
    result = check(config)
    # 4xx/5xx/409 (a status the hook names)/network error/timeout reach the catch's branches; no
    # generated answer says "merged": that line never runs.
    assert result.exit_code == 3, result.output
    assert "unverified crm: line 4 never ran" in result.stdout
    answers = config / "tests" / "answers" / POST
    answers.mkdir(parents=True)
    (answers / "merged.json").write_text(json.dumps({"answers": [{"url": "crm.example", "status": 200, "body": {"state": "merged", "into": "u-1"}}]}))
    again = check(config)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("ok crm: same effects in ")


def test_a_bad_answers_file_is_one_line_naming_the_field(node: Node, tmp_path: Path) -> None:
    config = hook_config(tmp_path, "x", POST, "module.exports = function (user, context, cb) { cb(); };")
    answers = config / "tests" / "answers" / POST
    answers.mkdir(parents=True)
    (answers / "bad.json").write_text(json.dumps({"answers": [{"url": "a", "status": 999}]}))
    result = check(config)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.json: answers[0].status: must be an HTTP status" in result.stderr


def test_check_before_and_after_write_runs_the_adapter_it_writes(node: Node, tmp_path: Path) -> None:
    # Hooks ignored a second callback; the translation would deny and then set metadata too.
    code = """module.exports = function (user, context, cb) {
  cb(null, { user: { user_metadata: { first: true } } });
  cb(new Error('too late'));
};"""
    config = hook_config(tmp_path, "revoke", "pre-user-registration", code)
    before = check(config)
    written = CliRunner().invoke(cli, ["migrate", "-c", str(config), "--write"])
    assert "revoke: adapted (the translation differs from the hook" in written.stderr
    after = check(config)
    assert before.exit_code == after.exit_code == 0, before.output
    assert before.stdout.replace("generated action", "config action") == after.stdout


def test_a_hook_cannot_open_its_own_inspector_session(node: Node) -> None:
    # The proof's process runs the inspector for its coverage session only, outside the script's realm.
    code = """module.exports = function (user, context, cb) {
  let opened = 'no';
  try { new (process.getBuiltinModule('inspector').Session)().connect(); opened = 'yes'; } catch (e) { opened = 'refused'; }
  try { process.getBuiltinModule('inspector').open(9229); opened += ' port'; } catch (e) { opened += ' no-port'; }
  require('axios').post('https://x.example/', { opened });
  cb();
};"""
    from reconciler.runner.proof import run_proof
    from reconciler.runner.samples import builtin_samples
    from reconciler.runner.targets import KeywordValues, Target

    hook = Target("hook", "spy", POST, code)
    record = run_proof(hook, hook, builtin_samples(POST), (), KeywordValues())
    sent = [r for run in record.runs for r in run.hook.requests]
    assert sent and all(r["args"][1] == {"opened": "refused no-port"} for r in sent), sent


def test_a_literal_secret_never_shows_in_the_proof_in_any_form(node: Node, tmp_path: Path) -> None:
    import base64
    import urllib.parse

    canary = "canary/7c1e+secret=value"
    code = """module.exports = function (client, scope, audience, context, cb) {
  const key = context.webtask.secrets.KEY;
  require('axios').post('https://x.example/?k=' + encodeURIComponent(key), {}, { headers: { authorization: 'Basic ' + Buffer.from('u:' + key).toString('base64') } })
    .then(function () { cb(null, { scope: scope, 'https://x.example/k': key === 'never' ? 1 : key }); });
};"""
    config = hook_config(tmp_path, "leaky", "credentials-exchange", code, secrets={"KEY": canary})
    actions = config / "actions" / "leaky"
    actions.mkdir(parents=True)
    # A wrong action of the same name: the DIFFERS output shows both results.
    (config / "actions" / "leaky.json").write_text(json.dumps({
        "name": "leaky", "code": "./actions/leaky/code.js", "runtime": "node22", "dependencies": [],
        "secrets": [{"name": "KEY", "value": "##KEY##"}], "supported_triggers": [{"id": "credentials-exchange", "version": "v2"}],
        "deployed": True}))
    (actions / "code.js").write_text("exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim('https://x.example/k', event.secrets.KEY); };")
    result = CliRunner().invoke(cli, ["migrate", "-c", str(config), "--check"], env={"KEY": canary})
    assert result.exit_code == 1, result.output
    assert "DIFFERS leaky" in result.stdout
    forms = [canary, json.dumps(canary)[1:-1], urllib.parse.quote(canary, safe=""), base64.b64encode(canary.encode()).decode()[4:-4]]
    for form in forms:
        assert form not in result.output, form
