"""Rate limiting, fault injection, latency, persistence, concurrency, CLI and TLS."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.emulator.emulator_testlib import PUR, SCRIPT, Api, get_token, make_api

RATE_LIMITED = {"statusCode": 429, "error": "Too Many Requests", "message": "Global limit has been reached",
                "errorCode": "too_many_requests"}


# ---- rate limiting ---------------------------------------------------------------------------
def test_rate_limit_headers_and_429(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=2, burst=3, retry_after=True)
    api = Api(emu.base_url, emu.token())
    remaining = []
    for _ in range(3):
        r = api.list()
        assert r.status_code == 200
        assert r.headers["x-ratelimit-limit"] == "3"
        remaining.append(int(r.headers["x-ratelimit-remaining"]))
        assert int(r.headers["x-ratelimit-reset"]) >= math.floor(time.time())
    assert remaining[0] >= remaining[-1] and remaining[-1] <= 1
    limited: httpx.Response | None = None
    for _ in range(5):  # drain whatever refilled meanwhile
        limited = api.list()
        if limited.status_code == 429:
            break
    assert limited is not None and limited.status_code == 429
    assert limited.json() == RATE_LIMITED
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-limit"] == "3"
    reset = int(limited.headers["x-ratelimit-reset"])
    assert time.time() - 1 <= reset <= time.time() + 2
    assert int(limited.headers["Retry-After"]) >= 1
    # 4xx answers carry the headers too, and so does the token endpoint (not limited itself)
    assert "x-ratelimit-remaining" in httpx.get(emu.base_url + "/api/v2/hooks").headers
    t = get_token(emu.base_url)
    assert t.status_code == 200 and "x-ratelimit-reset" in t.headers
    # admin endpoints are not limited
    for _ in range(10):
        emu.stats()
    stats = emu.stats()
    assert stats["rate_limited"] >= 1 and stats["by_status"]["429"] >= 1
    time.sleep(0.6)
    assert api.list().status_code == 200


def test_no_retry_after_by_default(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0.5, burst=1)
    api = Api(emu.base_url, emu.token())
    assert api.list().status_code == 200
    r = api.list()
    assert r.status_code == 429 and "retry-after" not in r.headers


def test_rate_limit_zero_is_unlimited(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0, burst=5)
    api = Api(emu.base_url, emu.token())
    assert all(api.list().status_code == 200 for _ in range(30))


def test_rate_limited_write_has_no_effect(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0.2, burst=1)
    api = Api(emu.base_url, emu.token())
    assert api.list().status_code == 200
    assert api.create("h").status_code == 429
    assert emu.state()["hooks"] == [] and emu.stats()["writes"] == 0


# ---- faults -------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [429, 500, 503])
def test_fault_before_processing_has_no_effect(emulator_factory: Callable[..., EmulatorProcess], status: int) -> None:
    emu = emulator_factory(rate_limit=0, faults=f"{status}=1", retry_after=True)
    api = Api(emu.base_url, emu.token())
    r = api.create("h")
    assert r.status_code == status
    assert r.json()["statusCode"] == status
    if status == 429:
        assert r.json() == RATE_LIMITED and "retry-after" in r.headers
    assert "x-ratelimit-limit" in r.headers
    assert emu.state()["hooks"] == []
    s = emu.stats()
    assert s["writes"] == 0 and s["faults"] == {str(status): 1}


def test_fault_reset_closes_without_response(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0, faults="reset=1")
    api = Api(emu.base_url, emu.token())
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
        api.create("h")
    assert emu.state()["hooks"] == []
    assert emu.stats()["faults"] == {"reset": 1}


def test_fault_500_after_processing_applies_the_write(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0, faults="500after=1")
    api = Api(emu.base_url, emu.token())
    r = api.create("h")
    assert r.status_code == 500 and r.json()["statusCode"] == 500
    (hook,) = emu.state()["hooks"]
    assert hook["name"] == "h"
    emu.configure(faults={})
    r = api.create("h")
    assert r.status_code == 409  # the retry finds the write that "failed"
    assert emu.stats()["writes"] == 1


def test_seeded_faults_are_reproducible(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    def statuses(seed: int) -> list[int]:
        emu = emulator_factory(rate_limit=0, faults="500=0.3,503=0.2", fault_seed=seed)
        api = Api(emu.base_url, emu.token())
        out = [api.list().status_code for _ in range(40)]
        emu.stop()
        return out

    a, b = statuses(7), statuses(7)
    assert a == b
    assert {200, 500, 503} <= set(a)
    assert statuses(8) != a


def test_faults_spec_rejected(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "reconciler", "emulator", "--port", "0", "--faults", "418x=0.5"],
                       capture_output=True, text=True, timeout=30)
    # A usage error: 1, never 2 (which --detailed-exitcode reserves for "changes present").
    assert r.returncode == 1 and "fault" in r.stderr.lower()


# ---- latency ------------------------------------------------------------------------------------
def test_latency_applies_without_serialising(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    # 8 requests at 1 s latency each: at least 1 s, and far from the 8 s of one at a time
    # (the margin is for a loaded machine, not a speed requirement).
    emu = emulator_factory(rate_limit=0, latency_ms=1000)
    token = emu.token()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=30) as client:
        t0 = time.perf_counter()
        assert client.get("/api/v2/hooks").status_code == 200
        assert time.perf_counter() - t0 >= 1.0
        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: client.get("/api/v2/hooks").status_code, range(8)))
        elapsed = time.perf_counter() - t0
    assert codes == [200] * 8
    assert 1.0 <= elapsed < 4.0, f"8 parallel requests with 1 s latency took {elapsed:.2f}s"


# ---- persistence --------------------------------------------------------------------------------
def test_state_survives_restart(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    emu = emulator_factory(state=str(state), rate_limit=0)
    api = make_api(emu)
    a = api.create("a", enabled=True, dependencies={"x": "1"}).json()
    api.http.post(f"/hooks/{a['id']}/secrets", json={"K": "secret-value"})
    b = api.create("b", trigger="post-change-password").json()
    api.patch(b["id"], script="changed")
    assert json.loads(state.read_text())["hooks"][0]["id"] == a["id"]
    assert [p.name for p in tmp_path.iterdir()] == ["tenant.json"]  # no temp files left behind
    before = emu.state()
    emu.restart()
    assert emu.state() == before
    api = make_api(emu)
    got = api.list().json()
    assert [h["id"] for h in got] == [a["id"], b["id"]]
    assert got[1]["script"] == "changed" and got[0]["enabled"] is True
    assert api.http.get(f"/hooks/{a['id']}/secrets").json() == {"K": "_VALUE_NOT_SHOWN_"}
    assert api.create("a").status_code == 409
    assert api.create("c", enabled=True).status_code == 409  # conflict rule sees the loaded state
    api.delete(a["id"])
    emu.restart()
    assert [h["name"] for h in emu.state()["hooks"]] == ["b"]


# ---- concurrency --------------------------------------------------------------------------------
def test_20_concurrent_clients_lose_no_write(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    emu = emulator_factory(rate_limit=0, state=str(tmp_path / "t.json"))
    shared = make_api(emu).create("shared").json()["id"]
    patches = 10
    barrier = threading.Barrier(20)

    def client(i: int) -> str:
        api = Api(emu.base_url, emu.token())
        barrier.wait()
        hid: str = api.create(f"client-{i}").json()["id"]
        for n in range(patches):
            r = api.patch(hid, script=f"// client {i} version {n}", dependencies={f"dep{i}": str(n)})
            assert r.status_code == 200, r.text
        r = api.http.post(f"/hooks/{shared}/secrets", json={f"KEY_{i}": f"value-{i}"})
        assert r.status_code == 201, r.text
        api.close()
        return hid

    with ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(client, range(20)))
    state = {h["id"]: h for h in emu.state()["hooks"]}
    assert len(state) == 21
    for i, hid in enumerate(ids):
        assert state[hid]["script"] == f"// client {i} version {patches - 1}"
        assert state[hid]["dependencies"] == {f"dep{i}": str(patches - 1)}
    assert state[shared]["secrets"] == {f"KEY_{i}": f"value-{i}" for i in range(20)}
    assert emu.stats()["writes"] == 1 + 20 * (1 + patches + 1)
    on_disk = json.loads((tmp_path / "t.json").read_text())
    assert {h["id"]: h for h in on_disk["hooks"]} == state


def test_concurrent_enables_only_one_wins(emulator_factory: Callable[..., EmulatorProcess]) -> None:
    emu = emulator_factory(rate_limit=0)
    api = make_api(emu)
    ids = [api.create(f"h{i}").json()["id"] for i in range(20)]
    barrier = threading.Barrier(20)

    def enable(hid: str) -> int:
        c = Api(emu.base_url, emu.token())
        barrier.wait()
        return c.patch(hid, enabled=True).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(enable, ids))
    assert sorted(codes) == [200] + [409] * 19
    s = emu.stats()
    assert s["max_enabled_per_trigger"] == {PUR: 1} and s["invariant_violations"] == 0


# ---- CLI and TLS --------------------------------------------------------------------------------
def test_cli_prints_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "reconciler", "emulator", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        assert line.startswith("Auth0 emulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        assert httpx.get(url + "/__emulator/stats").status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_in_process_start_and_stop() -> None:
    from reconciler.emulator.server import start

    with start(port=0, enabled_conflict="allow") as emu:
        assert emu.base_url.startswith("http://127.0.0.1:")
        r = get_token(emu.base_url, emu.client_id, emu.client_secret)
        api = Api(emu.base_url, r.json()["access_token"])
        api.create("a", enabled=True)
        api.create("b", enabled=True)
        assert emu.stats()["invariant_violations"] == 1
        emu.seed([{"name": "c", "script": SCRIPT, "triggerId": PUR}])
        assert len(api.list().json()) == 3
        emu.reset()
        assert api.list().json() == []
        api.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(emu.base_url + "/__emulator/stats", timeout=2)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_tls(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    emu = emulator_factory(tls_cert=str(cert), tls_key=str(key))
    import ssl

    verify = ssl.create_default_context(cafile=str(cert))
    assert emu.base_url.startswith("https://127.0.0.1:")
    r = httpx.post(emu.base_url + "/oauth/token", verify=verify, data={
        "grant_type": "client_credentials", "client_id": "emulator", "client_secret": "emulator-secret"})
    assert r.status_code == 200
    with httpx.Client(base_url=emu.base_url, verify=verify,
                      headers={"Authorization": "Bearer " + r.json()["access_token"]}) as c:
        assert c.post("/api/v2/hooks", json={"name": "a", "script": SCRIPT, "triggerId": PUR}).status_code == 201
        assert len(c.get("/api/v2/hooks").json()) == 1
    # a plain-HTTP client or a failed handshake does not take the server down
    with pytest.raises(httpx.HTTPError):
        httpx.get(emu.base_url.replace("https", "http") + "/__emulator/stats", timeout=3)
    assert emu.stats()["hooks"] == 1
    assert os.path.exists(cert)


# ---- HTTP framing -------------------------------------------------------------------------------
def _raw(base_url: str, data: bytes, read_until_close: bool = True) -> bytes:
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(base_url)
    with socket.create_connection((u.hostname, u.port), timeout=5) as s:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def test_http_framing_keepalive_chunked_close(emulator: EmulatorProcess) -> None:
    token = emulator.token()
    body = json.dumps({"name": "chunky", "script": SCRIPT, "triggerId": PUR}).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    req = (
        f"POST /api/v2/hooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
    ).encode() + chunked
    req += f"GET /api/v2/hooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
    out = _raw(emulator.base_url, req)  # two pipelined requests on one connection, then the server closes
    assert out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n")
    assert out.count(b"HTTP/1.1 200 OK") == 1 and b"Connection: close" in out
    assert out.rstrip().endswith(b"]") and b'"name":"chunky"' in out
    out = _raw(emulator.base_url, b"GET /__emulator/stats HTTP/1.0\r\n\r\n")  # 1.0 closes by default
    assert out.startswith(b"HTTP/1.1 200 OK")
    out = _raw(emulator.base_url, b"garbage\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400 Bad Request")


def test_subprocess_dies_with_its_parent(tmp_path: Path) -> None:
    """A harness killed with SIGKILL must not leave its emulator running."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from reconciler.emulator.process import EmulatorProcess\n"
        "emu = EmulatorProcess({})\n"
        "print(emu.proc.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=str(Path(__file__).resolve().parents[2]))
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the emulator outlived its parent")
