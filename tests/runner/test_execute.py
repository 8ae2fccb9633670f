"""Hooks and actions run in real Node: what they produce, and the walls around them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from reconciler.errors import RunError
from reconciler.runner.execute import run_script
from reconciler.runner.node import Node
from reconciler.runner.outcome import Outcome
from reconciler.runner.samples import Sample, builtin_samples

CANARY = "canary-7f3a9c-secret-value"
PRE = "pre-user-registration"


def sample(trigger: str) -> Sample:
    return builtin_samples(trigger)[0]


def run(node: Node, code: str, trigger: str = PRE, kind: str = "hook", secrets: Mapping[str, str] | None = None,
        event: Mapping[str, Any] | None = None, timeout: float = 10.0) -> Outcome:
    return run_script(
        kind=kind, name="t", trigger=trigger, code=code, secrets=secrets or {},
        sample=Sample("e", event) if event is not None else sample(trigger), timeout=timeout, node=node,
    )


def test_hook_that_blocks_a_registration(node: Node) -> None:
    code = "module.exports = function (user, context, cb) { cb(new PreUserRegistrationError('no', 'Not you.')); };"
    assert run(node, code).effects.denied == {"reason": "no", "user_message": "Not you."}


def test_hook_adds_claims_with_a_secret_and_the_value_is_masked(node: Node) -> None:
    code = """module.exports = function (client, scope, audience, context, cb) {
      cb(null, { scope: scope, 'https://x/key': context.webtask.secrets.KEY, 'https://x/aud': audience });
    };"""
    outcome = run(node, code, trigger="credentials-exchange", secrets={"KEY": CANARY})
    assert outcome.effects.access_token_claims == {"https://x/key": "##KEY##", "https://x/aud": "https://api.example.com/"}
    assert outcome.effects.scopes is None  # scope passed through unchanged
    assert CANARY not in json.dumps(outcome.to_dict())


def test_hook_with_a_dependency_is_stubbed_and_its_request_recorded(node: Node) -> None:
    code = """module.exports = function (user, context, cb) {
      const axios = require('axios@1.6.8');
      axios.post('https://hooks.example/' + context.webtask.secrets.TOKEN, { email: user.email })
        .then(function (res) { cb(null, { user: { app_metadata: { status: res.status } } }); });
    };"""
    outcome = run(node, code, secrets={"TOKEN": CANARY})
    assert outcome.effects.requests == ({"call": "axios.post", "args": ["https://hooks.example/##TOKEN##", {"email": "ada@example.com"}]},)
    assert outcome.effects.app_metadata == {"status": 200}
    assert outcome.raw["modules"] == [{"name": "axios", "version": "1.6.8", "stubbed": True}]


def test_action_api_calls_are_recorded_as_effects(node: Node) -> None:
    code = """exports.onExecutePostLogin = async (event, api) => {
      api.idToken.setCustomClaim('https://x/roles', event.authorization.roles);
      api.accessToken.setCustomClaim('https://x/plan', event.user.app_metadata.plan);
      if (event.stats.logins_count > 100) api.access.deny('too many');
    };"""
    outcome = run(node, code, trigger="post-login", kind="action")
    assert outcome.effects.id_token_claims == {"https://x/roles": ["admin"]}
    assert outcome.effects.access_token_claims == {"https://x/plan": "pro"}
    assert outcome.effects.denied is None
    assert [c["call"] for c in outcome.raw["api_calls"]] == ["api.idToken.setCustomClaim", "api.accessToken.setCustomClaim"]


def test_action_deny_on_pre_user_registration(node: Node) -> None:
    code = "exports.onExecutePreUserRegistration = async (event, api) => { api.access.deny('blocked', 'Try later.'); };"
    assert run(node, code, kind="action").effects.denied == {"reason": "blocked", "user_message": "Try later."}


def test_action_calling_an_api_method_its_trigger_lacks_fails_as_in_auth0(node: Node) -> None:
    code = "exports.onExecutePostUserRegistration = async (event, api) => { api.user.setUserMetadata('a', 1); };"
    outcome = run(node, code, trigger="post-user-registration", kind="action")
    assert outcome.effects.error is not None and outcome.effects.error["name"] == "TypeError"


@pytest.mark.parametrize(
    "statement",
    [
        "require('fs').readFileSync('/etc/hostname')",
        "require('child_process').execSync('id')",
        "require('https').request('https://example.com/', function () {}).end()",
        "fetch('https://example.com/')",
    ],
)
def test_network_processes_and_files_are_never_reached(node: Node, statement: str) -> None:
    code = f"module.exports = function (user, context, cb) {{ {statement}; cb(); }};"
    outcome = run(node, code, trigger="post-user-registration")
    assert outcome.effects.error is None
    assert outcome.effects.requests  # recorded instead of done


def test_the_file_system_outside_the_run_directory_is_refused_even_by_node_internals(node: Node) -> None:
    code = """module.exports = function (user, context, cb) {
      const fs = process.mainModule ? process.mainModule.require('fs') : null;
      cb(null, { user: { app_metadata: { read: fs ? String(fs.readFileSync('/etc/hostname')) : 'no-fs' } } });
    };"""
    outcome = run(node, code)
    # The script's realm has no way to Node's modules at all (process is the realm's own);
    # tests/runner/test_sandbox_attacks.py shows Node's permission model behind it.
    assert outcome.effects.app_metadata == {"read": "no-fs"}


def test_environment_is_empty(node: Node) -> None:
    code = "module.exports = function (user, context, cb) { cb(null, { user: { app_metadata: { env: Object.keys(process.env).sort() } } }); };"
    assert run(node, code).effects.app_metadata == {"env": ["HOME", "LANG", "TZ"]}


def test_runs_are_deterministic(node: Node) -> None:
    code = "module.exports = function (u, c, cb) { cb(null, { user: { app_metadata: { at: new Date().toISOString(), r: Math.random() } } }); };"
    assert run(node, code).effects == run(node, code).effects


def test_a_script_that_loops_forever_is_stopped(node: Node) -> None:
    outcome = run(node, "module.exports = function () { for (;;) {} };", timeout=1.0)
    assert outcome.effects.timed_out


def test_a_hook_that_never_calls_back_is_reported(node: Node) -> None:
    assert run(node, "module.exports = function (u, c, cb) {};").effects.unanswered


def test_a_script_cannot_forge_the_outcome(node: Node) -> None:
    code = """module.exports = function (u, c, cb) {
      process.stdout.write(JSON.stringify({ kind: 'hook', callback: { error: null, result: { user: { app_metadata: { forged: true } } } } }) + '\\n');
      process.exit(0);
    };"""
    try:
        outcome = run(node, code)
    except RunError as error:
        assert "without an outcome" in str(error)
    else:
        assert outcome.effects.app_metadata == {} and outcome.effects.error is not None


def test_syntax_errors_are_part_of_the_outcome(node: Node) -> None:
    outcome = run(node, "module.exports = function ( {")
    assert outcome.effects.error is not None and outcome.effects.error["name"] == "SyntaxError"


def test_hook_error_globals_exist_for_hooks_only_as_in_auth0(node: Node) -> None:
    code = "exports.onExecutePreUserRegistration = async (event, api) => { throw new PreUserRegistrationError('x'); };"
    outcome = run(node, code, kind="action")
    assert outcome.effects.error is not None and outcome.effects.error["name"] == "ReferenceError"


def test_several_runs_share_a_process_and_a_killed_one_does_not_take_the_others(node: Node) -> None:
    from reconciler.runner.execute import Job, run_scripts

    event = sample(PRE)
    answer = "module.exports = function (u, c, cb) { console.log('ran'); cb(null, { user: { app_metadata: { n: 1 } } }); };"
    jobs = [Job("hook", name, PRE, code, {}, event) for name, code in
            [("first", answer), ("spins", "module.exports = function () { for (;;) {} };"), ("after", answer)]]
    first, spins, after = run_scripts(jobs, timeout=1.0, node=node)
    assert first.effects.app_metadata == {"n": 1} and first.raw["logs"] == ["ran"]
    assert spins.effects.timed_out
    assert after.effects.app_metadata == {"n": 1} and after.raw["logs"] == ["ran"]


def test_time_in_the_script_is_virtual_and_the_limit_applies_to_it(node: Node) -> None:
    waits = "module.exports = function (u, c, cb) { setTimeout(function () { cb(null, { user: { app_metadata: { at: Date.now() } } }); }, 5000); };"
    assert run(node, waits, timeout=10.0).effects.app_metadata == {"at": 1767225600000}
    assert run(node, waits, timeout=2.0).effects.timed_out


def test_with_the_inspector_for_the_harness_scripts_still_run_in_their_realm(node: Node) -> None:
    from reconciler.runner.execute import Job, run_scripts

    code = ("module.exports = function (u, c, cb) { let how = 'none';"
            " try { how = typeof require('inspector').Session; } catch (e) { how = 'threw'; }"
            " cb(null, { user: { app_metadata: { how: how, process: typeof Function('return process')().binding } } }); };")
    [outcome] = run_scripts([Job("hook", "i", PRE, code, {}, sample(PRE))], node=node, inspector=True)
    assert outcome.effects.app_metadata == {"how": "function", "process": "undefined"}  # a recording stub, the realm's process
    assert outcome.raw["modules"] == [{"name": "inspector", "stubbed": True}]
    assert "--experimental-permission" not in node.command("h.js", "/d", inspector=True)


def test_a_run_cannot_end_the_next_run_of_its_batch(node: Node) -> None:
    from reconciler.runner.execute import Job, run_scripts

    event = sample(PRE)
    # The first run answers, then leaves a rejection behind that would land during the second.
    late = ("module.exports = function (u, c, cb) { cb(null, {}); Promise.resolve().then(() => {"
            " setTimeout(() => {}, 0); return new Promise((r) => setTimeout(r, 0)); }).then(() => Promise.reject(new Error('late'))); };")
    answer = "module.exports = function (u, c, cb) { setTimeout(() => cb(null, { user: { app_metadata: { n: 2 } } }), 50); };"
    first, second = run_scripts([Job("hook", "a", PRE, late, {}, event), Job("hook", "b", PRE, answer, {}, event)], node=node)
    assert first.effects.error is None
    assert second.effects.error is None and second.effects.app_metadata == {"n": 2}


def test_runs_of_one_process_share_the_realms_code_but_no_object(node: Node) -> None:
    """The realm's own files are compiled once per process; what a run changes in its realm
    (built-ins, globals, the modules require gives, the Hooks model) is gone in the next run."""
    from reconciler.runner.execute import Job, run_scripts

    event = sample(PRE)
    patches = ("module.exports = function (u, c, cb) { Array.prototype.tainted = 1; globalThis.left = 1;"
               " require('crypto').tainted = 1; require('util').format = () => 'patched'; JSON.tainted = 1;"
               " PreUserRegistrationError.tainted = 1; cb(null, { user: { app_metadata: { n: 1 } } }); };")
    looks = ("module.exports = function (u, c, cb) { cb(null, { user: { app_metadata: {"
             " array: typeof [].tainted, global: typeof globalThis.left, crypto: typeof require('crypto').tainted,"
             " format: require('util').format('%s', 'x'), json: typeof JSON.tainted,"
             " model: typeof PreUserRegistrationError.tainted } } }); };")
    first, second = run_scripts([Job("hook", "a", PRE, patches, {}, event), Job("hook", "b", PRE, looks, {}, event)], node=node)
    assert first.effects.app_metadata == {"n": 1}
    assert second.effects.app_metadata == {"array": "undefined", "global": "undefined", "crypto": "undefined",
                                           "format": "x", "json": "undefined", "model": "undefined"}


def test_the_realm_offers_what_hooks_commonly_use(node: Node) -> None:
    code = """module.exports = function (u, c, cb) {
      const crypto = require('crypto');
      const qs = require('querystring');
      const util = require('util');
      cb(null, { user: { app_metadata: {
        hmac: crypto.createHmac('sha256', 'key').update('data').digest('hex'),
        sha1: crypto.createHash('sha1').update(Buffer.from('abc')).digest('base64'),
        b64: Buffer.from('héllo wörld').toString('base64'), back: Buffer.from('aMOpbGxv', 'base64').toString(),
        hex: Buffer.from('hi').toString('hex'), btoa: btoa('user:pass'), atob: atob('dXNlcjpwYXNz'),
        url: new URL('/p?q=1&r=two', 'https://a.example:8443').href, q: new URL('https://a.example/?q=1').searchParams.get('q'),
        qs: qs.stringify({ a: 'x y', b: [1, 2] }), parsed: qs.parse('a=1&b=two'), fmt: util.format('%s=%d', 'n', 42),
        text: new TextDecoder().decode(new TextEncoder().encode('ünï')), uuid: crypto.randomUUID().length,
      } } });
    };"""
    got = run(node, code).effects.app_metadata
    assert got == {
        "hmac": "5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0", "sha1": "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=",
        "b64": "aMOpbGxvIHfDtnJsZA==", "back": "héllo", "hex": "6869", "btoa": "dXNlcjpwYXNz", "atob": "user:pass",
        "url": "https://a.example:8443/p?q=1&r=two", "q": "1", "qs": "a=x%20y&b=1&b=2", "parsed": {"a": "1", "b": "two"},
        "fmt": "n=42", "text": "ünï", "uuid": 36,
    }
