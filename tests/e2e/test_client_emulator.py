"""ManagementClient over real sockets: what MockTransport cannot show. Pooled keep-alive
connections from many threads, a refused connection, connection resets and injected faults
from the emulator subprocess, and a connection dropped after the server acted (a tiny
threaded server). The client's logic is unit-tested in tests/api/test_client.py."""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import Connection, connection_from_env
from reconciler.errors import ApiError
from tests.api.api_helpers import churn, churned

CANARY_SECRET = "canary-client-secret-71c3e0"
CANARY_VALUE = "canary-secret-value-4b9d2a"
SCRIPT = "module.exports = function (user, context, cb) { cb(); };"
TRIGGER = "post-user-registration"


def client_for(emu: Any, **kwargs: Any) -> ManagementClient:
    return ManagementClient(connection_from_env(emu.env()), **kwargs)


def all_text(exc: BaseException) -> str:
    """Everything a user could see of an exception: message, repr, chained causes."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


def test_many_threads_share_one_token_over_pooled_connections(emulator: Any) -> None:
    emulator.seed([{"name": "one", "script": SCRIPT, "triggerId": TRIGGER}])
    with client_for(emulator) as client:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: client.hooks.list(), range(40)))
        assert client.stats.token_requests == 1 and client.stats.requests == 40
    assert all([h["name"] for h in hooks] == ["one"] for hooks in results)
    stats = emulator.stats()
    assert stats["by_method"] == {"GET": 40, "POST": 1}  # the one POST is /oauth/token
    assert stats["by_status"] == {"200": 41}


def test_write_round_trip_and_error_wording(emulator: Any) -> None:
    # The wording the unit tests' scripted tenant copies, from the emulator over HTTP.
    with client_for(emulator) as client:
        hook = client.hooks.create("round-trip", TRIGGER, SCRIPT, dependencies={"lodash": "4.17.21"})
        client.hooks.add_secrets(hook["id"], {"API_KEY": CANARY_VALUE, "OTHER": "x"})
        client.hooks.update_secrets(hook["id"], {"OTHER": "y"})
        client.hooks.delete_secrets(hook["id"], ["API_KEY"])
        assert client.hooks.secret_keys(hook["id"]) == {"OTHER"}
        assert client.hooks.update(hook["id"], enabled=True)["enabled"] is True
        assert emulator.state()["hooks"][0]["secrets"] == {"OTHER": "y"}
        with pytest.raises(ApiError) as conflict:
            client.hooks.create("round-trip", TRIGGER, SCRIPT)
        client.hooks.delete(hook["id"])
        with pytest.raises(ApiError) as missing:
            client.hooks.get(hook["id"])
    assert conflict.value.status == 409 and str(conflict.value).startswith("conflict: ")
    assert "same name" in str(conflict.value)
    assert missing.value.status == 404 and missing.value.error_code == "HookDoesNotExist"
    assert str(missing.value).startswith(f"hook {hook['id']} does not exist")
    assert emulator.state()["hooks"] == []


def test_connection_refused_is_clear_and_fast() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    conn = connection_from_env({"AUTH0_DOMAIN": base, "AUTH0_CLIENT_ID": "x", "AUTH0_CLIENT_SECRET": CANARY_SECRET})
    started = time.monotonic()
    with ManagementClient(conn) as client, pytest.raises(ApiError) as info:
        client.hooks.list()
    assert time.monotonic() - started < 10  # a few quick attempts, not the whole back-off
    assert str(info.value).startswith(f"cannot reach {base}: ")
    assert "refused" in str(info.value)
    assert CANARY_SECRET not in all_text(info.value)


def test_injected_faults_and_resets_converge_without_duplicates(emulator: Any) -> None:
    # Before processing: 429, 5xx, connection resets; after processing: 500 (outcome unknown).
    emulator.configure(faults="429=0.05,500=0.05,503=0.05,reset=0.05,500after=0.15", fault_seed=7, rate_limit=0)
    with client_for(emulator, backoff_cap=0.05) as client:
        left = churn(client, 10)
        assert client.stats.retries > 0
    stats = emulator.stats()
    assert stats["faults"].get("reset", 0) > 0 and stats["faults"].get("500after", 0) > 0
    # Exactly one hook per create call (no duplicate from a re-sent POST), each as written.
    state = {h["name"]: h for h in emulator.state()["hooks"]}
    assert sorted(state) == left and len(left) == 6
    assert all(churned(name, h) for name, h in state.items())


# -- a connection dropped after the server acted (the emulator only answers 500 then) --------


class DroppingServer:
    """Loopback hooks server whose POST /api/v2/hooks creates the hook, then closes the
    connection without answering."""

    def __init__(self) -> None:
        self.hooks: list[dict[str, Any]] = []
        self.requests: list[str] = []
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body: Any = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append(f"{self.command} {self.path}")
                if self.path == "/oauth/token":
                    payload: Any = {"access_token": "fake-token-" + "x" * 8, "expires_in": 86400}
                elif self.command == "POST" and self.path == "/api/v2/hooks":
                    fake.hooks.append({"id": f"id{len(fake.hooks)}", "enabled": False, "dependencies": {}, **body})
                    self.close_connection = True
                    return
                else:
                    payload = {"hooks": fake.hooks, "total": len(fake.hooks), "start": 0, "limit": 100}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dropping_server() -> Iterator[DroppingServer]:
    server = DroppingServer()
    yield server
    server.close()


def test_post_dropped_after_create_is_looked_up_not_resent(dropping_server: DroppingServer) -> None:
    conn = Connection(base_url=dropping_server.base_url, audience="https://x/api/v2/",
                      client_id="id", client_secret=CANARY_SECRET, timeout=5)
    with ManagementClient(conn, sleep=lambda s: None) as client:
        hook = client.hooks.create("dropped", TRIGGER, SCRIPT)
    assert hook["name"] == "dropped" and hook["triggerId"] == TRIGGER
    api = [r for r in dropping_server.requests if r != "POST /oauth/token"]
    assert api == ["POST /api/v2/hooks", "GET /api/v2/hooks?page=0&per_page=100&include_totals=true"]
    assert len(dropping_server.hooks) == 1


