"""The emulator against the project's own API contract (`contract/*.yaml`), on every clone.

The full replays of the real recorded exchanges (`test_emulator_contract.py`,
`test_emulator_actions_contract.py`) need `../shared/auth0-api`; this contract is what they
check, distilled into our own format (see `contract_check.py`), so a plain clone tests the
emulator's statuses, key orders, types, error bodies, rate-limit headers and pagination too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from contract_check import ContractError, ContractFile, at, check_header, check_shape, contract_files, fill

from reconciler.emulator.server import RunningEmulator, start

FILES = contract_files()
COMMON = next(f for f in FILES if f.name == "common")
CASES = [(f, s) for f in FILES for s in f.scenarios]


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    # Manual builds: a draft's build moves only when a step advances it, whatever the speed.
    emulator = start(port=0, rate_limit=0, manual_builds=True)
    try:
        yield emulator
    finally:
        emulator.stop()


class Run:
    """One scenario's steps against one emulator, with the values its steps saved."""

    def __init__(self, emu: RunningEmulator, contract: ContractFile, http: httpx.Client):
        self.emu, self.contract, self.http = emu, contract, http
        self.saved: dict[str, str] = {"client_id": emu.client_id, "client_secret": emu.client_secret}
        self.token = emu.token()

    def auth(self, token: Any) -> dict[str, str]:
        if token is None:
            return {"Authorization": f"Bearer {self.token}"}
        if token == "none":
            return {}
        if token == "bogus":
            return {"Authorization": "Bearer not-a-token-the-emulator-issued"}
        if token == "expired":
            value = self.emu.token()
            self.emu.expire_tokens()
            self.token = self.emu.token()  # later steps keep a good one
            return {"Authorization": f"Bearer {value}"}
        return {"Authorization": f"Bearer {self.emu.token(list(token))}"}

    def advance(self, action_id: str) -> None:
        for _ in range(10):
            if self.emu.advance_builds(action_id)["statuses"].get(action_id) == "built":
                return
        raise ContractError(f"the build of {action_id} never finished")

    def step(self, step: dict[str, Any], where: str) -> None:
        if "advance" in step:
            self.advance(fill(step["advance"], self.saved))
            return
        method, _, path = step["send"].partition(" ")
        path = fill(path, self.saved)
        headers = self.auth(step.get("token"))
        content = b""
        if "json" in step:
            body = fill(step["json"], self.saved)
            if not step.get("invalid"):
                check_shape(body, self.contract.request_shape(method, path), self.contract.shapes,
                            f"{where} request", ordered=False)
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif "raw" in step:
            content = step["raw"].encode()
            headers["Content-Type"] = step.get("content_type", "application/json")
        resp = self.http.request(method, path, content=content, headers=headers)
        self.check(step, resp, where)

    def check(self, step: dict[str, Any], resp: httpx.Response, where: str) -> None:
        if resp.status_code != step["status"]:
            raise ContractError(f"{where}: status {resp.status_code}, expected {step['status']}: {resp.text[:300]}")
        for name, expected in {**COMMON.every_response.get("headers", {}), **step.get("headers", {})}.items():
            check_header(resp.headers, name, expected, where)
        if not resp.content:
            if "shape" in step or "values" in step:
                raise ContractError(f"{where}: empty body, expected one")
            return
        if not resp.headers.get("content-type", "").startswith("application/json"):
            raise ContractError(f"{where}: content-type {resp.headers.get('content-type')!r}")
        body = resp.json()
        if "shape" in step:
            check_shape(body, step["shape"], self.contract.shapes, where)
        for path, expected in (step.get("values") or {}).items():
            got = at(body, str(path))
            if got != fill(expected, self.saved):
                raise ContractError(f"{where}: {path} is {got!r}, expected {expected!r}")
        for path, length in (step.get("count") or {}).items():
            items = at(body, str(path))
            if not isinstance(items, list) or len(items) != length:
                raise ContractError(f"{where}: {path or 'body'} has {len(items) if isinstance(items, list) else 'no'} items, expected {length}")
        for name, path in (step.get("save") or {}).items():
            self.saved[name] = str(at(body, path))


@pytest.mark.parametrize(("contract", "scenario"), CASES, ids=[f"{f.name}:{s['name']}" for f, s in CASES])
def test_emulator_keeps_the_contract(emu: RunningEmulator, contract: ContractFile, scenario: dict[str, Any]) -> None:
    emu.reset()
    if scenario.get("options"):
        emu.configure(**scenario["options"])
    with httpx.Client(base_url=emu.base_url, timeout=30) as http:
        run = Run(emu, contract, http)
        for n, step in enumerate(scenario["steps"]):
            run.step(step, f"{scenario['name']} #{n} {step.get('send') or 'advance'}")


def test_the_contract_covers_both_types_and_the_common_rules() -> None:
    names = {f.name for f in FILES}
    assert {"common", "hooks", "actions"} <= names
    sent = {s.get("send", "").split("?")[0] for _, sc in CASES for s in sc["steps"]}
    for endpoint in ("POST /api/v2/hooks", "PATCH /api/v2/hooks/<hook>", "GET /api/v2/hooks/<hook>/secrets",
                     "POST /api/v2/actions/actions", "POST /api/v2/actions/actions/<action>/deploy",
                     "PATCH /api/v2/actions/triggers/post-login/bindings", "POST /oauth/token"):
        assert endpoint in sent, endpoint
    statuses = {s.get("status") for _, sc in CASES for s in sc["steps"]}
    assert {200, 201, 204, 400, 401, 403, 404, 409, 429} <= statuses


def test_every_request_the_contract_sends_has_a_declared_shape() -> None:
    for contract, scenario in CASES:
        for step in scenario["steps"]:
            if "json" in step and not step.get("invalid"):
                method, _, path = step["send"].partition(" ")
                contract.request_shape(method, path)  # raises when undeclared


# ---- the checker itself must be able to fail --------------------------------------------
SHAPES = {"pair": {"id": "ulid", "n?": "integer"}}


@pytest.mark.parametrize(("value", "shape"), [
    ({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "n": "1"}, "$pair"),      # wrong type
    ({"n": 1, "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "$pair"),        # wrong order
    ({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "x": 1}, "$pair"),        # extra key
    ({}, "$pair"),                                                  # missing key
    ([1], []),                                                      # not empty
    ({"a": 1}, {"*": "string"}),                                    # map value type
    (True, "integer"),                                              # bool is not an integer
    ("2026-01-01", "time"),
])
def test_shape_check_fails_where_it_should(value: Any, shape: Any) -> None:
    with pytest.raises(ContractError):
        check_shape(value, shape, SHAPES)


def test_shape_check_passes_a_matching_body() -> None:
    check_shape({"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "$pair", SHAPES)
    check_shape([{"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "n": 2}], ["$pair"], SHAPES)
    check_shape({"K": "v", "L": "w"}, {"*": "string"}, SHAPES)
