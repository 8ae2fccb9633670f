"""What the Actions runtime will expose in a hook, found statically: each hazard with its line.

- ``pending-work``: the hook calls back while a request, promise or timer it started is still
  running. Its webtask went on; an action's pending work ends when the handler returns.
- ``require-path``: ``require('./node_modules/pkg@ver')`` or another path; an action resolves
  packages by name only (a node_modules path is made plain, with a dependency entry).
- ``global-state``: module-level state written by the hook's functions, kept across executions
  while a container stays warm (in Hooks and Actions alike, but never guaranteed).
- ``webtask-storage``: ``context.webtask.storage``, which has no Actions equivalent.
- ``unpinned-package``: a package required with no version in the require or the hook's
  dependencies; the action would get whatever is newest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsbindings import Binding, Bindings
from reconciler.migrate.jsparse import FUNCTIONS, Source, field, line, same
from reconciler.migrate.outline import Handler
from reconciler.migrate.requires import LOCAL_PATH, NODE_MODULES_PATH, PACKAGE, Require, is_package

PENDING_WORK, REQUIRE_PATH, GLOBAL_STATE, WEBTASK_STORAGE, UNPINNED_PACKAGE = (
    "pending-work", "require-path", "global-state", "webtask-storage", "unpinned-package",
)
_HTTP_CLIENTS = frozenset({"request", "axios", "got", "node-fetch", "superagent", "needle", "cross-fetch",
                           "isomorphic-fetch", "undici", "http", "https", "http2"})
_NOT_WORK = frozenset({"forEach", "map", "filter", "reduce", "reduceRight", "some", "every", "find", "findIndex",
                       "flatMap", "sort", "on", "once", "addListener", "removeListener", "replace", "replaceAll"})
_PROMISE_METHODS = frozenset({"then", "catch", "finally"})
_TIMERS = frozenset({"setTimeout", "setInterval", "setImmediate", "queueMicrotask", "fetch"})
_MUTATORS = frozenset({"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "set", "add",
                       "delete", "clear"})
_WRITES = {"assignment_expression", "augmented_assignment_expression"}


@dataclass(frozen=True)
class Hazard:
    kind: str
    line: int
    message: str


def storage_use(source: Source, bindings: Bindings) -> Node | None:
    """The first ``<...>.webtask.storage`` (however ``context`` is named), or None."""
    for member in bindings.members.get("storage", []):
        obj = field(member, "object")
        prop = field(obj, "property") if obj is not None and obj.type == "member_expression" else None
        if prop is not None and source.of(prop) == "webtask":
            return member
    return None


def hazards(source: Source, bindings: Bindings, handler: Handler | None, found: tuple[Require, ...],
            dependencies: Mapping[str, str], callbacks: list[Node]) -> tuple[Hazard, ...]:
    out: list[Hazard] = []
    if handler is not None:
        pending = pending_work(source, bindings, handler, callbacks, found)
        if pending is not None:
            out.append(Hazard(PENDING_WORK, line(pending), "starts work nothing waits for before the hook answers "
                              "(an action's pending work ends when the handler returns)"))
    out.extend(_requires(found, dependencies))
    state = _global_state(source, bindings)
    if state is not None:
        name, at = state
        out.append(Hazard(GLOBAL_STATE, at, f"keeps state across executions in the module-level `{name}` "
                          "(kept only while a container stays warm)"))
    storage = storage_use(source, bindings)
    if storage is not None:
        out.append(Hazard(WEBTASK_STORAGE, line(storage), "uses context.webtask.storage, which Actions do not have"))
    return tuple(sorted(out, key=lambda h: (h.line, h.kind)))


# --- requires ------------------------------------------------------------------------------


def _requires(found: tuple[Require, ...], dependencies: Mapping[str, str]) -> list[Hazard]:
    out, named = [], set()
    for r in found:
        if r.kind == NODE_MODULES_PATH:
            pin = f" with the dependency {r.name} {r.version}" if r.version else ""
            out.append(Hazard(REQUIRE_PATH, r.line, f"require('{r.spec}') becomes require('{r.plain}'){pin}"))
        elif r.kind == LOCAL_PATH:
            out.append(Hazard(REQUIRE_PATH, r.line, f"require('{r.spec}') reads a file an action cannot hold"))
        if r.kind in (PACKAGE, NODE_MODULES_PATH) and is_package(r.name) and r.name not in named:
            named.add(r.name)
            pinned = r.version or dependencies.get(r.name) or any(o.name == r.name and o.version for o in found)
            if not pinned or pinned == "latest":
                out.append(Hazard(UNPINNED_PACKAGE, r.line, f"{r.name} is required without a version or a dependency entry; "
                                  "pinned to \"latest\": pin a version"))
    return out


# --- global state --------------------------------------------------------------------------


def _global_state(source: Source, bindings: Bindings) -> tuple[str, int] | None:
    """The module-level variable first written inside a function, and that line."""
    first: tuple[str, int] | None = None
    for binding in bindings.declared.get(source.root.id, {}).values():
        if binding.kind not in ("var", "let", "const") or _is_require(bindings.declarator(binding)):
            continue
        for use in bindings.uses(binding):
            if _writes(use, source) and bindings.depth.get(use.id, 0) > 0:
                if first is None or line(use) < first[1]:
                    first = (binding.name, line(use))
                break
    return first


def _is_require(declarator: Node | None) -> bool:
    """``const x = require(...)`` (or ``require(...).X``, or destructured from one)."""
    value = field(declarator, "value") if declarator is not None else None
    while value is not None and value.type == "member_expression":
        value = field(value, "object")
    return value is not None and value.type == "call_expression" and field(value, "function") is not None \
        and field(value, "function").type == "identifier" and field(value, "function").text == b"require"  # type: ignore[union-attr]


def _writes(use: Node, source: Source) -> bool:
    parent = use.parent
    if parent is None:
        return False
    if parent.type in _WRITES and same(field(parent, "left"), use) or parent.type == "update_expression":
        return True
    if parent.type in ("member_expression", "subscript_expression") and same(field(parent, "object"), use):
        outer = parent.parent
        if outer is None:
            return False
        if outer.type in _WRITES and same(field(outer, "left"), parent) or outer.type in ("update_expression", "unary_expression"):
            return outer.type != "unary_expression" or source.of(outer).startswith("delete")
        prop = field(parent, "property")
        return (outer.type == "call_expression" and same(field(outer, "function"), parent) and prop is not None
                and source.of(prop) in _MUTATORS)
    return False


# --- pending work --------------------------------------------------------------------------


def pending_work(source: Source, bindings: Bindings, handler: Handler, callbacks: list[Node],
                 found: tuple[Require, ...]) -> Node | None:
    """The first statement that starts work nothing waits for, in a function that answers
    directly: before its callback call the answer does not wait for it, after it the hook's
    webtask went on while an action's handler would have returned."""
    contains = _callback_statements(callbacks, handler, source)
    answering = {id_ for id_ in (_function_of(call, source) for call in callbacks) if id_ is not None}
    clients = _work_bindings(source, bindings, found)
    for statement, function in bindings.statements:  # in source order, each with its function
        if function in answering and statement.id not in contains and _starts_work(statement, source, bindings, clients):
            return statement
    return None


