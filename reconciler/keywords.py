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
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reconciler.text import kind_of as _kind
from reconciler.variables import MAPPINGS_VAR as MAPPINGS_VAR  # the keyword code's name for it

# The tool's own credentials and the CI's tokens. A keyword of one of these names is never
# filled, from any source: a config (or a pull request) asking for ``##AUTH0_CLIENT_SECRET##``
# would otherwise deploy the credential into code that a later plan or a log can show. The
# client ID and the domain are identifiers, not secrets, and stay usable.
CREDENTIALS = frozenset({
    "AUTH0_CLIENT_SECRET", "AUTH0_PLAN_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN", "RECONCILER_SECRETS_HMAC_KEY", MAPPINGS_VAR,
    "GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
})


def is_credential(key: str) -> bool:
    return key.upper() in CREDENTIALS


def credential_message(written: str, line: int) -> str:
    key = written[2:-2]
    return (f"keyword {written} (line {line}) names the tool's own credential {key}, which is never "
            "a keyword value: give the value a keyword of its own")

# Environment-variable-like names only, so stray "##" or "@@" in code are left alone.
KEY = r"[A-Za-z_][A-Za-z0-9_]*"

_ANY = re.compile(rf"@@(?P<array>{KEY})@@|##(?P<string>{KEY})##")
_PLAIN = re.compile(rf'"@@(?P<quoted>{KEY})@@"|@@(?P<array>{KEY})@@|##(?P<string>{KEY})##')
# A JSON string literal, or a keyword outside any literal.
_JSON = re.compile(rf'(?P<literal>"(?:[^"\\\n]|\\.)*")|@@(?P<array>{KEY})@@|##(?P<string>{KEY})##')
_WHOLE_ARRAY = re.compile(rf'"@@(?P<key>{KEY})@@"')

Fill = Callable[[str], str]
_Sub = Callable[[str], str]


class Placeholder(str):
    """What a keyword without a value stands as in a review-only plan (``--allow-missing-keywords``).

    A string, so text holding it stays text; a field whose *whole* value is such a keyword
    (deploy-cli's ``"secrets": "@@LIST@@"``) is recognised by type, and its value counted as
    unknown instead of checked as a string."""

    key: str

    def __new__(cls, key: str) -> Placeholder:
        made = super().__new__(cls, f"<unset {key}>")
        made.key = key
        return made


def unknown_whole(data: object, field: str) -> str | None:
    """The keyword whose placeholder is the whole value of ``data[field]``, if it is one."""
    value = data.get(field) if isinstance(data, dict) else None
    return value.key if isinstance(value, Placeholder) else None


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
    for key, item in value.items():
        # null would silently become the text "null" (a secret of four letters). Arrays,
        # objects, numbers and booleans stay: deploy-cli documents them for @@KEY@@.
        if item is None:
            raise KeywordError(f"{MAPPINGS_VAR}: the value of {key!r} is null; give a string (or remove the key)")
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
    """The text with every bare ``@@K@@`` turned into the string "@@K@@" and ``##K##`` kept.

    Parsing this shows which values were written as keywords in git (the raw view), without
    needing any keyword values, and without unquoted ``@@K@@`` breaking the parse. In JSON,
    keywords inside string literals are left exactly as written (``replace_in_data`` fills
    them after parsing).
    """
    if not json_aware:
        return substitute(text, lambda k: f"##{k}##", lambda k: as_json(f"@@{k}@@"))
    if "##" not in text and "@@" not in text:
        return text

    def outside(m: re.Match[str]) -> str:
        if m.group("literal") is not None:
            return m.group("literal")
        return m.group(0) if m.group("string") is not None else as_json(f"@@{m.group('array')}@@")

    return _JSON.sub(outside, text)


# --- keywords in parsed data --------------------------------------------------------------

_WHOLE = re.compile(rf'@@(?P<key>{KEY})@@')
_WHOLE_QUOTED = re.compile(rf'"@@(?P<key>{KEY})@@"')
Lookup = Callable[[str], object]  # the value, or MISSING
MISSING: object = object()


def replace_in_data(data: object, lookup: Lookup, *, yaml_quotes: bool = False) -> tuple[object, dict[str, list[str]]]:
    """``data`` (parsed, keywords still as written) with keyword values filled into its strings.

    Filling parsed strings instead of the file's text means no value can change the file's
    structure: a PEM key's newlines, a quote or a backslash arrive exactly as given, in every
    format. A string that is exactly ``@@K@@`` becomes the value itself (deploy-cli's
    ``"@@K@@"``). ``yaml_quotes``: a ``"@@K@@"`` inside a YAML string swallows its quotes,
    as deploy-cli's text replacement does. Returns the data and, for each keyword without a
    value, the dotted paths that hold it (left as written there).
    """
    unresolved: dict[str, list[str]] = {}

    def value_of(key: str, path: str) -> object:
        value = lookup(key)
        if value is MISSING:
            unresolved.setdefault(key, []).append(path or "(file)")
        return value

    def text_for(key: str, path: str) -> str:
        value = value_of(key, path)
        return f"##{key}##" if value is MISSING else as_text(value)

    def json_for(key: str, path: str) -> str:
        value = value_of(key, path)
        return f"@@{key}@@" if value is MISSING else as_json(value)

    def string(value: str, path: str) -> object:
        if "##" not in value and "@@" not in value:
            return value
        whole = _WHOLE.fullmatch(value) or (_WHOLE_QUOTED.fullmatch(value) if yaml_quotes else None)
        if whole:
            found = value_of(whole.group("key"), path)
            return f"@@{whole.group('key')}@@" if found is MISSING else found
        pattern = _PLAIN if yaml_quotes else _ANY

        def sub(m: re.Match[str]) -> str:
            if m.group("string") is not None:
                return text_for(m.group("string"), path)
            key = m.groupdict().get("quoted") or m.group("array")
            return json_for(key, path)

        return pattern.sub(sub, value)

    def walk(value: object, path: str) -> object:
        if isinstance(value, str):
            return string(value, path)
        if isinstance(value, dict):
            out = {}
            for k, item in value.items():
                new_key = k
                if isinstance(k, str) and ("##" in k or "@@" in k):
                    new_key = _ANY.sub(
                        lambda m: text_for(m.group("string"), path) if m.group("string") is not None
                        else json_for(m.group("array"), path), k)
                out[new_key] = walk(item, f"{path}.{k}" if path else str(k))
            return out
        if isinstance(value, list):
            return [walk(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    return walk(data, ""), unresolved


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

    def lookup(self, key: str) -> object:
        """The value of ``key`` (or ``fill_missing``'s, recorded), else ``MISSING``. A
        credential's name is always ``MISSING`` (never filled, not even with a dummy)."""
        if is_credential(key):
            return MISSING
        value = self._values.get(key, MISSING)
        if value is MISSING and self._fill is not None:
            self._filled[key] = None
            return self._fill(key)
        return value

    def given(self, key: str) -> bool:
        """True when ``key`` has a real value (not one from ``fill_missing``)."""
        return key in self._values and not is_credential(key)

    def replace(self, text: str, *, json_aware: bool = False) -> Replaced:
        unresolved: dict[str, None] = {}
        filled: dict[str, None] = {}
        missing = object()

        def lookup(key: str) -> object:
            if is_credential(key):
                unresolved[key] = None
                return missing
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


