"""A hook's source as a syntax tree (tree-sitter's JavaScript grammar), walked without recursion.

Everything the migration decides about code goes through this tree: strings, template literals,
comments and regular expressions are told apart by a real grammar, so a rename or a scope check
cannot mistake text for code. Offsets are byte offsets into the UTF-8 source (tree-sitter's), and
every walk counts the nodes it visits, so tests can bound the work without a timer.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

_LANGUAGE = Language(tree_sitter_javascript.language())

FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "function", "generator_function",
    "generator_function_declaration", "arrow_function", "method_definition",
})
# Nodes that open a block scope for let/const/class (a function opens one for its parameters).
BLOCKS = frozenset({"statement_block", "for_statement", "for_in_statement", "catch_clause", "switch_body", "class_body"})


class ParseError(ValueError):
    """Source the grammar does not accept; ``line`` is the first line it could not follow."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not JavaScript the parser can follow")
        self.line = line


class Source:
    """One parsed hook: its tree, its bytes, and a count of the nodes visited so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.tree = Parser(_LANGUAGE).parse(self.data)
        self.root: Node = self.tree.root_node
        self.visited = 0
        self._parents: dict[int, Node] | None = None

    def parent(self, node: Node) -> Node | None:
        """``node.parent`` in constant time. tree-sitter finds a parent by searching down from
        the root, so walking up a deeply nested hook through ``.parent`` is quadratic; this map
        is made once, in one walk."""
        if self._parents is None:
            self._parents = {}
            for current in self.walk(self.root):
                for child in current.children:
                    self._parents[child.id] = current
        return self._parents.get(node.id)

    def check(self) -> None:
        """``ParseError`` naming the first line the grammar had to recover from."""
        if not self.root.has_error:
            return
        for node in self.walk(self.root):
            if node.is_error or node.is_missing:
                raise ParseError(node.start_point.row + 1)
        raise ParseError(1)

    def walk(self, node: Node) -> Iterator[Node]:
        """Every node under ``node`` (itself first), in source order."""
        stack = [node]
        while stack:
            current = stack.pop()
            self.visited += 1
            yield current
            stack.extend(reversed(current.children))

    def events(self, node: Node) -> Iterator[tuple[bool, Node]]:
        """``(True, n)`` on entering each node and ``(False, n)`` on leaving it, in source order."""
        stack: list[tuple[bool, Node]] = [(True, node)]
        while stack:
            entering, current = stack.pop()
            if not entering:
                yield False, current
                continue
            self.visited += 1
            yield True, current
            stack.append((False, current))
            stack.extend((True, child) for child in reversed(current.children))

    def of(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.data[node.start_byte:node.end_byte].decode("utf-8")

    def between(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8")


def line(node: Node) -> int:
    """The 1-based line ``node`` starts on."""
    return node.start_point.row + 1


def field(node: Node, name: str) -> Node | None:
    return node.child_by_field_name(name)


def is_member_object(node: Node) -> bool:
    """Whether ``node`` is the ``a`` of ``a.b`` (with ``.`` or ``?.``)."""
    parent = node.parent
    return parent is not None and parent.type == "member_expression" and _same(field(parent, "object"), node)


def string_value(node: Node, source: Source) -> str | None:
    """The value of a plain string literal (no escapes, no substitutions), else None."""
    if node.type != "string":
        return None
    parts = [c for c in node.named_children if c.type != "comment"]
    if any(p.type != "string_fragment" for p in parts):
        return None
    return "".join(source.of(p) for p in parts)


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and a.id == b.id


def same(a: Node | None, b: Node | None) -> bool:
    return a is not None and b is not None and a.id == b.id


def apply_edits(data: bytes, edits: list[tuple[int, int, str]]) -> str:
    """``data`` with each ``(start, end, text)`` byte range replaced (ranges must not overlap)."""
    out, last = [], 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(data[last:start].decode("utf-8"))
        out.append(text)
        last = end
    out.append(data[last:].decode("utf-8"))
    return "".join(out)
