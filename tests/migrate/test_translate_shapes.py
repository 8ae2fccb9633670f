"""The parser-based translation, shape by shape: every reference to a hook parameter is renamed
(template literals, nested and arrow functions, shorthand, destructuring), shadowing respected,
and anything that would leave a parameter behind goes to the adapter with its line."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable

import pytest

from reconciler.migrate.classify import ADAPTED, TRANSLATED, classify
from reconciler.migrate.jsbindings import bind
from reconciler.migrate.jsparse import Source
from reconciler.migrate.translate import CannotTranslate, translate
from reconciler.runner.node import Node

PRE, POST, PCP, CX, SMS = ("pre-user-registration", "post-user-registration", "post-change-password",
                           "credentials-exchange", "send-phone-message")


def free(code: str, *names: str) -> set[str]:
    """The given names read as globals in ``code`` (a parameter left behind)."""
    source = Source(code)
    source.check()
    bindings = bind(source)
    return {source.of(r) for r in bindings.references if bindings.of(r) is None and source.of(r) in names}


def test_template_literals_are_renamed_even_nested() -> None:
    code = translate("h", PRE, """module.exports = function (user, context, cb) {
  const where = `${context.connection.name}: ${user.email ? `<${user.email}>` : 'none'}`;
  return cb(new PreUserRegistrationError(`no ${user.username}`, `Sorry ${user.email}`));
};""")
    assert "`${event.connection.name}: ${event.user.email ? `<${event.user.email}>` : 'none'}`" in code
    assert "api.access.deny(`no ${event.user.username}`, `Sorry ${event.user.email}`);" in code
    assert not free(code, "user", "context", "cb")


def test_strings_comments_and_regular_expressions_are_left_alone() -> None:
    code = translate("h", POST, """module.exports = function (user, context, cb) {
  // user.email in a comment
  const re = /user\\.email/;
  console.log('user.email', "context.webtask", re.test(user.email));
  cb();
};""")
    assert "// user.email in a comment" in code and "/user\\.email/" in code
    assert "console.log('user.email', \"context.webtask\", re.test(event.user.email));" in code


def test_nested_and_arrow_functions_and_shadowing() -> None:
    code = translate("h", POST, """module.exports = function (user, context, cb) {
  function describe(user) { return user.name; }
  const list = [1].map((context) => context + 1);
  try { JSON.parse('x'); } catch (user) { console.log(user.message); }
  for (const user of []) { console.log(user.id); }
  { let context = 3; console.log(context); }
  setTimeout(() => { console.log(describe({ name: user.email }), context.connection.name); cb(); }, 1);
};""")
    assert "function describe(user) { return user.name; }" in code
    assert "[1].map((context) => context + 1)" in code
    assert "catch (user) { console.log(user.message); }" in code
    assert "for (const user of []) { console.log(user.id); }" in code
    assert "{ let context = 3; console.log(context); }" in code
    assert "describe({ name: event.user.email }), event.connection.name" in code
    assert "await new Promise((resolveHook) =>" in code


def test_shorthand_properties_take_the_event_field() -> None:
    code = translate("h", SMS, """module.exports = async (recipient, text, context, cb) => {
  const body = { recipient, text, code: context.code }
  await send(body)
  cb(null, {})
}
async function send(body) { return body }""")
    assert "{ recipient: event.message_options.recipient, text: event.message_options.text, code: event.message_options.code }" in code
    with pytest.raises(CannotTranslate, match=r"uses `user` as a whole"):
        translate("h", POST, "module.exports = function (user, context, cb) { log({ user }); cb(); };")


def test_destructuring_a_parameter_builds_the_fields_it_reads() -> None:
    code = translate("h", PRE, """module.exports = function (user, context, cb) {
  const { email, user_metadata: meta = {} } = user;
  const { webtask: { secrets } } = context;
  cb(null, { user: { app_metadata: { email, key: secrets.KEY, lang: meta.lang } } });
};""")
    assert "const { email, user_metadata: meta = {} } = { email: event.user.email, user_metadata: event.user.user_metadata };" in code
    assert "const { webtask: { secrets } } = { webtask: { secrets: event.secrets } };" in code
    with pytest.raises(CannotTranslate, match="uses `user` as a whole"):
        translate("h", PRE, "module.exports = function (user, context, cb) { const { email, ...rest } = user; cb(); };")


@pytest.mark.parametrize("export", [
    "module.exports = async function (user, context, cb) {{ {body} }};",
    "module.exports = (user, context, cb) => {{ {body} }};",
    "module.exports = async (user, context, cb) => {{ {body} }}",
    "function handler(user, context, cb) {{ {body} }}\nmodule.exports = handler;",
])
def test_function_forms_are_accepted(export: str) -> None:
    code = translate("h", PCP, "const https = require('https')\n" + export.format(body="console.log(user.email)\n cb()"))
    assert "exports.onExecutePostChangePassword = async (event, api) =>" in code
    assert "console.log(event.user.email)" in code and "handler" not in code
    assert not free(code, "user", "context", "cb")


def test_a_const_alias_of_the_callback_is_the_callback() -> None:
    code = translate("h", PRE, """module.exports = function (user, context, cb) {
  const done = cb;
  const finish = done;
  setTimeout(() => finish(null, { user: { user_metadata: { at: 1 } } }), 1);
};""")
    assert "done" not in code and "finish" not in code
    assert "setTimeout(() => { setRegistrationMetadata(api, { user: { user_metadata: { at: 1 } } }); resolveHook(); }, 1);" in code


def test_a_callback_passed_on_stays_a_function_whose_first_answer_counts(node: Node) -> None:
    hook = """function check(email, done) {
  setTimeout(() => { done(email.endsWith('@bad.test') ? new Error('bad') : null, { user: { app_metadata: { ok: 1 } } }); done(new Error('late')); }, 1);
}
module.exports = function (user, context, cb) {
  check(user.email, cb)
}"""
    code = translate("h", PRE, hook)
    assert "const cb = (error, result) => { if (hookAnswered) return;" in code
    assert run(node, code, "{ user: { email: 'a@bad.test' } }") == [["deny", "bad", None]]
    assert run(node, code, "{ user: { email: 'a@good.test' } }") == [["app_metadata", "ok", 1]]
    post = translate("h", POST, "module.exports = function (user, context, cb) { Promise.reject('down').catch(cb); };")
    assert run(node, post, "{ user: {} }") == ["threw", "down"]


def test_credentials_exchange_never_passes_its_callback_on() -> None:
    for body in ("let f = cb;\n  setTimeout(f, 1);", "const f = cb;\n  setTimeout(f, 1);"):
        with pytest.raises(CannotTranslate, match="passes its callback"):
            translate("h", CX, f"module.exports = function (client, scope, audience, context, cb) {{\n  {body}\n}};")


def test_expression_bodied_arrow_hook() -> None:
    code = translate("h", CX, "module.exports = (client, scope, audience, context, cb) => cb(null, { scope, 'https://x/n': client.name })")
    assert "setAccessTokenClaims(api, { scope: event.accessToken.scope, 'https://x/n': event.client.name });" in code


def test_code_without_semicolons_stays_valid() -> None:
    code = translate("h", PRE, """module.exports = function (user, context, cb) {
  const domain = user.email.split('@')[1]
  if (domain === 'example.com') cb(new Error('no'))
  else cb(null, { user: { user_metadata: { domain } } })
  ;[1, 2].forEach((n) => console.log(n))
}""")
    assert "if (domain === 'example.com') { api.access.deny('no'); }" in code
    assert "else { setRegistrationMetadata(api, { user: { user_metadata: { domain } } }); }" in code
    Source(code).check()


def test_user_id_has_no_connection_prefix_as_in_hooks(node: Node) -> None:
    code = translate("h", PCP, "module.exports = function (user, context, cb) { console.log('auth0|' + user.id); cb(); };")
    assert "'auth0|' + hookUserId(event)" in code
    script = code + "\nexports.onExecutePostChangePassword({ user: { user_id: 'auth0|abc' } }, {});\n"
    out = subprocess.run([node.path, "-e", script], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "auth0|abc", out.stderr


def test_context_body_is_the_token_requests_body() -> None:
    code = translate("h", CX, "module.exports = function (c, scope, a, context, cb) { cb(null, { scope, 'https://x/t': context.body.tier }); };")
    assert "event.request.body.tier" in code


def test_non_ascii_source_keeps_its_offsets() -> None:
    code = translate("h", POST, "module.exports = function (user, context, cb) { const s = 'código ✓'; console.log(s, user.email); cb(); };")
    assert "const s = 'código ✓'; console.log(s, event.user.email);" in code


@pytest.mark.parametrize(("code", "reason", "line"), [
    ("module.exports = function (user, context, cb) {\n  var user = {};\n  cb();\n};", "declares its parameter `user` again", 2),
    ("module.exports = function (user, context, cb) {\n  log(arguments);\n  cb();\n};", "reads `arguments`", 2),
    ("module.exports = function (user, context, cb) {\n  user = {};\n  cb();\n};", "assigns to its parameter `user`", 2),
    ("module.exports = function (user, context, cb) {\n  cb(null, { user: { user_metadata: { d: context.webtask.data.X } } });\n};", "context.webtask.data", 2),
    ("function h(user, context, cb) { cb(); }\nmodule.exports = h;\nh.extra = 1;", "uses its handler `h` elsewhere", 1),
    ("module.exports = function (user, context, cb) {\n  cb(;\n};", "not JavaScript the parser can follow", 2),
])
def test_what_stays_adapted_says_why_and_where(code: str, reason: str, line: int) -> None:
    verdict = classify("h", PRE, code)
    assert verdict.status == ADAPTED and reason in verdict.why
    assert verdict.reasons[0].line == line


def test_a_96_kb_hook_classifies_with_work_linear_in_its_size() -> None:
    def hook(helpers: int) -> str:
        parts = [f"function helper{i}(value) {{\n  const doubled = `${{value}}-{i}`;\n  return doubled.length + {i};\n}}\n"
                 for i in range(helpers)]
        calls = "\n".join(f"  total += helper{i}(user.email);" for i in range(helpers))
        return "".join(parts) + f"module.exports = function (user, context, cb) {{\n  let total = 0;\n{calls}\n  cb(null, {{ user: {{ app_metadata: {{ total }} }} }});\n}};\n"

    small, large = hook(60), hook(900)
    assert len(large.encode()) > 96_000
    verdicts = [classify("h", PRE, text) for text in (small, large)]
    assert all(v.status == TRANSLATED for v in verdicts)
    nodes = [sum(1 for _ in Source(text).walk(Source(text).root)) for text in (small, large)]
    for verdict, count in zip(verdicts, nodes):
        assert verdict.work <= 4 * count  # a few passes over the tree, never one per reference


RUN = """
const calls = [];
const api = { access: { deny: (...a) => calls.push(['deny', ...a]) },
  user: { setUserMetadata: (...a) => calls.push(['user_metadata', ...a]), setAppMetadata: (...a) => calls.push(['app_metadata', ...a]) },
  accessToken: { setCustomClaim: (...a) => calls.push(['claim', ...a]) } };
