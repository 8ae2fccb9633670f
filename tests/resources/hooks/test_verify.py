"""After apply the tenant is read back: a server that answers 200 but does not apply must
not end in "Apply complete" (a tiny threaded server plays that server for the CLI)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from reconciler.lease import LEASE_NAME
from reconciler.resources.hooks.export import write_config
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.hooks.verify import differences
from reconciler.resources.options import PlanOptions
from tests.e2e.helpers import run_cli

PRE = "pre-user-registration"


class Forgetful:
    """Hooks in memory; acknowledges every write, applies only the lease marker's."""

    def __init__(self) -> None:
        self.hooks: dict[str, dict[str, Any]] = {
            "old": {"id": "old", "name": "old", "triggerId": PRE, "script": "// old\n", "enabled": True, "dependencies": {}},
        }
        self.writes = 0

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")  # api v2 hooks [id [secrets]]
        if method == "GET" and parts == ["api", "v2", "hooks"]:
            hooks = list(self.hooks.values())
            return 200, {"total": len(hooks), "start": 0, "limit": 100, "hooks": hooks}
        if method == "GET" and len(parts) == 5:
            return 200, {}
        if method == "GET" and parts[:3] == ["api", "v2", "actions"]:  # a tenant without Actions
            return 403, {"statusCode": 403, "error": "Forbidden", "message": "feature not enabled",
                         "errorCode": "feature_not_enabled"}
        self.writes += 1
        if method == "POST" and len(parts) == 3:
            hook = {"id": f"h{self.writes}", "dependencies": {}, **body}
            if body.get("name") == LEASE_NAME:
                if any(h["name"] == LEASE_NAME for h in self.hooks.values()):
                    return 409, {"statusCode": 409, "message": "exists"}
                self.hooks[hook["id"]] = hook
            return 201, hook
        hook_id = parts[3] if len(parts) > 3 else ""
        if method == "DELETE" and len(parts) == 4 and self.hooks.get(hook_id, {}).get("name") == LEASE_NAME:
            del self.hooks[hook_id]
        if method == "PATCH" and len(parts) == 4:
            return 200, {**self.hooks.get(hook_id, {"id": hook_id}), **body}
        return (204, None) if method == "DELETE" else (200, {})


@pytest.fixture
def forgetful() -> Iterator[tuple[Forgetful, str]]:
    tenant = Forgetful()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            status, answer = tenant.handle(self.command, urlsplit(self.path).path, body)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tenant, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "old_enabled, message",
    [
        # No hand-over: only the read-back can tell.
        (True, "error: the server acknowledged the writes but the tenant does not show them: hook new is missing"),
        # A hand-over: the re-read before the enable already sees the old hook still enabled.
        (False, "not enabling new: hook 'old' is enabled on pre-user-registration"),
    ],
)
def test_acknowledged_but_not_applied_is_an_error(forgetful: tuple[Forgetful, str], tmp_path: Path, old_enabled: bool, message: str) -> None:
    tenant, url = forgetful
    config = write_config(tmp_path / "config", [
        {"name": "old", "triggerId": PRE, "enabled": old_enabled, "script": "// old v2\n"},
        {"name": "new", "triggerId": PRE, "enabled": not old_enabled, "script": "// new\n"},
    ])
    result = run_cli(["apply", "-c", str(config), "--yes"], {"AUTH0_DOMAIN": url, "AUTH0_ACCESS_TOKEN": "t0ken"})
    assert result.exit_code == 1, result.output
    assert "Apply complete" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("error:")]) == 1
    assert message in result.output, result.output
    assert tenant.writes >= 3 and not any(h["name"] == LEASE_NAME for h in tenant.hooks.values())


def test_differences_name_each_unapplied_field() -> None:
    desired = DesiredState((Hook("a", PRE, "// v2\n", True, {"lodash": "4"}, {"K": "v"}),))
    before = LiveState((LiveHook("1", "a", PRE, "// v1\n", False, secret_keys=frozenset({"OLD"})),))
    plan = build_plan(desired, before, PlanOptions(allow_delete=True))
    found = differences(plan, desired, before)  # nothing was applied
    assert "hook a: script differs" in found and "hook a: dependencies differ" not in found
    assert "hook a: enabled differs" in found and any("secret keys" in f for f in found)
    assert any(f.startswith("trigger pre-user-registration: enabled is none") for f in found)
    after = LiveState((LiveHook("1", "a", PRE, "// v2\n", True, {"lodash": "4"}, frozenset({"K"})),))
    assert differences(plan, desired, after) == []
