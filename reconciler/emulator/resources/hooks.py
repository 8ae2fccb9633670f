"""Routes of `/api/v2/hooks*` (moved unchanged from the former server.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, parse_qsl

from reconciler.emulator.errors import api_error, hooks_retired
from reconciler.emulator.jsonutil import json_bytes
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.resources import Context, Request, Response, Route
from reconciler.emulator.store import READ_KEYS, Tenant, public
from reconciler.emulator.validation import parse_json, query_bool, query_int, query_trigger

DEFAULT_PER_PAGE = 100
SCOPES = {"GET": "read:hooks", "POST": "create:hooks", "PATCH": "update:hooks", "DELETE": "delete:hooks"}


def request_body(headers: Any, body: bytes) -> Any:
    ctype = (headers.get("Content-Type") or "").lower()
    if "application/x-www-form-urlencoded" in ctype:
        form: dict[str, Any] = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("enabled") in ("true", "false"):
            form["enabled"] = form["enabled"] == "true"
        return form
    return parse_json(body)


def _fields(q: dict[str, list[str]]) -> list[str]:
    raw = q.get("fields", [""])[-1]
    return [f.strip() for f in raw.split(",") if f.strip()]


class HooksResource:
    prefix = "hooks"
    seeds: tuple[str, ...] = ("hooks",)

    def __init__(self, context: Context):
        options = context.options
        self.tenant = Tenant(options.enabled_conflict, lock=context.lock, persist=context.persist,
                             on_change=context.observe)
        self.options = options
        self.history = context.history

    # ---- resource protocol -------------------------------------------------------------
    def match(self, method: str, parts: list[str]) -> Route | None:
        scope = SCOPES.get(method)
        if scope is None or len(parts) > 3 or (len(parts) == 3 and parts[2] != "secrets"):
            return None
        return Route(scope, self._handle)

    def configure(self, options: EmulatorOptions) -> None:
        self.options = options
        self.tenant.enabled_conflict = options.enabled_conflict

    def snapshot(self) -> dict[str, Any]:
        return {"hooks": self.tenant.snapshot()["hooks"]}

    def load(self, data: dict[str, Any]) -> None:
        self.tenant.load(data)

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        if "hooks" not in body:
            return {}
        return {"hooks": self.tenant.seed({"hooks": body["hooks"], "validate": body.get("validate", True)})}

    def reset(self) -> None:
        self.tenant.reset()

    def stats(self) -> dict[str, Any]:
        inv = self.tenant.invariants()
        return {
            "max_enabled_per_trigger": inv["max_enabled_per_trigger"],
            "invariant_violations": inv["invariant_violations"],
            "enabled_per_trigger": inv["enabled_per_trigger"],
            "hooks": inv["hooks"],
            "hook_history": self.history(),
        }

    # ---- routes ------------------------------------------------------------------------
    def _handle(self, req: Request) -> Response:
        if not self.options.hooks_enabled:
            raise hooks_retired()
        method, parts, headers, body = req.method, req.parts, req.headers, req.body
        tenant = self.tenant
        if len(parts) == 1:
            if method == "GET":
                return self._list(req.query)
            if method == "POST":
                return Response(201, json_bytes(tenant.create_hook(request_body(headers, body))))
            raise api_error(404, "Not Found")
        hook_id = parts[1]
        if len(parts) == 2:
            if method == "GET":
                q = parse_qs(req.query, keep_blank_values=True)
                hook = tenant.get_hook(hook_id)
                fields = _fields(q)
                if fields:
                    hook = public(hook, fields, query_bool(q, "include_fields") is not False, READ_KEYS)
                return Response(200, json_bytes(hook))
            if method == "PATCH":
                return Response(200, json_bytes(tenant.update_hook(hook_id, request_body(headers, body))))
            if method == "DELETE":
                tenant.delete_hook(hook_id)
                return Response(204)
            raise api_error(404, "Not Found")
        if method == "GET":
            return Response(200, json_bytes(tenant.get_secrets(hook_id)))
        if method == "POST":
            tenant.add_secrets(hook_id, request_body(headers, body))
            return Response(201, b"{}")
        if method == "PATCH":
            tenant.update_secrets(hook_id, request_body(headers, body))
            return Response(201, b"{}")
        tenant.delete_secrets(hook_id, request_body(headers, body))
        return Response(204)

    def _list(self, query: str) -> Response:
        q = parse_qs(query, keep_blank_values=True)
        page = query_int(q, "page", 0)
        per_page = query_int(q, "per_page", 0, 100)
        totals = query_bool(q, "include_totals")
        enabled = query_bool(q, "enabled")
        trigger = query_trigger(q)
        include_fields = query_bool(q, "include_fields")
        fields = _fields(q)
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
            return Response(200, json_bytes({"total": total, "start": start, "limit": limit, "hooks": shown}))
        return Response(200, json_bytes(shown))


__all__ = ["HooksResource"]
