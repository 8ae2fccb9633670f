"""``--lock-timeout``: taking the tenant lease (``reconciler.lease``), waiting while another
run holds it instead of failing at once."""

from __future__ import annotations

import time
from collections.abc import Callable

from reconciler.errors import LeaseWaitInterrupted, TenantLocked
from reconciler.lease import Lease


def acquire_waiting(
    lease: Lease, timeout: float, *, on_wait: Callable[[str], None] = lambda line: None,
    sleep: Callable[[float], object] = time.sleep, clock: Callable[[], float] = time.monotonic,
    poll: float = 5.0, stopped: Callable[[], bool] = lambda: False,
) -> bool:
    """``lease.acquire()``, waiting up to ``timeout`` seconds while another run holds the
    lease (``--lock-timeout``): one line through ``on_wait`` names the holder and when its
    lease expires, then it asks again every ``poll`` seconds. A hook that only has the
    lease's name is refused at once: waiting would not end it. ``stopped`` (an interrupt)
    ends the wait at once, nothing written; ``sleep`` should return early when it is set.
    Returns whether it had to wait (the other run may have changed the tenant meanwhile)."""
    deadline = clock() + max(0.0, timeout)
    told = ""
    while True:
        try:
            lease.acquire()
            return bool(told)
        except TenantLocked as locked:
            left = deadline - clock()
            if not locked.waitable or left <= 0:
                raise
            if str(locked) != told:  # once per holder, not once per poll
                told = str(locked)
                on_wait(f"waiting up to {left:.0f} s for the lease: {locked}")
            sleep(min(poll, left))
            if stopped():
                raise LeaseWaitInterrupted(
                    "interrupted while waiting for the lease: nothing was written (the other run goes on)"
                ) from None
