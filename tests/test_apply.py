"""The executor over real HTTP: concurrency, strict hand-overs, secrets from the config."""

from __future__ import annotations

import threading

from reconciler.apply import execute
from reconciler.client import ManagementClient, RequestEvent
from reconciler.config import connection_from_env
from reconciler.model import DesiredState, Hook
from reconciler.plan import Action, PlanOptions
from reconciler.planner import build_plan

PRE = "pre-user-registration"
CRED = "credentials-exchange"


def _client(emulator, on_request=None) -> ManagementClient:
    return ManagementClient(connection_from_env(emulator.env()), on_request=on_request)


def test_handover_requests_are_back_to_back_on_their_trigger(emulator_factory) -> None:
    emulator = emulator_factory(rate_limit=0, latency_ms=5)
    old = emulator.seed([{"name": "old", "triggerId": PRE, "script": "// old\n", "enabled": True}])[0]
    desired = DesiredState(
        (Hook("old", PRE, "// old\n"), Hook("new", PRE, "// new\n", True, secrets={"K": "v"}))
        + tuple(Hook(f"busy-{i}", CRED, f"// {i}\n") for i in range(30))
    )
    events: list[RequestEvent] = []
    lock = threading.Lock()

    def record(event: RequestEvent) -> None:
        with lock:
            events.append(event)

    with _client(emulator, record) as client:
        plan = build_plan(desired, client.read_live_state(), PlanOptions())
        events.clear()
        report = execute(plan, client, desired, max_workers=8)
    assert report.ok, report.failed
    ids = {hook["name"]: hook["id"] for hook in emulator.state()["hooks"]}
    pre_ids = {ids["old"], ids["new"]}
    pre_events = [e for e in events if any(hook_id in e.path for hook_id in pre_ids)]
    disable_at = next(i for i, e in enumerate(pre_events) if e.method == "PATCH" and old["id"] in e.path)
    enable = pre_events[disable_at + 1]
    assert enable.method == "PATCH" and ids["new"] in enable.path
    # The independent creates really ran side by side with the rest.
    assert emulator.stats()["writes"] == len(plan.steps)


def test_secret_values_come_from_the_config_not_the_plan(emulator) -> None:
    desired = DesiredState((Hook("h", PRE, "// h\n", True, secrets={"API_KEY": "from-config"}),))
    with _client(emulator) as client:
        plan = build_plan(desired, client.read_live_state(), PlanOptions())
        assert "from-config" not in repr(plan)
        report = execute(plan, client, desired)
    assert report.ok
    (hook,) = emulator.state()["hooks"]
    assert hook["secrets"] == {"API_KEY": "from-config"} and hook["enabled"] is True


def test_a_failure_stops_new_steps_and_reports_the_rest(emulator_factory) -> None:
    emulator = emulator_factory(scopes="read:hooks")  # every write is refused
    desired = DesiredState((Hook("a", PRE, "// a\n", True, secrets={"K": "v"}),))
    with _client(emulator) as client:
        plan = build_plan(desired, client.read_live_state(), PlanOptions())
        report = execute(plan, client, desired)
    assert not report.ok
    assert [f.step.action for f in report.failed] == [Action.CREATE]
    assert "create:hooks" in report.failed[0].message
    assert [s.action for s in report.not_run] == [Action.SECRETS_ADD, Action.ENABLE]
    assert report.done == []
