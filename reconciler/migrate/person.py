"""What neither a translation nor an adapter can carry over into an action: a person decides."""

from __future__ import annotations

from reconciler.migrate.jstokens import PUNCT, STRING, Token, TokenizeError, code, tokenize
from reconciler.migrate.shapes import NO_PERSISTENCE, SCOPES
from reconciler.migrate.translate import _at, _matching

_MUTATORS = {"push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", "length"}


def needs_person(trigger: str, source: str) -> str | None:
    """Why neither a translation nor an adapter keeps this hook's behaviour, or None."""
    try:
        tokens = code(tokenize(source))
    except TokenizeError:
        return None
    for i, token in enumerate(tokens[:-2]):
        if token.is_("webtask") and tokens[i + 1].is_(".") and tokens[i + 2].is_("storage"):
            return NO_PERSISTENCE
    if trigger == "credentials-exchange" and _changes_scopes(tokens):
        return SCOPES
    return None



# --- scopes --------------------------------------------------------------------------------


def _changes_scopes(tokens: list[Token]) -> bool:
    """Whether a credentials-exchange hook answers with other scopes than it was given."""
    params = _scope_param(tokens)
    for i, token in enumerate(tokens):
        is_key = token.is_("scope") or (token.kind == STRING and token.text[1:-1] == "scope")
        if not is_key:
            continue
        if i and tokens[i - 1].is_(".") and _at(tokens, i + 1, "="):
            rhs = _until(tokens, i + 2, (";", ",", ")", "}"))
        elif i and tokens[i - 1].text in ("{", ",") and _at(tokens, i + 1, ":"):
            rhs = _until(tokens, i + 2, (",", "}"))
        elif i and tokens[i - 1].is_("[") and _at(tokens, i + 1, "]") and _at(tokens, i + 2, "="):
            rhs = _until(tokens, i + 3, (";", ",", ")", "}"))
        else:
            continue
        if [t.text for t in rhs] != [params]:
            return True
    if params:
        for i, token in enumerate(tokens[:-2]):
            if not token.is_(params) or (i and tokens[i - 1].text in (".", "?.")):
                continue
            following = tokens[i + 1]
            if following.is_("=") or (following.is_(".") and tokens[i + 2].text in _MUTATORS):
                return True
            if following.is_("["):
                close = _matching(tokens).get(i + 1)
                if close is not None and _at(tokens, close + 1, "="):
                    return True
    return False


def _scope_param(tokens: list[Token]) -> str:
    for i, token in enumerate(tokens[:-4]):
        if token.is_("function") and (tokens[i + 1].is_("(") or tokens[i + 2].is_("(")):
            j = i + 1 if tokens[i + 1].is_("(") else i + 2
            names = [t.text for t in tokens[j + 1:j + 10:2]]
            return names[1] if len(names) > 1 else ""
    return ""


def _until(tokens: list[Token], start: int, stops: tuple[str, ...]) -> list[Token]:
    out, depth = [], 0
    for token in tokens[start:]:
        text = token.text if token.kind == PUNCT else ""
        if depth == 0 and text in stops:
            break
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
        out.append(token)
    return out