const handler = Object.values(exports)[0];
handler(EVENT, api).then(() => console.log(JSON.stringify(calls)), (e) => console.log(JSON.stringify(['threw', e.message])));
"""


def run(node: Node, code: str, event: str) -> object:
    import json

    out = subprocess.run([node.path, "-e", code + RUN.replace("EVENT", event)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_an_error_value_is_answered_as_hooks_read_it(node: Node) -> None:
    hook = """module.exports = function (user, context, cb) {
  setTimeout(() => {
    const err = user.email.endsWith('@bad.test') ? { name: 'PreUserRegistrationError', message: 'bad', userMessage: 'Not you.' }
      : user.email.endsWith('@plain.test') ? { message: 'plain', userMessage: 'Not shown.' } : null
    cb(err, { user: { app_metadata: { ok: true } } })
  }, 1)
}"""
    code = translate("h", PRE, hook)
    assert "answerHook(api, err, { user: { app_metadata: { ok: true } } })" in code
    assert run(node, code, "{ user: { email: 'a@bad.test' } }") == [["deny", "bad", "Not you."]]
    assert run(node, code, "{ user: { email: 'a@good.test' } }") == [["app_metadata", "ok", True]]
    # Only a PreUserRegistrationError carries a message for the user (the Hooks model's rule).
    assert run(node, code, "{ user: { email: 'a@plain.test' } }") == [["deny", "plain", None]]


def test_credentials_exchange_error_value_keeps_its_oauth_code(node: Node) -> None:
    hook = "module.exports = (client, scope, audience, context, cb) => { const e = new Error('no'); e.code = 'invalid_scope'; cb(e) }"
    assert run(node, translate("h", CX, hook), "{ client: {} }") == [["deny", "invalid_scope", "no"]]


@pytest.mark.parametrize("call", ["cb(new Error('down'))", "cb(err)", "return cb(err)"])
def test_a_post_hook_error_is_thrown_as_the_adapter_does(node: Node, call: str) -> None:
    sync = translate("h", POST, f"module.exports = function (user, context, cb) {{ const err = 'down'; {call}; cb(); }};")
    assert run(node, sync, "{ user: {} }") == ["threw", "down"]
    later = translate("h", SMS, f"module.exports = function (r, t, context, cb) {{ setTimeout(() => {{ const err = 'down'; {call}; }}, 1); }};")
    assert "rejectHook" in later and run(node, later, "{ message_options: {} }") == ["threw", "down"]
    fine = translate("h", SMS, "module.exports = function (r, t, context, cb) { setTimeout(() => { const err = null; cb(err); }, 1); };")
    assert run(node, fine, "{ message_options: {} }") == []


@pytest.mark.parametrize("text", [
    "module.exports = function (u, c, cb) { const " + "{a:" * 5000 + "x" + "}" * 5000 + " = c; cb() }",
    "module.exports = function (u, c, cb) { const x = " + "[" * 20000 + "]" * 20000 + "; cb() }",
    "module.exports = function (u, c, cb) { " + "function f(){" * 3000 + "}" * 3000 + " cb() }",
    "module.exports = function (u, c, cb) { setTimeout(" + "() => " * 3000 + "cb(), 1) }",
])
def test_deeply_nested_hooks_are_classified_without_recursion(text: str) -> None:
    assert classify("h", POST, text).status in (TRANSLATED, ADAPTED)


def test_long_member_chains_and_deep_patterns_cost_linear_work() -> None:
    from tests.migrate.test_translate_work import line_events

    shapes: list[Callable[[int], str]] = [
        lambda n: "module.exports = function (u, c, cb) { console.log(u" + ".a" * n + "); cb() }",
        lambda n: "module.exports = function (u, c, cb) { const " + "{a:" * n + "x" + "}" * n + " = c; cb() }",
        lambda n: "const " + "{a:" * n + "x" + "}" * n + " = {};\nmodule.exports = function (u, c, cb) { x = 1; cb() }",
        lambda n: "module.exports = function (u, c, cb) { c.webtask" + ".storage" * n + "; cb() }",
    ]
    for shape in shapes:
        small = line_events(functools.partial(classify, "h", POST, shape(500)))
        large = line_events(functools.partial(classify, "h", POST, shape(2000)))
        assert large < 6 * small, (shape(3), small, large)  # linear: about 4x
