"""Whether a credentials-exchange hook answers with other scopes than it was given, and where.

Hooks issued the token with the answer's ``scope`` (the documented starter keeps
``access_token.scope = scope; // do not remove this line``); an action cannot change scopes at
all. So anything but the requested array, unchanged, is a change a person must decide on:
mutating it (push, unshift, splice, pop, shift, sort, reverse, fill, ``length = 0``, an index
write, a helper of the hook that does one of those), or answering something else (filter, map,
concat, spread, another variable, a ``{ scope }`` shorthand naming a local), or answering no
``scope`` at all. What cannot be followed statically counts as a change too: never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsbindings import Binding, Bindings
from reconciler.migrate.jsparse import FUNCTIONS, Source, field, line, same, string_value
from reconciler.migrate.outline import Handler
from reconciler.migrate.shapes import SCOPES

_MUTATORS = frozenset({"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin"})
_WRITES = {"assignment_expression", "augmented_assignment_expression"}
_HELPER_DEPTH = 4  # a scope passed through at most this many of the hook's own functions is followed

NO_SCOPE = ("answers without `scope`, so Hooks issued the token without the requested scopes "
            "(an action cannot remove them)")
UNFOLLOWED = "answers with a value whose `scope` cannot be followed, so a scope change cannot be ruled out"
UNFOLLOWED_CALLBACK = ("passes its callback on, so the `scope` it answers with cannot be followed and a scope change "
                       "cannot be ruled out")


@dataclass(frozen=True)
class ScopeChange:
    line: int
    reason: str


def scope_change(source: Source, bindings: Bindings, handler: Handler, callbacks: list[Node],
                 passed: Node | None = None) -> ScopeChange | None:
    """The first scope change of a credentials-exchange hook (by line), or None. ``passed``: a use
    of the callback that is no call (it answers from code this does not follow)."""
    scope, found = handler.params[1], []
    if passed is not None:
        found.append(ScopeChange(line(passed), UNFOLLOWED_CALLBACK))
    aliases = _Aliases(source, bindings)
    found.extend(_mutations(scope, aliases, bindings, source, 0))
    for call in callbacks:
        found.extend(_answer(call, scope, aliases, source, bindings))
    return min(found, key=lambda change: change.line) if found else None


class _Aliases:
    """Names and ``obj.key`` properties that hold the requested scope array."""

    def __init__(self, source: Source, bindings: Bindings) -> None:
        self.source, self.bindings = source, bindings
        self.answers: dict[Binding, list[ScopeChange]] = {}  # what answering a variable means

    def of(self, binding: Binding, depth: int = 0) -> list[Node]:
        """Expressions elsewhere that are the same array as ``binding``'s value."""
        if depth > _HELPER_DEPTH:
            return []
        out = []
        for use in self.bindings.uses(binding):
            parent = use.parent
            if parent is None:
                continue
            if parent.type == "variable_declarator" and same(field(parent, "value"), use):
                out.extend(self._of_declared(field(parent, "name"), depth))
            elif parent.type == "assignment_expression" and same(field(parent, "right"), use):
                left = field(parent, "left")
                if left is not None and left.type == "member_expression":
                    obj = field(left, "object")
                    owner = self.bindings.of(obj) if obj is not None and obj.type == "identifier" else None
                    out.extend(self._reads(owner, self.source.of(field(left, "property")), left))  # type: ignore[arg-type]
            elif use.type == "shorthand_property_identifier" or (parent.type == "pair" and same(field(parent, "value"), use)):
                holder = use.parent if use.type == "shorthand_property_identifier" else parent.parent
                key = self.source.of(use) if use.type == "shorthand_property_identifier" else _key(parent, self.source)
                declarator = holder.parent if holder is not None else None
                if key is not None and declarator is not None and declarator.type == "variable_declarator":
                    name = field(declarator, "name")
                    owner = self.bindings.binding_at(name) if name is not None else None
                    out.extend(self._reads(owner, key, None))
        return out

    def _of_declared(self, name: Node | None, depth: int) -> list[Node]:
        binding = self.bindings.binding_at(name) if name is not None and name.type == "identifier" else None
        return [*self.bindings.uses(binding), *self.of(binding, depth + 1)] if binding is not None else []

    def _reads(self, owner: Binding | None, key: str, written: Node | None) -> list[Node]:
        """Every ``owner.key`` of the object (but the write itself)."""
        if owner is None:
            return []
        return [u.parent for u in self.bindings.uses(owner)
                if u.parent is not None and u.parent.type == "member_expression" and same(field(u.parent, "object"), u)
                and self.source.of(field(u.parent, "property")) == key and not same(u.parent, written)]  # type: ignore[arg-type]


def _mutations(binding: Binding, aliases: _Aliases, bindings: Bindings, source: Source, depth: int) -> list[ScopeChange]:
    out = []
    for node in [*bindings.uses(binding), *aliases.of(binding)]:
        change = _mutation(node, aliases, bindings, source, depth)
        if change is not None:
            out.append(change)
    return out


