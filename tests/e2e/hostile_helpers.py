"""Shared by the lease and Actions-server attack tests (issue 18): small configs, the
environment for the CLI (optionally through :mod:`e2e.hostile_proxy`), and what to look at."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.lease import LEASE_NAME
from tests.e2e.hostile_proxy import Seen

REPO = Path(__file__).resolve().parents[2]
VALUES = {"CLAIM_NAMESPACE": "https://ns.example/", "ENTITLEMENTS_API_KEY": "canary-entitlements-18",
          "SMS_PROVIDER_API_KEY": "canary-sms-18"}
ACTIONS = "/api/v2/actions/actions"
HOOKS = "/api/v2/hooks"
USER_CODE = "exports.onExecutePostLogin = async (event, api) => { api.access.deny('maintenance'); };\n"
HOOK_SCRIPT = "module.exports = function (client, scope, audience, context, cb) { cb(null, {}); };\n"


def actions_only(tmp_path: Path) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(REPO / "tenant-config", cfg, dirs_exist_ok=True)
    shutil.rmtree(cfg / "hooks")
    return cfg


def hooks_only(tmp_path: Path, names: tuple[str, ...] = ("one",), enabled: bool = False) -> Path:
    cfg = tmp_path / "hooks-cfg"
    (cfg / "hooks").mkdir(parents=True, exist_ok=True)
    for name in names:
        (cfg / "hooks" / f"{name}.js").write_text(HOOK_SCRIPT + f"// {name}\n")
        (cfg / "hooks" / f"{name}.json").write_text(json.dumps(
            {"name": name, "triggerId": "credentials-exchange", "enabled": enabled, "script": f"./{name}.js"}))
    return cfg


def env_of(base: Any, url: str | None = None, **more: str) -> dict[str, str]:
    env = {**base.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), "NO_COLOR": "1", **more}
    if url:
        env["AUTH0_DOMAIN"] = url
    return env


def markers(tenant: Any) -> list[dict[str, Any]]:
    state = tenant.state()
    return [r for kind in ("hooks", "actions") for r in state.get(kind, []) if r["name"] == LEASE_NAME]


def is_lease_create(path: str) -> Callable[[Seen], bool]:
    return lambda r: r.method == "POST" and r.path == path and (r.json() or {}).get("name") == LEASE_NAME


def one_line_error(output: str) -> None:
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1, output
