"""A tenant-wide lease, so two applies never write to one tenant at once.

Auth0 has no lock primitive, so the lease is a marker resource: a *disabled* hook named
``reconciler-lease`` whose script is a JavaScript comment holding JSON
``{"holder", "since", "expires", "nonce"}``. Hook names are unique in a tenant, so creating
the marker is atomic: of two applies, the second create gets 409 and the apply refuses
with ``tenant is locked by <holder> since <time>``. The marker is disabled, so it never
runs; :func:`reconciler.usecases.read_live` hides it from plans, drift and export.

- Expiry: a lease runs for ``ttl`` (15 minutes) and is renewed while apply runs, so only a
  killed run leaves one behind; once expired, the next apply deletes that marker *by its
  id* and creates its own. Two runs taking over at once cannot both win: a delete by id
  never removes the other's new marker, and the loser's create gets 409.
- Every take is confirmed by reading the marker back and comparing the nonce (the client
  may answer an uncertain create with a hook that somebody else made). A create whose
  answer is lost (5xx, a reset after sending) is not a failure: that read decides.
- Whatever way a run ends (a failed take, a failed apply, the run deadline), ``release``
  removes what it made: after a lost answer or a failed take it looks for markers holding
  its nonce.
- Without the delete scope, release marks the marker expired, and the next run takes an
  expired marker over in place (writes its own text, waits ``settle`` seconds and reads it
  back: of two runs taking over at once, only one still sees its nonce).
- A marker the tool cannot read (edited by hand) counts as held, not expired; ``reconciler
  unlock`` clears a marker, and only what is provably one (:func:`is_marker_text`).
- Times are the holder's clock (UTC): clocks apart by more than the ttl break expiry.

The storage is a small protocol (:class:`MarkerStore`): the marker as a hook
(``lease_hooks.py``) or, for tenants without Hooks, as an action (``lease_actions.py``).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from reconciler.errors import ApiError, DeadlineExceeded, LeaseError, ReconcilerError, TenantLocked

LEASE_NAME = "reconciler-lease"
# Any trigger will do: the marker is never enabled.
LEASE_TRIGGER = "credentials-exchange"
DEFAULT_TTL = timedelta(minutes=15)
_PREFIX = "// reconciler-lease "
_MAX_SCRIPT = 4096  # a marker is a few hundred bytes; anything longer is not ours


@dataclass(frozen=True)
class Marker:
    """The marker as stored: its id and raw text (untrusted: anyone can edit it).
    ``provable``: it is exactly what this tool writes and runs nowhere (see
    :func:`is_marker_text`), so removing it cannot remove anything of the user's."""

    id: str
    text: str
    provable: bool = True


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    since: str
    expires: datetime | None  # None: unreadable, treated as held
    nonce: str

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and now >= self.expires

    def describe(self) -> str:
        if self.expires is None:
            return f"{self.holder} since {self.since} (its expiry is unreadable: `reconciler unlock` clears it)"
        return f"{self.holder} since {self.since}, until {self.expires.isoformat(timespec='seconds')} unless renewed"


class MarkerStore(Protocol):
    """Where the marker lives. ``create`` must be atomic: False when one already exists.
    ``own``: the ids of markers holding ``nonce`` (what a run may have made and not heard of)."""

    def create(self, text: str) -> bool: ...
    def read(self) -> Marker | None: ...
    def update(self, marker_id: str, text: str) -> bool: ...  # False: it is gone
    def delete(self, marker_id: str) -> None: ...  # gone already is fine
    def own(self, nonce: str) -> list[str]: ...


def unless_gone(call: Callable[[], Any]) -> bool:
    """Run a write on the marker: False when it is gone (404), any other error raised."""
    try:
        call()
    except ApiError as error:
        if error.status == 404:
            return False
        raise
    return True


def is_marker_text(text: object) -> bool:
    """True only for exactly what :func:`marker_text` writes: one comment line holding the
    four fields. Such code does nothing, so deleting it cannot lose a user's work."""
    if not isinstance(text, str) or len(text) > _MAX_SCRIPT or not text.startswith(_PREFIX):
        return False
    line = text[len(_PREFIX):]
    if line.endswith("\n"):
        line = line[:-1]
    if "\n" in line or "\r" in line or "\u2028" in line or "\u2029" in line:
        return False
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and set(data) == {"holder", "since", "expires", "nonce"} and all(
        isinstance(value, str) for value in data.values()
    )


def is_marker_hook(hook: Any) -> bool:
    """A hook that is provably the lease marker: named so, disabled (it runs nowhere: a
    marker hook somebody enabled is a hook that runs, and is shown), and marker text."""
    return (
        isinstance(hook, dict) and hook.get("name") == LEASE_NAME and hook.get("enabled") is not True
        and is_marker_text(hook.get("script"))
    )


