"""Contract test: replay every real Actions exchange against a running emulator.

Read in place from ../shared/auth0-api: every `recordings/*Action*.yaml` (go-vcr) and the
`/actions/` entries of the auth0-deploy-cli excerpt (nock JSON). Per exchange: the status
exactly; the body by shape: same keys in the same order, same JSON types, same values except
ids (UUIDs mapped from the recorded one to the emulator's, first seen wins, then they must
stay equal) and timestamps (RFC3339 format only).

Build timing: the emulator runs with `manual_builds`, so a draft's build moves only when the
replay advances it (POST /__emulator/builds). When a recorded read shows a build status the
emulator has not reached yet, the replay advances that action's build one phase at a time and
reads again until it has (bounded: 10 phases). A zero build time could not replay the recorded
`pending -> building -> built` and `building <-> retrying -> failed` sequences, and a timed
build would make the test depend on wall-clock speed; manual steps replay every recorded
sequence exactly, whatever the machine.

State the recording did not create (an action made by another test of the same run, the
deploy-cli tenant's existing action, a 2024 tenant's list) is seeded first from the recorded
bodies; on such recordings version numbers are compared by type only.

Bodies are validated against actions-openapi.json where spec and recordings agree; the
disagreements (the emulator follows the recordings) are listed in SPEC_VS_RECORDINGS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
import pytest
import yaml

from reconciler.emulator.process import EmulatorProcess
from tests.shared_api import ABSENT, API_DIR

REC_DIR = API_DIR / "recordings"
RECORDINGS = sorted(REC_DIR.glob("*Action*.yaml")) if API_DIR.is_dir() else []
EXCERPT = REC_DIR / "auth0-deploy-cli_e2e_actions-excerpt.json"
UUID_RE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
BUILD_STATUSES = ("pending", "building", "retrying", "built", "failed")

# Where Auth0's OpenAPI document and the real exchanges disagree; the emulator follows the
# recordings, and validation skips exactly these points.
SPEC_VS_RECORDINGS = {
    "deploy-status": "POST .../deploy and .../versions/{id}/deploy: spec 202, every recording 200",
    "current_version": "actions carry `current_version` (not in the spec; every schema is additionalProperties:false)",
    "version-action": "versions embed an abbreviated `action`; its schema and the spec's list shapes differ in detail",
    "zero-keys": "list responses omit zero-valued keys (no `page` on page 0, no `total` on an empty page)",
    "binding_policy": "GET /actions/triggers items carry `binding_policy`, and trigger `mcp-tool` (not in the enum)",
    "delete-409": "DELETE of a bound action without force: 409 (issue threads), not listed in the spec",
    "secrets-extra": "secrets in requests may carry extra keys (go-auth0 sends updated_at back): tolerated",
    "trigger-order": "two real 2026 GET /actions/triggers answers order post-login's versions differently",
    "triggers-2023": "the 2023 trigger list (node12/16/18, no binding_policy) is older than the 2026 one served",
    "registry_url": "2023: a dependency's registry_url leaves the draft once built (not in the spec)",
    "all_changes_deployed": "computed (draft == live version): a PATCH changing nothing keeps it true (deploy-cli e2e)",
}

pytestmark = pytest.mark.skipif(
    not RECORDINGS, reason=ABSENT
)


# ---- loading ---------------------------------------------------------------------------
def _exchanges_yaml(path: Path) -> list[dict[str, Any]]:
    out = []
    for inter in yaml.safe_load(path.read_text())["interactions"]:
        req, rec = inter["request"], inter["response"]
        split = urlsplit(req["url"])
        raw = req.get("body") or ""
        out.append({"method": req["method"], "path": split.path + (f"?{split.query}" if split.query else ""),
                    "body": raw if raw.strip() not in ("", "null") else "", "status": rec["code"],
                    "response": json.loads(rec["body"]) if (rec.get("body") or "").strip() else None})
    return out


def _exchanges_excerpt(name: str) -> list[dict[str, Any]]:
    out = []
    for e in json.loads(EXCERPT.read_text())["files"][name]:
        body = e.get("body")
        out.append({"method": e["method"], "path": e["path"], "status": e["status"],
                    "body": json.dumps(body) if body not in ("", None) else "",
                    "response": e["response"] if e["response"] != "" else None})
    return out


CASES: list[tuple[str, Any]] = [(p.stem, p) for p in RECORDINGS]
if EXCERPT.is_file():
    CASES += [(f"deploy-cli:{n[:40]}", n) for n in json.loads(EXCERPT.read_text())["files"]]


# ---- spec ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((API_DIR / "actions-openapi.json").read_text())
    return loaded


def _template(spec: dict[str, Any], path: str) -> tuple[str, dict[str, Any]] | None:
    path = path.split("?")[0].removeprefix("/api/v2")
    for tmpl, ops in spec["paths"].items():
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
        if re.match(rx, path):
            return tmpl, ops
    return None


def _strip(body: Any) -> Any:
    """The body without the points listed in SPEC_VS_RECORDINGS."""
    if isinstance(body, dict):
        return {k: _strip(v) for k, v in body.items() if k not in ("current_version", "binding_policy", "action")}
    if isinstance(body, list):
        return [_strip(v) for v in body]
    return body


def _validate(spec: dict[str, Any], method: str, path: str, status: int, body: Any, request: bool) -> None:
    found = _template(spec, path)
    if found is None or body is None:
        return
    tmpl, ops = found
    op = ops.get(method.lower()) or {}
    if request:
        ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            return
        body = {k: ([{kk: vv for kk, vv in s.items() if kk in ("name", "value")} for s in v] if k == "secrets" else v)
                for k, v in body.items()} if isinstance(body, dict) else body
    else:
        responses = op.get("responses", {})
        resp = responses.get(str(status)) or (responses.get("202") if status == 200 else None)  # deploy-status
        ref = (resp or {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None or tmpl in ("/actions/triggers", "/actions/modules"):
            return
        body = _strip(body)
    schema = {"$ref": ref, "components": spec["components"]}
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(body), key=str)
    # zero-keys: `required` page/total on lists that legitimately omit them
    errors = [e for e in errors if not (e.validator == "required" and any(k in e.message for k in ("'total'", "'page'", "'per_page'")))]
    assert not errors, f"{method} {path} {'request' if request else 'response'} does not match {ref}: {errors[0].message}"


# ---- comparison ------------------------------------------------------------------------
class Replay:
    def __init__(self, emu: Any, client: httpx.Client, loose_numbers: bool):
        self.emu, self.client, self.loose_numbers = emu, client, loose_numbers
        self.ids: dict[str, str] = {}

    def sub(self, text: str) -> str:
        return UUID_RE.sub(lambda mt: self.ids.get(mt.group(0), mt.group(0)), text)

    def compare(self, rec: Any, act: Any, where: str) -> None:
        assert type(act) is type(rec), f"{where}: type {type(act).__name__} != recorded {type(rec).__name__}: {act!r}"
        if isinstance(rec, dict):
            assert list(act) == list(rec), f"{where}: keys {list(act)} != recorded {list(rec)}"
            for k, v in rec.items():
                self.compare(v, act[k], f"{where}.{k}")
        elif isinstance(rec, list):
            assert len(act) == len(rec), f"{where}: {len(act)} items != recorded {len(rec)}"
            for i, (r, a) in enumerate(zip(rec, act)):
                self.compare(r, a, f"{where}[{i}]")
        elif isinstance(rec, str) and UUID_RE.fullmatch(rec):
            assert UUID_RE.fullmatch(act), f"{where}: not a UUID: {act!r}"
            assert self.ids.setdefault(rec, act) == act, f"{where}: id {act} is not the one mapped from {rec}"
        elif isinstance(rec, str) and TIME_RE.match(rec):
            assert TIME_RE.match(act), f"{where}: not an RFC3339 time: {act!r}"
        elif isinstance(rec, int) and where.endswith(".number") and self.loose_numbers:
            pass
        elif ".payload." in where and not isinstance(rec, (dict, list)):
            pass  # the emulator runs no code: its test error is its own
        else:
            assert act == rec, f"{where}: {act!r} != recorded {rec!r}"

    def catch_up(self, target: str, rec: Any, resp: httpx.Response) -> httpx.Response:
        """Advance manual builds until a read shows the recorded build status."""
        def statuses(body: Any) -> list[str | None]:
            items = body.get("actions", [body]) if isinstance(body, dict) else []
            return [a.get("status") for a in items if isinstance(a, dict)]

        want = statuses(rec)
        for _ in range(10):
            got = statuses(resp.json()) if resp.status_code == 200 else []
            if got == want or not any(w in BUILD_STATUSES for w in want):
                break
            for a, w, g in zip(resp.json().get("actions", [resp.json()]), want, got):
                if w != g:
                    self.emu.advance_builds(a["id"])
            resp = self.client.get(target)
        return resp


def _seed_foreign(emu: Any, exchanges: list[dict[str, Any]]) -> bool:
    """Seed the actions (and bindings) the recording reads but never created."""
    created = {r["response"]["id"] for r in exchanges
               if r["method"] == "POST" and r["path"].endswith("/actions/actions") and isinstance(r["response"], dict)}
    foreign: dict[str, dict[str, Any]] = {}
    bindings: dict[str, list[dict[str, Any]]] = {}
    filler = 0
    for r in exchanges:
        body = r["response"]
        if not isinstance(body, dict):
            continue
        for a in body.get("actions", []):
            if a["id"] not in created:
                foreign.setdefault(a["id"], a)
        if "actions" in body and body.get("total", 0) > len(body["actions"]):
            filler = max(filler, body["total"] - len(body["actions"]))
        trig = re.search(r"/triggers/([^/]+)/bindings", r["path"])
        if trig and r["method"] == "GET" and not bindings.get(trig.group(1)):
            for b in body.get("bindings", []):
                if b["action"]["id"] not in created:
                    foreign.setdefault(b["action"]["id"], b["action"])
                    bindings.setdefault(trig.group(1), []).append({"action_id": b["action"]["id"], "display_name": b["display_name"]})
    if not foreign:
        return False
    seeds = []
    for a in foreign.values():
        seeds.append({"id": a["id"], "name": a["name"], "supported_triggers": a["supported_triggers"],
                      "code": a.get("code", a.get("deployed_version", {}).get("code", "")),
                      "runtime": a.get("runtime", a.get("deployed_version", {}).get("runtime", "node22")),
                      "dependencies": a.get("dependencies", []),
                      "secrets": [{"name": s["name"], "value": "x"} for s in a.get("secrets", [])],
                      "deployed": "deployed_version" in a})
    seeds += [{"name": f"filler {i}", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": "//"}
              for i in range(filler)]
    emu.seed(actions=seeds, bindings=bindings)
    return True


@pytest.fixture(scope="module")
def actions_emulator() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess({"manual_builds": True, "rate_limit": 0, "bad_dependencies": "crypto@17.7.1"})
    try:
        yield proc
    finally:
        proc.stop()


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_replay_actions_recording(case: Any, actions_emulator: EmulatorProcess, spec: dict[str, Any]) -> None:
    emu = actions_emulator
    emu.reset()
    exchanges = _exchanges_yaml(case) if isinstance(case, Path) else _exchanges_excerpt(case)
    seeded = _seed_foreign(emu, exchanges)
    token = emu.token()
    with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        replay = Replay(emu, client, loose_numbers=seeded)
        for n, ex in enumerate(exchanges):
            method, where = ex["method"], f"{getattr(case, 'stem', case)}#{n} {ex['method']} {ex['path'][:80]}"
            target = replay.sub(ex["path"])
            body = replay.sub(ex["body"])
            req_json = json.loads(body) if body else None
            if req_json is not None:
                _validate(spec, method, ex["path"], 0, req_json, request=True)
            headers = {"Content-Type": "application/json"} if body else {}
            resp = client.request(method, target, content=body.encode(), headers=headers)
            if method == "GET" and ex["status"] == 200:
                resp = replay.catch_up(target, ex["response"], resp)
            assert resp.status_code == ex["status"], f"{where}: status {resp.status_code} != recorded {ex['status']}: {resp.text}"
            if ex["response"] is None:
                assert resp.content == b"", f"{where}: body should be empty"
                continue
            actual = resp.json()
            if ex["path"].split("?")[0].endswith("/actions/triggers") and "go-auth0" in str(case):
                # 2023 trigger list (node12/16/18, no binding_policy): the emulator serves the
                # 2026 list; only the envelope and the item keys it shares are compared.
                rec_keys = list(ex["response"]["triggers"][0])
                assert all(k in actual["triggers"][0] for k in rec_keys), where
                continue
            recorded = ex["response"]
            if ex["path"].split("?")[0].endswith("/actions/triggers"):
                # the two real 2026 answers list post-login's versions in different orders
                key = lambda t: (t["id"], t["version"])  # noqa: E731
                recorded = {"triggers": sorted(recorded["triggers"], key=key)}
                actual = {"triggers": sorted(actual["triggers"], key=key)}
            replay.compare(recorded, actual, where)
            if ex["status"] < 300:
                _validate(spec, method, ex["path"], resp.status_code, actual, request=False)


def test_every_actions_recording_is_replayed() -> None:
    names = [n for n, _ in CASES]
    assert len([n for n in names if n.startswith(("go-auth0", "terraform"))]) >= 19, names
    assert any(n.startswith("deploy-cli:") for n in names)


def test_spec_validation_can_fail(spec: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        _validate(spec, "GET", "/api/v2/actions/actions/x", 200, {"id": 5, "name": []}, request=False)
    with pytest.raises(AssertionError):
        _validate(spec, "POST", "/api/v2/actions/actions", 0, {"name": "a", "nope": 1}, request=True)
