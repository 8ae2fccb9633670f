"""A hook's code as an Actions handler, for the shapes that map one to one.

The hook is parsed (``jsparse``) and its names resolved (``jsbindings``); every reference to a
hook parameter -- in template literals, nested and arrow functions, shorthand properties and
destructuring -- becomes its ``event`` field (``shapes``), each callback call becomes the ``api``
call it meant (a denial, custom claims, metadata, or nothing for post-* and send-phone-message
hooks), and pinned requires become plain ones. A hook that answers from asynchronous code is
awaited through a promise, so the action does not return early.

A hook is translated only when no reference to a parameter is left; anything else raises
``CannotTranslate`` with the reason and line, and the migration uses the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from tree_sitter import Node

from reconciler.migrate.jsbindings import Binding, Bindings, bind
from reconciler.migrate.jsparse import FUNCTIONS, ParseError, Source, apply_edits, field, line, same
from reconciler.migrate.outline import Handler, NoHandler, find_handler
from reconciler.migrate.requires import require_edits, requires
from reconciler.migrate.shapes import HOOK_ERRORS, NO_PERSISTENCE, SHAPES, Shape

Edit = tuple[int, int, str]
_OURS = {"event", "api", "resolveHook", "rejectHook", "setAccessTokenClaims", "setRegistrationMetadata", "hookUserId",
         "answerHook", "hookError"}
_CLAIMS_HELPER = """
// The hook's callback result in Actions terms: every claim but `scope` becomes a custom claim.
function setAccessTokenClaims(api, claims) {
  for (const [claim, value] of Object.entries(claims || {})) {
    if (claim !== 'scope') api.accessToken.setCustomClaim(claim, value);
  }
}
"""
_METADATA_HELPER = """
// The hook's callback result in Actions terms: {user: {user_metadata, app_metadata}} becomes metadata calls.
function setRegistrationMetadata(api, response) {
  const user = (response && response.user) || {};
  for (const [key, value] of Object.entries(user.user_metadata || {})) api.user.setUserMetadata(key, value);
  for (const [key, value] of Object.entries(user.app_metadata || {})) api.user.setAppMetadata(key, value);
}
"""
_ERROR_HELPER = """
// A hook's callback error on a trigger where Hooks only logged it: the action throws it, as an Error.
function hookError(error) {
  return error instanceof Error ? error : new Error(String(error));
}
"""
_CX_ANSWER_HELPER = """
// The hook's callback answer as Hooks read it: an error refuses the token (its OAuth code, else
// invalid_request), else the result's claims.
function answerHook(api, error, result) {
  if (error) {
    api.access.deny(error.code || 'invalid_request', error.message === undefined ? String(error) : error.message);
    return;
  }
  setAccessTokenClaims(api, result);
}
"""
_PRE_ANSWER_HELPER = """
// The hook's callback answer as Hooks read it: an error refuses the sign-up (with its userMessage),
// else the result's metadata.
function answerHook(api, error, result) {
  if (error) {
    api.access.deny(error.message === undefined ? String(error) : error.message, error.userMessage);
    return;
  }
  setRegistrationMetadata(api, result);
}
"""
_USER_ID_HELPER = """
// Hooks' user.id was the id without its connection prefix ('auth0|'); Actions' user_id has it.
function hookUserId(event) {
  const id = event.user && event.user.user_id;
  return typeof id === 'string' ? id.slice(id.indexOf('|') + 1) : id;
}
"""
_WRITES = {"assignment_expression", "augmented_assignment_expression"}
_DEEPEST_FIELD = max(len(path) for shape in SHAPES.values() for fields in shape.fields.values() for path in fields)
_RESULT_HELPERS = {"credentials-exchange": _CLAIMS_HELPER, "pre-user-registration": _METADATA_HELPER}
_RESULT_CALLS = {"credentials-exchange": "setAccessTokenClaims", "pre-user-registration": "setRegistrationMetadata"}
_ANSWER_HELPERS = {"credentials-exchange": _CX_ANSWER_HELPER, "pre-user-registration": _PRE_ANSWER_HELPER}


class CannotTranslate(Exception):
    """The hook has a shape the translation does not map; ``str()`` says which, ``line`` where."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True)
