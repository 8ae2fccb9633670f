"""The check under the lease starts as soon as the marker's create answers with our own
marker (the lease is held from then on), alongside the lease's confirming list, not after
it (tests/test_lease.py: a create whose answer does not prove the marker ours keeps the old
order). Orders of requests over the wire (a recording proxy), never times."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import ACTIONS, HOOKS, actions_only, env_of, is_lease_create, markers
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen

# Long enough never to run out when the order is right; with the old order it runs out and
# the test fails (the check's reads would wait for this very answer).
HOLD = 30.0


def holding_the_lease_list(created: Callable[[Seen], bool], notes: list[str]) -> Callable[[Seen, Callable[[], Reply]], Reply]:
    """A rule that answers the first hooks list after the lease's create only once an actions
    list (the check's) has arrived, and notes whether it did."""
    state = {"created": False, "held": False}
    checked = threading.Event()

    def rule(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if created(request):
            state["created"] = True
            return forward()
        if state["created"] and request.method == "GET" and request.path == ACTIONS:
            checked.set()
        elif state["created"] and not state["held"] and request.method == "GET" and request.path == HOOKS:
            state["held"] = True
            notes.append("check sent before the lease's list was answered" if checked.wait(HOLD)
                         else "lease's list answered first")
        return forward()

    return rule


def test_the_check_is_sent_alongside_the_leases_list(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    notes: list[str] = []
    with HostileProxy(tenant.base_url, rule=holding_the_lease_list(is_lease_create(HOOKS), notes)) as proxy:
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 0, applied.output
    assert notes == ["check sent before the lease's list was answered"]
    assert markers(tenant) == []


def test_the_lease_is_given_back_alongside_the_read_back(emulator_factory: Any, tmp_path: Path) -> None:
    """A trigger's bindings read after its bind (the read-back) is answered only once the
    lease's delete has arrived: the release does not wait for the read-back's answers."""
    tenant = emulator_factory()
    bound: set[str] = set()
    released = threading.Event()
    notes: list[str] = []

    def rule(request: Seen, forward: Callable[[], Reply]) -> Reply:
        trigger = request.path.removeprefix("/api/v2/actions/triggers/").removesuffix("/bindings")
        if request.method == "PATCH" and request.path.endswith("/bindings"):
            bound.add(trigger)
        elif request.method == "GET" and request.path.endswith("/bindings") and trigger in bound:
            notes.append("released during the read-back" if released.wait(HOLD) else "read-back answered first")
        elif request.method == "DELETE" and request.path.startswith(f"{HOOKS}/"):
            released.set()
        return forward()

    with HostileProxy(tenant.base_url, rule=rule) as proxy:
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 0 and "Apply complete" in applied.output, applied.output
    assert notes and set(notes) == {"released during the read-back"}
    assert markers(tenant) == []
