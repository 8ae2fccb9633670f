"""Global token-bucket rate limiting and random fault injection."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # UNIX epoch seconds: bucket full again (allowed) / a token back (429)
    retry_after: int  # seconds until a token is back (meaningful on 429)

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(self.remaining)),
            ("x-ratelimit-reset", str(self.reset)),
        ]


class TokenBucket:
    """Bucket of `burst` tokens refilled at `rate` per second; `rate <= 0` means unlimited."""

    def __init__(self, rate: float, burst: int):
        self.lock = threading.Lock()
        self.configure(rate, burst)

    def configure(self, rate: float, burst: int) -> None:
        with self.lock:
            self.rate = float(rate)
            self.burst = max(1, int(burst))
            self.tokens = float(self.burst)
            self.updated = time.monotonic()

    def _refill(self, now: float) -> None:
        if self.rate > 0:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        else:
            self.tokens = float(self.burst)
        self.updated = now

    def _decision(self, allowed: bool) -> Decision:
        wall = time.time()
        if self.rate <= 0:
            return Decision(allowed, self.burst, self.burst, math.ceil(wall), 0)
        until_token = max(0.0, (1 - self.tokens) / self.rate)
        until_full = (self.burst - self.tokens) / self.rate
        wait = until_full if allowed else until_token
        return Decision(allowed, self.burst, int(self.tokens), math.ceil(wall + wait), max(1, math.ceil(until_token)))

    def take(self) -> Decision:
        with self.lock:
            self._refill(time.monotonic())
            if self.tokens >= 1:
                self.tokens -= 1
                return self._decision(True)
            return self._decision(False)

    def peek(self) -> Decision:
        with self.lock:
            self._refill(time.monotonic())
            return self._decision(True)


def parse_faults(spec: str | dict[str, float] | None) -> dict[str, float]:
    """`"429=0.2,500=0.05,reset=0.02,500after=0.1"` -> {"429": 0.2, ...}.

    Kinds: an HTTP status (answered instead of processing the request), `reset` (connection
    closed without a response, request not processed), `<status>after` (request processed,
    then that status answered instead of the real response).
    """
    if not spec:
        return {}
    items = spec.items() if isinstance(spec, dict) else (part.split("=", 1) for part in spec.split(",") if part.strip())
    faults: dict[str, float] = {}
    for item in items:
        try:
            kind, prob = item
        except ValueError:
            raise ValueError(f"bad fault {item!r}: expected KIND=PROBABILITY") from None
        kind = str(kind).strip().lower()
        status = kind[:-5] if kind.endswith("after") else kind
        if kind != "reset" and not (status.isdigit() and 400 <= int(status) <= 599):
            raise ValueError(f"unknown fault kind {kind!r} (use a 4xx/5xx status, reset, or <status>after)")
        p = float(prob)
        if not 0 <= p <= 1:
            raise ValueError(f"fault probability for {kind} must be within 0..1")
        faults[kind] = p
    if sum(p for k, p in faults.items() if not k.endswith("after")) > 1:
        raise ValueError("probabilities of the before-processing faults add up to more than 1")
    return faults


class Faults:
    def __init__(self, spec: dict[str, float], seed: int | None = None):
        self.lock = threading.Lock()
        self.configure(spec, seed)

    def configure(self, spec: dict[str, float], seed: int | None = None) -> None:
        with self.lock:
            self.spec = dict(spec)
            self.before = [(k, p) for k, p in self.spec.items() if not k.endswith("after") and p > 0]
            self.after = [(k[:-5], p) for k, p in self.spec.items() if k.endswith("after") and p > 0]
            self.rng = random.Random(seed)

    def _pick(self, kinds: list[tuple[str, float]]) -> str | None:
        if not kinds:
            return None
        with self.lock:
            r = self.rng.random()
        acc = 0.0
        for kind, p in kinds:
            acc += p
            if r < acc:
                return kind
        return None

    def pick_before(self) -> str | None:
        return self._pick(self.before)

    def pick_after(self) -> str | None:
        return self._pick(self.after)