class Parsed:
    """A hook parsed once, for the translation and every static check."""

    source: Source
    bindings: Bindings
    handler: Handler
    shape: Shape

    def role(self, binding: Binding | None) -> str | None:
        """The hook parameter ``binding`` is (its role in ``Shape.params``), or None."""
        if binding is None:
            return None
        for param, role in zip(self.handler.params, self.shape.params):
            if param == binding:
                return role
        return None


def parse_hook(trigger: str, text: str) -> Parsed:
    """The parsed hook, or ``CannotTranslate`` when its handler cannot be found."""
    shape = SHAPES.get(trigger)
    if shape is None:
        raise CannotTranslate(f"hooks on {trigger} are not known")
    source = Source(text)
    try:
        source.check()
    except ParseError as error:
        raise CannotTranslate(str(error), error.line) from None
    bindings = bind(source)
    try:
        handler = find_handler(source, bindings, shape.arity, trigger, shape.params)
    except NoHandler as reason:
        raise CannotTranslate(str(reason), 1) from None
    return Parsed(source, bindings, handler, shape)


def translate(name: str, trigger: str, text: str) -> str:
    """The action's code.js for the hook ``name``, or ``CannotTranslate``."""
    return translate_parsed(name, parse_hook(trigger, text))


def translate_parsed(name: str, hook: Parsed) -> str:
    source, bindings, handler, shape = hook.source, hook.bindings, hook.handler, hook.shape
    _check_names(hook)
    callback = handler.params[-1]
    edits: dict[int, Edit] = {}  # node id -> edit
    calls: list[Node] = []
    for param in (callback, *handler.params[:-1]):  # a callback passed on is the first thing to say
        for use in bindings.uses(param):
            if param == callback:
                calls.append(_callback_call(use, source))
            else:
                edit = _field(use, hook, hook.role(param) or "")
                edits[edit[0]] = edit
    if not calls:
        raise CannotTranslate("never calls its callback", handler.line)
    nested = any(_crosses_function(call, handler) for call in calls)
    helpers: set[str] = set()
    flat = list(edits.values())
    for call in calls:
        inner = [e for e in flat if call.start_byte <= e[0] and e[1] <= call.end_byte]
        flat = [e for e in flat if not (call.start_byte <= e[0] and e[1] <= call.end_byte)]
        flat.append(_callback_edit(call, hook, inner, nested, helpers))
    flat.extend(require_edits(requires(source, bindings)))
    body = handler.body
    inside = [e for e in flat if body.start_byte <= e[0] and e[1] <= body.end_byte]
    outside = [e for e in flat if not (body.start_byte <= e[0] and e[1] <= body.end_byte)]
    text = _body_text(hook, inside, calls)
    if nested:
        text = _indent(text) if _can_indent(source, body) else text
        names = "(resolveHook, rejectHook)" if "rejectHook" in helpers else "(resolveHook)"
        executor = f"async {names}" if handler.is_async else names
        text = ("\n  // The hook answered through its callback from asynchronous code: wait for that answer."
                f"\n  await new Promise({executor} => {{{text}}});\n")
    handler_text = f"exports.{shape.handler} = async (event, api) => {{{text}}}"
    if handler.declaration is not None:
        end = handler.declaration.end_byte
        end += source.data[end:end + 1] == b"\n"  # and the line it leaves empty
        outside += [(handler.declaration.start_byte, end, ""),
                    (handler.export.start_byte, handler.export.end_byte, handler_text)]
    else:
        # From `module.exports` to the function's end: the statement's `;`, if any, stays.
        outside.append((handler.export.start_byte, handler.function.end_byte, handler_text))
    code = apply_edits(source.data, outside)
    if "hookUserId(event)" in code:
        helpers.add(_USER_ID_HELPER)
    order = (_CX_ANSWER_HELPER, _PRE_ANSWER_HELPER, _CLAIMS_HELPER, _METADATA_HELPER, _ERROR_HELPER, _USER_ID_HELPER)
    helper_text = "".join(h for h in order if h in helpers)
    if helper_text and not code.endswith("\n"):
        code += "\n"
    header = f"// Migrated from the hook {name!r} by `reconciler migrate`: its callback became `api` calls.\n"
    return f"{header}{code}{helper_text}"


