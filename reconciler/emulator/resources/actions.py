"""Routes of `/api/v2/actions/*`: actions, deploy, versions, rollback, test, executions,
triggers, trigger bindings (and an empty `/actions/modules` list, read by deploy-cli)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs

from reconciler.emulator.errors import api_error, bad_body, bad_query
from reconciler.emulator.jsonutil import json_bytes
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.resources import Context, Request, Response, Route
from reconciler.emulator.resources import actions_model as m
from reconciler.emulator.resources.actions_store import ActionStore
from reconciler.emulator.validation import parse_json, query_bool

SCOPES = {"GET": "read:actions", "POST": "create:actions", "PATCH": "update:actions", "DELETE": "delete:actions"}
# (path shape, methods): "*" stands for an id
_SHAPES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("actions", "actions"), ("GET", "POST")),
    (("actions", "actions", "*"), ("GET", "PATCH", "DELETE")),
    (("actions", "actions", "*", "deploy"), ("POST",)),
    (("actions", "actions", "*", "test"), ("POST",)),
    (("actions", "actions", "*", "versions"), ("GET",)),
    (("actions", "actions", "*", "versions", "*"), ("GET",)),
    (("actions", "actions", "*", "versions", "*", "deploy"), ("POST",)),
    (("actions", "triggers"), ("GET",)),
    (("actions", "triggers", "*", "bindings"), ("GET", "PATCH")),
    (("actions", "executions", "*"), ("GET",)),
    (("actions", "modules"), ("GET",)),
]
_TEST_STATS = ("total_request_duration_ms", "total_runtime_execution_duration_ms", "runtime_processing_duration_ms",
               "action_duration_ms", "runtime_external_call_duration_ms", "boot_duration_ms", "network_duration_ms")


def _shape_of(parts: list[str]) -> tuple[str, ...] | None:
    for shape, _ in _SHAPES:
        if len(shape) == len(parts) and all(s == "*" or s == p for s, p in zip(shape, parts)):
            return shape
    return None


class ActionsResource:
    prefix = "actions"
    seeds: tuple[str, ...] = ("actions", "bindings")

    def __init__(self, context: Context):
        self.options = context.options
        self.store = ActionStore(context.options, context.lock, context.persist, context.observe)
        self.history = context.history

    # ---- resource protocol -------------------------------------------------------------
    def match(self, method: str, parts: list[str]) -> Route | None:
        shape = _shape_of(parts)
        if shape is None or method not in dict(_SHAPES)[shape]:
            return None
        return Route(SCOPES[method], self._handle)

    def configure(self, options: EmulatorOptions) -> None:
        self.options = options
        self.store.options = options

    def advance_builds(self, action_id: str | None, steps: Any) -> dict[str, Any]:
        return self.store.advance_builds(action_id, steps)

    def stats(self) -> dict[str, Any]:
        return {**self.store.stats(), "binding_history": self.history()}

    def reset(self) -> None:
        s = self.store
        with s.lock:
            s.actions.clear()
            s.bindings.clear()
            s.versions_created.clear()
            s._write()

    def snapshot(self) -> dict[str, Any]:
        """Actions with secret values, versions and build state (for the state file)."""
        s = self.store
        with s.lock:
            actions = []
            for a in s.actions.values():
                s._status(a)
                actions.append({k: copy.deepcopy(v) for k, v in a.items() if k != "build"})
            return {"actions": actions, "bindings": copy.deepcopy({t: bs for t, bs in s.bindings.items() if bs})}

    def load(self, data: dict[str, Any]) -> None:
        s = self.store
        for a in data.get("actions", []):
            a = copy.deepcopy(a)
            a["build"] = None
            if a["status"] not in ("built", "failed"):  # a build cut short by a restart starts again
                s._start_build(a)
            s.actions[a["id"]] = a
        s.bindings = {t: copy.deepcopy(bs) for t, bs in data.get("bindings", {}).items()}
        s._changed()

    def seed(self, body: dict[str, Any]) -> dict[str, Any]:
        """Actions (built at once; `deployed: true` adds a live version 1; `integration` marks a
        marketplace action) and then bindings {trigger: [{action_name|action_id, display_name?}]}."""
        out: dict[str, Any] = {}
        s = self.store
        if "actions" in body:
            if not isinstance(body["actions"], list):
                raise bad_body("'actions must be a list'")
            created = []
            for item in body["actions"]:
                if not isinstance(item, dict):
                    raise bad_body("'each seeded action must be an object'")
                item = dict(item)
                wanted_id, deployed, integration = item.pop("id", None), item.pop("deployed", False), item.pop("integration", None)
                a = s.create_action(item, seeding=True)
                rec = s.actions.pop(a["id"])
                rec["id"] = wanted_id or rec["id"]
                rec["build"], rec["status"] = None, "built"
                if integration is not None:
                    rec["integration"] = integration
                s.actions[rec["id"]] = rec
                if deployed:
                    s._new_version(rec, rec)
                created.append(s.public(rec))
            out["actions"] = created
        if "bindings" in body:
            if not isinstance(body["bindings"], dict):
                raise bad_body("'bindings must map trigger ids to lists'")
            out["bindings"] = {}
            for trigger_id, items in body["bindings"].items():
                refs = [{"ref": {"type": "action_id", "value": i["action_id"]} if "action_id" in i
                         else {"type": "action_name", "value": i.get("action_name")},
                         **({"display_name": i["display_name"]} if "display_name" in i else {})}
                        for i in items if isinstance(i, dict)]
                out["bindings"][trigger_id] = s.set_bindings(self._trigger_id(trigger_id), {"bindings": refs})
        s._write()
        return out

    # ---- routes ------------------------------------------------------------------------
    @staticmethod
    def _trigger_id(value: str) -> str:
        if value not in m.TRIGGER_IDS:
            raise api_error(400, f"Path validation error: 'No enum match for: \"{value}\"' on property triggerId.",
                            "invalid_uri")
        return value

    def _handle(self, req: Request) -> Response:
        if not self.options.actions_enabled:
            raise m.feature_not_enabled()
        parts, method, s = req.parts, req.method, self.store
        q = parse_qs(req.query, keep_blank_values=True)
        shape = _shape_of(parts)
        if shape == ("actions", "actions"):
            if method == "POST":
                return Response(201, json_bytes(s.create_action(parse_json(req.body))))
            if "include_totals" in q:
                raise bad_query("'Additional properties not allowed: include_totals'")
            trigger_id = self._trigger_id(q["triggerId"][-1]) if "triggerId" in q else None
            name = q["actionName"][-1] if "actionName" in q else None
            items = s.list_actions(trigger_id, name, query_bool(q, "deployed"), query_bool(q, "installed"))
            return Response(200, json_bytes(m.page_body("actions", items, *m.query_page(q))))
        if shape == ("actions", "actions", "*"):
            if method == "GET":
                return Response(200, json_bytes(s.get_action(parts[2])))
            if method == "PATCH":
                return Response(200, json_bytes(s.update_action(parts[2], parse_json(req.body))))
            s.delete_action(parts[2], query_bool(q, "force") is True)
            return Response(204)
        if shape == ("actions", "actions", "*", "deploy"):
            return Response(200, json_bytes(s.deploy(parts[2])))
        if shape == ("actions", "actions", "*", "test"):
            return self._test(parts[2], parse_json(req.body))
        if shape == ("actions", "actions", "*", "versions"):
            return Response(200, json_bytes(m.page_body("versions", s.list_versions(parts[2]), *m.query_page(q))))
        if shape == ("actions", "actions", "*", "versions", "*"):
            return Response(200, json_bytes(s.get_version(parts[2], parts[4])))
        if shape == ("actions", "actions", "*", "versions", "*", "deploy"):
            return Response(200, json_bytes(s.rollback(parts[2], parts[4], parse_json(req.body))))
        if shape == ("actions", "triggers"):
            return Response(200, json_bytes({"triggers": copy.deepcopy(m.TRIGGERS)}))
        if shape == ("actions", "triggers", "*", "bindings"):
            trigger_id = self._trigger_id(parts[2])
            if method == "PATCH":
                return Response(200, json_bytes({"bindings": s.set_bindings(trigger_id, parse_json(req.body))}))
            return Response(200, json_bytes(m.page_body("bindings", s.get_bindings(trigger_id), *m.query_page(q))))
        if shape == ("actions", "executions", "*"):
            raise api_error(404, "That execution does not exist.")  # the emulator runs no code
        page, per_page = m.query_page(q)
        return Response(200, json_bytes({"modules": [], "total": 0, "page": page, "per_page": per_page}))

    def _test(self, action_id: str, body: Any) -> Response:
        if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
            raise bad_body("'Missing required property: payload'")
        self.store.get_action(action_id)
        error = {"message": "The emulator does not run action code.", "name": "Error", "stack": ""}
        return Response(200, json_bytes({"payload": {"error": error, "stats": {k: 0 for k in _TEST_STATS}}}))
