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

from bisect import bisect_left

from tree_sitter import Node

from reconciler.migrate.callbacks import HELPERS, callback_edit, callback_uses, kept_callback, statement_edit
from reconciler.migrate.jsparse import FUNCTIONS, Source, apply_edits, field, line, same
from reconciler.migrate.model_text import shared_functions
from reconciler.migrate.parsed import CannotTranslate, Edit, Parsed, parse_hook
from reconciler.migrate.renames import USER_ID_HELPER, rename
from reconciler.migrate.requires import require_edits, requires

__all__ = ["CannotTranslate", "Parsed", "parse_hook", "translate", "translate_parsed"]
_OURS = {"event", "api", "resolveHook", "rejectHook", "setAccessTokenClaims", "setRegistrationMetadata", "hookUserId",
         "answerHook", "hookError", "hookAnswered", *shared_functions()}


def translate(name: str, trigger: str, text: str) -> str:
    """The action's code.js for the hook ``name``, or ``CannotTranslate``."""
    return translate_parsed(name, parse_hook(trigger, text))


def translate_parsed(name: str, hook: Parsed) -> str:
    source, bindings, handler, shape = hook.source, hook.bindings, hook.handler, hook.shape
    _check_names(hook)
    uses = callback_uses(hook)
    kept = uses.passed is not None  # passed on: the callback stays a function (``kept_callback``)
    if kept and shape.trigger == "credentials-exchange":  # its answer's scopes could not be checked
        raise CannotTranslate(f"passes its callback `{source.of(uses.passed)}` on instead of calling it", line(uses.passed))  # type: ignore[arg-type]
    calls = [] if kept else list(uses.calls)
    edits: dict[int, Edit] = {}  # start byte -> edit
    for alias in () if kept else uses.aliases:  # `const done = cb;` goes: its calls are the callback's
        edits[alias.start_byte] = statement_edit(alias, [], source)
    for param in handler.params[:-1]:
        for use in bindings.uses(param):
            edit = rename(use, hook, hook.role(param) or "")
            edits[edit[0]] = edit
    if not calls and not kept:
        raise CannotTranslate("never calls its callback", handler.line)
    # The handler is a top-level function: a call inside any other function is asynchronous.
    nested = kept or any(bindings.depth.get(field(call, "function").id, 0) > 1 for call in calls)  # type: ignore[union-attr]
    helpers: set[str] = set()
    prelude = kept_callback(handler.params[-1].name, shape, helpers) if kept else ""
    renames = sorted(edits.values())
    starts = [e[0] for e in renames]
    taken: set[int] = set()  # renames inside a callback call become part of its replacement
    flat: list[Edit] = []
    for call in calls:  # calls never nest (a callback passed to itself is refused), renames never span one
        first, last = bisect_left(starts, call.start_byte), bisect_left(starts, call.end_byte)
        taken.update(range(first, last))
        flat.append(callback_edit(call, hook, renames[first:last], nested, helpers))
    flat.extend(e for i, e in enumerate(renames) if i not in taken)
    flat.extend(require_edits(requires(source, bindings)))
    body = handler.body
    inside = [e for e in flat if body.start_byte <= e[0] and e[1] <= body.end_byte]
    outside = [e for e in flat if not (body.start_byte <= e[0] and e[1] <= body.end_byte)]
    text = _body_text(hook, inside, calls)
    if nested:
        text = prelude + ("" if not prelude or text.startswith("\n") else "\n  ") + text
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
        helpers.add(USER_ID_HELPER)
    order = (*HELPERS, USER_ID_HELPER)
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
        if text == "arguments" and bindings.of(reference) is None and _own_function(reference, source) == handler.function.id:
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


def _own_function(node: Node, source: Source) -> int | None:
    """The id of the nearest non-arrow function around ``node`` (whose `arguments` it reads)."""
    current = source.parent(node)  # not .parent: see Source.parent
    while current is not None:
        if current.type in FUNCTIONS and current.type != "arrow_function":
            return current.id
        current = source.parent(current)
    return None


def _can_indent(source: Source, body: Node) -> bool:
    """Re-indenting is safe unless a string or template literal spans lines."""
    return not any(n.type in ("string", "template_string") and n.start_point.row != n.end_point.row for n in source.walk(body))


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line.strip() else line for line in text.split("\n")).rstrip(" ") + "  "
