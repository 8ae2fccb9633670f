"""A server that accepts connections and never answers (issue 18, "Network robustness"): a
timed-out request is retried at most as often as a connect error, a "still waiting for
<request>" line is printed while waiting, and the error names the request that went out (the
token request, not ``GET /api/v2/hooks``). A loopback listener, a short AUTH0_TIMEOUT."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.api.transport import RetryPolicy
from tests.e2e.helpers import run_cli


class Silent:
    """Accepts every connection, reads what comes, never writes a byte."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.accepted = 0
        self.requests: list[bytes] = []
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            self._held.append(conn)
            conn.settimeout(0.2)
            try:
                self.requests.append(conn.recv(65536).split(b"\r\n", 1)[0])
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        for conn in self._held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


def config(tmp_path: Path) -> Path:
    hooks = tmp_path / "cfg" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "h.json").write_text(json.dumps({"name": "h", "triggerId": "credentials-exchange", "script": "./h.js"}))
    (hooks / "h.js").write_text("module.exports = function (c, s, a, x, cb) { cb(null, {}); };\n")
    return tmp_path / "cfg"


def test_a_silent_token_endpoint_is_tried_a_bounded_number_of_times_and_named(silent: Silent, tmp_path: Path) -> None:
    env = {"AUTH0_DOMAIN": silent.url, "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "canary-silent-secret-19f2",
           "AUTH0_ACCESS_TOKEN": None, "AUTH0_TIMEOUT": "0.4", "NO_COLOR": "1"}
    result = run_cli(["plan", "-c", str(config(tmp_path))], env)
    assert result.exit_code == 1
    attempts = len(silent.requests)
    assert 1 <= attempts <= RetryPolicy().connect_attempts, silent.requests  # 8 before
    assert all(r.startswith(b"POST /oauth/token") for r in silent.requests)
    [error] = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert "POST /oauth/token" in error and "GET /api/v2/hooks" not in error, error
    assert "timed out" in error
    assert "still waiting for POST /oauth/token" in result.output
    assert "canary-silent-secret-19f2" not in result.output


def test_a_silent_api_is_named_too(silent: Silent, tmp_path: Path) -> None:
    env = {"AUTH0_DOMAIN": silent.url, "AUTH0_ACCESS_TOKEN": "a-ready-token", "AUTH0_CLIENT_ID": None,
           "AUTH0_CLIENT_SECRET": None, "AUTH0_TIMEOUT": "0.4", "NO_COLOR": "1"}
    result = run_cli(["plan", "-c", str(config(tmp_path))], env)
    assert result.exit_code == 1
    assert 1 <= len(silent.requests) <= RetryPolicy().connect_attempts
    [error] = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert "GET /api/v2/hooks" in error and "timed out" in error, error
    assert "still waiting for GET /api/v2/hooks" in result.output
