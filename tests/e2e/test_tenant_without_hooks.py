"""Auth0 ended Hooks on 2026-11-18: a tenant without them still takes an Actions-only config
(plan, apply under the Actions-backed lease, a no-op re-plan), and a config with hooks gets one
line saying the tenant has none, with nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {"CLAIM_NAMESPACE": "https://ns.example/", "ENTITLEMENTS_API_KEY": "canary-entitlements-7d1",
          "SMS_PROVIDER_API_KEY": "canary-sms-7d1"}


def actions_only(tmp_path: Path) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(REPO / "tenant-config", cfg)
    shutil.rmtree(cfg / "hooks")
    return cfg


def env_of(tenant: Any) -> dict[str, str]:
    return {**tenant.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), "NO_COLOR": "1"}


def test_an_actions_only_config_applies_to_a_tenant_without_hooks(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    cfg, env = actions_only(tmp_path), env_of(tenant)
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    state = tenant.state()
    assert sorted(a["name"] for a in state["actions"]) == ["add-profile-claims", "send-sms-via-provider"]
    again = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert again.exit_code == 0, again.output
    for value in VALUES.values():
        assert value not in applied.output + again.output


def test_a_config_with_hooks_is_refused_in_one_line_by_a_tenant_without_hooks(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    cfg = tmp_path / "cfg"
    shutil.copytree(REPO / "tenant-config", cfg)
    env = {**env_of(tenant), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(
        {**VALUES, "SLACK_WEBHOOK_URL": "https://s.example/", "AUDIT_LOG_URL": "https://a.example/", "AUDIT_LOG_TOKEN": "t"})}
    writes = tenant.stats()["writes"]
    refused = run_cli(["plan", "-c", str(cfg)], env)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    errors = [line for line in refused.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no Hooks" in errors[0] and "reconciler migrate" in errors[0]
    assert tenant.stats()["writes"] == writes


def test_a_config_without_hooks_leaves_live_hooks_alone_even_with_deletes_allowed(emulator_factory: Any, tmp_path: Path) -> None:
    # deploy-cli's rule: a resource type absent from the config is not managed at all.
    tenant = emulator_factory()
    tenant.seed([{"name": "legacy", "triggerId": "credentials-exchange", "enabled": True,
                  "script": "module.exports = function (c, s, a, ctx, cb) { cb(null, {}); };"}])
    cfg, env = actions_only(tmp_path), {**env_of(tenant), "AUTH0_ALLOW_DELETE": "true"}
    planned = run_cli(["plan", "-c", str(cfg)], env)
    assert planned.exit_code == 0 and "- legacy" not in planned.output, planned.output
    # Left alone, but named: the plan never says the tenant matches while a hook runs.
    assert "live hooks are left running: legacy" in planned.output
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    hooks = [h for h in tenant.state()["hooks"] if h["name"] != "reconciler-lease"]
    assert [(h["name"], h["enabled"]) for h in hooks] == [("legacy", True)]