def _body_text(hook: Parsed, inside: list[Edit], calls: list[Node]) -> str:
    body, data = hook.handler.body, hook.source.data
    if hook.handler.block:
        start, end = body.start_byte + 1, body.end_byte - 1
        return apply_edits(data[start:end], [(a - start, b - start, t) for a, b, t in inside])
    shifted = [(a - body.start_byte, b - body.start_byte, t) for a, b, t in inside]
    text = apply_edits(data[body.start_byte:body.end_byte], shifted)
    if any(same(call, body) for call in calls):  # `(...) => cb(...)`: the call became statements
        return f"\n  {text}\n" if text else "\n"
    return f"\n  {text};\n"


# --- names ---------------------------------------------------------------------------------


def _check_names(hook: Parsed) -> None:
    source, bindings, handler = hook.source, hook.bindings, hook.handler
    for scope in bindings.declared.values():
        for binding in scope.values():
            if binding.name in _OURS:
                raise CannotTranslate(f"uses the name `{binding.name}`, which the action's handler needs for itself", binding.line)
    for reference in bindings.references:
        text = source.of(reference)
        if text in _OURS and bindings.of(reference) is None:
            raise CannotTranslate(f"uses the name `{text}`, which the action's handler needs for itself", line(reference))
        if text == "arguments" and bindings.of(reference) is None and _own_function(reference) == handler.function.id:
            raise CannotTranslate("reads `arguments`", line(reference))
    for again in bindings.again:
        if again.scope == handler.function.id and any(p.name == again.name for p in handler.params):
            raise CannotTranslate(f"declares its parameter `{again.name}` again inside the function", again.line)
    body_scope = handler.body.id if handler.block else None
    for param in handler.params:
        for scope_id in (handler.function.id, body_scope):
            twice = bindings.declared.get(scope_id or -1, {}).get(param.name)
            if twice is not None and twice != param:
                raise CannotTranslate(f"declares its parameter `{param.name}` again inside the function", twice.line)


def _own_function(node: Node) -> int | None:
    """The id of the nearest non-arrow function around ``node`` (whose `arguments` it reads)."""
    current = node.parent
    while current is not None:
        if current.type in FUNCTIONS and current.type != "arrow_function":
            return current.id
        current = current.parent
    return None


def _crosses_function(node: Node, handler: Handler) -> bool:
    current = node.parent
    while current is not None and not same(current, handler.function):
        if current.type in FUNCTIONS:
            return True
        current = current.parent
    return False


# --- parameters ----------------------------------------------------------------------------


def _field(use: Node, hook: Parsed, role: str) -> Edit:
    """The edit that turns ``param.a.b`` (or ``{ param }``, or a destructuring) into event fields."""
    source, fields, name = hook.source, hook.shape.fields[role], hook.source.of(use)
    if use.type == "shorthand_property_identifier":
        whole = fields.get(())
        if whole is None:
            raise CannotTranslate(f"uses `{name}` as a whole, which has no event field in Actions", line(use))
        return (use.start_byte, use.end_byte, f"{name}: {whole}")
    chain, path = [use], []
    node = use
    while node.parent is not None and node.parent.type == "member_expression" and same(field(node.parent, "object"), node):
        prop = field(node.parent, "property")
        if prop is None or prop.type != "property_identifier":
            break
        path.append(source.of(prop))
        node = node.parent
        chain.append(node)
    names = tuple(path)
    if names[:2] == ("webtask", "storage"):
        raise CannotTranslate(NO_PERSISTENCE, line(use))
    for n in range(len(names), -1, -1):
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


