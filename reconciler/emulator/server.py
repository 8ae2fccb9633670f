"""The emulator's HTTP server and its in-process API.

    from reconciler.emulator.server import start
    emu = start(port=0, enabled_conflict="auto-disable")   # or start(EmulatorOptions(...))
    emu.base_url          # "http://127.0.0.1:54321"
    ...
    emu.stop()

`App` (app.py) holds the behaviour (routing, auth, rate limit, faults, tenant) independent
of the transport; `EmulatorHTTPServer` is a `ThreadingHTTPServer` speaking HTTP/1.1 keep-alive
(optionally TLS) that hands each request to the `App`.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
from dataclasses import replace
from email.utils import formatdate
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from reconciler.emulator.app import App
from reconciler.emulator.errors import error_body
from reconciler.emulator.jsonutil import json_bytes
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.resources import Response

# ---- HTTP transport -------------------------------------------------------------------
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header, formatted once a second rather than once a response."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


class Headers(dict):  # type: ignore[type-arg]
    """Request headers, names lower-cased; `get()` is case-insensitive."""

    def get(self, name: str, default: Any = None) -> Any:
        return dict.get(self, name.lower(), default)


class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _Incomplete(Exception):
    """The client closed the connection before the whole body arrived (a client killed
    between its headers and its body). RFC 9112 section 6.3: the message is incomplete and
    the connection is closed; the request is never handled, answered or counted."""


MAX_LINE = 65536
MAX_HEADERS = 100


class _Handler(socketserver.StreamRequestHandler):
    """A lean HTTP/1.1 keep-alive loop (the stdlib's header parsing was the hot spot)."""

    timeout = 300  # idle keep-alive connections are closed after this long
    server: EmulatorHTTPServer

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()
        self.server._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server._track(self.connection, False)

    def handle(self) -> None:
        try:
            while self._one_request():
                pass
        except (OSError, ValueError):
            return  # client went away, timed out or sent garbage framing

    def _read_head(self) -> tuple[str, str, str, Headers] | None:
        rfile = self.rfile
        line = rfile.readline(MAX_LINE + 1)
        while line in (b"\r\n", b"\n"):  # tolerate stray blank lines between requests
            line = rfile.readline(MAX_LINE + 1)
        if not line:
            return None
        if len(line) > MAX_LINE:
            raise _BadRequest(414, "URI Too Long")
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(400, "Bad request line")
        headers = Headers()
        for _ in range(MAX_HEADERS + 1):
            h = rfile.readline(MAX_LINE + 1)
            if h in (b"\r\n", b"\n", b""):
                return parts[0], parts[1], parts[2], headers
            if len(h) > MAX_LINE:
                raise _BadRequest(431, "Request Header Fields Too Large")
            name, sep, value = h.decode("latin-1").partition(":")
            if not sep:
                raise _BadRequest(400, "Bad header line")
            headers[name.strip().lower()] = value.strip()
        raise _BadRequest(431, "Too many headers")

    def _read_exactly(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise _Incomplete
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE)
        if not line:
            raise _Incomplete
        return line

    def _read_body(self, headers: Headers) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self._read_line().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self._read_line() not in (b"\r\n", b"\n"):
                        pass
                    return b"".join(chunks)
                chunks.append(self._read_exactly(size))
                self._read_line()
        length = int(headers.get("content-length") or 0)
        return self._read_exactly(length) if length > 0 else b""

    def _one_request(self) -> bool:
        try:
            head = self._read_head()
            if head is None:
                return False
            method, target, version, headers = head
            if headers.get("expect", "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = self._read_body(headers)
        except _BadRequest as exc:
            self._write(Response(exc.status, json_bytes(error_body(exc.status, exc.message))), close=True)
            return False
        except _Incomplete:
            return False  # the client is gone: nothing to handle and no one to answer
        conn = headers.get("connection", "").lower()
        close = conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive")
        try:
            resp = self.server.app.handle(method, target, headers, body)
        except Exception:  # a bug or a failed state write: answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, json_bytes(error_body(500, "An internal server error occurred")))
            close = True
        if resp.reset:
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            return False
        self._write(resp, close, method == "HEAD")
        return not close

    def _write(self, resp: Response, close: bool, head_only: bool = False) -> None:
        lines = [
            f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'Unknown')}",
            f"Date: {_http_date()}",
            "Content-Type: application/json; charset=utf-8",
        ]
        if resp.status != 204:
            lines.append(f"Content-Length: {len(resp.body)}")
        lines.extend(f"{k}: {v}" for k, v in resp.headers)
        if close:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if head_only or resp.status == 204 else head + resp.body)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, ssl_context: ssl.SSLContext | None = None):
        self.app = app
        self.ssl_context = ssl_context
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:  # handshake happens in the connection's own thread
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError, OSError)):
            return  # a client went away or spoke garbage: not worth a traceback
        super().handle_error(request, client_address)


