"""Per-trigger history across resource types, for tests that need "what ran at every instant".

Each resource reports, after each of its writes, what it contributes to each trigger (hooks:
the enabled hooks' names; actions: the bound actions' names, in order). An entry is appended
for every trigger whose combined state changed, stamped with the number of the API request
that changed it (`seq`, counting every /api/v2 request, reads included) so a test can measure
a window in requests: both-run window = seq of the entry that ends it - seq of the one that
starts it.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class Timeline:
    def __init__(self, kinds: tuple[str, ...]):
        self.kinds = kinds
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.seq = 0
            self.current: dict[str, dict[str, list[str]]] = {}
            self.entries: dict[str, list[dict[str, Any]]] = {}  # combined, per trigger
            self.by_kind: dict[str, dict[str, list[dict[str, Any]]]] = {k: {} for k in self.kinds}

    def tick(self) -> int:
        """One more API request (called by the app before routing)."""
        with self.lock:
            self.seq += 1
            return self.seq

    def observe(self, kind: str, per_trigger: dict[str, list[str]]) -> None:
        """`kind`'s whole contribution now (a trigger left out contributes nothing)."""
        with self.lock:
            triggers = set(per_trigger) | {t for t, s in self.current.items() if s.get(kind)}
            now = round(time.time(), 6)
            for trigger in sorted(triggers):
                names = list(per_trigger.get(trigger, []))
                state = self.current.setdefault(trigger, {k: [] for k in self.kinds})
                if state[kind] == names:
                    continue
                state[kind] = names
                self.entries.setdefault(trigger, []).append({"seq": self.seq, "time": now, **{k: list(v) for k, v in state.items()}})
                self.by_kind[kind].setdefault(trigger, []).append({"seq": self.seq, "time": now, kind: names})

    def history(self, kind: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Entries per trigger: combined, or only `kind`'s changes."""
        with self.lock:
            source = self.entries if kind is None else self.by_kind[kind]
            return {t: [dict(e) for e in es] for t, es in source.items()}
