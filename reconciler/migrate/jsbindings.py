"""Which declaration each name in a hook refers to: JavaScript's scoping, in two linear passes.

The first pass records every declaration in the scope it belongs to (``var`` and function
parameters in the function, ``let``/``const``/``class`` in the block, a catch parameter in its
clause, a named function expression in itself). The second walks the tree again, keeping for each
name the stack of scopes that declare it, and resolves every reference to the innermost one.
So a local ``user`` inside a helper is not the hook's ``user`` parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsparse import BLOCKS, FUNCTIONS, Source, field

# Identifiers written where a name is declared, not read (kept apart from references).
_PATTERN_CHILDREN = {"object_pattern", "array_pattern", "rest_pattern"}


@dataclass(frozen=True)
class Binding:
    """A declared name: the node id of its scope, its name, and how it was declared."""

    scope: int
    name: str
    kind: str  # "param", "var", "let", "const", "function", "class", "catch"
    node: int  # the declaring identifier's node id
    line: int


class Bindings:
    """The declarations of a tree and what each reference resolves to (None: a global)."""

    def __init__(self) -> None:
        self.declared: dict[int, dict[str, Binding]] = {}  # scope node id -> name -> binding
        self.sites: set[int] = set()  # node ids of declaring identifiers
        self.resolved: dict[int, Binding | None] = {}  # reference node id -> binding
        self.references: list[Node] = []  # every reference, in source order
        self.by_binding: dict[Binding, list[Node]] = {}
        self.site_nodes: dict[int, Node] = {}  # declaring identifier node id -> node
        self.by_site: dict[int, Binding] = {}  # declaring identifier node id -> its binding
        self.declarators: dict[int, Node] = {}  # declaring identifier node id -> its variable_declarator
        self.members: dict[str, list[Node]] = {}  # property name -> the `x.name` expressions, in source order
        self.depth: dict[int, int] = {}  # reference node id -> how many functions surround it
        self.statements: list[tuple[Node, int]] = []  # each expression statement and its function's id
        self.again: list[Binding] = []  # a second declaration of a name in the same scope (``var x`` twice)

    def site(self, binding: Binding) -> Node:
        """The identifier that declares ``binding``."""
        return self.site_nodes[binding.node]

    def declarator(self, binding: Binding) -> Node | None:
        """The ``variable_declarator`` that declares ``binding`` (also from inside a pattern), or None."""
        return self.declarators.get(binding.node)

    def binding_at(self, name: Node) -> Binding | None:
        """The binding a declaring identifier declares (None for a repeated declaration)."""
        return self.by_site.get(name.id)

    def of(self, node: Node) -> Binding | None:
        return self.resolved.get(node.id)

    def declares(self, scope: Node, name: str) -> Binding | None:
        return self.declared.get(scope.id, {}).get(name)

    def uses(self, binding: Binding) -> list[Node]:
        """The references that resolve to ``binding``, in source order."""
        return self.by_binding.get(binding, [])


def bind(source: Source) -> Bindings:
    bindings = Bindings()
    _declare(source, bindings)
    _resolve(source, bindings)
    return bindings


def _declare(source: Source, out: Bindings) -> None:
    scopes: list[Node] = []
    functions: list[Node] = []

    def add(scope: Node, pattern: Node | None, kind: str, declarator: Node | None = None) -> None:
        for name in _pattern_names(pattern):
            out.sites.add(name.id)
            if declarator is not None:
                out.declarators[name.id] = declarator
            out.site_nodes[name.id] = name
            names = out.declared.setdefault(scope.id, {})
            binding = Binding(scope.id, source.of(name), kind, name.id, name.start_point.row + 1)
            if binding.name in names:
                out.again.append(binding)
            else:
                names[binding.name] = binding
                out.by_site[name.id] = binding

    root = source.root.id  # a "program", or an ERROR node when the grammar gave up at the top
    for entering, node in source.events(source.root):
        kind = node.type
        top = node.id == root
        opens = top or kind in FUNCTIONS or kind in BLOCKS
        if not entering:
            if opens:
                scopes.pop()
                if kind in FUNCTIONS or top:
                    functions.pop()
            continue
        # Declarations that belong to the enclosing scope are added before this node's own scope opens.
        if kind in ("function_declaration", "generator_function_declaration", "class_declaration"):
            add(scopes[-1], field(node, "name"), "class" if kind == "class_declaration" else "function")
        if opens:
            scopes.append(node)
            if kind in FUNCTIONS or top:
                functions.append(node)
        if kind in ("function_expression", "function", "generator_function"):
            add(node, field(node, "name"), "function")
        elif kind == "formal_parameters":
            for child in node.named_children:
                add(scopes[-1], child, "param")
        elif kind == "arrow_function" and field(node, "parameter") is not None:
            add(node, field(node, "parameter"), "param")
        elif kind == "catch_clause" and field(node, "parameter") is not None:
            add(node, field(node, "parameter"), "catch")
        elif kind == "variable_declaration":
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    add(functions[-1], field(declarator, "name"), "var", declarator)
        elif kind == "lexical_declaration":
            kind_node = field(node, "kind")
            word = source.of(kind_node) if kind_node is not None else "let"
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    add(scopes[-1], field(declarator, "name"), word, declarator)
        elif kind == "for_in_statement" and field(node, "kind") is not None:
            word = source.of(field(node, "kind"))  # type: ignore[arg-type]
            add(functions[-1] if word == "var" else node, field(node, "left"), word)


def _resolve(source: Source, out: Bindings) -> None:
    active: dict[str, list[Binding]] = {}
    functions = [source.root.id]  # the functions around the current node (the module outermost)
    for entering, node in source.events(source.root):
        if node.type in FUNCTIONS:
            if entering:
                functions.append(node.id)
            else:
                functions.pop()
        elif entering and node.type == "expression_statement":
            out.statements.append((node, functions[-1]))
        elif entering and node.type == "member_expression":
            prop = field(node, "property")
            if prop is not None and prop.type == "property_identifier":
                out.members.setdefault(source.of(prop), []).append(node)
        declared = out.declared.get(node.id)
        if declared:
            for name, binding in declared.items():
                if entering:
                    active.setdefault(name, []).append(binding)
                else:
                    active[name].pop()
        if not entering:
            continue
        if node.type == "shorthand_property_identifier" or (node.type == "identifier" and node.id not in out.sites):
            stack = active.get(source.of(node))
            resolved = stack[-1] if stack else None
            out.resolved[node.id] = resolved
            out.references.append(node)
            out.depth[node.id] = len(functions) - 1
            if resolved is not None:
                out.by_binding.setdefault(resolved, []).append(node)


def _pattern_names(pattern: Node | None) -> list[Node]:
    """The identifiers a binding pattern declares (not its default values)."""
    out: list[Node] = []
    stack = [pattern] if pattern is not None else []
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(node)
        elif kind in _PATTERN_CHILDREN:
            stack.extend(reversed(node.named_children))
        elif kind == "pair_pattern":
            value = field(node, "value")
            if value is not None:
                stack.append(value)
        elif kind in ("assignment_pattern", "object_assignment_pattern"):
            left = field(node, "left")
            if left is not None:
                stack.append(left)
    return out
