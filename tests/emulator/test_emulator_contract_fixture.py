"""The emulator against the project's own API contract (`contract/*.yaml`), on every clone.

The full replays of the real recorded exchanges (`test_emulator_contract.py`,
`test_emulator_actions_contract.py`) need `../shared/auth0-api`; this contract is what they
check, distilled into our own format (see `tests/contract_check.py`), so a plain clone tests the
emulator's statuses, key orders, types, error bodies, rate-limit headers and pagination too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.emulator.server import RunningEmulator, start
from tests.contract_check import CONTRACT_DIR, ContractError, ContractFile, Run, check_shape, contract_files
from tests.shared_api import ABSENT, RECORDINGS_DIR

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


@pytest.mark.parametrize(("contract", "scenario"), CASES, ids=[f"{f.name}:{s['name']}" for f, s in CASES])
def test_emulator_keeps_the_contract(emu: RunningEmulator, contract: ContractFile, scenario: dict[str, Any]) -> None:
    emu.reset()
    if scenario.get("options"):
        emu.configure(**scenario["options"])
    with httpx.Client(base_url=emu.base_url, timeout=30) as http:
        Run(emu, contract, http, COMMON.every_response).scenario(scenario)


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


def test_the_contract_holds_no_recorded_identity() -> None:
    """Distilled, not copied: no tenant host, id or token from a recording is in the files."""
    import re

    for path in sorted(CONTRACT_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"[\w-]+\.(eu|us|au|jp)?\.?auth0\.com", r"\b[0-9A-HJKMNP-TV-Z]{26}\b",
                        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", r"eyJ[\w-]{10,}"):
            found = re.search(pattern, text)
            assert found is None, f"{path.name}: {found.group(0) if found else ''}"


# ---- the contract against the real recorded exchanges (where ../shared is at hand) -------
def _recorded(pattern: str) -> list[tuple[str, str, str, int, Any]]:
    """(recording, method, path?query, status, JSON body) of every recorded answer with one."""
    from urllib.parse import urlsplit

    import yaml

    out = []
    for path in sorted(RECORDINGS_DIR.glob(pattern)) if RECORDINGS_DIR.is_dir() else []:
        for inter in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            raw = (inter["response"].get("body") or "").strip()
            if not raw:
                continue
            url = urlsplit(inter["request"]["url"])
            target = url.path + (f"?{url.query}" if url.query else "")
            out.append((path.stem, inter["request"]["method"], target, inter["response"]["code"], json.loads(raw)))
    return out


@pytest.mark.skipif(not RECORDINGS_DIR.is_dir(), reason=ABSENT)
@pytest.mark.parametrize(("name", "pattern"), [("hooks", "*Hook*.yaml"), ("actions", "*Action*.yaml")])
def test_recorded_answers_keep_the_contract(name: str, pattern: str) -> None:
    """The contract is faithful to its source: every recorded answer of an endpoint and
    status it lists has the shape it names, and it lists most of what was recorded."""
    contract = next(f for f in FILES if f.name == name)
    listed, unlisted = 0, set()
    for recording, method, target, status, body in _recorded(pattern):
        shape = contract.response_shape(method, target, status)
        if shape is None:
            unlisted.add(f"{method} {target.split('?')[0]} {status}")
            continue
        listed += 1
        check_shape(body, shape, contract.shapes, f"{recording}: {method} {target} {status}")
    assert listed >= 40 and not unlisted, (listed, sorted(unlisted))