def _mutation(node: Node, aliases: _Aliases, bindings: Bindings, source: Source, depth: int) -> ScopeChange | None:
    """Whether this use of the array changes it in place (or replaces the parameter)."""
    parent = node.parent
    if parent is None:
        return None
    if parent.type in _WRITES and same(field(parent, "left"), node) and node.type == "identifier":
        return ScopeChange(line(node), SCOPES)
    if parent.type == "update_expression":
        return ScopeChange(line(node), SCOPES)
    if parent.type == "member_expression" and same(field(parent, "object"), node):
        prop = source.of(field(parent, "property"))  # type: ignore[arg-type]
        outer = parent.parent
        if prop in _MUTATORS and outer is not None and outer.type == "call_expression" and same(field(outer, "function"), parent):
            return ScopeChange(line(parent), SCOPES)
        if prop == "length" and outer is not None and outer.type in _WRITES and same(field(outer, "left"), parent):
            return ScopeChange(line(parent), SCOPES)
    if parent.type == "subscript_expression" and same(field(parent, "object"), node):
        outer = parent.parent
        if outer is not None and (outer.type in _WRITES and same(field(outer, "left"), parent) or outer.type == "update_expression"):
            return ScopeChange(line(parent), SCOPES)
    if parent.type == "arguments":
        return _passed(node, parent, aliases, bindings, source, depth)
    return None


def _passed(node: Node, arguments: Node, aliases: _Aliases, bindings: Bindings, source: Source, depth: int) -> ScopeChange | None:
    """The array given to a function: followed into the hook's own functions; a package's may change it."""
    call = arguments.parent
    if call is None or call.type != "call_expression":
        return None
    callee = field(call, "function")
    if callee is None:
        return None
    position = [a.id for a in arguments.named_children if a.type != "comment"].index(node.id)
    if callee.type == "identifier":
        target = _function_of(bindings.of(callee), bindings)
        if target is None:
            return None if bindings.of(callee) is None else ScopeChange(line(call), SCOPES)
        params = field(target, "parameters")
        names = [p for p in (params.named_children if params is not None else []) if p.type != "comment"]
        if position >= len(names) or names[position].type != "identifier":
            return ScopeChange(line(call), SCOPES)
        if depth >= _HELPER_DEPTH:
            return ScopeChange(line(call), SCOPES)
        inner = bindings.declared.get(target.id, {}).get(source.of(names[position]))
        if inner is not None and _mutations(inner, aliases, bindings, source, depth + 1):
            return ScopeChange(line(call), SCOPES)
        return None
    root = callee
    while root.type == "member_expression":
        root = field(root, "object")  # type: ignore[assignment]
    if root.type == "identifier" and bindings.of(root) is not None and bindings.of(root).scope == source.root.id:  # type: ignore[union-attr]
        return ScopeChange(line(call), SCOPES)  # a required package's function may change the array
    return None


def _function_of(binding: Binding | None, bindings: Bindings) -> Node | None:
    """The function a name is declared as (``function f`` or ``const f = (...) => ...``), or None."""
    if binding is None:
        return None
    parent = bindings.site(binding).parent
    if parent is not None and parent.type in FUNCTIONS:
        return parent
    if parent is not None and parent.type == "variable_declarator":
        value = field(parent, "value")
        if value is not None and value.type in FUNCTIONS:
            return value
    return None


def _answer(call: Node, scope: Binding, aliases: _Aliases, source: Source, bindings: Bindings) -> list[ScopeChange]:
    """What one callback call answers for ``scope``."""
    args = [a for a in field(call, "arguments").named_children if a.type != "comment"]  # type: ignore[union-attr]
    if args and args[0].type not in ("null", "undefined") and source.of(args[0]) != "undefined" and len(args) < 2:
        return []  # an error: no token is issued
    # With a result beside the error (`cb(err, token)`), the error may be null at run time: the
    # result is then the answer, so its scope is checked as well.
    if len(args) < 2 or args[1].type in ("null", "undefined"):
        return [ScopeChange(line(call), NO_SCOPE)]
    result = args[1]
    if result.type == "object":
        return _object_scope(result, call, scope, aliases, source, bindings)
    if result.type == "identifier":
        owner = bindings.of(result)
        if owner is None:
            return [ScopeChange(line(call), UNFOLLOWED)]
        if owner not in aliases.answers:  # once per variable, however often it is answered
            aliases.answers[owner] = _variable_scope(owner, call, scope, aliases, source, bindings)
        return aliases.answers[owner]
    return [ScopeChange(line(call), UNFOLLOWED)]


