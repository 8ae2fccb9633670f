"""A hook's code as an Actions handler, for the shapes that map one to one.

The shape: ``module.exports = function (<the trigger's parameters>) { ... }`` with the callback
only ever called (never passed on). Parameters become ``event`` fields (``shapes``), each
callback call becomes the ``api`` call it meant (a denial, custom claims, metadata, or nothing
for post-* hooks), and pinned requires become plain ones. A hook that answers from
asynchronous code is awaited through a promise, so the action does not return early.

Anything else raises ``CannotTranslate`` with the reason; the migration then uses the adapter.
``person.needs_person`` finds what neither the translation nor the adapter can carry over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reconciler.migrate.jstokens import IDENT, PUNCT, STRING, TEMPLATE, Token, TokenizeError, code, tokenize
from reconciler.migrate.requires import apply_edits, require_edits
from reconciler.migrate.shapes import HOOK_ERRORS, NO_PERSISTENCE, SHAPES, Shape

Edit = tuple[int, int, str]
_NOT_FUNCTIONS = {"if", "for", "while", "switch", "catch", "with", "return", "typeof", "await", "function"}
_OURS = {"event", "api", "resolveHook", "setAccessTokenClaims", "setRegistrationMetadata"}
_DECLARE = {"var", "let", "const", "function", "class"}
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


class CannotTranslate(Exception):
    """The hook has a shape the translation does not map; ``str()`` says which."""


@dataclass(frozen=True)
class _Hook:
    """The parsed outline of a hook file."""

    source: str
    tokens: list[Token]  # significant tokens only
    export: int  # index of `module`
    open: int  # index of the body's `{`
    close: int  # index of the body's `}`
    params: tuple[str, ...]
    matching: dict[int, int]


def translate(name: str, trigger: str, source: str) -> str:
    """The action's code.js for the hook ``name``, or ``CannotTranslate``."""
    shape = SHAPES.get(trigger)
    if shape is None:
        raise CannotTranslate(f"hooks on {trigger} are not known")
    hook = _outline(source, shape)
    roles = dict(zip(hook.params, shape.params))
    callback = hook.params[-1]
    shadowed = _declared(hook) & set(hook.params)
    if shadowed:
        raise CannotTranslate(f"declares its parameter `{sorted(shadowed)[0]}` again inside the function")
    taken = {t.text for i, t in enumerate(hook.tokens) if t.kind == IDENT and t.text in _OURS and not _is_property(hook.tokens, i)}
    if taken:
        raise CannotTranslate(f"uses the name `{sorted(taken)[0]}`, which the action's handler needs for itself")
    edits: dict[int, Edit] = {}  # token index -> edit
    calls: list[tuple[int, int]] = []  # (callback token, its closing parenthesis)
    body = range(hook.open + 1, hook.close)
    for i in body:
        token = hook.tokens[i]
        if token.kind != IDENT or _is_property(hook.tokens, i):
            continue
        if token.text == "arguments":
            raise CannotTranslate("reads `arguments`")
        if token.text == callback:
            calls.append(_callback_call(hook, i))
        elif token.text in roles:
            edit = _field(hook, i, shape, roles[token.text])
            if edit is not None:
                edits[i] = edit
    if not calls:
        raise CannotTranslate("never calls its callback")
    extents = _function_extents(hook)
    nested = any(any(a <= i <= b for a, b in extents) for i, _ in calls)
    helpers: set[str] = set()
    flat = list(edits.values())
    for i, end in calls:
        inner = [e for e in flat if hook.tokens[i].start <= e[0] and e[1] <= hook.tokens[end].end]
        flat = [e for e in flat if e not in inner]
        flat.append(_callback_edit(hook, i, end, shape, inner, nested, helpers))
    flat.extend(require_edits(tokenize(source))[0])
    body_start, body_end = hook.tokens[hook.open].end, hook.tokens[hook.close].start
    text = apply_edits(source[body_start:body_end], [(a - body_start, b - body_start, t) for a, b, t in flat if a >= body_start and b <= body_end])
    outside = [e for e in flat if e[1] <= hook.tokens[hook.export].start or e[0] >= hook.tokens[hook.close].end]
    prefix = apply_edits(source[: hook.tokens[hook.export].start], [e for e in outside if e[1] <= hook.tokens[hook.export].start])
    after = hook.tokens[hook.close].end
    suffix = apply_edits(source[after:], [(a - after, b - after, t) for a, b, t in outside if a >= after])
    if nested:
        text = _indent(text) if _can_indent(hook) else text
        text = ("\n  // The hook answered through its callback from asynchronous code: wait for that answer."
                f"\n  await new Promise((resolveHook) => {{{text}}});\n")
    header = f"// Migrated from the hook {name!r} by `reconciler migrate`: its callback became `api` calls.\n"
    helper_text = "".join(h for h in (_CLAIMS_HELPER, _METADATA_HELPER) if h in helpers)
    if helper_text and not suffix.endswith("\n"):
        suffix += "\n"
    return f"{header}{prefix}exports.{shape.handler} = async (event, api) => {{{text}}}{suffix}{helper_text}"


