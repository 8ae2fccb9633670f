"""The emulator's HTTP server and its in-process API.

    from reconciler.emulator.server import start
    emu = start(port=0, enabled_conflict="auto-disable")   # or start(EmulatorOptions(...))
    emu.base_url          # "http://127.0.0.1:54321"
    ...
    emu.stop()

`App` holds the behaviour (routing, auth, rate limit, faults, tenant) independent of the
transport; `EmulatorHTTPServer` is a `ThreadingHTTPServer` speaking HTTP/1.1 keep-alive
(optionally TLS) that hands each request to the `App`.
"""

from __future__ import annotations

import base64
import json
import secrets as _secrets
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from email.utils import formatdate
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote

from reconciler.emulator.errors import RATE_LIMITED_BODY, ApiError, api_error, error_body
from reconciler.emulator.limits import Faults, TokenBucket, parse_faults
from reconciler.emulator.store import CONFLICT_MODES, READ_KEYS, Tenant, public
from reconciler.emulator.validation import parse_json, query_bool, query_int, query_trigger

ALL_SCOPES = ("read:hooks", "create:hooks", "update:hooks", "delete:hooks")
DEFAULT_PER_PAGE = 100


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port (the CLI's default is 8787)
    state_file: str | None = None
    client_id: str = "emulator"
    client_secret: str = "emulator-secret"
    scopes: tuple[str, ...] = ALL_SCOPES
    rate_limit: float = 50.0  # tokens per second; <= 0 disables rate limiting
    burst: int = 50
    retry_after: bool = False
    latency_ms: float = 0.0
    faults: dict[str, float] = field(default_factory=dict)
    fault_seed: int | None = None
    enabled_conflict: str = "reject"
    token_ttl: int = 86400
    tls_cert: str | None = None
    tls_key: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.faults, str) or self.faults is None:
            self.faults = parse_faults(self.faults)
        else:
            self.faults = parse_faults(dict(self.faults))
        if isinstance(self.scopes, str):
            self.scopes = tuple(s for s in self.scopes.replace(",", " ").split() if s)
        self.scopes = tuple(self.scopes)
        unknown = [s for s in self.scopes if s not in ALL_SCOPES]
        if unknown:
            raise ValueError(f"unknown scope(s): {', '.join(unknown)} (known: {', '.join(ALL_SCOPES)})")
        if self.enabled_conflict not in CONFLICT_MODES:
            raise ValueError(f"enabled_conflict must be one of {', '.join(CONFLICT_MODES)}")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("--tls-cert and --tls-key go together")


# Options that POST /__emulator/config may change at run time.
RUNTIME_OPTIONS = (
    "scopes", "rate_limit", "burst", "retry_after", "latency_ms", "faults", "fault_seed",
    "enabled_conflict", "token_ttl",
)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # close the connection without answering


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _scope_text(granted: frozenset[str]) -> str:
    """Granted scopes as the token endpoint words them (in ALL_SCOPES order)."""
    return " ".join(s for s in ALL_SCOPES if s in granted)


def _unauthorized(message: str) -> ApiError:
    return api_error(401, message)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.requests = 0
        self.writes = 0
        self.rate_limited = 0
        self.by_status: dict[str, int] = {}
        self.by_method: dict[str, int] = {}
        self.faults: dict[str, int] = {}
        self.started = time.time()

    def record(self, method: str, status: int | None, write: bool, rate_limited: bool, fault: str | None) -> None:
        with self.lock:
            self.requests += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1
            if status is not None:
                key = str(status)
                self.by_status[key] = self.by_status.get(key, 0) + 1
            if write:
                self.writes += 1
            if rate_limited:
                self.rate_limited += 1
            if fault:
                self.faults[fault] = self.faults.get(fault, 0) + 1