def _object_scope(obj: Node, call: Node, scope: Binding, aliases: _Aliases, source: Source, bindings: Bindings) -> list[ScopeChange]:
    value = None
    for child in obj.named_children:
        if child.type == "spread_element":
            return [ScopeChange(line(child), UNFOLLOWED)]
        if child.type == "shorthand_property_identifier" and source.of(child) == "scope":
            value = child
        elif child.type == "pair" and _key(child, source) == "scope":
            value = field(child, "value")
        elif child.type == "pair" and _key(child, source) is None:
            return [ScopeChange(line(child), UNFOLLOWED)]  # a computed key may be 'scope'
    if value is None:
        return [ScopeChange(line(call), NO_SCOPE)]
    return _value(value, scope, aliases, source, bindings)


def _variable_scope(owner: Binding, call: Node, scope: Binding, aliases: _Aliases, source: Source, bindings: Bindings) -> list[ScopeChange]:
    """``cb(null, token)``: the scope ``token`` was built with (its initialiser and ``token.scope = ...``)."""
    values: list[Node] = []
    for use in bindings.uses(owner):
        parent = use.parent
        if parent is None:
            continue
        if parent.type in _WRITES and same(field(parent, "left"), use):
            return [ScopeChange(line(use), UNFOLLOWED)]
        if parent.type in ("member_expression", "subscript_expression") and same(field(parent, "object"), use):
            outer = parent.parent
            if outer is not None and outer.type in _WRITES and same(field(outer, "left"), parent):
                key = _member_key(parent, source, bindings)
                if key is None:
                    return [ScopeChange(line(parent), UNFOLLOWED)]
                if key == "scope":
                    values.append(field(outer, "right"))  # type: ignore[arg-type]
    declarator = bindings.site(owner)
    initial = field(declarator.parent, "value") if declarator is not None and declarator.parent is not None \
        and declarator.parent.type == "variable_declarator" else None
    changes: list[ScopeChange] = []
    if initial is not None and initial.type == "object":
        inner = _object_scope(initial, call, scope, aliases, source, bindings)
        if not (values and len(inner) == 1 and inner[0].reason == NO_SCOPE):
            changes.extend(inner)
    elif initial is not None:
        return [ScopeChange(line(initial), UNFOLLOWED)]
    if not values and initial is None:
        return [ScopeChange(line(call), UNFOLLOWED)]
    for value in values:
        changes.extend(_value(value, scope, aliases, source, bindings))
    return changes


def _value(value: Node, scope: Binding, aliases: _Aliases, source: Source, bindings: Bindings) -> list[ScopeChange]:
    """A scope answered: only the requested array itself (or an alias, or ``.slice()`` of it) is no change."""
    node = value
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    if node.type == "call_expression":  # scope.slice(): the same scopes
        callee = field(node, "function")
        prop = field(callee, "property") if callee is not None and callee.type == "member_expression" else None
        arguments = field(node, "arguments")
        if prop is not None and source.of(prop) == "slice" and arguments is not None \
                and not [a for a in arguments.named_children if a.type != "comment"]:
            node = field(callee, "object")  # type: ignore[arg-type, assignment]
    if node.type in ("identifier", "shorthand_property_identifier") and _holds(bindings.of(node), scope, bindings, source):
        return []
    return [ScopeChange(line(value), SCOPES)]


def _holds(binding: Binding | None, scope: Binding, bindings: Bindings, source: Source, depth: int = 0) -> bool:
    """Whether ``binding`` is the scope parameter, or a const/let initialised with it and never reassigned."""
    if binding is None or depth > _HELPER_DEPTH:
        return False
    if binding == scope:
        return True
    parent = bindings.site(binding).parent
    if parent is None or parent.type != "variable_declarator":
        return False
    value = field(parent, "value")
    if value is None or value.type != "identifier":
        return False
    if any(u.parent is not None and u.parent.type in _WRITES and same(field(u.parent, "left"), u) for u in bindings.uses(binding)):
        return False
    return _holds(bindings.of(value), scope, bindings, source, depth + 1)


def _key(pair: Node, source: Source) -> str | None:
    key = field(pair, "key")
    if key is None:
        return None
    if key.type in ("property_identifier", "number"):
        return source.of(key)
    return string_value(key, source)


def _member_key(member: Node, source: Source, bindings: Bindings) -> str | None:
    """The property a member or subscript names; ``"claim"`` for a computed key that cannot be
    ``scope`` (it contains literal text that ``scope`` does not); None when it cannot be told."""
    if member.type == "member_expression":
        return source.of(field(member, "property"))  # type: ignore[arg-type]
    index = field(member, "index")
    if index is None:
        return None
    value = string_value(index, source)
    if value is not None:
        return value
    if index.type == "identifier":
        binding = bindings.of(index)
        declarator = bindings.site(binding).parent if binding is not None and binding.kind == "const" else None
        initial = field(declarator, "value") if declarator is not None and declarator.type == "variable_declarator" else None
        return string_value(initial, source) if initial is not None else None
    if index.type in ("binary_expression", "template_string"):
        fragments = [source.of(n) for n in source.walk(index) if n.type == "string_fragment"]
        return "claim" if any(f not in "scope" for f in fragments) else None
    return None
