"""Each reference to a hook parameter as its ``event`` field: ``param.a.b`` by the trigger's
``Shape`` map (the longest known path), ``{ param }`` shorthand as ``param: <field>``, and
``const { a, b: c } = param`` as an object of the fields the pattern reads. Anything that would
leave the parameter itself behind is ``CannotTranslate`` with its line.
"""

from __future__ import annotations

from collections.abc import Mapping

from tree_sitter import Node

from reconciler.migrate.jsparse import Source, field, line, same
from reconciler.migrate.model_text import model_functions
from reconciler.migrate.parsed import CannotTranslate, Edit, Parsed
from reconciler.migrate.shapes import NO_PERSISTENCE, SHAPES

_WRITES = {"assignment_expression", "augmented_assignment_expression"}
_DEEPEST_FIELD = max(len(path) for shape in SHAPES.values() for fields in shape.fields.values() for path in fields)
USER_ID_HELPER = """
// Hooks' user.id: the event's user_id without its connection prefix, by the Hooks model's rule.
function hookUserId(event) {
  return hookIdWithoutPrefix(event.user && event.user.user_id);
}
""" + model_functions("hookIdWithoutPrefix")


def rename(use: Node, hook: Parsed, role: str) -> Edit:
    """The edit that turns ``param.a.b`` (or ``{ param }``, or a destructuring) into event fields."""
    source, fields, name = hook.source, hook.shape.fields[role], hook.source.of(use)
    if use.type == "shorthand_property_identifier":
        whole = fields.get(())
        if whole is None:
            raise CannotTranslate(f"uses `{name}` as a whole, which has no event field in Actions", line(use))
        return (use.start_byte, use.end_byte, f"{name}: {whole}")
    chain, path = [use], []
    node, up = use, source.parent(use)  # not .parent: a long chain would be quadratic (Source.parent)
    while up is not None and up.type == "member_expression" and same(field(up, "object"), node):
        prop = field(up, "property")
        if prop is None or prop.type != "property_identifier":
            break
        path.append(source.of(prop))
        node, up = up, source.parent(up)
        chain.append(node)
    names = tuple(path)
    if names[:2] == ("webtask", "storage"):
        raise CannotTranslate(NO_PERSISTENCE, line(use))
    for n in range(min(len(names), _DEEPEST_FIELD), -1, -1):  # no field lies deeper
        expression = fields.get(names[:n])
        if expression is not None:
            target = chain[n]
            if n == 0 and _is_written(target):
                raise CannotTranslate(f"assigns to its parameter `{name}`", line(use))
            return (use.start_byte, target.end_byte, expression)
    literal = _destructured(chain[-1], names, fields, source)
    if literal is not None:
        return (use.start_byte, chain[-1].end_byte, literal)
    if not names and _is_written(use):
        raise CannotTranslate(f"assigns to its parameter `{name}`", line(use))
    shown = ".".join((name, *names[:2]))
    whole = " as a whole" if not names else ""
    raise CannotTranslate(f"uses `{shown}`{whole}, which has no event field in Actions", line(use))


def _is_written(node: Node) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if parent.type in _WRITES and same(field(parent, "left"), node):
        return True
    return parent.type == "update_expression"


def _destructured(node: Node, path: tuple[str, ...], fields: Mapping[tuple[str, ...], str], source: Source) -> str | None:
    """For ``const { a, b: c } = param.path``: the object literal of the fields the pattern reads."""
    parent = node.parent
    pattern = None
    if parent is not None and parent.type == "variable_declarator" and same(field(parent, "value"), node):
        pattern = field(parent, "name")
    if pattern is None or pattern.type != "object_pattern":
        return None
    return _pattern_literal(pattern, path, fields, source)


def _pattern_literal(pattern: Node, path: tuple[str, ...], fields: Mapping[tuple[str, ...], str], source: Source) -> str | None:
    if len(path) > _DEEPEST_FIELD:  # no event field lies deeper: stop before Python's stack does
        return None
    parts = []
    for child in pattern.named_children:
        if child.type == "comment":
            continue
        if child.type == "shorthand_property_identifier_pattern":
            key, value = source.of(child), None
        elif child.type == "object_assignment_pattern":
            left = field(child, "left")
            if left is None or left.type != "shorthand_property_identifier_pattern":
                return None
            key, value = source.of(left), None
        elif child.type == "pair_pattern":
            key_node = field(child, "key")
            if key_node is None or key_node.type != "property_identifier":
                return None
            key, value = source.of(key_node), field(child, "value")
        else:  # rest elements, computed keys: the whole object would be needed
            return None
        expression = fields.get((*path, key))
        if expression is None and value is not None and value.type == "object_pattern":
            expression = _pattern_literal(value, (*path, key), fields, source)
        elif expression is None and value is not None and value.type == "assignment_pattern":
            inner = field(value, "left")
            if inner is not None and inner.type == "object_pattern":
                expression = _pattern_literal(inner, (*path, key), fields, source)
        if expression is None:
            return None
        parts.append(f"{key}: {expression}")
    return "{ " + ", ".join(parts) + " }"
