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
# A build installs each npm dependency first: at least this long each (Auth0's builds with
# dependencies take 5-60 s), so polling sooner only learns "building" for a request.
SECONDS_PER_DEPENDENCY = 1.0


def build_expect(written: Any) -> float:
    """The least time the build of the draft a create or PATCH answered takes (seconds)."""
    dependencies = written.get("dependencies") if isinstance(written, dict) else None
    return SECONDS_PER_DEPENDENCY * len(dependencies) if isinstance(dependencies, list) else 0.0


def paced(backoff: Backoff, per_request: float) -> Backoff:
    """Never poll more often than the tenant's rate limit refills one request
    (``per_request`` seconds; 0 unknown): at Auth0's free tier, 2 a second, a faster poll
    only waits for its token and spends one the writes need."""
    if per_request <= backoff.first:
        return backoff
    return dataclasses.replace(backoff, first=min(per_request, backoff.cap))


def wait_for_action(
    check: Callable[[], dict[str, Any] | None], seen: dict[str, Any], backoff: Backoff, *,
    action_id: str, label: Callable[[], str], doing: str, path: str, limit: float | None = None,
    notify: Callable[[str], None] = lambda line: None, settle: bool = False, expect: float = 0.0,
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
        return poll(check_and_tell, backoff, settle=settle, expect=expect)
    except PollTimeout as exc:
        state = str((seen.get("action") or {}).get("status"))[:40]
        raise ActionWaitTimeout(
            f"action {label()} did not finish {doing} within {backoff.timeout:g}s"
            f"{' (AUTH0_WAIT_LIMIT)' if limited else ''} (last status {state!r}); nothing more was "
            f"changed (GET {path})",
            action_id=action_id, state=state, waited=exc.waited, path=path,
        ) from None
