"""26-character ULIDs (Crockford base32, time-ordered), as the real API hands out.

48 bits of milliseconds since the epoch, then 80 random bits. Within one millisecond the
random part is incremented so ids made by one process sort in creation order.
"""

from __future__ import annotations

import os
import threading
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last_ms = -1
_last_rand = 0


def new_ulid() -> str:
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            rand = _last_rand + 1
            if rand >= 1 << 80:  # overflow within one millisecond: borrow the next one
                ms += 1
                rand = int.from_bytes(os.urandom(10), "big") >> 1
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 1  # headroom for increments
        _last_ms, _last_rand = ms, rand
    n = (ms << 80) | rand
    return "".join(ALPHABET[(n >> shift) & 31] for shift in range(125, -1, -5))


def ulid_time_ms(ulid: str) -> int:
    """The millisecond timestamp encoded in a ULID."""
    n = 0
    for ch in ulid[:10]:
        n = n * 32 + ALPHABET.index(ch.upper())
    return n
