"""Scope changes on credentials-exchange, found by the parser in every form and never dropped:
each is "needs a person" naming its line; passing the requested scopes through is not a change,
with or without semicolons, in function or arrow hooks."""

from __future__ import annotations

import pytest

from reconciler.migrate.adapter import adapter
from reconciler.migrate.classify import PERSON, TRANSLATED, classify

CX = "credentials-exchange"


def hook(body: str, *, params: str = "client, scope, audience, context, cb", arrow: bool = False) -> str:
    head = f"module.exports = ({params}) => {{" if arrow else f"module.exports = function ({params}) {{"
    return f"{head}\n{body}\n}};\n"


@pytest.mark.parametrize(("body", "line"), [
    ("  scope.push('x');\n  cb(null, { scope });", 2),
    ("  scope.unshift('x');\n  cb(null, { scope: scope });", 2),
    ("  scope.splice(0, 1);\n  cb(null, { scope });", 2),
    ("  scope.pop();\n  cb(null, { scope });", 2),
    ("  scope.length = 0;\n  cb(null, { scope });", 2),
    ("  scope[0] = 'read:all';\n  cb(null, { scope });", 2),
    ("  scope = ['read:all'];\n  cb(null, { scope });", 2),
    ("  const t = {};\n  t.scope = scope;\n  t.scope.push('x');\n  cb(null, t);", 4),
    ("  const t = { scope: scope };\n  t.scope.sort();\n  cb(null, t);", 3),
    ("  const s = scope;\n  s.push('x');\n  cb(null, { scope });", 3),
    ("  cb(null, { scope: scope.concat(['x']) });", 2),
    ("  cb(null, { scope: [...scope, 'x'] });", 2),
    ("  cb(null, { scope: scope.filter((s) => s !== 'x') });", 2),
    ("  cb(null, { scope: scope.map((s) => s.toUpperCase()) });", 2),
    ("  const t = {};\n  t.scope = scope.slice(1);\n  cb(null, t);", 3),
    ("  const t = {};\n  t['scope'] = ['a'];\n  cb(null, t);", 3),
    ("  const other = ['a'];\n  cb(null, { scope: other });", 3),
    ("  strip(scope);\n  cb(null, { scope });\n}\nfunction strip(list) {\n  list.splice(0, 1);", 2),
    ("  const strip = (list) => { list.length = 0; };\n  strip(scope);\n  cb(null, { scope });", 3),
    ("  _.pull(scope, 'x');\n  cb(null, { scope });", 2),
    ("  const err = null;\n  cb(err, { scope: ['read:all'] });", 3),
])
def test_every_form_of_change_needs_a_person_naming_the_line(body: str, line: int) -> None:
    prelude = "const _ = require('lodash@4.17.21');\n" if "_.pull" in body else ""
    verdict = classify("h", CX, prelude + hook(body))
    assert verdict.status == PERSON, verdict
    assert "changes the token's scopes" in verdict.why
    assert verdict.reasons[0].line == line + (1 if prelude else 0)


def test_a_shorthand_naming_a_local_narrowing_is_a_change() -> None:
    verdict = classify("h", CX, hook("  const scope = requested.filter((s) => s.startsWith('read:'));\n  cb(null, { scope });",
                                     params="client, requested, audience, context, cb"))
    assert verdict.status == PERSON and verdict.reasons[0].line == 3


@pytest.mark.parametrize(("body", "why", "line"), [
    ("  cb(null, { 'https://x/y': 1 });", "answers without `scope`", 2),
    ("  cb();", "answers without `scope`", 2),
    ("  const base = { scope };\n  cb(null, { ...base });", "cannot be followed", 3),
    ("  cb(null, build(scope));", "cannot be followed", 2),
    ("  setTimeout(() => finish(cb), 1);\n}\nfunction finish(done) {\n  done(null, { scope: [] });", "passes its callback on", 2),
    ("  const t = {};\n  t[name()] = 1;\n  t.scope = scope;\n  cb(null, t);", "cannot be followed", 3),
])
def test_answers_that_cannot_be_followed_or_drop_every_scope_need_a_person(body: str, why: str, line: int) -> None:
    verdict = classify("h", CX, hook(body))
    assert verdict.status == PERSON and why in verdict.why and verdict.reasons[0].line == line


@pytest.mark.parametrize("body", [
    "  cb(null, { scope })",
    "  cb(null, { scope: scope, 'https://x/a': audience })",
    "  var t = {};\n  t.scope = scope;\n  t['https://x/n'] = client.name;\n  cb(null, t);",
    "  const t = { scope }\n  t[context.webtask.secrets.NS + 'tier'] = 'gold'\n  cb(null, t)",
    "  const t = { scope: scope.slice() };\n  cb(null, t);",
    "  const admin = (scope || []).filter((s) => s.startsWith('admin:'));\n"
    "  if (admin.length) return cb(new InvalidScopeError('no admin'));\n  cb(null, { scope });",
    "  if (scope.indexOf('x') >= 0) console.log(scope.join(' '))\n  cb(null, { scope })",
])
@pytest.mark.parametrize("arrow", [False, True])
def test_passing_the_requested_scopes_through_is_not_a_change(body: str, arrow: bool) -> None:
    verdict = classify("h", CX, hook(body, arrow=arrow))
    assert verdict.status == TRANSLATED, verdict.why


def test_a_denial_is_not_an_answer() -> None:
    verdict = classify("h", CX, hook("  if (!audience) return cb(new Error('no audience'));\n  cb(null, { scope });"))
    assert verdict.status == TRANSLATED


def test_the_adapter_never_drops_a_scope_change_silently() -> None:
    verdict = classify("h", CX, hook("  scope.push('x');\n  cb(null, { scope });"))
    code = adapter("h", CX, hook("  scope.push('x');\n  cb(null, { scope });"), verdict.why)
    assert "TODO(reconciler migrate): changes the token's scopes" in code
