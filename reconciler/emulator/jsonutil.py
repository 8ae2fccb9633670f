"""Compact JSON as the API sends it."""

from __future__ import annotations

import json
from typing import Any


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