# --- the callback --------------------------------------------------------------------------


def _callback_call(use: Node, source: Source) -> Node:
    parent = use.parent
    if parent is None or parent.type != "call_expression" or not same(field(parent, "function"), use):
        raise CannotTranslate(f"passes its callback `{source.of(use)}` on instead of calling it", line(use))
    return parent


def _arguments(call: Node) -> list[Node]:
    arguments = field(call, "arguments")
    return [a for a in (arguments.named_children if arguments is not None else []) if a.type != "comment"]


def _callback_edit(call: Node, hook: Parsed, inner: list[Edit], nested: bool, helpers: set[str]) -> Edit:
    source, shape = hook.source, hook.shape

    def text(node: Node) -> str:
        start, stop = node.start_byte, node.end_byte
        return apply_edits(source.data[start:stop], [(a - start, b - start, t) for a, b, t in inner if a >= start and b <= stop])

    args = _arguments(call)
    if any(a.type == "spread_element" for a in args):
        raise CannotTranslate("spreads its callback's arguments", line(call))
    action = None
    if args and not _is_nothing(args[0], source):
        if not shape.denies:
            return _failure(call, hook, args[0], text(args[0]), nested, helpers)
        action = _denial(args[0], shape, text) if args[0].type == "new_expression" else None
        if action is None:  # an error value (or null at run time), or a class of its own: read as Hooks did
            action = f"answerHook(api, {text(args[0])}, {text(args[1]) if len(args) > 1 else 'undefined'})"
            helpers.update((_ANSWER_HELPERS[shape.trigger], _RESULT_HELPERS[shape.trigger]))
    elif len(args) > 1:
        result = text(args[1])
        if shape.trigger in _RESULT_HELPERS:
            action = f"{_RESULT_CALLS[shape.trigger]}(api, {result})"
            helpers.add(_RESULT_HELPERS[shape.trigger])
        elif any(n.type in ("call_expression", "new_expression") for n in source.walk(args[1])):
            raise CannotTranslate(f"computes its callback result with a call (a {shape.trigger} hook's result is ignored)", line(call))
    return _replace_call(call, hook, action, nested)


def _failure(call: Node, hook: Parsed, error: Node, shown: str, nested: bool, helpers: set[str]) -> Edit:
    """``cb(error)`` where Hooks only logged it (post-* and send-phone-message): the action throws,
    as the adapter does; an error held in a variable may be null at run time, so it is tested."""
    certain = error.type in ("new_expression", "string", "template_string")
    if not certain and not _is_plain_reference(error):
        raise CannotTranslate("reports an error through its callback that it computes with a call", line(error))
    helpers.add(_ERROR_HELPER)
    fail = f"rejectHook(hookError({shown}))" if nested else f"throw hookError({shown})"
    if nested:
        helpers.add("rejectHook")
    parent = call.parent
    returns = parent is not None and parent.type == "return_statement"
    if parent is not None and (returns or parent.type == "expression_statement"):
        if certain:
            lines = [f"{fail};"]
        elif nested:
            lines = [f"if ({shown}) {fail}; else resolveHook();"]
        else:
            lines = [f"if ({shown}) {fail};"]
        if returns and (nested or not certain):
            lines.append("return;")
        return _statement(parent, lines, hook.source)
    if not nested:
        thrown = f"(() => {{ {fail}; }})()"
        return (call.start_byte, call.end_byte, thrown if certain else f"({shown} ? {thrown} : undefined)")
    return (call.start_byte, call.end_byte, fail if certain else f"({shown} ? {fail} : resolveHook())")


