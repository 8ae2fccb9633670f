"""The executor over real HTTP: concurrency, strict hand-overs, secrets from the config."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.api.client import ManagementClient
from reconciler.api.stats import RequestEvent
from reconciler.config import connection_from_env
from reconciler.core.plan import Plan
from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState  # noqa: E402
from reconciler.resources.hooks.ops import execute
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions

PRE = "pre-user-registration"
CRED = "credentials-exchange"


def _client(emulator: EmulatorProcess, on_request: Callable[[RequestEvent], None] | None = None) -> ManagementClient:
    return ManagementClient(connection_from_env(emulator.env()), on_request=on_request)


def test_handover_requests_are_back_to_back_on_their_trigger(emulator_factory: Callable[..., EmulatorProcess]) -> None:
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
        plan = build_plan(desired, read_live_state(client), PlanOptions())
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


def test_secret_values_come_from_the_config_not_the_plan(emulator: EmulatorProcess) -> None:
    desired = DesiredState((Hook("h", PRE, "// h\n", True, secrets={"API_KEY": "from-config"}),))
    with _client(emulator) as client:
        plan = build_plan(desired, read_live_state(client), PlanOptions())
        assert "from-config" not in repr(plan)
        report = execute(plan, client, desired)
    assert report.ok
    (hook,) = emulator.state()["hooks"]
    assert hook["secrets"] == {"API_KEY": "from-config"} and hook["enabled"] is True


def test_a_failure_stops_new_steps_and_reports_the_rest(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emulator = emulator_factory(scopes="read:hooks")  # every write is refused
    desired = DesiredState((Hook("a", PRE, "// a\n", True, secrets={"K": "v"}),))
    with _client(emulator) as client:
        plan = build_plan(desired, read_live_state(client), PlanOptions())
        report = execute(plan, client, desired)
    assert not report.ok
    assert [f.step.operation for f in report.failed] == [Action.CREATE]
    assert "create:hooks" in report.failed[0].message
    assert [s.operation for s in report.not_run] == [Action.SECRETS_ADD, Action.ENABLE]
    assert report.done == []


# --- a trigger is never left dark; an intruder is never joined ---------------------------

from reconciler.errors import ApiError  # noqa: E402
from reconciler.resources.hooks.live import read_live_state  # noqa: E402

Row = dict[str, Any]  # a hook as the API answers it (JSON)
Rows = list[Row]  # the fake's `list` method hides the builtin inside the class


class FakeTenant:
    """An in-memory HookWriter whose calls can be made to wait or fail."""

    def __init__(self, hooks: list[dict[str, Any]]) -> None:
        self.stored = {h["id"]: dict(h) for h in hooks}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.before_update: dict[tuple[str, object], Callable[[], None]] = {}

    @property
    def hooks(self) -> FakeTenant:
        return self  # the endpoints are the fake's own methods

    def list(self) -> Rows:
        with self.lock:
            return [dict(h) for h in self.stored.values()]

    def create(
        self, name: str, trigger_id: str, script: str, enabled: bool = False,
        dependencies: Mapping[str, str] | None = None,
    ) -> Row:
        with self.lock:
            hook_id = f"new-{len(self.stored)}"
            self.stored[hook_id] = {"id": hook_id, "name": name, "triggerId": trigger_id, "script": script, "enabled": enabled}
            self.calls.append(("create", hook_id, {}))
            return dict(self.stored[hook_id])

    def update(self, hook_id: str, **fields: Any) -> Row:
        hook = self.before_update.get((hook_id, fields.get("enabled")))
        if hook:
            hook()
        with self.lock:
            self.calls.append(("update", hook_id, fields))
            self.stored[hook_id].update(fields)
            return dict(self.stored[hook_id])

    def delete(self, hook_id: str) -> None:
        self.calls.append(("delete", hook_id, {}))

    def add_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        pass

    def update_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None:
        pass

    def delete_secrets(self, hook_id: str, keys: Sequence[str]) -> None:
        pass


def _handover_and_busy_plan() -> tuple[Plan, DesiredState, FakeTenant]:
    live = LiveState((LiveHook("old", "old", PRE, "// old\n", True), LiveHook("busy", "busy", CRED, "// b\n", False)))
    desired = DesiredState((Hook("old", PRE, "// old\n"), Hook("new", PRE, "// new\n", True), Hook("busy", CRED, "// b2\n")))
    tenant = FakeTenant([
        {"id": "old", "name": "old", "triggerId": PRE, "script": "// old\n", "enabled": True},
        {"id": "busy", "name": "busy", "triggerId": CRED, "script": "// b\n", "enabled": False},
    ])
    return build_plan(desired, live, PlanOptions()), desired, tenant


def test_a_failure_elsewhere_while_a_disable_is_in_flight_still_enables() -> None:
    plan, desired, tenant = _handover_and_busy_plan()
    disable_started, failure_seen = threading.Event(), threading.Event()

    def busy_fails() -> None:
        assert disable_started.wait(10)
        raise ApiError("server error 500", status=500)

    def disable_slowly() -> None:
        disable_started.set()
        assert failure_seen.wait(10)  # the other step has failed before this disable returns

    tenant.before_update[("busy", None)] = busy_fails
    tenant.before_update[("old", False)] = disable_slowly
    # The busy update must start only once the disable is in flight; it is independent.
    report = execute(
        plan, tenant, desired, max_workers=8,
        on_step=lambda step, event: failure_seen.set() if event == "failed" else None,
    )
    assert [f.step.key for f in report.failed] == ["busy"]
    enabled = [hook["name"] for hook in tenant.stored.values() if hook["enabled"] and hook["triggerId"] == PRE]
    assert enabled == ["new"]  # never dark
    assert any(step.operation == Action.ENABLE for step in report.done)


def test_enable_refused_when_another_writer_enabled_a_hook_meanwhile() -> None:
    plan, desired, tenant = _handover_and_busy_plan()

    def intruder() -> None:  # someone enables a hook on PRE while our hand-over runs
        with tenant.lock:
            tenant.stored["intruder"] = {"id": "intruder", "name": "intruder", "triggerId": PRE, "enabled": True}

    tenant.before_update[("old", False)] = intruder
    report = execute(plan, tenant, desired)
    assert [f.step.operation for f in report.failed] == [Action.ENABLE]
    assert "intruder" in report.failed[0].message and "another writer" in report.failed[0].message
    enabled = sorted(h["name"] for h in tenant.stored.values() if h["enabled"] and h["triggerId"] == PRE)
    assert enabled == ["intruder"]  # one enabled: not two, not dark
    assert not any(call == ("update", "new-2", {"enabled": True}) for call in tenant.calls)


def test_stop_starts_nothing_and_says_so() -> None:
    plan, desired, tenant = _handover_and_busy_plan()
    stop = threading.Event()
    stop.set()
    report = execute(plan, tenant, desired, stop=stop)
    assert report.interrupted and not report.done and len(report.not_run) == len(plan.steps)
    assert tenant.calls == []
