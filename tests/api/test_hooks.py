"""The hooks endpoints against hostile answers: every bad answer is one line naming the
request, no traceback-worthy exception, a bounded number of requests, no canary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.errors import ApiError, BadResponseError
from reconciler.resources.hooks.live import read_live_state
from tests.api.api_helpers import CANARY_SECRET, CANARY_TOKEN, Server, all_text, hook, one_line

LIST = "GET /api/v2/hooks?page=0&per_page=100&include_totals=true"


def page(hooks: list[Any], total: Any = None, **extra: Any) -> dict[str, Any]:
    return {"hooks": hooks, "total": len(hooks) if total is None else total, "start": 0, "limit": 100, **extra}


def lists(answer: Callable[[], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    """A tenant whose list answers ``answer()`` and whose hooks have no secrets."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/secrets"):
            return httpx.Response(200, json={})
        return answer()

    return handle


HOSTILE: dict[str, tuple[Callable[[], httpx.Response], str]] = {
    "non-JSON 200": (lambda: httpx.Response(200, text="<html>welcome to the proxy</html>",
                                             headers={"content-type": "text/html"}), "is not JSON"),
    "empty 200": (lambda: httpx.Response(200, content=b""), "is not JSON"),
    "JSON string": (lambda: httpx.Response(200, json="hooks"), "not an object"),
    "non-numeric total": (lambda: httpx.Response(200, json=page([], total="lots")), "'total' is a string"),
    "negative total": (lambda: httpx.Response(200, json=page([], total=-1)), "'total' is a number, not a count"),
    "boolean total": (lambda: httpx.Response(200, json=page([], total=True)), "'total' is a boolean"),
    "hooks not a list": (lambda: httpx.Response(200, json={"hooks": {"id": "x"}, "total": 1}), "'hooks' is not a list"),
    "hooks missing": (lambda: httpx.Response(200, json={"total": 0}), "'hooks' is missing"),
    "hook without id": (lambda: httpx.Response(200, json=page([{"name": "x", "script": "", "triggerId": "t"}])),
                        "hooks[0]'s id is null"),
    "hook id a number": (lambda: httpx.Response(200, json=page([hook(1, id=7)])), "hooks[0]'s id is a number"),
    "hook not an object": (lambda: httpx.Response(200, json=page(["id-1"])), "hooks[0] is a string"),
    "script not a string": (lambda: httpx.Response(200, json=page([hook(1, script=5)])), "field 'script' is a number"),
    "enabled a string": (lambda: httpx.Response(200, json=page([hook(1, enabled="yes")])), "'enabled' is not a boolean"),
    "dependencies a list": (lambda: httpx.Response(200, json=page([hook(1, dependencies=["lodash"])])),
                            "'dependencies' is a list"),
    "dependency version a number": (lambda: httpx.Response(200, json=page([hook(1, dependencies={"a": 1})])),
                                    "'dependencies'['a'] is a number"),
    "bare array of strings": (lambda: httpx.Response(200, json=["a", "b"]), "hooks[0] is a string"),
    "deep nesting": (lambda: httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000), "is not JSON"),
    "redirect": (lambda: httpx.Response(302, headers={"location": "https://evil.test/"}), "unexpected redirect 302"),
    "limit a string": (lambda: httpx.Response(200, json=page([], limit="100")), "'limit' is a string"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_list_answer_is_one_line_naming_the_request(case: str) -> None:
    answer, expected = HOSTILE[case]
    server = Server(lists(answer))
    with server.client() as client, pytest.raises(BadResponseError) as info:
        read_live_state(client)
    message = one_line(info.value)
    assert message.startswith(LIST + ": "), message
    assert expected in message, message
    assert len(server.requests) == 1  # not retried: asking again gets the same nonsense
    assert CANARY_SECRET not in all_text(info.value) and CANARY_TOKEN not in all_text(info.value)


@pytest.mark.parametrize(
    "body, expected",
    [([], "is a list, not an object"), ({"K": 1}, "the secrets['K'] is a number"), ("x", "is a string")],
)
def test_hostile_secrets_answer(body: Any, expected: str) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/secrets"):
            return httpx.Response(200, json=body)
        return httpx.Response(200, json=page([hook(1)]))

    server = Server(handle)
    with server.client() as client, pytest.raises(BadResponseError) as info:
        read_live_state(client)
    assert one_line(info.value).startswith("GET /api/v2/hooks/id-1/secrets: ")
    assert expected in str(info.value)


def test_hostile_write_answers() -> None:
    answers = iter([httpx.Response(201, text="created!"), httpx.Response(201, json={"name": "x"}),
                    httpx.Response(200, json=[1])])
    server = Server(lambda request: next(answers))
    with server.client() as client:
        with pytest.raises(BadResponseError, match=r"^POST /api/v2/hooks: the answer \(201"):
            client.hooks.create("x", "credentials-exchange", "//")
        with pytest.raises(BadResponseError, match=r"^POST /api/v2/hooks: the hook's id is null"):
            client.hooks.create("x", "credentials-exchange", "//")
        with pytest.raises(BadResponseError, match=r"^PATCH /api/v2/hooks/h%2F1: the hook is a list"):
            client.hooks.update("h/1", enabled=True)
    assert len(server.requests) == 3


def test_oversized_answer_is_refused_once() -> None:
    server = Server(lambda request: httpx.Response(200, content=b" " * 5000 + b"{}"))
    with server.client(max_body=4096) as client, pytest.raises(BadResponseError) as info:
        client.hooks.get("h1")
    assert "larger than 4096 bytes" in one_line(info.value)
    assert len(server.requests) == 1


def test_unknown_trigger_comes_through_intact() -> None:
    future = hook("f", triggerId="post-login-v9", enabled=True, dependencies={"x": "1.0.0"})

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/secrets"):
            return httpx.Response(200, json={"K": "_VALUE_NOT_SHOWN_"})
        return httpx.Response(200, json=page([future, hook(2)]))

    with Server(handle).client() as client:
        live = read_live_state(client).by_name()
    assert live["hook-f"].trigger_id == "post-login-v9"
    assert live["hook-f"].enabled is True and live["hook-f"].secret_keys == {"K"}
    assert dict(live["hook-f"].dependencies) == {"x": "1.0.0"}
    assert live["hook-2"].trigger_id == "credentials-exchange"


def test_page_ignoring_server_stops_with_one_line() -> None:
    full = page([hook(i) for i in range(100)], total=1000)
    server = Server(lists(lambda: httpx.Response(200, json=full)))
    with server.client() as client, pytest.raises(BadResponseError) as info:
        client.hooks.list()
    assert "ignores `page`" in one_line(info.value)
    assert str(info.value).startswith("GET /api/v2/hooks?page=1&")
    assert len(server.requests) == 2


def test_lying_total_costs_no_extra_requests() -> None:
    pages = {0: [hook(i) for i in range(100)], 1: [hook(i) for i in range(100, 130)]}

    def handle(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        return httpx.Response(200, json=page(pages.get(number, []), total=10**9))

    server = Server(handle)
    with server.client() as client:
        assert len(client.hooks.list()) == 130
    assert len(server.requests) == 2  # lazily, page by page: the short page ends it


def test_endless_full_pages_hit_the_hard_cap() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        return httpx.Response(200, json=page([hook(f"{number}-{i}") for i in range(100)], total=10**9))

    server = Server(handle)
    with server.client() as client, pytest.raises(BadResponseError) as info:
        client.hooks.list()
    assert "more than 10000 items" in one_line(info.value)
    assert len(server.requests) == 100


def test_every_error_is_a_reconciler_error_with_canaries_scrubbed() -> None:
    # A careless server echoing the token and the payload into its error message.
    def handle(request: httpx.Request) -> httpx.Response:
        body = request.content.decode()
        return httpx.Response(400, json={"statusCode": 400, "error": "Bad Request",
                                         "message": f"bad {body} {request.headers['authorization']}"})

    value = "canary-" + "value-0f0f0f"  # split, so the traceback's source line does not hold it
    with Server(handle).client() as client:
        calls: list[Callable[[], object]] = [lambda: client.hooks.update_secrets("h1", {"K": value}),
                                             lambda: client.hooks.add_secrets("h1", {"K": value})]
        for call in calls:
            with pytest.raises(ApiError) as info:
                call()
            text = all_text(info.value)
            assert value not in text and CANARY_TOKEN not in text
            assert "(sensitive)" in one_line(info.value)
