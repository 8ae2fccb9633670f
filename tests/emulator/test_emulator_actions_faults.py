"""Fault injection, latency and rate limiting reach the Actions routes like the hooks ones
(the app applies them before routing; these tests keep it that way)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.emulator.server import start

PL = [{"id": "post-login", "version": "v3"}]
CODE = "exports.onExecutePostLogin = async (event, api) => {};"
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/actions/actions", None),
    ("POST", "/actions/actions", {"name": "a", "supported_triggers": PL, "code": CODE}),
    ("GET", "/actions/triggers", None),
    ("GET", "/actions/triggers/post-login/bindings", None),
    ("PATCH", "/actions/triggers/post-login/bindings", {"bindings": []}),
]


@pytest.fixture
def emu() -> Iterator[Any]:
    with start(port=0, rate_limit=0, manual_builds=True) as e:
        yield e


def http(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url + "/api/v2", headers={"Authorization": f"Bearer {emu.token()}"})


@pytest.mark.parametrize("status", [429, 500, 503])
@pytest.mark.parametrize("method,path,body", ROUTES)
def test_fault_before_processing_answers_instead_and_changes_nothing(emu: Any, status: int, method: str, path: str,
                                                                    body: Any) -> None:
    emu.configure(faults=f"{status}=1")
    with http(emu) as c:
        r = c.request(method, path, json=body)
    assert r.status_code == status and "x-ratelimit-limit" in r.headers
    stats = emu.stats()
    assert stats["faults"] == {str(status): 1} and stats["writes"] == 0 and stats["actions"] == 0


def test_reset_drops_an_actions_request_unprocessed(emu: Any) -> None:
    emu.configure(faults="reset=1")
    with http(emu) as c, pytest.raises(httpx.TransportError):
        c.post("/actions/actions", json={"name": "a", "supported_triggers": PL, "code": CODE})
    emu.configure(faults={})
    assert emu.stats()["actions"] == 0 and emu.stats()["faults"] == {"reset": 1}


def test_500_after_processing_applies_the_actions_write(emu: Any) -> None:
    with http(emu) as c:
        made = c.post("/actions/actions", json={"name": "a", "supported_triggers": PL, "code": CODE}).json()
        emu.advance_builds(made["id"], 10)
        assert c.post(f"/actions/actions/{made['id']}/deploy").status_code == 200
        emu.configure(faults="500after=1")
        r = c.patch("/actions/triggers/post-login/bindings", json={"bindings": [{"ref": {"type": "action_id",
                                                                                         "value": made["id"]}}]})
        assert r.status_code == 500
        r = c.post(f"/actions/actions/{made['id']}/deploy")
        assert r.status_code == 500
    stats = emu.stats()
    assert stats["bound_per_trigger"] == {"post-login": ["a"]}  # the write landed
    assert stats["versions_created"] == {"a": 2}
    assert stats["faults"] == {"500after": 2}


def test_rate_limit_counts_actions_requests(emu: Any) -> None:
    emu.configure(rate_limit=0.001, burst=2)
    with http(emu) as c:
        statuses = [c.get("/actions/triggers").status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    assert emu.stats()["rate_limited"] == 2


def test_latency_delays_actions_requests(emu: Any) -> None:
    emu.configure(latency_ms=150)
    with http(emu) as c:
        for method, path, body in ROUTES[:3]:
            started = time.monotonic()
            r = c.request(method, path, json=body)
            assert r.status_code < 300
            assert time.monotonic() - started >= 0.14  # a lower bound: never a speed assumption
