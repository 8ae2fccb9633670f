"""A small JavaScript tokenizer: enough to rewrite a hook without touching its strings or comments.

Not a parser. It tells code from strings, template literals, comments and regular expressions,
so the translator rewrites identifiers only where they are code. Anything it gets wrong shows up
when the translation is run against the hook (the safety net), and the adapter takes over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IDENT, PUNCT, STRING, TEMPLATE, COMMENT, REGEX, NUMBER, SPACE = (
    "ident", "punct", "string", "template", "comment", "regex", "number", "space",
)

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"(?:0[xXbBoO][\da-fA-F_]+|\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)n?")
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r">>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|=>|==|!=|<=|>=|&&|\|\||\?\?=?|\?\.|\+\+|--|[-+*/%&|^]=|<<|>>|\*\*|[{}()\[\];,<>+\-*/%&|^!~?:=.@#]")
# After these, a "/" starts a regular expression rather than a division.
_REGEX_AFTER_WORDS = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"}


class TokenizeError(ValueError):
    """Source the tokenizer cannot follow (an unterminated string, comment or template)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def is_(self, text: str) -> bool:
        return self.kind in (PUNCT, IDENT) and self.text == text


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace():
            m = _SPACE.match(source, i)
            assert m
            tokens.append(Token(SPACE, m.group(), i))
            i = m.end()
        elif source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            tokens.append(Token(COMMENT, source[i:end], i))
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise TokenizeError(f"unterminated comment at offset {i}")
            tokens.append(Token(COMMENT, source[i:end + 2], i))
            i = end + 2
        elif c in "'\"":
            end = _string_end(source, i, c)
            tokens.append(Token(STRING, source[i:end], i))
            i = end
        elif c == "`":
            end = _template_end(source, i)
            tokens.append(Token(TEMPLATE, source[i:end], i))
            i = end
        elif c == "/" and _regex_allowed(tokens):
            end = _regex_end(source, i)
            tokens.append(Token(REGEX, source[i:end], i))
            i = end
        elif (m := _IDENT.match(source, i)) is not None:
            tokens.append(Token(IDENT, m.group(), i))
            i = m.end()
        elif (m := _NUMBER.match(source, i)) is not None and m.group():
            tokens.append(Token(NUMBER, m.group(), i))
            i = m.end()
        elif (m := _PUNCT.match(source, i)) is not None:
            tokens.append(Token(PUNCT, m.group(), i))
            i = m.end()
        else:
            tokens.append(Token(PUNCT, c, i))
            i += 1
    return tokens


def code(tokens: list[Token]) -> list[Token]:
    """The tokens that matter to the grammar: no spaces, no comments."""
    return [t for t in tokens if t.kind not in (SPACE, COMMENT)]


def _string_end(source: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(source):
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n":
            break
        j += 1
    raise TokenizeError(f"unterminated string at offset {i}")


def _template_end(source: str, i: int) -> int:
    """The end of a template literal, following ``${...}`` expressions (which may nest)."""
    j = i + 1
    while j < len(source):
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == "`":
            return j + 1
        if source.startswith("${", j):
            j = _expression_end(source, j + 2)
            continue
        j += 1
    raise TokenizeError(f"unterminated template literal at offset {i}")


def _expression_end(source: str, i: int) -> int:
    depth, j = 1, i
    while j < len(source):
        c = source[j]
        if c in "'\"":
            j = _string_end(source, j, c)
            continue
        if c == "`":
            j = _template_end(source, j)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise TokenizeError(f"unterminated template expression at offset {i}")


def _regex_allowed(tokens: list[Token]) -> bool:
    previous = next((t for t in reversed(tokens) if t.kind not in (SPACE, COMMENT)), None)
    if previous is None:
        return True
    if previous.kind == IDENT:
        return previous.text in _REGEX_AFTER_WORDS
    if previous.kind in (NUMBER, STRING, TEMPLATE, REGEX):
        return False
    return previous.text not in (")", "]", "}")


def _regex_end(source: str, i: int) -> int:
    j, in_class = i + 1, False
    while j < len(source):
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == "\n":
            break
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            j += 1
            while j < len(source) and (source[j].isalnum() or source[j] == "_"):
                j += 1
            return j
        j += 1
    raise TokenizeError(f"unterminated regular expression at offset {i}")
