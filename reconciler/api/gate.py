"""A gate on the client's requests: one thread may send a few requests alone.

The hooks-to-Actions cutover binds an action and disables a hook in two requests that must
be adjacent: with several workers, another step's request (a build poll, another trigger's
bind) could otherwise land between them and make the both-run or neither-run window longer.
Every request passes the gate (shared, cheap); ``alone()`` waits until the requests in
flight have finished, holds new ones of other threads back, and lets its own thread through.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._owner: int | None = None
        self._active = 0  # requests of other threads in flight

    @contextmanager
    def passing(self) -> Iterator[None]:
        """Around one request: waits while another thread is alone."""
        me = threading.get_ident()
        with self._cond:
            while self._owner is not None and self._owner != me:
                self._cond.wait()
            counted = self._owner != me
            if counted:
                self._active += 1
        try:
            yield
        finally:
            if counted:
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()

    @contextmanager
    def alone(self) -> Iterator[None]:
        """The block's requests are the only ones sent (not re-entrant)."""
        me = threading.get_ident()
        with self._cond:
            while self._owner is not None:
                self._cond.wait()
            self._owner = me  # from now on other threads' new requests wait
            while self._active:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._owner = None
                self._cond.notify_all()
