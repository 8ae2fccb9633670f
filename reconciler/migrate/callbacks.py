"""The hook's callback calls as what they meant in Actions: a denial, custom claims, metadata,
a thrown error (post-* and send-phone-message), or nothing; each replaced in place, as a statement
or an expression, and completing the awaited answer (``resolveHook``) when called from
asynchronous code. The JavaScript helpers the replacements call are appended to the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from reconciler.migrate.jsbindings import Binding, Bindings
from reconciler.migrate.jsparse import Source, apply_edits, field, line, same
from reconciler.migrate.model_text import model_functions
from reconciler.migrate.parsed import CannotTranslate, Edit, Parsed
from reconciler.migrate.shapes import HOOK_ERRORS, Shape

# Each helper is a thin call of the Hooks model's own functions (``model_text``): the rules --
# which claims, which metadata, which error answer -- are written once, in hooks_model.js.
# Helpers that can meet in one action (an answer helper and its result helper) share no model function.
_CLAIMS_HELPER = """
// The hook's callback result in Actions terms: the claims Hooks issued from it.
function setAccessTokenClaims(api, claims) {
  for (const claim of hookClaimNames(claims)) api.accessToken.setCustomClaim(claim, claims[claim]);
}
""" + model_functions("hookClaimIsNamespaced", "hookClaimNames")
_METADATA_HELPER = """
// The hook's callback result in Actions terms: {user: {user_metadata, app_metadata}} becomes metadata calls.
function setRegistrationMetadata(api, response) {
  const metadata = hookRegistrationMetadata(response);
  for (const [key, value] of metadata.user_metadata) api.user.setUserMetadata(key, value);
  for (const [key, value] of metadata.app_metadata) api.user.setAppMetadata(key, value);
}
""" + model_functions("hookRegistrationMetadata")
# A hook's callback error on a trigger where Hooks only logged it: the action throws it (hookError).
_ERROR_HELPER = model_functions("hookIsError", "hookError")
_CX_ANSWER_HELPER = """
// The hook's callback answer as Hooks read it: an error refuses the token, else the result's claims.
function answerHook(api, error, result) {
  if (error) {
    const denied = hookTokenDenial(error);
    api.access.deny(denied.code, denied.reason);
    return;
  }
  setAccessTokenClaims(api, result);
}
""" + model_functions("hookIsError", "hookErrorMessage", "hookTokenDenial")
_PRE_ANSWER_HELPER = """
// The hook's callback answer as Hooks read it: an error refuses the sign-up, else the result's metadata.
function answerHook(api, error, result) {
  if (error) {
    const denied = hookSignupDenial(error);
    api.access.deny(denied.reason, denied.user_message === null ? undefined : denied.user_message);
    return;
  }
  setRegistrationMetadata(api, result);
}
""" + model_functions("hookIsError", "hookErrorMessage", "hookSignupDenial")
_RESULT_HELPERS = {"credentials-exchange": _CLAIMS_HELPER, "pre-user-registration": _METADATA_HELPER}
_RESULT_CALLS = {"credentials-exchange": "setAccessTokenClaims", "pre-user-registration": "setRegistrationMetadata"}
_ANSWER_HELPERS = {"credentials-exchange": _CX_ANSWER_HELPER, "pre-user-registration": _PRE_ANSWER_HELPER}
# The order the helpers are appended in (each defined once).
HELPERS = (_CX_ANSWER_HELPER, _PRE_ANSWER_HELPER, _CLAIMS_HELPER, _METADATA_HELPER, _ERROR_HELPER)


def kept_callback(name: str, shape: Shape, helpers: set[str]) -> str:
    """The hook's callback as a function of the action, for a hook that passes it on (to a helper,
    ``.catch(cb)``, ``setTimeout(cb)``): it answers as Hooks read an answer, and only its first
    call counts, as in Hooks. Not for credentials-exchange (the answer's scopes are unchecked)."""
    if shape.trigger in _ANSWER_HELPERS:
        helpers.update((_ANSWER_HELPERS[shape.trigger], _RESULT_HELPERS[shape.trigger]))
        answer = "answerHook(api, error, result); resolveHook();"
    else:
        helpers.update((_ERROR_HELPER, "rejectHook"))
        answer = "if (error) rejectHook(hookError(error)); else resolveHook();"
    return ("\n  // The hook passes its callback on: it stays a function; its first answer counts, as in Hooks."
            f"\n  let hookAnswered = false;\n  const {name} = (error, result) => {{ if (hookAnswered) return; "
            f"hookAnswered = true; {answer} }};")


@dataclass(frozen=True)
class CallbackUses:
    """How the hook uses its callback: the calls (also through a ``const`` alias), the alias
    declarations, and the first use that is neither (the callback passed on), if any."""

    calls: tuple[Node, ...]
    aliases: tuple[Node, ...]  # the `const done = cb;` statements
    passed: Node | None


def callback_uses(hook: Parsed) -> CallbackUses:
    bindings, calls, aliases = hook.bindings, [], []
    pending = list(bindings.uses(hook.handler.params[-1]))
    passed = None
    while pending:
        use = pending.pop(0)
        parent = use.parent
        if parent is not None and parent.type == "call_expression" and same(field(parent, "function"), use):
            calls.append(parent)
            continue
        alias = _alias(use, bindings)
        if alias is not None:
            aliases.append(alias[0])
            pending.extend(bindings.uses(alias[1]))
        elif passed is None:
            passed = use
    return CallbackUses(tuple(sorted(calls, key=lambda n: n.start_byte)), tuple(aliases), passed)


def _alias(use: Node, bindings: Bindings) -> tuple[Node, Binding] | None:
    """For ``const done = cb;`` (one declarator, never reassigned): the statement and ``done``."""
    declarator = use.parent
    if declarator is None or declarator.type != "variable_declarator" or not same(field(declarator, "value"), use):
        return None
    statement, name = declarator.parent, field(declarator, "name")
    if statement is None or statement.type != "lexical_declaration" or len(statement.named_children) != 1 \
            or name is None or name.type != "identifier":
        return None
    binding = bindings.binding_at(name)
    if binding is None or binding.kind != "const":
        return None
    return statement, binding


def _arguments(call: Node) -> list[Node]:
    arguments = field(call, "arguments")
    return [a for a in (arguments.named_children if arguments is not None else []) if a.type != "comment"]


def callback_edit(call: Node, hook: Parsed, inner: list[Edit], nested: bool, helpers: set[str]) -> Edit:
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
        return statement_edit(parent, lines, hook.source)
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
        return statement_edit(parent, lines, source)
    if parent is not None and parent.type == "expression_statement":
        if finish:
            lines.append(f"{finish};")
        return statement_edit(parent, lines, source)
    if same(call, hook.handler.body):  # an arrow handler's expression body
        if finish:
            lines.append(f"{finish};")
        return (call.start_byte, call.end_byte, " ".join(lines))
    parts = [p for p in (action, finish) if p]
    expression = f"({', '.join(parts)})" if len(parts) > 1 else (parts[0] if parts else "undefined")
    if parent is not None and parent.type == "arrow_function" and same(field(parent, "body"), call):
        expression = "{ " + " ".join(f"{p};" for p in parts) + " }" if parts else "{}"
    return (call.start_byte, call.end_byte, expression)


def statement_edit(statement: Node, lines: list[str], source: Source) -> Edit:
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
