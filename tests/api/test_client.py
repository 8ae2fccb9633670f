"""ManagementClient over real sockets: the emulator subprocess, and for behaviours it cannot
produce, a tiny scripted HTTP server on loopback."""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from reconciler.client import ManagementClient
from reconciler.config import Connection, connection_from_env
from reconciler.errors import (
    ApiError,
    AuthError,
    HooksUnavailableError,
    ReconcilerError,
)
from reconciler.ratelimit import RateLimiter

CANARY_SECRET = "canary-client-secret-71c3e0"
CANARY_VALUE = "canary-secret-value-4b9d2a"
SCRIPT = "module.exports = function (user, context, cb) { cb(); };"
TRIGGER = "post-user-registration"


def client_for(emu: Any, **kwargs: Any) -> ManagementClient:
    return ManagementClient(connection_from_env(emu.env()), **kwargs)


def all_text(exc: BaseException) -> str:
    """Everything a user could see of an exception: message, repr, chained causes."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


# -- token -------------------------------------------------------------------------------


def test_token_requested_once_for_many_calls(emulator: Any) -> None:
    emulator.seed([{"name": "one", "script": SCRIPT, "triggerId": TRIGGER}])
    with client_for(emulator) as client:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: client.list_hooks(), range(40)))
        assert client.stats.token_requests == 1
        assert client.stats.requests == 40


def test_access_token_skips_token_request(emulator: Any) -> None:
    token = emulator.token()
    conn = connection_from_env({"AUTH0_DOMAIN": emulator.base_url, "AUTH0_ACCESS_TOKEN": token})
    with ManagementClient(conn) as client:
        assert client.list_hooks() == []
        client.create_hook("made-with-token", TRIGGER, SCRIPT)
        assert client.stats.token_requests == 0
    assert emulator.stats()["by_method"].get("POST", 0) == 1  # the create, no /oauth/token


def test_expired_token_is_refreshed_once(emulator: Any) -> None:
    with client_for(emulator) as client:
        client.list_hooks()
        emulator.expire_tokens()
        assert client.list_hooks() == []
        assert client.stats.token_requests == 2


def test_expired_given_token_names_the_variable(emulator: Any) -> None:
    conn = connection_from_env({"AUTH0_DOMAIN": emulator.base_url, "AUTH0_ACCESS_TOKEN": emulator.token()})
    emulator.expire_tokens()
    with ManagementClient(conn) as client, pytest.raises(AuthError) as info:
        client.list_hooks()
    assert "AUTH0_ACCESS_TOKEN" in str(info.value)
    assert conn.access_token not in all_text(info.value)


def test_bad_client_secret(emulator: Any) -> None:
    conn = connection_from_env(
        {"AUTH0_DOMAIN": emulator.base_url, "AUTH0_CLIENT_ID": "emulator", "AUTH0_CLIENT_SECRET": CANARY_SECRET}
    )
    with ManagementClient(conn) as client, pytest.raises(AuthError) as info:
        client.list_hooks()
    message = str(info.value)
    assert message.startswith("authentication failed:")
    assert "AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET" in message
    assert "\n" not in message
    assert CANARY_SECRET not in all_text(info.value)


# -- reads -------------------------------------------------------------------------------


def test_pagination_over_250_hooks(emulator: Any) -> None:
    emulator.configure(rate_limit=0)  # pacing has its own tests; keep this one quick
    emulator.seed(
        [
            {"name": f"hook-{i:03d}", "script": SCRIPT, "triggerId": TRIGGER,
             **({"secrets": {"A": "1", "B": "2"}} if i % 50 == 0 else {})}
            for i in range(250)
        ]
    )
    with client_for(emulator) as client:
        hooks = client.list_hooks()
        assert len(hooks) == 250
        assert len({h["id"] for h in hooks}) == 250
        assert sorted(h["name"] for h in hooks) == [f"hook-{i:03d}" for i in range(250)]
        assert client.stats.requests == 3  # pages 0, 1, 2

        live = client.read_live_state()
        assert len(live.hooks) == 250
        by_name = live.by_name()
        assert by_name["hook-050"].secret_keys == {"A", "B"}
        assert by_name["hook-051"].secret_keys == frozenset()
        assert by_name["hook-001"].trigger_id == TRIGGER
        assert by_name["hook-001"].script == SCRIPT


def test_get_hook_and_404_message(emulator: Any) -> None:
    with client_for(emulator) as client:
        hook = client.create_hook("findme", TRIGGER, SCRIPT, dependencies={"lodash": "4.17.21"})
        assert client.get_hook(hook["id"])["dependencies"] == {"lodash": "4.17.21"}
        with pytest.raises(ApiError) as info:
            client.get_hook("01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert info.value.status == 404
    assert info.value.error_code == "HookDoesNotExist"
    assert "does not exist" in str(info.value)


# -- writes ------------------------------------------------------------------------------


def test_write_round_trip(emulator: Any) -> None:
    with client_for(emulator) as client:
        hook = client.create_hook("round-trip", TRIGGER, SCRIPT)
        assert hook["enabled"] is False
        hook_id = hook["id"]
        client.add_secrets(hook_id, {"API_KEY": CANARY_VALUE, "OTHER": "x"})
        client.update_secrets(hook_id, {"OTHER": "y"})
        client.delete_secrets(hook_id, ["API_KEY"])
        assert client.get_secret_keys(hook_id) == {"OTHER"}
        updated = client.update_hook(hook_id, enabled=True, script=SCRIPT + "//2")
        assert updated["enabled"] is True and updated["script"].endswith("//2")
        assert emulator.state()["hooks"][0]["secrets"] == {"OTHER": "y"}
        client.delete_hook(hook_id)
        assert client.list_hooks() == []
        with pytest.raises(ApiError) as info:
            client.delete_hook(hook_id)  # a first-attempt 404 is an error
        assert info.value.status == 404
        with pytest.raises(TypeError):
            client.update_hook(hook_id, triggerId="pre-user-registration")


def test_conflict_message(emulator: Any) -> None:
    with client_for(emulator) as client:
        client.create_hook("twice", TRIGGER, SCRIPT)
        with pytest.raises(ApiError) as info:
            client.create_hook("twice", TRIGGER, SCRIPT)
    assert info.value.status == 409
    assert str(info.value).startswith("conflict: ")
    assert "same name" in str(info.value)


def test_missing_scope_is_named(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(scopes="read:hooks")
    with client_for(emu) as client:
        assert client.list_hooks() == []
        with pytest.raises(AuthError) as info:
            client.create_hook("nope", TRIGGER, SCRIPT)
    message = str(info.value)
    assert "the client lacks scope create:hooks" in message
    assert "Applications > APIs > Auth0 Management API" in message
    assert info.value.status == 403


def test_connection_refused_is_clear_and_fast() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    conn = connection_from_env({"AUTH0_DOMAIN": base, "AUTH0_CLIENT_ID": "x", "AUTH0_CLIENT_SECRET": CANARY_SECRET})
    started = time.monotonic()
    with ManagementClient(conn) as client, pytest.raises(ApiError) as info:
        client.list_hooks()
    assert time.monotonic() - started < 10
    assert str(info.value).startswith(f"cannot reach {base}: ")
    assert "refused" in str(info.value)
    assert CANARY_SECRET not in all_text(info.value)


# -- faults and rate limits --------------------------------------------------------------


def test_retries_on_429_and_5xx_converge(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(faults="429=0.05,500=0.1,503=0.1,reset=0.05", fault_seed=7, rate_limit=0)
    with client_for(emu, backoff_cap=0.2) as client:
        for i in range(8):
            hook = client.create_hook(f"flaky-{i}", TRIGGER, SCRIPT)
            client.add_secrets(hook["id"], {"K1": CANARY_VALUE, "K2": "v"})
            client.update_hook(hook["id"], script=SCRIPT + f"//{i}")
        live = client.read_live_state()
        assert sorted(h.name for h in live.hooks) == sorted(f"flaky-{i}" for i in range(8))
        assert all(h.secret_keys == {"K1", "K2"} for h in live.hooks)
        for h in live.hooks[:4]:
            client.delete_secrets(h.id, ["K1"])
            client.delete_hook(h.id)
        assert len(client.list_hooks()) == 4
        assert client.stats.retries > 0
    state = emu.state()["hooks"]
    assert len(state) == 4
    assert all(h["secrets"]["K2"] == "v" for h in state)


def test_post_with_unknown_outcome_creates_no_duplicate(emulator_factory: Callable[..., Any]) -> None:
    # "500after": the server did the work, then answered 500 (outcome unknown to us).
    emu = emulator_factory(faults="500after=0.4,reset=0.1", fault_seed=3, rate_limit=0)
    with client_for(emu, backoff_cap=0.2) as client:
        for i in range(15):
            hook = client.create_hook(f"once-{i}", TRIGGER, SCRIPT)
            assert hook["name"] == f"once-{i}"
            client.add_secrets(hook["id"], {"S1": CANARY_VALUE, "S2": "two"})
        created = emu.state()["hooks"]
        for hook in created:
            client.delete_hook(hook["id"])  # retried deletes hit 404: counted as done
        retries = client.stats.retries
    # Exactly one hook per create call (no duplicate from a re-sent POST), each with both keys.
    assert sorted(h["name"] for h in created) == sorted(f"once-{i}" for i in range(15))
    assert all(set(h["secrets"]) == {"S1", "S2"} for h in created)
    assert emu.stats()["hooks"] == 0
    assert retries > 0


def test_unknown_outcome_state_is_exact(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(faults="500after=0.5", fault_seed=11, rate_limit=0)
    with client_for(emu, backoff_cap=0.2) as client:
        for i in range(10):
            hook = client.create_hook(f"exact-{i}", TRIGGER, SCRIPT)
            client.add_secrets(hook["id"], {"A": f"a{i}", "B": f"b{i}"})
    hooks = emu.state()["hooks"]
    assert sorted(h["name"] for h in hooks) == sorted(f"exact-{i}" for i in range(10))
    for h in hooks:
        i = h["name"].split("-")[1]
        assert h["secrets"] == {"A": f"a{i}", "B": f"b{i}"}


def test_rate_limited_tenant_sees_at_most_one_429(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(rate_limit=2, burst=10)
    emu.seed([{"name": "only", "script": SCRIPT, "triggerId": TRIGGER}])
    hook_id = emu.state()["hooks"][0]["id"]
    with client_for(emu) as client:
        for _ in range(30):
            client.get_hook(hook_id)
        seen = client.stats.rate_limited
    assert seen <= 1
    assert emu.stats()["by_status"].get("429", 0) <= 1


def test_rate_limited_concurrent_reads_stay_within_budget(emulator_factory: Callable[..., Any]) -> None:
    emu = emulator_factory(rate_limit=20, burst=20, latency_ms=10)
    emu.seed([{"name": f"c{i}", "script": SCRIPT, "triggerId": TRIGGER} for i in range(80)])
    with client_for(emu) as client:
        live = client.read_live_state()
        assert len(live.hooks) == 80
        assert client.stats.rate_limited <= 1


def test_canary_values_never_in_errors(emulator: Any) -> None:
    secrets = {"CANARY": CANARY_VALUE}
    with client_for(emulator) as client:
        errors: list[BaseException] = []
        # Each call gets the id of a fresh hook that already holds the CANARY secret.
        for n, call in enumerate((
            lambda hook_id: client.add_secrets("01HZZZZZZZZZZZZZZZZZZZZZZZ", secrets),
            lambda hook_id: client.update_secrets("01HZZZZZZZZZZZZZZZZZZZZZZZ", secrets),
            lambda hook_id: client.add_secrets(hook_id, {f"K{i}": CANARY_VALUE for i in range(25)}),
            lambda hook_id: client.add_secrets(hook_id, secrets),  # already exists: 409
            lambda hook_id: client.update_secrets(hook_id, {"MISSING": CANARY_VALUE}),
        )):
            hook = client.create_hook(f"canary-{n}", TRIGGER, SCRIPT)
            client.add_secrets(hook["id"], secrets)
            try:
                call(hook["id"])
            except ReconcilerError as exc:
                errors.append(exc)
        assert len(errors) == 5
        for exc in errors:
            assert CANARY_VALUE not in all_text(exc)
            assert client._token and client._token not in all_text(exc)


# -- a scripted server for what the emulator cannot do ------------------------------------

Handler = Callable[[str, str, Any], "tuple[int, dict[str, str], Any] | None"]


class FakeApi:
    """Loopback HTTP server; ``handle(method, path, body)`` returns (status, headers, body)
    or None to close the connection without answering."""

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.requests: list[tuple[str, str]] = []
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests.append((self.command, self.path))
                if self.path == "/oauth/token":
                    result: Any = (200, {}, {"access_token": "fake-token-" + "x" * 8, "expires_in": 86400})
                else:
                    result = fake.handle(self.command, self.path, body)
                if result is None:
                    self.close_connection = True
                    return
                status, headers, payload = result
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def client(self, **kwargs: Any) -> ManagementClient:
        conn = Connection(base_url=self.base_url, audience="https://x/api/v2/",
                          client_id="id", client_secret=CANARY_SECRET, timeout=5)
        if "sleep" in kwargs:
            # Virtual time: sleeping moves a clock offset instead of waiting, for the
            # retry layer and the limiter alike.
            offset = [0.0]
            outer = kwargs["sleep"]

            def sleep(seconds: float) -> None:
                offset[0] += seconds
                outer(seconds)

            kwargs["sleep"] = sleep
            kwargs["limiter"] = RateLimiter(clock=lambda: time.time() + offset[0], sleep=sleep)
        return ManagementClient(conn, **kwargs)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_api() -> Iterator[Callable[[Handler], FakeApi]]:
    made: list[FakeApi] = []

    def make(handle: Handler) -> FakeApi:
        api = FakeApi(handle)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


class Tenant:
    """Just enough of a hooks tenant for the scripted server."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def list_page(self) -> tuple[int, dict[str, str], Any]:
        hooks = list(self.hooks.values())
        return 200, {}, {"hooks": hooks, "total": len(hooks), "start": 0, "limit": 100}

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            hook = {"id": f"id{len(self.hooks)}", "enabled": False, "dependencies": {}, **body}
            self.hooks[hook["id"]] = hook
            return hook


