"""The emulator's HTTP transport (server.py): a request whose body never fully arrived.

A client killed between its request's headers and its body (httpx writes them in two
sends; test_actions_interrupted SIGKILLs `reconciler apply` mid-run) leaves the server with
headers announcing a body and then the end of the connection. RFC 9112 section 6.3: the
message is incomplete and the connection is closed. The emulator used to hand the short
body to the API as if complete: the killed run's bind PATCH was answered (to no one) with a
400 that the interrupted-apply test then counted as a refused bind; a chunked write cut
before its last chunk was even applied. Each test plays the cut over a raw socket (no
timing: the half-close is the kill) and reads until the server closes.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from reconciler.emulator.server import RunningEmulator, start
from tests.emulator.emulator_testlib import PUR, SCRIPT

PL = [{"id": "post-login", "version": "v3"}]


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with start(port=0) as running:
        yield running


def _cut(emu: RunningEmulator, head: str, sent: bytes) -> bytes:
    """Send ``head`` and ``sent`` then end the connection as a killed client does; what the
    server wrote back before closing."""
    url = urlsplit(emu.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + sent)
        sock.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
        return out


def _counts(emu: RunningEmulator) -> tuple[Any, ...]:
    stats = emu.stats()
    return stats["requests"], stats["writes"], stats["by_status"]


@pytest.mark.parametrize("sent_share", [0.0, 0.5])
def test_a_bind_whose_body_never_arrived_is_not_handled(emu: RunningEmulator, sent_share: float) -> None:
    emu.seed(actions=[{"name": "kept", "supported_triggers": PL, "code": "//", "deployed": True}],
             bindings={"post-login": ["kept"]})
    before_bindings = emu.stats()["bound_per_trigger"]
    before = _counts(emu)
    body = json.dumps({"bindings": [{"ref": {"type": "action_name", "value": "kept"}, "display_name": "x"}]}).encode()
    head = (f"PATCH /api/v2/actions/triggers/post-login/bindings HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {emu.token()}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    answer = _cut(emu, head, body[:int(len(body) * sent_share)])
    assert answer == b""  # no one to answer: the connection is closed
    assert _counts(emu) == before  # not handled, not counted (no 400 in by_status)
    assert emu.stats()["bound_per_trigger"] == before_bindings


def test_a_chunked_write_cut_before_its_last_chunk_is_not_applied(emu: RunningEmulator) -> None:
    before = _counts(emu)
    body = json.dumps({"name": "half-sent", "script": SCRIPT, "triggerId": PUR}).encode()
    head = (f"POST /api/v2/hooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {emu.token()}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    answer = _cut(emu, head, b"%x\r\n%s\r\n" % (len(body), body))  # the "0" chunk never comes
    assert answer == b""
    assert _counts(emu) == before
    assert emu.state()["hooks"] == []


def test_the_same_write_whole_is_answered(emu: RunningEmulator) -> None:
    """The cut, not the request, is what goes unanswered (the tests above can fail)."""
    body = json.dumps({"name": "whole", "script": SCRIPT, "triggerId": PUR}).encode()
    head = (f"POST /api/v2/hooks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {emu.token()}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    answer = _cut(emu, head, body)
    assert answer.startswith(b"HTTP/1.1 201 Created\r\n")
    assert [h["name"] for h in emu.state()["hooks"]] == ["whole"]
