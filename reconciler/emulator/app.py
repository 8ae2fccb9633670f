"""The emulator's behaviour, independent of the transport: auth, tokens, rate limit, faults,
admin endpoints, the state file, and dispatch to one routes module per resource type.

The core knows no resource type: each registered type brings its routes module (hooks:
`resources/hooks.py`, Actions: `resources/actions.py`), which matches its paths and names the
scope it needs; the scopes a token may get are every type's.
"""

from __future__ import annotations

import base64
import json
import os
import secrets as _secrets
import threading
import time
from dataclasses import asdict, replace
from http import HTTPStatus
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, unquote

from reconciler.emulator.errors import RATE_LIMITED_BODY, ApiError, api_error, bad_body, error_body
from reconciler.emulator.jsonutil import json_bytes, write_atomic
from reconciler.emulator.limits import Faults, TokenBucket
from reconciler.emulator.options import RUNTIME_OPTIONS, EmulatorOptions
from reconciler.emulator.parts import check_scopes, emulator_parts
from reconciler.emulator.resources import Context, Request, Resource, Response
from reconciler.emulator.timeline import Timeline
from reconciler.emulator.validation import parse_json

STATE_VERSION = 1


@runtime_checkable
class Builds(Protocol):
    """A routes module whose code builds (Actions): POST /__emulator/builds advances them."""

    def advance_builds(self, action_id: str | None, steps: Any) -> dict[str, Any]: ...


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
        parts = emulator_parts()
        self.known_scopes = tuple(scope for part in parts for scope in part.scopes)
        options = self._checked(options)
        self.initial = replace(options)
        self.options = replace(options)
        self.lock = threading.RLock()  # one tenant lock shared by every resource type
        self.state_file = options.state_file
        self.timeline = Timeline(tuple(part.prefix for part in parts))
        self._loading = True
        self.resources: dict[str, Resource] = {part.prefix: part.routes(self._context(options, part.prefix))
                                               for part in parts}
        self._load_state()
        self._loading = False
        self.bucket = TokenBucket(options.rate_limit, options.burst)
        self.faults = Faults(options.faults, options.fault_seed)
        self.stats = Stats()
        self.tokens: dict[str, tuple[float, frozenset[str]]] = {}
        self.tokens_lock = threading.Lock()

    def _checked(self, options: EmulatorOptions) -> EmulatorOptions:
        """``options`` with every served type's scopes when they name none; a scope no type's
        routes ask for is refused."""
        if options.scopes is None:
            return replace(options, scopes=self.known_scopes)
        check_scopes(options.scopes, self.known_scopes)
        return options

    def _scope_text(self, granted: frozenset[str]) -> str:
        """Granted scopes as the token endpoint words them (in the order the types list them)."""
        return " ".join(s for s in self.known_scopes if s in granted)

    def _context(self, options: EmulatorOptions, prefix: str) -> Context:
        return Context(options, self.lock, self.persist, lambda t: self.timeline.observe(prefix, t),
                       lambda: self.timeline.history(prefix))

    # ---- state -------------------------------------------------------------------------
    def _load_state(self) -> None:
        path = self.state_file
        if not path:
            return
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            with self.lock:
                for resource in self.resources.values():
                    resource.load(data)
            return
        try:  # create it now: an unwritable location fails at start, not on the first write
            self.persist(force=True)
        except OSError as exc:
            raise ValueError(f"cannot write {path}: {exc}") from None

    def snapshot(self) -> dict[str, Any]:
        """The whole tenant including secret values (for the state file and admin dumps)."""
        with self.lock:
            data: dict[str, Any] = {"version": STATE_VERSION}
            for resource in self.resources.values():
                data.update(resource.snapshot())
            return data

    def persist(self, force: bool = False) -> None:
        """Called by every resource after a write, under the shared lock."""
        if not self.state_file or (self._loading and not force):
            return
        write_atomic(self.state_file, json.dumps(self.snapshot(), indent=2).encode("utf-8"))

    def seed(self, body: Any) -> dict[str, Any]:
        known = [key for resource in self.resources.values() for key in resource.seeds]
        if not isinstance(body, dict) or not any(k in body for k in known):
            shape = ", ".join(f'"{key}": ...' for key in known)
            raise bad_body(f"'seed body must be {{{shape}}}'")
        out: dict[str, Any] = {}
        with self.lock:
            for resource in self.resources.values():
                out.update(resource.seed(body))
        return out

    # ---- configuration -----------------------------------------------------------------
    def _apply(self, opts: EmulatorOptions) -> None:
        self.options = opts
        for resource in self.resources.values():
            resource.configure(opts)
        self.bucket.configure(opts.rate_limit, opts.burst)
        self.faults.configure(opts.faults, opts.fault_seed)

    def configure(self, changes: dict[str, Any]) -> EmulatorOptions:
        unknown = [k for k in changes if k not in RUNTIME_OPTIONS]
        if unknown:
            raise ValueError(f"cannot change {', '.join(unknown)} at run time (allowed: {', '.join(RUNTIME_OPTIONS)})")
        opts = self._checked(replace(self.options, **changes))  # __post_init__ validates the rest
        self._apply(opts)
        return opts

    def reset(self) -> None:
        """Empty the tenant and the counters; back to the start-up options."""
        with self.lock:
            for resource in self.resources.values():
                resource.reset()
        self.timeline.clear()
        self.stats.clear()
        self._apply(replace(self.initial))

    def stats_dict(self) -> dict[str, Any]:
        with self.stats.lock:
            out: dict[str, Any] = {
                "requests": self.stats.requests,
                "writes": self.stats.writes,
                "by_status": dict(self.stats.by_status),
                "by_method": dict(self.stats.by_method),
                "rate_limited": self.stats.rate_limited,
                "faults": dict(self.stats.faults),
                "uptime_s": round(time.time() - self.stats.started, 3),
            }
        for resource in self.resources.values():
            out.update(resource.stats())
        out["trigger_timeline"] = self.timeline.history()
        return out

    def builds(self) -> Builds:
        """The routes module whose code builds (404 when no type's does)."""
        found = next((r for r in self.resources.values() if isinstance(r, Builds)), None)
        if found is None:
            raise api_error(404, "Not Found")
        return found

    # ---- tokens ------------------------------------------------------------------------
    def issue_token(self, scopes: frozenset[str] | None = None) -> tuple[str, int, frozenset[str]]:
        granted = frozenset(self.options.scopes or ()) if scopes is None else scopes
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
                return Response(400, json_bytes({"error": "invalid_request", "error_description": "Invalid JSON body"}))
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
                json_bytes({"error": "unsupported_grant_type", "error_description": f"Unsupported grant type: {grant}"}),
            )
        if params.get("client_id") != self.options.client_id or params.get("client_secret") != self.options.client_secret:
            return Response(401, json_bytes({"error": "access_denied", "error_description": "Unauthorized"}))
        audience = params.get("audience")
        if audience and not str(audience).rstrip("/").endswith("/api/v2"):
            return Response(403, json_bytes({"error": "access_denied", "error_description": f"Service not found: {audience}"}))
        allowed = frozenset(self.options.scopes or ())
        requested = params.get("scope")
        granted = allowed
        if requested:
            wanted = frozenset(str(requested).split())
            missing = sorted(wanted - allowed)
            if missing:
                return Response(
                    403,
                    json_bytes({"error": "access_denied", "error_description": f"Client has not been granted scopes: {' '.join(missing)}"}),
                )
            granted = wanted
        token, ttl, granted = self.issue_token(granted)
        return Response(200, json_bytes({"access_token": token, "scope": self._scope_text(granted), "expires_in": ttl, "token_type": "Bearer"}))

    # ---- /api/v2 -----------------------------------------------------------------------
    def _api(self, method: str, path: str, query: str, headers: Any, body: bytes) -> Response:
        parts = [unquote(p) for p in path[len("/api/v2/"):].strip("/").split("/")]
        resource = self.resources.get(parts[0]) if parts else None
        route = resource.match(method, parts) if resource is not None else None
        if route is None:
            self._authorize(headers, None)  # unknown route: 401 without a valid token, else 404
            raise api_error(404, "Not Found")
        self._authorize(headers, route.scope)
        return route.handler(Request(method, parts, query, headers, body))

    # ---- admin -------------------------------------------------------------------------
    def _admin(self, method: str, path: str, body: bytes) -> Response:
        route = path[len("/__emulator/"):].strip("/")
        if route == "stats" and method == "GET":
            return Response(200, json_bytes(self.stats_dict()))
        if route == "reset" and method == "POST":
            self.reset()
            return Response(200, json_bytes({"ok": True}))
        if route == "seed" and method == "POST":
            return Response(201, json_bytes(self.seed(parse_json(body))))
        if route == "state" and method == "GET":
            return Response(200, json_bytes(self.snapshot()))
        if route == "builds" and method == "POST":  # manual_builds: advance drafts' builds
            params = parse_json(body) or {}
            if not isinstance(params, dict):
                raise api_error(400, "builds body must be a JSON object")
            return Response(200, json_bytes(self.builds().advance_builds(params.get("action_id"), params.get("steps", 1))))
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
            return Response(200, json_bytes(opts))
        if route == "token" and method == "POST":
            params = parse_json(body) or {}
            scopes = params.get("scopes") if isinstance(params, dict) else None
            token, ttl, granted = self.issue_token(frozenset(scopes) if scopes is not None else None)
            return Response(200, json_bytes({"access_token": token, "expires_in": ttl, "token_type": "Bearer", "scope": self._scope_text(granted)}))
        if route == "expire-tokens" and method == "POST":
            return Response(200, json_bytes({"expired": self.expire_tokens()}))
        raise api_error(404, "Not Found")

    # ---- entry point -------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Response:
        path, _, query = target.partition("?")
        if path.startswith("/__emulator/"):
            try:
                return self._admin(method, path, body)
            except ApiError as exc:
                return Response(exc.status, json_bytes(exc.body), exc.headers)

        opts = self.options
        is_api = path.startswith("/api/v2/")
        decision = self.bucket.take() if is_api else self.bucket.peek()
        rl_headers = decision.headers()
        if opts.latency_ms > 0:
            time.sleep(opts.latency_ms / 1000.0)  # no lock is held here

        fault = None
        write = False
        if is_api and not decision.allowed:
            resp = Response(429, json_bytes(RATE_LIMITED_BODY))
            if opts.retry_after:
                resp.headers.append(("Retry-After", str(decision.retry_after)))
        elif is_api and (fault := self.faults.pick_before()) is not None:
            resp = self._fault_response(fault, decision)
        else:
            try:
                if is_api:
                    self.timeline.tick()
                    resp = self._api(method, path, query, headers, body)
                elif path == "/oauth/token":
                    resp = self._oauth_token(method, headers, body)
                else:
                    raise api_error(404, "Not Found")
            except ApiError as exc:
                resp = Response(exc.status, json_bytes(exc.body), list(exc.headers))
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
            resp = Response(429, json_bytes(RATE_LIMITED_BODY))
            if self.options.retry_after:
                resp.headers.append(("Retry-After", str(max(1, decision.retry_after))))
            return resp
        message = "An internal server error occurred" if status == 500 else HTTPStatus(status).phrase
        return Response(status, json_bytes(error_body(status, message)))