def test_post_reset_after_create_is_looked_up_not_resent(fake_api: Callable[[Handler], FakeApi]) -> None:
    tenant = Tenant()
    posts = []

    def handle(method: str, path: str, body: Any) -> Any:
        if method == "GET" and path.startswith("/api/v2/hooks?"):
            return tenant.list_page()
        if method == "POST" and path == "/api/v2/hooks":
            posts.append(body)
            tenant.create(body)
            return None  # processed, then the connection drops: no response
        return 500, {}, {}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client:
        hook = client.create_hook("dropped", TRIGGER, SCRIPT)
    assert hook["name"] == "dropped" and hook["triggerId"] == TRIGGER
    assert len(posts) == 1
    assert len(tenant.hooks) == 1


def test_post_503_before_processing_is_resent_once(fake_api: Callable[[Handler], FakeApi]) -> None:
    tenant = Tenant()
    posts = []

    def handle(method: str, path: str, body: Any) -> Any:
        if method == "GET" and path.startswith("/api/v2/hooks?"):
            return tenant.list_page()
        if method == "POST" and path == "/api/v2/hooks":
            posts.append(body)
            if len(posts) == 1:
                return 503, {}, {"statusCode": 503, "error": "Service Unavailable", "message": "try later"}
            return 201, {}, tenant.create(body)
        return 500, {}, {}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client:
        client.create_hook("later", TRIGGER, SCRIPT)
    assert len(posts) == 2
    assert [h["name"] for h in tenant.hooks.values()] == ["later"]


