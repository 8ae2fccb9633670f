"""The translation, statically (no Node): which shapes map, how, and which are refused with a reason."""

from __future__ import annotations

import pytest

from reconciler.migrate.adapter import adapter
from reconciler.migrate.person import needs_person
from reconciler.migrate.requires import rewrite_requires
from reconciler.migrate.shapes import NO_PERSISTENCE, SCOPES
from reconciler.migrate.translate import CannotTranslate, translate

PRE = "pre-user-registration"
CX = "credentials-exchange"


def test_deny_argument_order_per_trigger() -> None:
    pre = translate("h", PRE, "module.exports = function (user, context, cb) { cb(new PreUserRegistrationError('why', 'Shown')); };")
    assert "api.access.deny('why', 'Shown');" in pre
    cx = translate("h", CX, "module.exports = function (client, scope, audience, context, cb) { return cb(new InvalidScopeError('no')); };")
    assert "api.access.deny('invalid_scope', 'no');\n" in cx and "return;" in cx
    plain = translate("h", CX, "module.exports = function (c, s, a, ctx, callback) { callback(new Error('x')); };")
    assert "api.access.deny('server_error', 'x')" in plain


def test_parameters_become_event_fields_and_secrets_move() -> None:
    code = translate("h", PRE, """module.exports = function (u, ctx, done) {
  var key = ctx.webtask.secrets.KEY;
  var where = ctx.connection.tenant + ctx.request.hostname + u.id + u.emailVerified;
  var s = 'u.id in a string';
  done(null, { user: { app_metadata: { key: key, id: u.id } } });
};""")
    assert "event.secrets.KEY" in code
    assert "event.tenant.id + event.request.hostname + hookUserId(event) + event.user.email_verified" in code
    assert "'u.id in a string'" in code  # strings are not code
    assert "setRegistrationMetadata(api, { user: { app_metadata: { key: key, id: hookUserId(event) } } });" in code
    assert "exports.onExecutePreUserRegistration = async (event, api) =>" in code


def test_post_hook_callback_is_dropped_and_async_answers_awaited() -> None:
    sync = translate("h", "post-change-password", "module.exports = function (user, context, cb) {\n  console.log(user.email);\n  cb();\n};\n")
    assert "cb" not in sync.split("=> {", 1)[1] and "console.log(event.user.email);" in sync
    later = translate("h", "post-user-registration", "module.exports = function (user, context, cb) {\n  setTimeout(() => cb(), 1);\n};\n")
    assert "await new Promise((resolveHook) =>" in later and "setTimeout(() => { resolveHook(); }, 1)" in later


def test_pinned_require_becomes_plain_and_is_reported() -> None:
    text, found = rewrite_requires("const a = require('axios@1.6.8'); const b = require('@scope/x@2'); const c = require('crypto');")
    assert "require('axios')" in text and "require('@scope/x')" in text
    assert found == (("axios", "1.6.8"), ("@scope/x", "2"))


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("module.exports = function (user, context, cb) { user = {}; cb(); };", "assigns to its parameter"),
        ("module.exports = function (user, context, cb) { log(user); cb(); };", "uses `user`"),
        ("module.exports = function (user, context, cb) { var event = 1; cb(); };", "`event`"),
        ("exports.handler = function (user, context, cb) { cb(); };", "module.exports"),
        ("module.exports = function (user, cb) { cb(); };", "takes 2 parameters"),
        ("module.exports = function (user, context, cb) { cb(null, { user: { user_metadata: { a: 1 } } }); log(arguments); };", "reads `arguments`"),
    ],
)
def test_shapes_the_translation_refuses_say_why(code: str, reason: str) -> None:
    with pytest.raises(CannotTranslate, match=reason.replace("(", r"\(").replace("`", "`")):
        translate("h", PRE, code)


def test_post_hook_error_computed_by_a_call_is_not_translated() -> None:
    with pytest.raises(CannotTranslate, match="computes with a call"):
        translate("h", "post-user-registration", "module.exports = function (u, c, cb) { cb(makeError()); };")


def test_what_needs_a_person() -> None:
    scopes = "module.exports = function (client, scope, audience, context, cb) { cb(null, { scope: scope.slice(1) }); };"
    assert needs_person(CX, scopes) == f"{SCOPES}, on line 1"
    mutated = "module.exports = function (client, scope, audience, context, cb) { scope.push('x'); cb(null, { scope: scope }); };"
    assert needs_person(CX, mutated) == f"{SCOPES}, on line 1"
    passthrough = "module.exports = function (client, scope, audience, context, cb) { var t = {}; t.scope = scope; cb(null, t); };"
    assert needs_person(CX, passthrough) is None
    storage = "module.exports = function (u, context, cb) { context.webtask.storage.get(cb); };"
    assert needs_person(PRE, storage) == f"{NO_PERSISTENCE}, on line 1"


def test_adapter_keeps_the_hook_and_marks_the_todo() -> None:
    hook = "module.exports = function (user, context, cb) { helper(cb); };\nfunction helper(f) { f(new PreUserRegistrationError('a', 'b')); }\n"
    code = adapter("h", PRE, hook, "passes its callback on")
    assert "TODO(reconciler migrate): passes its callback on." in code
    assert hook.strip() in code
    assert "class PreUserRegistrationError extends Error" in code
    assert "exports.onExecutePreUserRegistration = async (event, api) =>" in code
