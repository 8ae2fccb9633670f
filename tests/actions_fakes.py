"""Shared by the Actions API and live-state tests (not a test module): answers in the shapes
the real API gives (``shared/auth0-api/actions.md`` and its recordings), a router to script
a server behind httpx.MockTransport, and a reader for the recorded exchanges."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import yaml

from tests.api.api_helpers import Server
from tests.shared_api import RECORDINGS_DIR

RECORDINGS = RECORDINGS_DIR
CODE = "exports.onExecutePostLogin = async (event, api) => {};"
STAMP = "2026-05-29T10:46:02.594769258Z"


def action(i: int | str, *, trigger: str = "post-login", version: str = "v3", status: object = "built",
           secrets: tuple[str, ...] = (), deps: tuple[tuple[str, str], ...] = (), deployed: int | None = None,
           **fields: Any) -> dict[str, Any]:
    """An action as 2026 GETs show it; ``deployed=N`` adds a live version N equal to the draft."""
    body: dict[str, Any] = {
        "id": f"act-{i}", "name": f"action-{i}", "supported_triggers": [{"id": trigger, "version": version}],
        "created_at": STAMP, "updated_at": STAMP, "code": CODE,
        "dependencies": [{"name": n, "version": v} for n, v in deps], "runtime": "node22", "status": status,
        "secrets": [{"name": s, "updated_at": STAMP} for s in secrets], "all_changes_deployed": False,
    }
    if deployed is not None:
        body["deployed_version"] = version_of(body, deployed, deployed=True)
        body["all_changes_deployed"] = True
    body.update(fields)
    return body


def version_of(draft: dict[str, Any], number: int, *, deployed: bool, status: str = "built") -> dict[str, Any]:
    """A version snapshot of ``draft`` (the deploy answer has deployed false, even on success)."""
    return {
        "code": draft["code"], "dependencies": draft["dependencies"], "id": f"ver-{draft['id']}-{number}",
        "deployed": deployed, "number": number, "secrets": draft["secrets"], "status": status,
        "created_at": STAMP, "updated_at": STAMP, "runtime": draft["runtime"],
        "supported_triggers": draft["supported_triggers"],
        "action": {"id": draft["id"], "name": draft["name"], "supported_triggers": draft["supported_triggers"],
                   "created_at": STAMP, "updated_at": STAMP, "all_changes_deployed": False},
    }


def binding(act: dict[str, Any], display: str | None = None, n: int = 0) -> dict[str, Any]:
    return {"id": f"bind-{n}-{act['id']}", "trigger_id": act["supported_triggers"][0]["id"],
            "action": {k: act[k] for k in ("id", "name", "supported_triggers", "created_at", "updated_at")}
            | {"all_changes_deployed": False},
            "created_at": STAMP, "updated_at": STAMP, "display_name": display or act["name"]}


def page(key: str, items: list[Any], number: int = 0, total: int | None = None, per_page: int = 100) -> dict[str, Any]:
    """A list page as the real API writes it: zero-valued keys left out."""
    body: dict[str, Any] = {key: items}
    total = len(items) if total is None else total
    if total:
        body["total"] = total
    if number:
        body["page"] = number
    body["per_page"] = per_page
    return body


TRIGGERS_2026 = {"triggers": [
    {"id": "post-login", "version": "v3", "status": "CURRENT", "runtimes": ["node18-actions", "node22"],
     "default_runtime": "node22", "binding_policy": "trigger-bound", "compatible_triggers": [{"id": "post-login", "version": "v2"}]},
    {"id": "post-login", "version": "v2", "status": "DEPRECATED", "runtimes": ["node18", "node22"],
     "default_runtime": "node16", "binding_policy": "trigger-bound", "compatible_triggers": []},
    {"id": "credentials-exchange", "version": "v2", "status": "CURRENT", "runtimes": ["node18-actions", "node22"],
     "default_runtime": "node22", "binding_policy": "trigger-bound", "compatible_triggers": []},
    {"id": "send-phone-message", "version": "v2", "status": "CURRENT", "runtimes": ["node18-actions", "node22"],
     "default_runtime": "node22", "binding_policy": "trigger-bound", "compatible_triggers": []},
    {"id": "custom-token-exchange", "version": "v1", "status": "CURRENT", "runtimes": ["node18", "node22"],
     "default_runtime": "node22", "binding_policy": "entity-bound", "compatible_triggers": []},
]}


def json_response(status: int, body: Any = None) -> httpx.Response:
    return httpx.Response(status) if body is None else httpx.Response(status, json=body)


def not_found() -> httpx.Response:
    """The real 404 of the Actions endpoints: no errorCode."""
    return httpx.Response(404, json={"statusCode": 404, "error": "Not Found", "message": "That action does not exist."})


Route = Callable[[httpx.Request], httpx.Response] | httpx.Response | list[httpx.Response]


class Router:
    """``{"GET /api/v2/actions/actions": answer, ...}``; the key is matched on method and path
    (no query). An answer is a response, a function of the request, or a list answered in turn
    (the last one repeats). Unrouted requests get a 599 so a test sees them."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = dict(routes)
        self.bodies: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content) if request.content else None)
        key = f"{request.method} {request.url.path}"
        answer = self.routes.get(key)
        if answer is None:
            return httpx.Response(599, text=f"unrouted {key}")
        if isinstance(answer, list):
            return answer.pop(0) if len(answer) > 1 else answer[0]
        return answer(request) if callable(answer) else answer

    def server(self) -> Server:
        return Server(self)


def recorded(name: str, index: int) -> tuple[int, Any]:
    """(status, parsed body) of interaction ``index`` of a go-vcr recording in shared/."""
    path = RECORDINGS / name
    if not path.is_file():
        pytest.skip(f"{path} not present (shared/auth0-api holds the recorded Auth0 exchanges)")
    data = yaml.safe_load(path.read_text())
    response = data["interactions"][index]["response"]
    body = response["body"]
    return int(response["code"]), (json.loads(body) if body else None)


def recorded_deploy_cli(pattern: str) -> list[tuple[str, str, int, Any]]:
    """(method, path, status, body) of the deploy-cli excerpt's entries whose path matches."""
    path = RECORDINGS / "auth0-deploy-cli_e2e_actions-excerpt.json"
    if not path.is_file():
        pytest.skip(f"{path} not present (shared/auth0-api holds the recorded Auth0 exchanges)")
    out = []
    for entries in json.loads(path.read_text())["files"].values():
        for e in entries:
            if re.search(pattern, e["method"] + " " + e["path"]):
                raw = e["response"]
                body = json.loads(raw) if isinstance(raw, str) and raw not in ("", '""') else (raw or None)
                out.append((e["method"], e["path"], int(e["status"]), body))
    return out