def test_get_503_then_success(fake_api: Callable[[Handler], FakeApi]) -> None:
    calls = []

    def handle(method: str, path: str, body: Any) -> Any:
        calls.append(path)
        if len(calls) < 3:
            return 503, {}, {"statusCode": 503, "error": "Service Unavailable", "message": "busy"}
        return 200, {}, {"id": "h1", "name": "n", "triggerId": TRIGGER, "script": SCRIPT, "enabled": False}

    api = fake_api(handle)
    delays: list[float] = []
    with api.client(sleep=delays.append) as client:
        assert client.get_hook("h1")["id"] == "h1"
        assert client.stats.retries == 2
    assert len(delays) == 2


def test_retry_after_http_date_is_honoured(fake_api: Callable[[Handler], FakeApi]) -> None:
    calls = []

    def handle(method: str, path: str, body: Any) -> Any:
        calls.append(path)
        if len(calls) == 1:
            when = email.utils.formatdate(time.time() + 5, usegmt=True)
            return 429, {"Retry-After": when}, {"statusCode": 429, "error": "Too Many Requests",
                                                 "message": "Global limit has been reached"}
        return 200, {}, {"id": "h1", "name": "n", "triggerId": TRIGGER, "script": SCRIPT}

    api = fake_api(handle)
    delays: list[float] = []
    with api.client(sleep=delays.append) as client:
        client.get_hook("h1")
        assert client.stats.rate_limited == 1
    assert 3.5 <= delays[0] <= 6.5  # the retry layer waited as told (then the limiter, if at all)


