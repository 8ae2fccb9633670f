"""What the server answered about each action this run wrote, for the read-back.

Auth0 answers every create and PATCH with the action, and the waits that follow end on a
read made after the write (the build poll, the live check after a deploy). The apply's
read-back takes those answers instead of listing every action again: the last answer kept
for an action is the one after its last write (an action's steps run one after another).

Listing is still needed where an answer cannot tell: a create whose outcome was unknown
(``unsure``: a second action of that name may exist; only a list shows it). Thread-safe:
steps of different actions run at once.
"""

from __future__ import annotations

import threading
from typing import Any


class Answers:
    """Action objects by id as answered after this run's writes; ids this run deleted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._actions: dict[str, dict[str, Any]] = {}
        self._gone: set[str] = set()
        self._unsure = False

    def keep(self, action: dict[str, Any]) -> dict[str, Any]:
        """Record a checked action object (the latest answer for its id wins); returns it."""
        with self._lock:
            self._actions[str(action["id"])] = action
            self._gone.discard(str(action["id"]))
        return action

    def deleted(self, action_id: str) -> None:
        with self._lock:
            self._actions.pop(str(action_id), None)
            self._gone.add(str(action_id))

    def mark_unsure(self) -> None:
        """A create's outcome was unknown: the read-back must list the actions."""
        with self._lock:
            self._unsure = True

    @property
    def unsure(self) -> bool:
        with self._lock:
            return self._unsure

    def snapshot(self) -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
        """(answered actions by id, deleted ids), copies."""
        with self._lock:
            return dict(self._actions), frozenset(self._gone)