# --- the outline ---------------------------------------------------------------------------


def _outline(source: str, shape: Shape) -> _Hook:
    try:
        tokens = code(tokenize(source))
    except TokenizeError as error:
        raise CannotTranslate(f"the source could not be followed ({error})") from None
    matching = _matching(tokens)
    exports = [i for i, t in enumerate(tokens) if t.is_("exports") or t.is_("module")]
    starts = [i for i in exports if tokens[i].is_("module") and _at(tokens, i + 1, ".") and _at(tokens, i + 2, "exports")
              and _at(tokens, i + 3, "=") and _at(tokens, i + 4, "function")]
    if len(starts) != 1 or len(exports) != 2:
        raise CannotTranslate("is not a single `module.exports = function (...) {...}`")
    export = starts[0]
    j = export + 5
    if tokens[j].kind == IDENT:
        j += 1
    if not _at(tokens, j, "(") or j not in matching:
        raise CannotTranslate("is not a single `module.exports = function (...) {...}`")
    close_params = matching[j]
    params = tokens[j + 1:close_params]
    names = tuple(t.text for t in params[::2])
    if any(t.kind != IDENT for t in params[::2]) or any(not t.is_(",") for t in params[1::2]):
        raise CannotTranslate("has default, rest or destructured parameters")
    if len(names) != shape.arity:
        raise CannotTranslate(f"takes {len(names)} parameters; a {shape.trigger} hook takes {shape.arity} ({', '.join(shape.params)})")
    open_ = close_params + 1
    if not _at(tokens, open_, "{") or open_ not in matching:
        raise CannotTranslate("is not a single `module.exports = function (...) {...}`")
    return _Hook(source, tokens, export, open_, matching[open_], names, matching)


def _matching(tokens: list[Token]) -> dict[int, int]:
    pairs, stack = {}, []
    for i, token in enumerate(tokens):
        if token.kind != PUNCT:
            continue
        if token.text in "([{":
            stack.append(i)
        elif token.text in ")]}" and stack:
            pairs[stack.pop()] = i
    return pairs


def _at(tokens: list[Token], i: int, text: str) -> bool:
    return 0 <= i < len(tokens) and tokens[i].is_(text)


def _is_property(tokens: list[Token], i: int) -> bool:
    """``x.name``, or ``{name: ...}`` (a key): not a use of the variable ``name``."""
    previous = tokens[i - 1] if i else None
    if previous is not None and previous.text in (".", "?."):
        return True
    return previous is not None and previous.text in ("{", ",") and _at(tokens, i + 1, ":")


def _declared(hook: _Hook) -> set[str]:
    """Names declared inside the body (variables, functions, parameters of inner functions)."""
    tokens, out = hook.tokens, set()
    for i in range(hook.open + 1, hook.close):
        token = tokens[i]
        if token.kind == IDENT and tokens[i - 1].kind == IDENT and tokens[i - 1].text in _DECLARE:
            out.add(token.text)
        if token.kind == IDENT and _at(tokens, i + 1, "=>"):
            out.add(token.text)
        if token.is_("(") and i in hook.matching and _is_parameter_list(hook, i):
            out.update(t.text for t in tokens[i + 1:hook.matching[i]] if t.kind == IDENT)
    return out