def _function_of(node: Node, source: Source) -> int | None:
    """The id of the nearest function around ``node`` (the handler at the outermost)."""
    current = source.parent(node)
    while current is not None and current.type not in FUNCTIONS:
        current = source.parent(current)
    return current.id if current is not None else None


def _callback_statements(callbacks: list[Node], handler: Handler, source: Source) -> set[int]:
    """The nodes holding a callback call (now, or later from a function inside them)."""
    contains: set[int] = set()
    for call in callbacks:
        node: Node | None = call
        while node is not None and source.parent(node) is not None and not same(node, handler.function):  # not .parent: see Source.parent
            if node.id in contains:
                break  # an earlier call marked the rest of the way up: linear in all
            contains.add(node.id)
            node = source.parent(node)
    return contains


def _work_bindings(source: Source, bindings: Bindings, found: tuple[Require, ...]) -> set[Binding]:
    """Names bound to an HTTP client package, or to an SDK object created from any package."""
    by_literal = {r.start: r for r in found}
    clients: set[Binding] = set()
    packages: set[Binding] = set()
    for scope in bindings.declared.values():
        for binding in scope.values():
            declarator = bindings.declarator(binding)
            if declarator is None:
                continue
            value = field(declarator, "value")
            if value is None:
                continue
            required = _required(value, by_literal)
            if required is not None and (required.name in _HTTP_CLIENTS or is_package(required.name)):
                (clients if required.name in _HTTP_CLIENTS else packages).add(binding)
    from_packages = packages | clients
    for scope in bindings.declared.values():
        for binding in scope.values():
            declarator = bindings.declarator(binding)
            value = field(declarator, "value") if declarator is not None else None
            if value is not None and value.type in ("new_expression", "call_expression"):
                root = _root(field(value, "constructor") if value.type == "new_expression" else field(value, "function"))
                if root is not None and bindings.of(root) in from_packages:
                    clients.add(binding)
    return clients


def _required(value: Node, by_literal: dict[int, Require]) -> Require | None:
    node = value
    while node.type == "member_expression":
        node = field(node, "object")  # type: ignore[assignment]
    if node.type != "call_expression" or source_text(field(node, "function")) != "require":
        return None
    arguments = field(node, "arguments")
    first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    return by_literal.get(first.start_byte) if first is not None else None


def source_text(node: Node | None) -> str:
    return node.text.decode("utf-8") if node is not None and node.text is not None else ""


def _root(node: Node | None) -> Node | None:
    while node is not None and node.type in ("member_expression", "call_expression"):
        node = field(node, "object") if node.type == "member_expression" else field(node, "function")
    return node if node is not None and node.type == "identifier" else None


def _starts_work(statement: Node, source: Source, bindings: Bindings, clients: set[Binding]) -> bool:
    """An expression statement whose call starts a request, promise or timer and is not awaited."""
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    expression = statement.named_children[0]
    if expression.type != "call_expression":
        return False
    node: Node | None = expression
    while node is not None and node.type in ("call_expression", "member_expression"):
        if node.type == "call_expression":
            callee = field(node, "function")
            method = field(callee, "property") if callee is not None and callee.type == "member_expression" else None
            name = source.of(method) if method is not None else source.of(callee) if callee is not None else ""
            if name in _PROMISE_METHODS:
                return True
            if callee is not None and callee.type == "identifier" and name in _TIMERS and bindings.of(callee) is None:
                return True
            args = field(node, "arguments")
            if name not in _NOT_WORK and args is not None and any(a.type in FUNCTIONS for a in args.named_children):
                return True
            node = callee
        else:
            node = field(node, "object")
    return node is not None and node.type == "identifier" and bindings.of(node) in clients
