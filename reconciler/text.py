"""Small text helpers every layer shares (written once: they were written five times)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

# Shown in place of a secret value in every output.
SENSITIVE = "(sensitive)"


def plural(n: int, word: str) -> str:
    """``1 hook``, ``2 hooks``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# The longest name a list of names shows whole: names can come from a server (any length).
NAME_SHOWN = 120


def some_names(names: tuple[str, ...], shown: int = 10) -> str:
    """The first ``shown`` names, each cut at NAME_SHOWN characters, and how many more: a
    warning stays one readable line, whatever a server names things."""
    more = len(names) - shown
    cut = [n if len(n) <= NAME_SHOWN else n[: NAME_SHOWN - 1] + "…" for n in names[:shown]]
    return ", ".join(cut) + (f" and {more} more" if more > 0 else "")


def join_path(path: str, key: str) -> str:
    """A field path for messages: ``secrets`` + ``API_KEY`` -> ``secrets.API_KEY``."""
    return f"{path}.{key}" if path else key


def clean(value: str | None) -> str | None:
    """A setting as given: surrounding blanks removed; empty (common in CI templates) is unset."""
    value = (value or "").strip()
    return value or None


def kind_of(value: Any, *, article: bool = True, list_word: str = "array") -> str:
    """What a value is, for a message: ``a string``, ``an object``, ``null`` (or without the
    article: ``string``). JSON words by default; the API's messages say ``list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        word = "boolean"
    elif isinstance(value, (int, float)):
        word = "number"
    elif isinstance(value, datetime):
        word = "timestamp"
    elif isinstance(value, date):
        word = "date"
    elif isinstance(value, (bytes, bytearray)):
        word = "binary value"
    elif isinstance(value, (set, frozenset)):
        word = "set"
    else:
        words: dict[type, str] = {dict: "object", list: list_word, str: "string"}
        word = words.get(type(value), type(value).__name__)
    if not article:
        return word
    return ("an " if word[0] in "aeiou" else "a ") + word


# A type's steps named by what they act on: a ``bindings`` step rewrites one trigger's list.
_STEP_NOUNS = {"bindings": "trigger"}


def step_label(step: Any) -> str:
    """A step for people: ``create my-hook`` (hooks, as always), ``deploy action my-action``,
    ``bind trigger post-login``."""
    kind = getattr(step, "type", "hook")
    if kind == "hook":
        return f"{step.operation} {step.key}"
    return f"{step.operation} {_STEP_NOUNS.get(kind, kind)} {step.key}"


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: lone surrogates (an argument cut inside a UTF-8 character
    arrives as surrogate escapes; JSON may spell ``\\ud800``) become U+FFFD, as a request
    body must be encodable."""
    if _encodable(text):
        return text
    raw = text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "surrogatepass")
    return raw.decode("utf-8", "replace")


def _only_escapes(text: str) -> bool:
    """True when every surrogate in ``text`` is one ``surrogateescape`` made (U+DC80-U+DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


def lone_surrogate_at(value: object, where: str) -> str | None:
    """The field of the first string (value or key) in parsed JSON holding a lone surrogate
    (JSON may spell ``\\ud800``; no output can print or send it), else None."""
    todo = [(value, where)]
    seen: set[int] = set()  # YAML aliases share one object: walk it once (a "billion laughs" stays linear)
    while todo:
        item, at = todo.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return at
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            if lone_surrogate_at(list(item), at) is not None:  # before a key goes into a path
                return f"{at} (a key)"
            todo += [(inner, f"{at}.{key}") for key, inner in item.items()]
        elif isinstance(item, list):
            todo += [(inner, f"{at}[{i}]") for i, inner in enumerate(item)]
    return None


def _encodable(text: str) -> bool:
    """UTF-8 can take ``text`` (no lone surrogate); at C speed, as answers hold whole scripts."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