def _is_parameter_list(hook: _Hook, i: int) -> bool:
    tokens = hook.tokens
    before = tokens[i - 1]
    if before.is_("function") or (before.kind == IDENT and tokens[i - 2].is_("function")) or (before.is_("catch") and not tokens[i - 2].is_(".")):
        return True
    return _at(tokens, hook.matching[i] + 1, "=>")


def _function_extents(hook: _Hook) -> list[tuple[int, int]]:
    """Token ranges of the functions inside the body (a callback called there is asynchronous)."""
    tokens, out = hook.tokens, []
    for i in range(hook.open + 1, hook.close):
        token = tokens[i]
        if token.is_("{") and i in hook.matching:
            before = tokens[i - 1]
            if before.is_("=>"):
                out.append((i, hook.matching[i]))
            elif before.is_(")"):
                start = next((k for k, v in hook.matching.items() if v == i - 1), None)
                if start is not None and (_is_parameter_list(hook, start)
                                          or (tokens[start - 1].kind == IDENT and tokens[start - 1].text not in _NOT_FUNCTIONS)):
                    out.append((i, hook.matching[i]))
        elif token.is_("=>") and not _at(tokens, i + 1, "{"):
            depth, k = 0, i + 1
            while k < hook.close:
                text = tokens[k].text if tokens[k].kind == PUNCT else ""
                if text in ("(", "[", "{"):
                    depth += 1
                elif text in (")", "]", "}", ",", ";") and depth == 0:
                    break
                elif text in (")", "]", "}"):
                    depth -= 1
                k += 1
            out.append((i, k))
    return out


# --- parameters ----------------------------------------------------------------------------


def _field(hook: _Hook, i: int, shape: Shape, role: str) -> Edit | None:
    """The edit that turns ``param.a.b`` into its event field."""
    tokens, fields = hook.tokens, shape.fields[role]
    path: list[Token] = []
    k = i + 1
    while _at(tokens, k, ".") and k + 1 < len(tokens) and tokens[k + 1].kind == IDENT:
        path.append(tokens[k + 1])
        k += 2
    names = tuple(t.text for t in path)
    if names[:2] == ("webtask", "storage"):
        raise CannotTranslate(NO_PERSISTENCE)
    shorthand = tokens[i - 1].text in ("{", ",") and tokens[i + 1].text in (",", "}") and _inside_braces(hook, i)
    for n in range(len(names), -1, -1):
        expression = fields.get(names[:n])
        if expression is not None:
            end = path[n - 1].end if n else tokens[i].end
            text = f"{tokens[i].text}: {expression}" if shorthand else expression
            return (tokens[i].start, end, text)
    shown = ".".join((tokens[i].text, *names[:2]))
    raise CannotTranslate(f"uses `{shown}`, which has no event field in Actions")


def _inside_braces(hook: _Hook, i: int) -> bool:
    inner = [(a, b) for a, b in hook.matching.items() if a < i < b]
    return bool(inner) and hook.tokens[max(inner)[0]].is_("{")


# --- the callback --------------------------------------------------------------------------


def _callback_call(hook: _Hook, i: int) -> tuple[int, int]:
    tokens = hook.tokens
    if not _at(tokens, i + 1, "(") or (i + 1) not in hook.matching:
        raise CannotTranslate(f"passes its callback `{tokens[i].text}` on instead of calling it")
    return i, hook.matching[i + 1]


def _arguments(hook: _Hook, open_: int, close: int) -> list[tuple[int, int]]:
    """Token ranges of each top-level argument between the parentheses."""
    out, start, depth = [], open_ + 1, 0
    for k in range(open_ + 1, close):
        text = hook.tokens[k].text if hook.tokens[k].kind == PUNCT else ""
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
        elif text == "," and depth == 0:
            out.append((start, k - 1))
            start = k + 1
    if start < close:
        out.append((start, close - 1))
    return out