def test_deprecated_feature_message(fake_api: Callable[[Handler], FakeApi]) -> None:
    def handle(method: str, path: str, body: Any) -> Any:
        return 403, {}, {"statusCode": 403, "error": "Forbidden",
                         "message": "Insufficient privileges to use this deprecated feature"}

    api = fake_api(handle)
    with api.client() as client, pytest.raises(HooksUnavailableError) as info:
        client.list_hooks()
    message = str(info.value)
    assert message.startswith("this tenant has no Hooks (Hooks were retired on 2026-11-18")
    assert "2023-10-16" in message
    assert CANARY_SECRET not in all_text(info.value)


def test_echoed_secret_is_scrubbed(fake_api: Callable[[Handler], FakeApi]) -> None:
    def handle(method: str, path: str, body: Any) -> Any:
        # A careless server echoing the payload and the token back.
        return 400, {}, {"statusCode": 400, "error": "Bad Request",
                         "message": f"Payload validation error: {json.dumps(body)} fake-token-xxxxxxxx"}

    api = fake_api(handle)
    with api.client() as client, pytest.raises(ApiError) as info:
        client.update_secrets("h1", {"K": CANARY_VALUE})
    assert CANARY_VALUE not in all_text(info.value)
    assert "fake-token-xxxxxxxx" not in all_text(info.value)
    assert "(sensitive)" in str(info.value)