def _is_plain_reference(node: Node) -> bool:
    """An identifier or a chain of ``.name`` on one: reading it twice has no side effect."""
    while node.type == "member_expression":
        prop = field(node, "property")
        if prop is None or prop.type != "property_identifier":
            return False
        node = field(node, "object")  # type: ignore[assignment]
    return node.type == "identifier"


def _is_nothing(node: Node, source: Source) -> bool:
    return node.type in ("null", "undefined") or (node.type == "identifier" and source.of(node) == "undefined")


def _denial(arg: Node, shape: Shape, text) -> str | None:  # type: ignore[no-untyped-def]
    """``new Error(m)`` and the classes Hooks provided, as the denial they meant; else None."""
    constructor = field(arg, "constructor")
    if constructor is None or constructor.type != "identifier":
        return None
    kind = text(constructor)
    inner = [text(a) for a in _arguments(arg)]
    message = inner[0] if inner else "''"
    if shape.trigger == "pre-user-registration" and kind in ("Error", "PreUserRegistrationError"):
        shown = inner[:2] if kind == "PreUserRegistrationError" and inner else [message]
        return f"api.access.deny({', '.join(shown)})"
    if shape.trigger == "credentials-exchange" and HOOK_ERRORS.get(kind):
        return f"api.access.deny('{HOOK_ERRORS[kind]}', {message})"
    return None


def _replace_call(call: Node, hook: Parsed, action: str | None, nested: bool) -> Edit:
    """The statement or expression that stands for one callback call."""
    source = hook.source
    parent = call.parent
    finish = "resolveHook()" if nested else None
    lines = [f"{action};"] if action else []
    if parent is not None and parent.type == "return_statement":
        lines.append(f"return {finish};" if finish else "return;")
        return _statement(parent, lines, source)
    if parent is not None and parent.type == "expression_statement":
        if finish:
            lines.append(f"{finish};")
        return _statement(parent, lines, source)
    if same(call, hook.handler.body):  # an arrow handler's expression body
        if finish:
            lines.append(f"{finish};")
        return (call.start_byte, call.end_byte, " ".join(lines))
    parts = [p for p in (action, finish) if p]
    expression = f"({', '.join(parts)})" if len(parts) > 1 else (parts[0] if parts else "undefined")
    if parent is not None and parent.type == "arrow_function" and same(field(parent, "body"), call):
        expression = "{ " + " ".join(f"{p};" for p in parts) + " }" if parts else "{}"
    return (call.start_byte, call.end_byte, expression)


def _statement(statement: Node, lines: list[str], source: Source) -> Edit:
    """Replace a whole statement; inside an if/else/loop without braces, as one block."""
    start, stop = statement.start_byte, statement.end_byte
    in_list = statement.parent is not None and statement.parent.type in ("statement_block", "program", "switch_case", "switch_default")
    if not in_list:
        return (start, stop, "{ " + " ".join(lines) + " }" if lines else "{}")
    if not lines:  # `cb();` alone on its line: drop the line
        data = source.data
        line_start = data.rfind(b"\n", 0, start) + 1
        newline = data.find(b"\n", stop)
        after = data[stop:newline if newline >= 0 else len(data)]
        if not data[line_start:start].strip() and not after.strip():
            return (line_start, newline + 1 if newline >= 0 else len(data), "")
        return (start, stop, "")
    return (start, stop, f"\n{_indent_of(source.data, start)}".join(lines))


def _indent_of(data: bytes, offset: int) -> str:
    text = data[data.rfind(b"\n", 0, offset) + 1:offset].decode("utf-8")
    return text[: len(text) - len(text.lstrip())]


def _can_indent(source: Source, body: Node) -> bool:
    """Re-indenting is safe unless a string or template literal spans lines."""
    return not any(n.type in ("string", "template_string") and n.start_point.row != n.end_point.row for n in source.walk(body))


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line.strip() else line for line in text.split("\n")).rstrip(" ") + "  "
