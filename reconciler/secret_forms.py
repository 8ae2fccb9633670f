"""The spellings a secret takes when it travels by accident: as is, JSON-escaped, URL-encoded,
base64 (and inside a Basic-auth header). Masking and the canary tests both use this list, so a
value is hidden, and searched for, in every form it can reach an output in."""

from __future__ import annotations

import base64
import json
import re
from typing import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"


def forms(secret: str) -> tuple[str, ...]:
    """Every spelling of ``secret`` worth searching for, longest first, without duplicates."""
    if not secret:
        return ()
    raw = secret.encode("utf-8")
    found = {
        secret,
        json.dumps(secret)[1:-1],  # JSON-escaped, ASCII only
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode("ascii"),
        base64.urlsafe_b64encode(raw).decode("ascii"),
        base64.b64encode(raw).decode("ascii").rstrip("="),
    }
    return tuple(sorted(found, key=lambda f: (-len(f), f)))


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
