"""The spellings a secret takes when it travels by accident: as is, JSON-escaped, URL-encoded,
base64 (and inside a Basic-auth header). Masking and the canary tests both use this list, so a
value is hidden, and searched for, in every form it can reach an output in."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import quote, quote_plus

MASK = "***"


# Base64 text shorter than this matches too much unrelated text to be worth searching alone.
MIN_ENCODED_FORM = 8
# What JavaScript's encodeURIComponent leaves as is, besides letters and digits.
_URI_COMPONENT_SAFE = "-_.!~*'()"


@lru_cache(maxsize=4096)
def forms(secret: str) -> tuple[str, ...]:
    """Every spelling of ``secret`` worth searching for, longest first, without duplicates:
    as is, JSON-escaped (once, twice), URL-encoded, and base64 wherever it starts in the
    encoded bytes (after ``user:`` in a Basic-auth header, say: the characters that depend on
    the secret alone, at each of the three byte alignments)."""
    if not secret:
        return ()
    raw = secret.encode("utf-8")
    once = json.dumps(secret, ensure_ascii=False)[1:-1]
    found = {
        secret,
        json.dumps(secret)[1:-1],  # JSON-escaped, ASCII only
        once,
        json.dumps(once, ensure_ascii=False)[1:-1],  # JSON inside JSON
        quote(secret, safe=""),
        quote(secret, safe=_URI_COMPONENT_SAFE),
        quote_plus(secret),
        base64.b64encode(raw).decode("ascii"),
        base64.urlsafe_b64encode(raw).decode("ascii"),
        base64.b64encode(raw).decode("ascii").rstrip("="),
    }
    found.update(core for core in _base64_cores(raw) if len(core) >= MIN_ENCODED_FORM)
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
    return re.compile("|".join(re.escape(f) for f in sorted(owner, key=len, reverse=True))), owner


def leaked(text: str, values: Mapping[str, str]) -> list[str]:
    """The keys whose value ``text`` holds in any form (sorted)."""
    compiled = pattern(values)
    if compiled is None:
        return []
    regex, owner = compiled
    return sorted({owner[m.group(0)] for m in regex.finditer(text)})


def mask(text: str, secrets: Iterable[str], replacement: str = MASK) -> str:
    """``text`` with every form of every secret replaced (one pass, longest first, so a form
    never survives inside another one's replacement)."""
    needles = {f for s in secrets if isinstance(s, str) and s for f in forms(s)}
    if not needles:
        return text
    ordered = sorted(needles, key=len, reverse=True)
    return re.sub("|".join(map(re.escape, ordered)), replacement, text)


def found_in(text: str, secret: str) -> list[str]:
    """The forms of ``secret`` that ``text`` holds (for tests and self-checks)."""
    return [f for f in forms(secret) if f in text]