def parse_marker(text: str) -> LeaseInfo:
    """What a marker says; never raises (the text is whatever somebody stored)."""
    unknown = LeaseInfo("an unknown holder", "an unknown time", None, "")
    if not isinstance(text, str) or len(text) > _MAX_SCRIPT or not text.startswith(_PREFIX):
        return unknown
    try:
        data = json.loads(text[len(_PREFIX):].strip())
    except (ValueError, RecursionError):
        return unknown
    if not isinstance(data, dict):
        return unknown
    holder, since, nonce = (_clean(data.get(k)) for k in ("holder", "since", "nonce"))
    try:
        expires: datetime | None = datetime.fromisoformat(str(data.get("expires")))
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        expires = None
    return LeaseInfo(holder or "an unknown holder", since or "an unknown time", expires, nonce)


def _clean(value: Any) -> str:
    """Printable, one line, short: the holder text comes from the tenant."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"[^\x20-\x7e]", "?", value)
    return text[:120]


def marker_text(holder: str, since: datetime, expires: datetime, nonce: str) -> str:
    body = {
        "holder": _clean(holder),
        "since": since.isoformat(timespec="seconds"),
        "expires": expires.isoformat(timespec="seconds"),
        "nonce": nonce,
    }
    # A comment, so even if somebody enabled the marker it would do nothing.
    return _PREFIX + json.dumps(body, sort_keys=True) + "\n"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Lease:
    """``with Lease(store, holder): ...`` holds the tenant for the block (renewed meanwhile)."""

    def __init__(
        self,
        store: MarkerStore,
        holder: str,
        *,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = _utcnow,
        renew_every: float | None = None,
        on_lost: Callable[[str], None] | None = None,
        settle: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        on_taken: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.holder = holder
        self.ttl = ttl
        self.clock = clock
        self.renew_every = ttl.total_seconds() / 3 if renew_every is None else renew_every
        self.nonce = secrets.token_hex(8)
        self.marker_id: str | None = None
        self.since = clock()
        self.valid_until = self.since
        self.lost: str | None = None  # why the lease was lost while held
        self.on_lost = on_lost or (lambda why: None)
        self.release_problem: str | None = None
        self.settle = settle
        self._sleep = sleep
        self._unsure = False  # a create's answer was lost or taking failed: look for our markers
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        # Told once a create's answer proves the marker ours (the store's ``created_ours``),
        # before the read that confirms it: from then on no other run writes, so work that
        # needs the lease held (reads) may start alongside that read, and is dropped if the
        # take still fails. ``taken_early``: the take that succeeded told it.
        self.on_taken = on_taken
        self.taken_early = False
        self._released = False

    # -- taking ----------------------------------------------------------------------------

    def _text(self) -> tuple[str, datetime]:
        expires = self.clock() + self.ttl
        return marker_text(self.holder, self.since, expires, self.nonce), expires

    def acquire(self) -> None:
        """Take the lease or raise. Whatever happens, :meth:`release` afterwards removes any
        marker this run made (a create whose answer was lost may have landed)."""
        self.since = self.clock()
        try:
            self._take()
        except BaseException:
            self._unsure = True  # release() looks for markers holding our nonce
            raise

    def _take(self) -> None:
        for _ in range(3):  # an expired marker is replaced at most a couple of times
            text, expires = self._text()
            self.taken_early = False
            created = self._create(text)
            if created and self.on_taken is not None and getattr(self.store, "created_ours", False):
                self.taken_early = True
                self.on_taken()
            read_at = time.monotonic()  # before the read: a take-over is timed from what it saw
            marker = self.store.read()
            if marker is not None:
                info = parse_marker(marker.text)
                if marker.provable and info.nonce == self.nonce:
                    self.marker_id, self.valid_until = marker.id, expires
                    self._start_renewer()
                    return
                if not marker.provable:
                    raise TenantLocked(
                        f"cannot take the tenant lease: a hook named {LEASE_NAME} that is not a lease "
                        "marker is in the tenant (enabled, or not the lease comment); rename or delete it"
                    )
                if created:
                    # Our create answered but the marker is not ours: somebody else won.
                    raise TenantLocked(f"tenant is locked by {info.describe()}", waitable=True)
                if not info.expired(self.clock()):
                    raise TenantLocked(
                        f"tenant is locked by {info.describe()} (a lease left by a killed run "
                        "expires by itself; `reconciler unlock` clears it now; --lock-timeout waits)",
                        waitable=True,
                    )
                if self._replace_expired(marker, read_at):
                    return
            elif not created:
                continue  # it vanished between create and read (or our create was lost): again
        raise LeaseError("could not take the tenant lease: the marker kept changing; try again")

    def _create(self, text: str) -> bool:
        """The store's create; a lost answer (5xx, a reset after sending) is not a failure:
        the marker may be there, and the read that follows tells by its nonce."""
        try:
            return self.store.create(text)
        except ApiError as error:
            if error.status not in (0, 500, 502, 503, 504) or isinstance(error, DeadlineExceeded):
                raise
            self._unsure = True
            return False

    def _replace_expired(self, marker: Marker, read_at: float) -> bool:
        """Remove an expired marker by its id (never somebody's fresh one); True when it was
        taken over in place instead (a token without the delete scope)."""
        try:
            self.store.delete(marker.id)
            return False
        except ApiError as error:
            if error.status != 403:
                raise
        return self._take_over(marker, read_at)

    def _take_over(self, marker: Marker, read_at: float) -> bool:
        """Write our marker over an expired one we may not delete. Two runs may both see it
        expired; each confirms, after ``settle`` seconds, that its own nonce is still there.
        Our write came less than ``settle`` after the read that saw it expired, so any other
        taker that read it expired wrote within that window too: the confirming read sees it."""
        text, expires = self._text()
        if not self.store.update(marker.id, text):
            return False  # deleted meanwhile: create again
        if time.monotonic() - read_at >= self.settle:  # a local, monotonic interval
            raise LeaseError("could not take the tenant lease: taking over the expired marker was too slow; try again")
        self._sleep(self.settle)
        again = self.store.read()
        if again is None or again.id != marker.id or parse_marker(again.text).nonce != self.nonce:
            raise TenantLocked(f"tenant is locked by {parse_marker(again.text).describe() if again else 'another run'}")
        self.marker_id, self.valid_until = marker.id, expires
        self._start_renewer()
        return True

    # -- holding ---------------------------------------------------------------------------

    def _start_renewer(self) -> None:
        if self.renew_every <= 0:
            return
        self._renewer = threading.Thread(target=self._renew_loop, name="lease-renew", daemon=True)
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.renew_every):
            try:
                self.renew()
            except ReconcilerError as error:
                # A failed renewal is retried next period; the lease still runs until expiry.
                if self.lost is None and self.clock() >= self.valid_until:
                    self._lose(f"could not renew the tenant lease: {error}")

    def _lose(self, why: str) -> None:
        self.lost = why
        self.on_lost(why)  # the apply stops starting new steps

    def renew(self) -> None:
        if self.marker_id is None or self.lost:
            return
        if self.clock() >= self.valid_until:
            # Expired: another run may have taken the marker over in place; never write over it.
            self._lose("the tenant lease expired before it could be renewed (another run may have taken over its marker)")
            return
        text, expires = self._text()
        if self.store.update(self.marker_id, text):
            self.valid_until = expires
        else:
            self._lose("the tenant lease was taken over (its marker is gone)")

    def release(self) -> None:
        """Give the lease back. Never raises: a marker that cannot be deleted (no
        ``delete:hooks``, a network error) is marked expired instead, so the next apply
        takes it over; ``release_problem`` says what happened. After a lost create or a
        failed take, markers holding our nonce are looked for and removed too."""
        if self._released:  # once: an apply gives it back alongside its read-back, then on exit
            return
        self._released = True
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=30)
        marker_id, self.marker_id = self.marker_id, None
        ids = [marker_id] if marker_id is not None else []
        if self._unsure:
            try:
                ids += [found for found in self.store.own(self.nonce) if found not in ids]
            except ReconcilerError as error:
                self.release_problem = f"could not look for the tenant lease this run may have left ({error})"
        for found in ids:
            self._give_back(found)

    def _give_back(self, marker_id: str) -> None:
        try:
            self.store.delete(marker_id)
            return
        except ReconcilerError as error:
            problem = f"could not remove the tenant lease ({error})"
        try:
            now = self.clock()
            self.store.update(marker_id, marker_text(self.holder, self.since, now, self.nonce))
            self.release_problem = f"{problem}; marked it expired, so the next apply takes it over"
        except ReconcilerError:
            self.release_problem = (
                f"{problem}; it expires by itself at "
                f"{self.valid_until.isoformat(timespec='seconds')}, or run `reconciler unlock`"
            )

    def __enter__(self) -> Lease:
        try:
            self.acquire()
        except BaseException:
            self.release()  # a marker this run made is never left behind
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def unlock(store: MarkerStore) -> LeaseInfo | None:
    """Remove the marker, whoever holds it (``terraform force-unlock``); what it said, or
    None when there was none. Something named like it that is not provably a marker is left."""
    marker = store.read()
    if marker is None or not marker.provable:
        return None
    store.delete(marker.id)
    return parse_marker(marker.text)


def current(store: MarkerStore) -> LeaseInfo | None:
    marker = store.read()
    return None if marker is None else parse_marker(marker.text)

