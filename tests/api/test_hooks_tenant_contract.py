"""The in-memory hooks tenant the client tests run against (``api_helpers.HooksTenant``
behind ``Server``) keeps the same API contract as the emulator: every hooks scenario of
``tests/emulator/contract/hooks.yaml`` that needs no emulator option, so the client is
tested against answers shaped as Auth0's (statuses, key orders, error bodies, pages)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.api_helpers import BASE, CANARY_SECRET, HooksTenant, Server
from tests.contract_check import Run, contract_files

FILES = {f.name: f for f in contract_files()}
HOOKS = FILES["hooks"]
# Scenarios that configure the emulator (a tenant without Hooks) are the emulator's alone.
SCENARIOS = [s for s in HOOKS.scenarios if not s.get("options")]


class FakeTarget:
    """``Server(HooksTenant())`` as a contract target."""

    client_id = "id"
    client_secret = CANARY_SECRET

    def __init__(self) -> None:
        self.server = Server(HooksTenant())

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.server)

    def token(self, scopes: list[str] | None = None) -> str:
        with httpx.Client(transport=self.transport()) as http:
            answer = http.post(f"{BASE}/oauth/token", json={"client_secret": CANARY_SECRET})
        return str(answer.json()["access_token"])

    def expire_tokens(self) -> None:
        self.server.expire_tokens()

    def advance_builds(self, action_id: str | None = None, steps: int = 1) -> dict[str, Any]:
        raise AssertionError("the hooks tenant has no builds")


def test_most_hooks_scenarios_run_on_the_fake() -> None:
    assert len(SCENARIOS) >= 5 and len(SCENARIOS) >= len(HOOKS.scenarios) - 1


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_the_hooks_tenant_keeps_the_contract(scenario: dict[str, Any]) -> None:
    target = FakeTarget()
    with httpx.Client(base_url=BASE, transport=target.transport()) as http:
        Run(target, HOOKS, http, FILES["common"].every_response).scenario(scenario)
