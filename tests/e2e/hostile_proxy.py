"""A test-only HTTP proxy on loopback in front of the emulator: a test decides, request by
request, to pass it on, answer something else, or drop the connection after the upstream
processed it (the answer is lost). So hostile server behaviours (a 500 after the write, a
list that never ends, a name lookup that lags) are played over the wire, deterministically.

    with HostileProxy(tenant.base_url) as proxy:
        proxy.rule = lambda request, forward: ...   # a Reply, RESET, or forward()
        env = {**tenant.env(), "AUTH0_DOMAIN": proxy.base_url}

A rule gets the :class:`Seen` request and ``forward`` (sends it upstream once, returns the
upstream :class:`Reply`); it returns what the client gets. ``proxy.seen`` lists every request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
        return cls(status, json.dumps(data).encode(), (("Content-Type", "application/json"), *headers))

    def json(self) -> Any:
        return json.loads(self.body or b"null")


RESET = Reply(-1)  # close the connection without an answer
Rule = Callable[[Seen, Callable[[], Reply]], Reply]
_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


@dataclass
class HostileProxy:
    upstream: str
    rule: Rule = field(default=lambda request, forward: forward())
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.upstream, timeout=60)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, unquote(parts.path), parse_qs(parts.query), body)
                with proxy._lock:
                    proxy.seen.append(seen)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}

                def forward() -> Reply:
                    answer = proxy._client.request(self.command, self.path, content=body, headers=headers)
                    kept = tuple((k, v) for k, v in answer.headers.items() if k.lower() not in _HOP | {"content-encoding"})
                    return Reply(answer.status_code, answer.content, kept)

                reply = proxy.rule(seen, forward)
                if reply.status < 0:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def requests(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def __enter__(self) -> HostileProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def once(condition: Callable[[Seen], bool], then: Callable[[Seen, Callable[[], Reply]], Reply], times: int = 1) -> Rule:
    """A rule that plays ``then`` on the first ``times`` requests matching ``condition``."""
    left = [times]
    lock = threading.Lock()

    def rule(request: Seen, forward: Callable[[], Reply]) -> Reply:
        with lock:
            hit = left[0] > 0 and condition(request)
            if hit:
                left[0] -= 1
        return then(request, forward) if hit else forward()

    return rule


def lost_answer(status: int = 500) -> Callable[[Seen, Callable[[], Reply]], Reply]:
    """The upstream processes the request; the client gets ``status`` (or, -1, a reset)."""

    def then(request: Seen, forward: Callable[[], Reply]) -> Reply:
        forward()
        if status < 0:
            return RESET
        return Reply.of(status, {"statusCode": status, "error": "Internal Server Error",
                                 "message": "An internal server error occurred"})

    return then