def _callback_edit(hook: _Hook, i: int, end: int, shape: Shape, inner: list[Edit], nested: bool, helpers: set[str]) -> Edit:
    tokens = hook.tokens

    def text(a: int, b: int) -> str:
        start, stop = tokens[a].start, tokens[b].end
        return apply_edits(hook.source[start:stop], [(x - start, y - start, t) for x, y, t in inner if x >= start and y <= stop])

    args = _arguments(hook, i + 1, end)
    first = text(*args[0]) if args else "null"
    call = None
    if first not in ("null", "undefined"):
        if not shape.denies:
            raise CannotTranslate(f"reports an error through its callback; a {shape.trigger} action can only throw")
        call = _denial(hook, args[0], shape, text)
    elif len(args) > 1:
        result = text(*args[1])
        if shape.trigger == "credentials-exchange":
            call = f"setAccessTokenClaims(api, {result})"
            helpers.add(_CLAIMS_HELPER)
        elif shape.trigger == "pre-user-registration":
            call = f"setRegistrationMetadata(api, {result})"
            helpers.add(_METADATA_HELPER)
        elif "(" in result:
            raise CannotTranslate("computes its callback result with a call (a post-* hook's result is ignored)")
    return _replace_call(hook, i, end, call, nested)


def _denial(hook: _Hook, arg: tuple[int, int], shape: Shape, text: Callable[[int, int], str]) -> str:
    tokens, (a, b) = hook.tokens, arg
    if not (tokens[a].is_("new") and a + 2 <= b and tokens[a + 1].kind == IDENT and _at(tokens, a + 2, "(")
            and hook.matching.get(a + 2) == b):
        raise CannotTranslate("calls back with an error that is not written as `new Error(...)`")
    kind = tokens[a + 1].text
    inner = [text(x, y) for x, y in _arguments(hook, a + 2, b)]
    message = inner[0] if inner else "''"
    if shape.trigger == "pre-user-registration" and kind in ("Error", "PreUserRegistrationError"):
        shown = inner[:2] if kind == "PreUserRegistrationError" else [message]
        return f"api.access.deny({', '.join(shown or [message])})"
    if shape.trigger == "credentials-exchange" and HOOK_ERRORS.get(kind):
        return f"api.access.deny('{HOOK_ERRORS[kind]}', {message})"
    raise CannotTranslate(f"calls back with `new {kind}(...)`, which the translation does not map on {shape.trigger}")


def _replace_call(hook: _Hook, i: int, end: int, call: str | None, nested: bool) -> Edit:
    """The statement or expression that stands for one callback call."""
    tokens = hook.tokens
    returns = tokens[i - 1].is_("return")
    first = i - 1 if returns else i
    before = tokens[first - 1].text if first > 0 else ";"
    after = tokens[end + 1] if end + 1 < len(tokens) else None
    ends = after is None or after.text in (";", "}") or "\n" in hook.source[tokens[end].end:after.start]
    statement = ends and before in (";", "{", "}", ":")
    stop = after.end if after is not None and after.is_(";") else tokens[end].end
    finish = "resolveHook()" if nested else None
    lines = [f"{call};"] if call else []
    if returns:
        lines.append(f"return {finish};" if finish else "return;")
    elif finish:
        lines.append(f"{finish};")
    start = tokens[first].start
    if statement:
        if not lines:  # `cb();` alone on its line: drop the line
            line_start = hook.source.rfind("\n", 0, start) + 1
            newline = hook.source.find("\n", stop)
            if not hook.source[line_start:start].strip() and not hook.source[stop:newline if newline >= 0 else None].strip():
                return (line_start, newline + 1 if newline >= 0 else len(hook.source), "")
        return (start, stop, f"\n{_indent_of(hook.source, start)}".join(lines))
    if before in (")", "else", "do") and ends:
        return (start, stop, f"{{ {' '.join(lines)} }}" if lines else ";")
    parts = [p for p in (call, finish) if p]
    expression = f"({', '.join(parts)})" if len(parts) > 1 else (parts[0] if parts else "undefined")
    return (start, tokens[end].end, f"return {expression}" if returns else expression)


def _indent_of(source: str, offset: int) -> str:
    line = source[source.rfind("\n", 0, offset) + 1:offset]
    return line[: len(line) - len(line.lstrip())]


def _can_indent(hook: _Hook) -> bool:
    """Re-indenting is safe unless a string or template literal spans lines."""
    return not any(t.kind in (STRING, TEMPLATE) and "\n" in t.text for t in hook.tokens[hook.open:hook.close])


def _indent(text: str) -> str:
    return "\n".join(("  " + line) if line.strip() else line for line in text.split("\n")).rstrip(" ") + "  "
