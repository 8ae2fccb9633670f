"""The one retry policy and the transport: what is retried, how long it waits, deadlines."""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.api.client import ManagementClient
from reconciler.api.transport import RetryPolicy, RetryTransport
from reconciler.config import Connection
from reconciler.errors import ApiError, DeadlineExceeded, OutcomeUnknown, WaitTooLong
from reconciler.github.client import GitHubClient
from tests.api.api_helpers import CANARY_TOKEN, Server, all_text, hook, one_line

NOW = 1_800_000_000.0


def policy(**kw: Any) -> RetryPolicy:
    return RetryPolicy(wall=lambda: NOW, rng=lambda: 0.5, **kw)


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "https://x.test/"))


# -- the policy --------------------------------------------------------------------------------


def test_retry_after_seconds_and_http_date_are_honoured() -> None:
    p = policy()
    assert p.delay(1, response(429, **{"retry-after": "7"})) == 7.0
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    assert p.delay(1, response(503, **{"retry-after": date})) == pytest.approx(12.0)
    assert p.delay(1, response(429, **{"retry-after": "120"})) == 30.0  # capped


def test_ratelimit_reset_is_honoured_for_rate_limits_only() -> None:
    p = policy()
    assert p.delay(1, response(429, **{"x-ratelimit-reset": str(int(NOW + 4))})) == pytest.approx(4.05)
    assert p.delay(3, response(503, **{"x-ratelimit-reset": str(int(NOW + 4))})) == 1.0  # back-off: 0.5*4*0.5
    assert p.delay(1, response(429, **{"x-ratelimit-reset": str(int(NOW - 2))})) < 0.5  # any moment now
    assert p.delay(1, response(429, **{"x-ratelimit-reset": str(int(NOW + 3600))})) == 0.25  # not believed


def test_a_policy_may_refuse_long_waits() -> None:
    p = policy(fail_beyond=90.0)
    with pytest.raises(WaitTooLong) as info:
        p.delay(1, response(429, **{"x-ratelimit-reset": str(int(NOW + 3600))}), "GET /x")
    assert info.value.wait == pytest.approx(3600, abs=1)


def test_github_uses_the_same_policy_with_http_dates() -> None:
    sleeps: list[float] = []
    answers = [httpx.Response(403, headers={"retry-after": email.utils.formatdate(time.time() + 5, usegmt=True)},
                              json={"message": "secondary rate limit"})]

    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop() if answers else httpx.Response(200, json=[])

    client = GitHubClient("https://api.github.test", "ghs_x", sleep=sleeps.append,
                          transport=httpx.MockTransport(handle))
    with client:
        assert list(client.issue_comments("a/b", 1)) == []
    assert len(sleeps) == 1 and 3.5 <= sleeps[0] <= 5.5  # it used to ignore the date: 60 s


# -- the transport -----------------------------------------------------------------------------


def transport_for(handle: Callable[[httpx.Request], httpx.Response], **kw: Any) -> tuple[httpx.Client, list[str], list[float]]:
    sent: list[str] = []
    sleeps: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return handle(request)

    kw.setdefault("policy", RetryPolicy(sleep=sleeps.append))
    client = httpx.Client(transport=RetryTransport(httpx.MockTransport(record), **kw), base_url="https://x.test")
    return client, sent, sleeps


def test_get_5xx_is_retried_post_5xx_is_an_unknown_outcome() -> None:
    answers = [httpx.Response(200, json={}), httpx.Response(502), httpx.Response(500)]
    client, sent, sleeps = transport_for(lambda r: answers.pop())
    assert client.get("/a").status_code == 200 and sent == ["GET"] * 3 and len(sleeps) == 2
    client, sent, _ = transport_for(lambda r: httpx.Response(503))
    with pytest.raises(OutcomeUnknown) as info:
        client.post("/a", json={})
    assert sent == ["POST"] and "503" in info.value.reason


def test_a_long_retry_wait_is_announced_before_it_starts() -> None:
    answers = [httpx.Response(200, json={}), httpx.Response(429, headers={"retry-after": "20"}),
               httpx.Response(429, headers={"retry-after": "1"})]
    said: list[str] = []
    client, sent, sleeps = transport_for(lambda r: answers.pop(), on_wait=said.append)
    assert client.get("/a").status_code == 200 and sleeps == [1.0, 20.0]
    assert said == ["waiting 20 s before retrying GET /a (the server is busy or rate limiting)"]


def test_post_429_is_retried_it_was_not_processed() -> None:
    answers = [httpx.Response(201, json={}), httpx.Response(429, headers={"retry-after": "2"})]
    client, sent, sleeps = transport_for(lambda r: answers.pop())
    assert client.post("/a", json={}).status_code == 201
    assert sent == ["POST", "POST"] and sleeps == [2.0]


def test_connect_errors_get_few_attempts_protocol_errors_none() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client, sent, _ = transport_for(refuse)
    with pytest.raises(httpx.ConnectError):
        client.post("/a", json={})  # never sent: even a POST may be repeated
    assert len(sent) == 3

    def local(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError("Illegal header value")

    client, sent, _ = transport_for(local)
    with pytest.raises(httpx.LocalProtocolError):
        client.get("/a")
    assert len(sent) == 1


def test_run_deadline_stops_retrying() -> None:
    client, sent, _ = transport_for(lambda r: httpx.Response(503), run_deadline=time.monotonic() - 1)
    with pytest.raises(DeadlineExceeded):
        client.get("/a")
    assert sent == []
    slow = RetryPolicy(sleep=lambda s: None, base=100.0, cap=100.0, rng=lambda: 1.0)
    client, sent, _ = transport_for(lambda r: httpx.Response(503), run_deadline=time.monotonic() + 30, policy=slow)
    with pytest.raises(DeadlineExceeded) as info:
        client.get("/a")
    assert sent == ["GET"] and "AUTH0_RUN_TIMEOUT" in one_line(info.value)


# -- a server that trickles its answer -------------------------------------------------------


@pytest.fixture
def trickler() -> Iterator[tuple[str, list[int]]]:
    """Loopback server: valid headers, then one body byte every 0.2 s (for a minute)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[int] = []
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n")
                for _ in range(300):
                    if stop.wait(0.2):
                        return
                    conn.sendall(b" ")
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    stop.set()
    listener.close()


def test_trickling_answer_is_cut_off_by_the_request_deadline(trickler: tuple[str, list[int]]) -> None:
    base, accepted = trickler
    conn = Connection(base_url=base, audience="a", access_token=CANARY_TOKEN, timeout=1.0)
    started = time.monotonic()
    with ManagementClient(conn, max_attempts=2, sleep=lambda s: None) as client, pytest.raises(ApiError) as info:
        client.hooks.get("h1")
    # Two attempts of about a second each; the whole answer would take a minute.
    assert time.monotonic() - started < 20
    assert "timed out" in one_line(info.value) and CANARY_TOKEN not in all_text(info.value)
    assert len(accepted) == 2


def test_scrubbed_even_when_a_transport_error_quotes_the_token() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"peer said: {request.headers['authorization']}")

    with Server(echo).client(max_attempts=2) as client, pytest.raises(ApiError) as info:
        client.hooks.get("h1")
    assert CANARY_TOKEN not in all_text(info.value) and "(sensitive)" in one_line(info.value)


def test_requests_carry_an_attempt_deadline() -> None:
    seen: list[Any] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=hook(1))

    with Server(handle).client(timeout=7) as client:
        client.hooks.get("id-1")
    assert seen[0]["read"] == pytest.approx(7, abs=0.5)
