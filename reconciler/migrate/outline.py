"""Where a hook's handler is: the one function ``module.exports`` is set to, and its parameters.

Accepted: ``module.exports = function (...) {...}`` (named or not, ``async`` or not), an arrow
function (block or expression body), or the name of a function declared at the top level and
used nowhere else. Anything else is ``NoHandler`` with the reason (the adapter runs such hooks).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsbindings import Binding, Bindings
from reconciler.migrate.jsparse import Source, field, line, same

_NOT_SINGLE = "is not a single `module.exports = function (...) {...}`"


class NoHandler(Exception):
    """The hook's handler is not in a shape the translation follows; ``str()`` says why."""


@dataclass(frozen=True)
class Handler:
    function: Node  # the function node (expression, arrow or declaration)
    body: Node  # a statement_block, or the expression of an arrow's expression body
    export: Node  # the top-level `module.exports = ...` statement
    declaration: Node | None  # the top-level declaration when exported by name
    params: tuple[Binding, ...]
    is_async: bool

    @property
    def block(self) -> bool:
        return self.body.type == "statement_block"

    @property
    def line(self) -> int:
        return line(self.function)


def find_handler(source: Source, bindings: Bindings, arity: int, trigger: str, roles: tuple[str, ...]) -> Handler:
    exports = [r for r in bindings.references if bindings.of(r) is None and source.of(r) in ("module", "exports")]
    statements = [s for s in source.root.named_children if _is_export(s, source)]
    if len(statements) != 1 or len(exports) != 1:
        raise NoHandler(_NOT_SINGLE)
    export = statements[0]
    value = field(export.named_children[0], "right")
    declaration = None
    if value is not None and value.type == "identifier":
        declaration = _declared_function(value, source, bindings)
        value = declaration
    if value is None or value.type not in ("function_expression", "function", "arrow_function", "function_declaration"):
        raise NoHandler(_NOT_SINGLE)
    params = _parameters(value, bindings)
    if len(params) != arity:
        raise NoHandler(f"takes {len(params)} parameters; a {trigger} hook takes {arity} ({', '.join(roles)})")
    body = field(value, "body")
    assert body is not None
    is_async = any(c.type == "async" for c in value.children)
    return Handler(value, body, export, declaration, params, is_async)


def _is_export(statement: Node, source: Source) -> bool:
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    expression = statement.named_children[0]
    if expression.type != "assignment_expression":
        return False
    left = field(expression, "left")
    return left is not None and source.of(left).replace(" ", "") == "module.exports"


def _declared_function(name: Node, source: Source, bindings: Bindings) -> Node:
    binding = bindings.of(name)
    if binding is None or binding.kind != "function" or binding.scope != source.root.id:
        raise NoHandler("exports a name that is not a function declared at the top level")
    if len(bindings.uses(binding)) != 1:
        raise NoHandler(f"uses its handler `{binding.name}` elsewhere than in `module.exports`")
    declaration = bindings.site(binding).parent
    if declaration is None or declaration.type != "function_declaration" or not same(declaration.parent, source.root):
        raise NoHandler(_NOT_SINGLE)
    return declaration


def _parameters(function: Node, bindings: Bindings) -> tuple[Binding, ...]:
    single = field(function, "parameter")
    nodes = [single] if single is not None else list(field(function, "parameters").named_children)  # type: ignore[union-attr]
    nodes = [n for n in nodes if n.type != "comment"]
    if any(n.type != "identifier" for n in nodes):
        raise NoHandler("has default, rest or destructured parameters")
    out = []
    for node in nodes:
        binding = next((b for b in bindings.declared.get(function.id, {}).values() if b.node == node.id), None)
        if binding is None:  # a repeated parameter name: only the first declares
            raise NoHandler("repeats a parameter name")
        out.append(binding)
    return tuple(out)
