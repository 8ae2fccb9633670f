"""The forms a secret takes when it leaks by accident, so output can be searched and masked.

A value logged inside an object is JSON-escaped, one put in a query string is URL-encoded, one
in a Basic-auth header or a ``Buffer`` body is base64 (at any of three byte alignments, since
``user:`` or other bytes may precede it). ``forms`` lists them, ``mask`` replaces every form
of every value with its placeholder, ``leaked`` names the values found. Pure functions over
text: the runner, plan rendering and exports share them, and the canary tests use them.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Callable, Mapping
from urllib.parse import quote, quote_plus

# Base64 text shorter than this matches too much unrelated text to be worth masking alone.
MIN_ENCODED_FORM = 8
# What JavaScript's encodeURIComponent leaves as is, besides letters and digits.
_URI_COMPONENT_SAFE = "-_.!~*'()"


@lru_cache(maxsize=4096)
def forms(value: str) -> tuple[str, ...]:
    """``value`` as is, JSON-escaped (once and twice), URL-encoded and base64, longest first."""
    if not value:
        return ()
    once = json.dumps(value, ensure_ascii=False)[1:-1]
    found = {
        value,
        once,
        json.dumps(value)[1:-1],
        json.dumps(once, ensure_ascii=False)[1:-1],
        quote(value, safe=""),
        quote(value, safe=_URI_COMPONENT_SAFE),
        quote_plus(value, safe=""),
    }
    found.update(f for f in _base64_cores(value.encode("utf-8")) if len(f) >= MIN_ENCODED_FORM)
    return tuple(sorted(found, key=lambda f: (-len(f), f)))


def _base64_cores(data: bytes) -> list[str]:
    """The base64 characters that depend on ``data`` alone, for ``data`` starting at each of
    the three offsets within a 3-byte group (standard and URL-safe alphabets)."""
    out = []
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode("ascii")
        start = -(-offset * 8 // 6)  # first character made only of data bits
        end = (offset + len(data)) * 8 // 6  # characters made entirely of data bits
        core = encoded[start:end]
        out += [core, core.replace("+", "-").replace("/", "_")]
    return out


def pattern(values: Mapping[str, str]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One regular expression for every form of every value, and which key each form is of."""
    owner: dict[str, str] = {}
    for key, value in sorted(values.items(), key=lambda kv: -len(kv[1] or "")):
        for form in forms(value or ""):
            owner.setdefault(form, key)
    if not owner:
        return None
    ordered = sorted(owner, key=lambda f: -len(f))
    return re.compile("|".join(re.escape(f) for f in ordered)), owner


def mask(text: str, values: Mapping[str, str], placeholder: Callable[[str], str] = lambda key: f"##{key}##") -> str:
    """``text`` with every form of every value replaced by ``placeholder(key)``."""
    compiled = pattern(values)
    if compiled is None or not text:
        return text
    regex, owner = compiled
    return regex.sub(lambda m: placeholder(owner[m.group(0)]), text)


def leaked(text: str, values: Mapping[str, str]) -> list[str]:
    """The keys whose value appears in ``text`` in any form (sorted)."""
    compiled = pattern(values)
    if compiled is None:
        return []
    regex, owner = compiled
    return sorted({owner[m.group(0)] for m in regex.finditer(text)})