class RunningEmulator:
    """An emulator serving in a background thread of this process."""

    def __init__(self, server: EmulatorHTTPServer, app: App, options: EmulatorOptions):
        self.server = server
        self.app = app
        self.options = options
        host_address, self.port = server.server_address[:2]
        self.host = str(host_address)
        scheme = "https" if server.ssl_context else "http"
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self.base_url = f"{scheme}://{host}:{self.port}"
        self.client_id = options.client_id
        self.client_secret = options.client_secret
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="auth0-emulator", daemon=True)
        self._thread.start()
        self._stopped = False

    def stats(self) -> dict[str, Any]:
        return self.app.stats_dict()

    def reset(self) -> None:
        self.app.reset()

    def seed(self, hooks: list[dict[str, Any]] | None = None, *, validate: bool = True, **more: Any) -> Any:
        """seed(hooks) -> the created hooks (as before); seed(actions=[...], bindings={...}) -> all created.
        ``validate=False`` plants hooks the API would refuse (hostile names, for tests)."""
        body = dict(more, **({"hooks": hooks} if hooks is not None else {}), validate=validate)
        out = self.app.seed(body)
        return out["hooks"] if hooks is not None and not more else out

    def state(self) -> dict[str, Any]:
        return self.app.snapshot()

    def advance_builds(self, action_id: str | None = None, steps: int = 1) -> dict[str, Any]:
        """With manual_builds: move drafts' builds on by `steps` phases."""
        return self.app.builds().advance_builds(action_id, steps)

    def configure(self, **changes: Any) -> None:
        self.app.configure(changes)

    def token(self, scopes: list[str] | None = None) -> str:
        """A ready access token (what AUTH0_ACCESS_TOKEN would hold)."""
        return self.app.issue_token(frozenset(scopes) if scopes is not None else None)[0]

    def expire_tokens(self) -> int:
        return self.app.expire_tokens()

    def env(self) -> dict[str, str]:
        """Environment for running the reconciler against this emulator."""
        return {"AUTH0_DOMAIN": self.base_url, "AUTH0_CLIENT_ID": self.client_id, "AUTH0_CLIENT_SECRET": self.client_secret}

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            # what server.shutdown() does, but never waits forever if the loop is gone
            self.server._BaseServer__shutdown_request = True  # type: ignore[attr-defined]
            self._thread.join(timeout=10)
        self.server.close_connections()
        self.server.server_close()

    def wait(self) -> None:
        while self._thread.is_alive():
            self._thread.join(0.5)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def make_ssl_context(cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def start(options: EmulatorOptions | None = None, **kwargs: Any) -> RunningEmulator:
    """Start an emulator in a background thread; returns once it accepts connections."""
    if options is None:
        options = EmulatorOptions(**kwargs)
    elif kwargs:
        options = replace(options, **kwargs)
    app = App(options)
    ctx = make_ssl_context(options.tls_cert, options.tls_key) if options.tls_cert and options.tls_key else None
    server = EmulatorHTTPServer((options.host, options.port), app, ctx)
    return RunningEmulator(server, app, replace(app.options))  # with the scopes filled in


__all__ = ["RunningEmulator", "start"]
