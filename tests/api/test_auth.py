"""The token as an httpx.Auth: cached, refreshed once on 401, credentials checked up front."""

from __future__ import annotations

import httpx
import pytest

from reconciler.errors import ApiError, AuthError, BadResponseError, ConfigError
from tests.api.api_helpers import BASE, CANARY_SECRET, CANARY_TOKEN, Server, all_text, hook, one_line


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=hook(1))


def test_token_fetched_once_and_sent_as_bearer() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return ok(request)

    server = Server(handle)
    with server.client() as client:
        for _ in range(5):
            client.hooks.get("id-1")
        assert client.stats.token_requests == 1 and client.stats.requests == 5
    assert seen == [f"Bearer {CANARY_TOKEN}"] * 5
    assert server.token_requests == 1


def test_401_refreshes_once_then_succeeds() -> None:
    answers = [httpx.Response(401, json={"message": "Expired token"})]
    server = Server(lambda request: answers.pop() if answers else ok(request))
    with server.client() as client:
        assert client.hooks.get("id-1")["id"] == "id-1"
    assert server.token_requests == 2 and len(server.requests) == 2


def test_401_twice_is_an_auth_error() -> None:
    server = Server(lambda request: httpx.Response(401, json={"message": "Invalid token"}))
    with server.client() as client, pytest.raises(AuthError) as info:
        client.hooks.get("id-1")
    assert "check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET" in one_line(info.value)
    assert server.token_requests == 2 and len(server.requests) == 2


def test_ready_token_is_never_refreshed() -> None:
    server = Server(lambda request: httpx.Response(401, json={"message": "Expired token"}))
    with server.client(token="ready-token-" + "0" * 8) as client, pytest.raises(AuthError) as info:
        client.hooks.get("id-1")
    assert "check AUTH0_ACCESS_TOKEN" in one_line(info.value)
    assert "ready-token-00000000" not in all_text(info.value)
    assert server.token_requests == 0 and len(server.requests) == 1


@pytest.mark.parametrize("bad", ["tok\nen-canary-77", "tok\ren", "tok\x00en", "tökén-canary", "tok en"])
def test_bad_token_is_refused_before_any_request(bad: str) -> None:
    server = Server(ok)
    with pytest.raises(ConfigError) as info:
        server.client(token=bad)
    assert one_line(info.value).startswith("AUTH0_ACCESS_TOKEN contains a control character")
    assert bad not in all_text(info.value) and "canary" not in all_text(info.value)
    assert server.requests == [] and server.token_requests == 0


@pytest.mark.parametrize("bad", ["sec\nret-canary-99", "sécret-canary", "sec\tret"])
def test_bad_client_secret_is_refused_before_any_request(bad: str) -> None:
    server = Server(ok)
    with pytest.raises(ConfigError) as info:
        server.client(secret=bad)
    assert one_line(info.value).startswith("AUTH0_CLIENT_SECRET contains")
    assert bad not in all_text(info.value) and server.token_requests == 0


@pytest.mark.parametrize(
    "answer, error, expected",
    [
        (httpx.Response(200, text="<html>"), BadResponseError, "POST /oauth/token: the answer (200"),
        (httpx.Response(200, json={"token_type": "Bearer"}), BadResponseError, "no usable access_token"),
        (httpx.Response(200, json={"access_token": "new\nline"}), BadResponseError, "no usable access_token"),
        (httpx.Response(401, json={"error": "access_denied", "error_description": f"Unauthorized {CANARY_SECRET}"}),
         AuthError, "authentication failed: Unauthorized (sensitive) (check AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET)"),
        (httpx.Response(403, json={"error": "unauthorized_client"}), AuthError, "token request refused"),
        (httpx.Response(400, json={"error": "invalid_request"}), ApiError, "token request failed: 400"),
    ],
)
def test_bad_token_answers(answer: httpx.Response, error: type, expected: str) -> None:
    calls: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return answer

    from reconciler.api.client import ManagementClient
    from reconciler.config import Connection

    conn = Connection(base_url=BASE, audience=BASE + "/api/v2/", client_id="id", client_secret=CANARY_SECRET)
    with (
        ManagementClient(conn, transport=httpx.MockTransport(transport), sleep=lambda s: None) as client,
        pytest.raises(error) as info,
    ):
        client.hooks.get("id-1")
    assert expected in one_line(info.value)
    assert CANARY_SECRET not in all_text(info.value)
    assert calls == ["/oauth/token"]  # nothing sent to the API without a token


def test_token_request_is_retried_by_the_shared_policy() -> None:
    answers = [httpx.Response(503), httpx.Response(429, headers={"retry-after": "1"})]
    sleeps: list[float] = []

    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token" and answers:
            return answers.pop()
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": CANARY_TOKEN})
        return ok(request)

    from reconciler.api.client import ManagementClient
    from reconciler.config import Connection

    conn = Connection(base_url=BASE, audience=BASE + "/api/v2/", client_id="id", client_secret=CANARY_SECRET)
    with ManagementClient(conn, transport=httpx.MockTransport(transport), sleep=sleeps.append) as client:
        client.hooks.get("id-1")
        assert client.stats.token_requests == 3
    assert sleeps[0] == 1.0 and len(sleeps) == 2
