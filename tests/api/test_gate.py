"""The client's gate: while one thread is alone, no other thread's request is sent."""

from __future__ import annotations

import threading
import time

from reconciler.api.gate import Gate


def test_alone_waits_for_requests_in_flight_and_holds_new_ones_back() -> None:
    gate, log = Gate(), []
    in_flight, release = threading.Event(), threading.Event()

    def other(name: str, hold: bool) -> None:
        with gate.passing():
            log.append(f"{name} start")
            if hold:
                in_flight.set()
                release.wait(5)
            log.append(f"{name} end")

    first = threading.Thread(target=other, args=("a", True))
    first.start()
    assert in_flight.wait(5)

    def alone() -> None:
        with gate.alone():
            log.append("alone start")
            with gate.passing():  # its own requests pass
                log.append("alone request")
            later.start()
            time.sleep(0.05)  # gives the other thread time to (wrongly) get through
            log.append("alone end")

    later = threading.Thread(target=other, args=("b", False))
    pair = threading.Thread(target=alone)
    pair.start()
    time.sleep(0.05)
    assert "alone start" not in log  # a is still in flight
    release.set()
    for thread in (first, pair):
        thread.join(5)
    later.join(5)
    assert log == ["a start", "a end", "alone start", "alone request", "alone end", "b start", "b end"]
