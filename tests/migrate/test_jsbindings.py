"""Name resolution over a parsed hook: which declaration each reference means."""

from __future__ import annotations

from reconciler.migrate.jsbindings import bind
from reconciler.migrate.jsparse import Source

Resolved = list[tuple[str, int, "tuple[str, int] | None"]]


def resolved(code: str) -> Resolved:
    """Each reference as (name, line, kind of the binding it resolves to or None for a global)."""
    source = Source(code)
    bindings = bind(source)
    return [(source.of(r), r.start_point.row + 1, (b.kind, b.line) if (b := bindings.of(r)) else None) for r in bindings.references]


def test_function_scope_block_scope_and_hoisting() -> None:
    code = """function outer(user) {
  use(user);
  { let user = 1; use(user); }
  use(user);
  var later = 2;
  use(hoisted(), later);
  function hoisted() { return user; }
}"""
    refs = resolved(code)
    assert ("user", 2, ("param", 1)) in refs and ("user", 3, ("let", 3)) in refs and ("user", 4, ("param", 1)) in refs
    assert ("hoisted", 6, ("function", 7)) in refs and ("later", 6, ("var", 5)) in refs
    assert ("user", 7, ("param", 1)) in refs  # an inner function sees the outer parameter
    assert ("use", 2, None) in refs  # a global


def test_catch_for_of_arrow_and_named_function_expression() -> None:
    code = """const x = 1;
try { f(); } catch (x) { g(x); }
for (const x of []) { g(x); }
[].map((x) => g(x));
const h = function x() { return x; };
g(x);"""
    refs = {(name, line): kind for name, line, kind in resolved(code) if name == "x"}
    assert refs[("x", 2)] == ("catch", 2) and refs[("x", 3)] == ("const", 3) and refs[("x", 4)] == ("param", 4)
    assert refs[("x", 5)] == ("function", 5) and refs[("x", 6)] == ("const", 1)


def test_destructuring_declares_every_name_but_not_its_defaults() -> None:
    code = "const { a, b: c, d = e, ...f } = obj; const [g, [h]] = arr; use(a, c, d, f, g, h, b);"
    refs = {name: kind for name, _, kind in resolved(code)}
    assert all(refs[n] == ("const", 1) for n in "acdfgh")
    assert refs["e"] is None and refs["b"] is None and refs["obj"] is None


def test_shorthand_properties_are_references() -> None:
    refs = resolved("function f(user) { return { user }; }")
    assert ("user", 1, ("param", 1)) in refs
