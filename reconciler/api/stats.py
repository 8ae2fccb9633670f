"""Request counters and per-attempt events (for the CLI summary, benchmarks and tests)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class ClientStats:
    """Counters (thread-safe)."""

    requests: int = 0  # Management API requests sent, every attempt counted
    writes: int = 0  # of which POST/PATCH/DELETE
    retries: int = 0  # attempts beyond the first (including a looked-up POST re-send)
    rate_limited: int = 0  # 429 answers seen
    token_requests: int = 0  # POST /oauth/token
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "writes": self.writes,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "token_requests": self.token_requests,
            }


@dataclass(frozen=True)
class RequestEvent:
    """What ``on_request`` gets after every attempt: no bodies, no headers."""

    method: str
    path: str
    status: int  # 0 = no response (connection error)
    attempt: int
    elapsed: float
