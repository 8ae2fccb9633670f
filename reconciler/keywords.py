"""Keyword replacement as auth0-deploy-cli does it.

``##KEY##`` becomes the value as text; ``@@KEY@@`` becomes the value's JSON encoding, and a
``"@@KEY@@"`` wrapped in double quotes swallows the quotes (so ``"secrets": "@@MAP@@"`` turns
into an object). Values come from ``AUTH0_KEYWORD_REPLACE_MAPPINGS`` (a JSON object) and then
from the process environment; the mapping wins.

One improvement over deploy-cli: in JSON metadata, a keyword inside a JSON string literal is
replaced by the JSON-escaped value, so a secret containing ``"`` or ``\\`` cannot break the
file. For every value deploy-cli handles, the result is the same.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Mapping

MAPPINGS_VAR = "AUTH0_KEYWORD_REPLACE_MAPPINGS"

# Environment-variable-like names only, so stray "##" or "@@" in code are left alone.
KEY = r"[A-Za-z_][A-Za-z0-9_]*"

_ANY = re.compile(rf"@@(?P<array>{KEY})@@|##(?P<string>{KEY})##")
_PLAIN = re.compile(rf'"@@(?P<quoted>{KEY})@@"|@@(?P<array>{KEY})@@|##(?P<string>{KEY})##')
# A JSON string literal, or a keyword outside any literal.
_JSON = re.compile(rf'(?P<literal>"(?:[^"\\\n]|\\.)*")|@@(?P<array>{KEY})@@|##(?P<string>{KEY})##')
_WHOLE_ARRAY = re.compile(rf'"@@(?P<key>{KEY})@@"')

Fill = Callable[[str], str]
_Sub = Callable[[str], str]


class KeywordError(ValueError):
    """The keyword mapping variable is unusable. The message names the variable, never its value."""


@dataclass(frozen=True)
class Replaced:
    text: str
    unresolved: tuple[str, ...] = ()  # keywords with no value, left in place (sorted, unique)
    filled: tuple[str, ...] = ()  # keywords given a value by ``fill_missing``


def has_keyword(text: str) -> bool:
    return ("##" in text or "@@" in text) and _ANY.search(text) is not None


def keywords_in(text: str) -> list[str]:
    """Every keyword as written (``##A##``, ``@@B@@``), in order of appearance."""
    return [m.group(0) for m in _ANY.finditer(text)] if ("##" in text or "@@" in text) else []


def parse_mappings(raw: str | Mapping[str, object] | None) -> dict[str, object]:
    """The mapping variable's JSON text (or, from Settings, the already-parsed object)."""
    if isinstance(raw, Mapping):
        return dict(raw)
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise KeywordError(
            f"{MAPPINGS_VAR} is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise KeywordError(f"{MAPPINGS_VAR} must be a JSON object of keyword values, got {_kind(value)}")
    return value


def as_text(value: object) -> str:
    """What ``##KEY##`` becomes: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def substitute(text: str, text_for: _Sub, json_for: _Sub, *, json_aware: bool = False) -> str:
    """Replace keywords using ``text_for`` (``##K##``) and ``json_for`` (``@@K@@``)."""
    if "##" not in text and "@@" not in text:  # the common case, and the fast path
        return text
    if not json_aware:
        def plain(m: re.Match[str]) -> str:
            if m.group("string") is not None:
                return text_for(m.group("string"))
            return json_for(m.group("quoted") or m.group("array"))

        return _PLAIN.sub(plain, text)

    def escaped(m: re.Match[str]) -> str:
        # Inside a JSON string literal: the replacement must stay a valid part of that string.
        repl = text_for(m.group("string")) if m.group("string") is not None else json_for(m.group("array"))
        return json.dumps(repl, ensure_ascii=False)[1:-1]

    def aware(m: re.Match[str]) -> str:
        literal = m.group("literal")
        if literal is None:
            if m.group("string") is not None:
                return text_for(m.group("string"))
            return json_for(m.group("array"))
        whole = _WHOLE_ARRAY.fullmatch(literal)
        if whole:
            return json_for(whole.group("key"))
        return _ANY.sub(escaped, literal) if ("##" in literal or "@@" in literal) else literal

    return _JSON.sub(aware, text)


def mask(text: str, *, json_aware: bool = False) -> str:
    """The text with every ``@@K@@`` turned into the string "@@K@@" and ``##K##`` kept.

    Parsing this shows which values were written as keywords in git (the raw view), without
    needing any keyword values, and without unquoted ``@@K@@`` breaking the parse.
    """
    return substitute(text, lambda k: f"##{k}##", lambda k: as_json(f"@@{k}@@"), json_aware=json_aware)


class Keywords:
    """Keyword values for one run. Records which keywords ``fill_missing`` had to fill."""

    def __init__(self, values: Mapping[str, object], fill_missing: Fill | None = None) -> None:
        self._values = values
        self._fill = fill_missing
        self._filled: dict[str, None] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, object], fill_missing: Fill | None = None) -> Keywords:
        """Mapping first, then the environment. Raises KeywordError for a bad mapping."""
        raw = env.get(MAPPINGS_VAR)
        mappings = parse_mappings(raw if isinstance(raw, (str, Mapping)) else None)
        return cls(_Layered(mappings, env), fill_missing)

    @property
    def filled(self) -> tuple[str, ...]:
        return tuple(sorted(self._filled))

    def replace(self, text: str, *, json_aware: bool = False) -> Replaced:
        unresolved: dict[str, None] = {}
        filled: dict[str, None] = {}
        missing = object()

        def lookup(key: str) -> object:
            value = self._values.get(key, missing)
            if value is not missing:
                return value
            if self._fill is not None:
                filled[key] = None
                self._filled[key] = None
                return self._fill(key)
            unresolved[key] = None
            return missing

        def text_for(key: str) -> str:
            value = lookup(key)
            return f"##{key}##" if value is missing else as_text(value)

        def json_for(key: str) -> str:
            value = lookup(key)
            # Unresolved: a string placeholder, so the file still parses and other checks run.
            return as_json(f"@@{key}@@") if value is missing else as_json(value)

        out = substitute(text, text_for, json_for, json_aware=json_aware)
        return Replaced(out, tuple(sorted(unresolved)), tuple(sorted(filled)))


class _Layered(Mapping[str, object]):
    """Read-only view: the mapping's values, then the environment's."""

    def __init__(self, first: Mapping[str, object], second: Mapping[str, object]) -> None:
        self._first, self._second = first, second

    def __getitem__(self, key: str) -> object:
        if key in self._first:
            return self._first[key]
        return self._second[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self._first
        yield from (k for k in self._second if k not in self._first)

    def __len__(self) -> int:
        return len(set(self._first) | set(self._second))


def _kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