class App:
    """Transport-independent behaviour: one `handle()` call per HTTP request."""

    def __init__(self, options: EmulatorOptions):
        self.initial = replace(options)
        self.options = replace(options)
        self.tenant = Tenant(options.enabled_conflict, options.state_file)
        self.bucket = TokenBucket(options.rate_limit, options.burst)
        self.faults = Faults(options.faults, options.fault_seed)
        self.stats = Stats()
        self.tokens: dict[str, tuple[float, frozenset[str]]] = {}
        self.tokens_lock = threading.Lock()

    # ---- configuration -----------------------------------------------------------------
    def _apply(self, opts: EmulatorOptions) -> None:
        self.options = opts
        self.tenant.enabled_conflict = opts.enabled_conflict
        self.bucket.configure(opts.rate_limit, opts.burst)
        self.faults.configure(opts.faults, opts.fault_seed)

    def configure(self, changes: dict[str, Any]) -> EmulatorOptions:
        unknown = [k for k in changes if k not in RUNTIME_OPTIONS]
        if unknown:
            raise ValueError(f"cannot change {', '.join(unknown)} at run time (allowed: {', '.join(RUNTIME_OPTIONS)})")
        opts = replace(self.options, **changes)  # __post_init__ validates
        self._apply(opts)
        return opts

    def reset(self) -> None:
        """Empty the tenant and the counters; back to the start-up options."""
        self.tenant.reset()
        self.stats.clear()
        self._apply(replace(self.initial))

    def stats_dict(self) -> dict[str, Any]:
        inv = self.tenant.invariants()
        with self.stats.lock:
            return {
                "requests": self.stats.requests,
                "writes": self.stats.writes,
                "by_status": dict(self.stats.by_status),
                "by_method": dict(self.stats.by_method),
                "max_enabled_per_trigger": inv["max_enabled_per_trigger"],
                "invariant_violations": inv["invariant_violations"],
                "rate_limited": self.stats.rate_limited,
                "faults": dict(self.stats.faults),
                "enabled_per_trigger": inv["enabled_per_trigger"],
                "hooks": inv["hooks"],
                "uptime_s": round(time.time() - self.stats.started, 3),
            }

    # ---- tokens ------------------------------------------------------------------------
    def issue_token(self, scopes: frozenset[str] | None = None) -> tuple[str, int, frozenset[str]]:
        granted = frozenset(self.options.scopes) if scopes is None else scopes
        token = _secrets.token_urlsafe(32)
        ttl = int(self.options.token_ttl)
        now = time.time()
        with self.tokens_lock:
            if len(self.tokens) > 1000:  # drop expired ones now and then
                self.tokens = {t: v for t, v in self.tokens.items() if v[0] > now}
            self.tokens[token] = (now + ttl, granted)
        return token, ttl, granted

    def expire_tokens(self) -> int:
        with self.tokens_lock:
            n = len(self.tokens)
            self.tokens = {t: (0.0, s) for t, (_, s) in self.tokens.items()}
        return n

    def _authorize(self, headers: Any, scope: str | None) -> None:
        auth = headers.get("Authorization")
        if not auth:
            raise _unauthorized("Missing authentication")
        kind, _, token = auth.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise _unauthorized("Bad HTTP authentication header format")
        entry = self.tokens.get(token.strip())
        if entry is None:
            raise _unauthorized("Invalid token")
        expires, scopes = entry
        if time.time() >= expires:
            raise _unauthorized("Expired token received for JSON Web Token validation")
        if scope is not None and scope not in scopes:
            raise api_error(403, f"Insufficient scope, expected any of: {scope}", "insufficient_scope")

    def _oauth_token(self, method: str, headers: Any, body: bytes) -> Response:
        if method != "POST":
            raise api_error(404, "Not Found")
        ctype = (headers.get("Content-Type") or "").lower()
        params: dict[str, Any]
        if "json" in ctype:
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                params = None  # type: ignore[assignment]
            if not isinstance(params, dict):
                return Response(400, _json_bytes({"error": "invalid_request", "error_description": "Invalid JSON body"}))
        else:
            params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        basic = headers.get("Authorization") or ""
        if basic.lower().startswith("basic "):
            try:
                cid, _, csecret = base64.b64decode(basic[6:]).decode().partition(":")
                params.setdefault("client_id", unquote(cid))
                params.setdefault("client_secret", unquote(csecret))
            except ValueError:
                pass
        grant = params.get("grant_type")
        if grant != "client_credentials":
            return Response(
                400 if not grant else 403,
                _json_bytes({"error": "unsupported_grant_type", "error_description": f"Unsupported grant type: {grant}"}),
            )
        if params.get("client_id") != self.options.client_id or params.get("client_secret") != self.options.client_secret:
            return Response(401, _json_bytes({"error": "access_denied", "error_description": "Unauthorized"}))
        audience = params.get("audience")
        if audience and not str(audience).rstrip("/").endswith("/api/v2"):
            return Response(403, _json_bytes({"error": "access_denied", "error_description": f"Service not found: {audience}"}))
        allowed = frozenset(self.options.scopes)
        requested = params.get("scope")
        granted = allowed
        if requested:
            wanted = frozenset(str(requested).split())
            missing = sorted(wanted - allowed)
            if missing:
                return Response(
                    403,
                    _json_bytes({"error": "access_denied", "error_description": f"Client has not been granted scopes: {' '.join(missing)}"}),
                )
            granted = wanted
        token, ttl, granted = self.issue_token(granted)
        return Response(200, _json_bytes({"access_token": token, "scope": _scope_text(granted), "expires_in": ttl, "token_type": "Bearer"}))

    # ---- /api/v2 -----------------------------------------------------------------------
    def _api(self, method: str, path: str, query: str, headers: Any, body: bytes) -> Response:
        parts = [unquote(p) for p in path[len("/api/v2/"):].strip("/").split("/")]
        scope = {"GET": "read:hooks", "POST": "create:hooks", "PATCH": "update:hooks", "DELETE": "delete:hooks"}.get(method)
        if scope is None or not parts or parts[0] != "hooks" or len(parts) > 3 or (len(parts) == 3 and parts[2] != "secrets"):
            self._authorize(headers, None)  # unknown route: 401 without a valid token, else 404
            raise api_error(404, "Not Found")
        self._authorize(headers, scope)
        tenant = self.tenant
        if len(parts) == 1:
            if method == "GET":
                return self._list(query)
            if method == "POST":
                return Response(201, _json_bytes(tenant.create_hook(self._body(headers, body))))
            raise api_error(404, "Not Found")
        hook_id = parts[1]
        if len(parts) == 2:
            if method == "GET":
                q = parse_qs(query, keep_blank_values=True)
                hook = tenant.get_hook(hook_id)
                fields = self._fields(q)
                if fields:
                    hook = public(hook, fields, query_bool(q, "include_fields") is not False, READ_KEYS)
                return Response(200, _json_bytes(hook))
            if method == "PATCH":
                return Response(200, _json_bytes(tenant.update_hook(hook_id, self._body(headers, body))))
            if method == "DELETE":
                tenant.delete_hook(hook_id)
                return Response(204)
            raise api_error(404, "Not Found")
        if method == "GET":
            return Response(200, _json_bytes(tenant.get_secrets(hook_id)))
        if method == "POST":
            tenant.add_secrets(hook_id, self._body(headers, body))
            return Response(201, b"{}")
        if method == "PATCH":
            tenant.update_secrets(hook_id, self._body(headers, body))
            return Response(201, b"{}")
        tenant.delete_secrets(hook_id, self._body(headers, body))
        return Response(204)

    @staticmethod
    def _body(headers: Any, body: bytes) -> Any:
        ctype = (headers.get("Content-Type") or "").lower()
        if "application/x-www-form-urlencoded" in ctype:
            form: dict[str, Any] = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            if form.get("enabled") in ("true", "false"):
                form["enabled"] = form["enabled"] == "true"
            return form
        return parse_json(body)

    @staticmethod
    def _fields(q: dict[str, list[str]]) -> list[str]:
        raw = q.get("fields", [""])[-1]
        return [f.strip() for f in raw.split(",") if f.strip()]

    def _list(self, query: str) -> Response:
        q = parse_qs(query, keep_blank_values=True)
        page = query_int(q, "page", 0)
        per_page = query_int(q, "per_page", 0, 100)
        totals = query_bool(q, "include_totals")
        enabled = query_bool(q, "enabled")
        trigger = query_trigger(q)
        include_fields = query_bool(q, "include_fields")
        fields = self._fields(q)
        hooks = self.tenant.list_hooks(enabled, trigger)
        total = len(hooks)
        if page is None and per_page is None and not totals:
            start, limit, shown = 0, total, hooks
        else:
            limit = DEFAULT_PER_PAGE if per_page is None else per_page
            start = (page or 0) * limit
            shown = hooks[start : start + limit]
        if fields:
            shown = [public(h, fields, include_fields is not False, READ_KEYS) for h in shown]
        if totals:
            return Response(200, _json_bytes({"total": total, "start": start, "limit": limit, "hooks": shown}))
        return Response(200, _json_bytes(shown))

    # ---- admin -------------------------------------------------------------------------
    def _admin(self, method: str, path: str, body: bytes) -> Response:
        route = path[len("/__emulator/"):].strip("/")
        if route == "stats" and method == "GET":
            return Response(200, _json_bytes(self.stats_dict()))
        if route == "reset" and method == "POST":
            self.reset()
            return Response(200, _json_bytes({"ok": True}))
        if route == "seed" and method == "POST":
            created = self.tenant.seed(parse_json(body))
            return Response(201, _json_bytes({"hooks": created}))
        if route == "state" and method == "GET":
            return Response(200, _json_bytes(self.tenant.snapshot()))
        if route == "config" and method in ("GET", "POST"):
            if method == "POST":
                changes = parse_json(body) or {}
                if not isinstance(changes, dict):
                    raise api_error(400, "config body must be a JSON object")
                try:
                    self.configure(changes)
                except (TypeError, ValueError) as exc:
                    raise api_error(400, str(exc)) from None
            opts = asdict(self.options)
            opts.pop("client_secret", None)
            return Response(200, _json_bytes(opts))
        if route == "token" and method == "POST":
            params = parse_json(body) or {}
            scopes = params.get("scopes") if isinstance(params, dict) else None
            token, ttl, granted = self.issue_token(frozenset(scopes) if scopes is not None else None)
            return Response(200, _json_bytes({"access_token": token, "expires_in": ttl, "token_type": "Bearer", "scope": _scope_text(granted)}))
        if route == "expire-tokens" and method == "POST":
            return Response(200, _json_bytes({"expired": self.expire_tokens()}))
        raise api_error(404, "Not Found")

    # ---- entry point -------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Response:
        path, _, query = target.partition("?")
        if path.startswith("/__emulator/"):
            try:
                return self._admin(method, path, body)
            except ApiError as exc:
                return Response(exc.status, _json_bytes(exc.body), exc.headers)

        opts = self.options
        is_api = path.startswith("/api/v2/")
        decision = self.bucket.take() if is_api else self.bucket.peek()
        rl_headers = decision.headers()
        if opts.latency_ms > 0:
            time.sleep(opts.latency_ms / 1000.0)  # no lock is held here

        fault = None
        write = False
        if is_api and not decision.allowed:
            resp = Response(429, _json_bytes(RATE_LIMITED_BODY))
            if opts.retry_after:
                resp.headers.append(("Retry-After", str(decision.retry_after)))
        elif is_api and (fault := self.faults.pick_before()) is not None:
            resp = self._fault_response(fault, decision)
        else:
            try:
                if is_api:
                    resp = self._api(method, path, query, headers, body)
                elif path == "/oauth/token":
                    resp = self._oauth_token(method, headers, body)
                else:
                    raise api_error(404, "Not Found")
            except ApiError as exc:
                resp = Response(exc.status, _json_bytes(exc.body), list(exc.headers))
            write = is_api and method != "GET" and 200 <= resp.status < 300
            if is_api:
                after = self.faults.pick_after()
                if after is not None:
                    fault = after + "after"
                    resp = self._fault_response(after, decision)
        resp.headers.extend(rl_headers)
        self.stats.record(
            method, None if resp.reset else resp.status, write, is_api and not decision.allowed, fault
        )
        return resp

    def _fault_response(self, kind: str, decision: Any) -> Response:
        if kind == "reset":
            return Response(0, reset=True)
        status = int(kind)
        if status == 429:
            resp = Response(429, _json_bytes(RATE_LIMITED_BODY))
            if self.options.retry_after:
                resp.headers.append(("Retry-After", str(max(1, decision.retry_after))))
            return resp
        message = "An internal server error occurred" if status == 500 else HTTPStatus(status).phrase
        return Response(status, _json_bytes(error_body(status, message)))


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

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, name.lower(), default)


class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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

    def _read_body(self, headers: Headers) -> bytes:
        rfile = self.rfile
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(rfile.readline(MAX_LINE).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while rfile.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(rfile.read(size))
                rfile.readline(MAX_LINE)
        length = int(headers.get("content-length") or 0)
        return rfile.read(length) if length > 0 else b""

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
            self._write(Response(exc.status, _json_bytes(error_body(exc.status, exc.message))), close=True)
            return False
        conn = headers.get("connection", "").lower()
        close = conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive")
        try:
            resp = self.server.app.handle(method, target, headers, body)
        except Exception:  # a bug or a failed state write: answer 500, keep serving
            traceback.print_exc(file=sys.stderr)
            resp = Response(500, _json_bytes(error_body(500, "An internal server error occurred")))
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

    def seed(self, hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.app.tenant.seed({"hooks": hooks})

    def state(self) -> dict[str, Any]:
        return self.app.tenant.snapshot()

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
    return RunningEmulator(server, app, options)
