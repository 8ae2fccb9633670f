"""Waiting for an action's build or deploy: bounded by the step's wait and by the user's
limit (AUTH0_WAIT_LIMIT), and announced while it goes on, so a run that waits says what
for ("waiting for action 'x' to build (12 s)") instead of looking hung."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from reconciler.errors import ActionWaitTimeout

from .polling import Backoff, PollTimeout, poll

# A wait is announced after NOTE_FIRST seconds, then every NOTE_EVERY (or as the polls allow).
NOTE_FIRST = 2.0
NOTE_EVERY = 10.0


def wait_for_action(
    check: Callable[[], dict[str, Any] | None], seen: dict[str, Any], backoff: Backoff, *,
    action_id: str, label: Callable[[], str], doing: str, path: str, limit: float | None = None,
    notify: Callable[[str], None] = lambda line: None, settle: bool = False,
) -> dict[str, Any]:
    """Poll ``check`` until it returns the action; :class:`ActionWaitTimeout` (one line naming
    the action, what it did not finish, the last status and whether the limit ended it)."""
    limited = limit is not None and limit < backoff.timeout
    if limit is not None and limited:
        backoff = dataclasses.replace(backoff, timeout=limit)
    started, next_note = backoff.clock(), [NOTE_FIRST]

    def check_and_tell() -> dict[str, Any] | None:
        found = check()
        waited = backoff.clock() - started
        if found is None and waited >= next_note[0]:
            notify(f"waiting for action {label()} {doing} ({waited:.0f} s)")
            next_note[0] = waited + NOTE_EVERY
        return found

    try:
        return poll(check_and_tell, backoff, settle=settle)
    except PollTimeout as exc:
        state = str((seen.get("action") or {}).get("status"))[:40]
        raise ActionWaitTimeout(
            f"action {label()} did not finish {doing} within {backoff.timeout:g}s"
            f"{' (AUTH0_WAIT_LIMIT)' if limited else ''} (last status {state!r}); nothing more was "
            f"changed (GET {path})",
            action_id=action_id, state=state, waited=exc.waited, path=path,
        ) from None