def test_delete_secrets_retried_404_counts_as_done(fake_api: Callable[[Handler], FakeApi]) -> None:
    calls = []

    def handle(method: str, path: str, body: Any) -> Any:
        calls.append(method)
        if len(calls) == 1:
            return None  # deleted, connection dropped
        return 404, {}, {"statusCode": 404, "error": "Not Found", "message": "Error: Hook does not exist",
                         "errorCode": "HookDoesNotExist"}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client:
        client.delete_hook("h1")  # no error: the retry's 404 means the first attempt landed
        assert calls == ["DELETE", "DELETE"]
        calls.clear()
        client.delete_secrets("h1", ["A"])
        assert calls == ["DELETE", "DELETE"]
        calls.clear()
        calls.append("first")  # the next DELETE gets a 404 on its first attempt: a real error
        with pytest.raises(ApiError) as info:
            client.delete_hook("h1")
        assert info.value.status == 404 and calls == ["first", "DELETE"]


def test_unknown_outcome_then_real_conflict_is_reported(fake_api: Callable[[Handler], FakeApi]) -> None:
    tenant = Tenant()
    tenant.create({"name": "taken", "script": SCRIPT, "triggerId": "credentials-exchange"})
    posts = []

    def handle(method: str, path: str, body: Any) -> Any:
        if method == "GET" and path.startswith("/api/v2/hooks?"):
            return tenant.list_page()
        posts.append(body)
        if len(posts) == 1:
            return 502, {}, {"statusCode": 502, "error": "Bad Gateway", "message": "upstream"}
        return 409, {}, {"statusCode": 409, "error": "Conflict", "message": "Hook with the same name already exists."}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client, pytest.raises(ApiError) as info:
        client.create_hook("taken", TRIGGER, SCRIPT)
    assert info.value.status == 409 and str(info.value).startswith("conflict: ")
    assert len(posts) == 2


def test_add_secrets_unknown_outcome_switches_to_patch(fake_api: Callable[[Handler], FakeApi]) -> None:
    stored: dict[str, str] = {}
    seen: list[tuple[str, Any]] = []

    def handle(method: str, path: str, body: Any) -> Any:
        seen.append((method, body))
        if method == "GET":
            return 200, {}, {k: "_VALUE_NOT_SHOWN_" for k in stored}
        if method == "POST":
            if set(body) & set(stored):
                return 409, {}, {"statusCode": 409, "error": "Conflict", "message": "Secret exists"}
            stored.update(body)
            return None  # stored, then the connection drops
        if method == "PATCH":
            stored.update(body)
            return 201, {}, {}
        return 500, {}, {}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client:
        client.add_secrets("h1", {"A": CANARY_VALUE, "B": "b"})
    assert stored == {"A": CANARY_VALUE, "B": "b"}
    assert [m for m, _ in seen] == ["POST", "GET", "PATCH"]


def test_list_page_short_of_total_within_one_page(fake_api: Callable[[Handler], FakeApi]) -> None:
    # total says more than the first page holds, yet the page size already covers it (a
    # tenant that shrank between count and read): no further page, no crash.
    hooks = [{"id": f"id{i}", "name": f"h{i}", "triggerId": TRIGGER, "script": SCRIPT, "enabled": False}
             for i in range(3)]

    def handle(method: str, path: str, body: Any) -> Any:
        return 200, {}, {"hooks": hooks, "total": 5, "start": 0, "limit": 100}

    api = fake_api(handle)
    with api.client(sleep=lambda s: None) as client:
        assert [h["name"] for h in client.list_hooks()] == ["h0", "h1", "h2"]
