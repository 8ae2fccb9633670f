"""Actions end to end: the CLI against the emulator (a real HTTP server). The example tenant
(hooks + actions + triggers.json), a no-op that makes zero writes and zero versions, one
change, a reorder, unbind and delete, a failed build, an interrupted apply, three formats,
and no secret or keyword value in any output."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://canary-namespace.example/", "SLACK_WEBHOOK_URL": "https://canary-slack.example/x",
    "AUDIT_LOG_URL": "https://canary-audit.example/", "AUDIT_LOG_TOKEN": "canary-audit-token",
    "ENTITLEMENTS_API_KEY": "canary-entitlements-key", "SMS_PROVIDER_API_KEY": "canary-sms-provider-key",
}
CANARIES = [v for k, v in VALUES.items()]
PL, SPM = "post-login", "send-phone-message"


@pytest.fixture
def tenant(emulator_factory: Callable[..., EmulatorProcess]) -> EmulatorProcess:
    return emulator_factory(build_time=0.05, build_time_per_dependency=0.05, bad_dependencies="crypto@17.7.1")


def config(tmp_path: Path) -> Path:
    target = tmp_path / "tenant-config"
    shutil.copytree(REPO / "tenant-config", target)
    return target


def env_of(tenant: EmulatorProcess) -> dict[str, str]:
    return {**tenant.env(), **VALUES}


def triggers(cfg: Path, data: dict[str, Any]) -> None:
    (cfg / "triggers" / "triggers.json").write_text(json.dumps(data))


def bound(tenant: EmulatorProcess) -> dict[str, list[str]]:
    found: dict[str, list[str]] = tenant.stats().get("bound_per_trigger", {})
    return found


def no_canary(text: str) -> None:
    for value in CANARIES:
        assert value not in text


def test_example_tenant_applies_then_a_no_op_writes_nothing(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg, env = config(tmp_path), env_of(tenant)
    for fmt in ("text", "json", "markdown"):
        shown = run_cli(["plan", "-c", str(cfg), "--format", fmt], env)
        assert shown.exit_code == 0, shown.output
        no_canary(shown.output)
    text = run_cli(["plan", "-c", str(cfg)], env).output
    assert "bindings of post-login" in text and "Actions deployed" in text and "##CLAIM_NAMESPACE##" in text
    data = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert {part["type"] for part in data["resources"]} == {"action", "bindings"}
    assert "Bindings of" in run_cli(["plan", "-c", str(cfg), "--format", "markdown"], env).output
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    no_canary(applied.output)
    stats = tenant.stats()
    assert bound(tenant) == {PL: ["add-profile-claims"], SPM: ["send-sms-via-provider"]}
    assert stats["versions_created"] == {"add-profile-claims": 1, "send-sms-via-provider": 1}
    writes, requests = stats["writes"], stats["requests"]
    again = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert again.exit_code == 0 and "No changes" in again.output
    after = tenant.stats()
    assert after["writes"] == writes and after["versions_created"] == stats["versions_created"]
    assert after["requests"] - requests <= 15  # token, hooks, actions, triggers, bindings


def test_one_change_reorder_unbind_and_delete(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg, env = config(tmp_path), env_of(tenant)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    code = cfg / "actions" / "add-profile-claims" / "code.js"
    code.write_text(code.read_text() + "\n// changed\n")
    shutil.copytree(cfg / "actions" / "add-profile-claims", cfg / "actions" / "second")
    doc = json.loads((cfg / "actions" / "add-profile-claims.json").read_text())
    (cfg / "actions" / "second.json").write_text(json.dumps({**doc, "name": "second", "code": "./actions/second/code.js"}))
    triggers(cfg, {PL: [{"action_name": "second", "display_name": "Second"},
                        {"action_name": "add-profile-claims", "display_name": "Add profile claims"}],
                   SPM: [{"action_name": "send-sms-via-provider", "display_name": "Send SMS via provider"}]})
    writes = tenant.stats()["writes"]
    changed = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert changed.exit_code == 0, changed.output
    stats = tenant.stats()
    assert stats["versions_created"] == {"add-profile-claims": 2, "send-sms-via-provider": 1, "second": 1}
    assert bound(tenant)[PL] == ["second", "add-profile-claims"]
    # update + deploy, create + deploy, one bindings PATCH (+ the lease's writes)
    assert stats["writes"] - writes <= 5 + 4
    triggers(cfg, {PL: [{"action_name": "add-profile-claims", "display_name": "Add profile claims"},
                        {"action_name": "second", "display_name": "Second"}],
                   SPM: [{"action_name": "send-sms-via-provider", "display_name": "Send SMS via provider"}]})
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    assert bound(tenant)[PL] == ["add-profile-claims", "second"]
    assert tenant.stats()["versions_created"]["second"] == 1  # a reorder deploys nothing
    # drop "second": unbound at once (the trigger follows its list), the action kept
    # without --allow-delete, deleted with it
    shutil.rmtree(cfg / "actions" / "second")
    (cfg / "actions" / "second.json").unlink()
    triggers(cfg, {PL: [{"action_name": "add-profile-claims", "display_name": "Add profile claims"}],
                   SPM: [{"action_name": "send-sms-via-provider", "display_name": "Send SMS via provider"}]})
    kept = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert kept.exit_code == 0 and "pass --allow-delete" in kept.output
    assert bound(tenant)[PL] == ["add-profile-claims"] and tenant.stats()["actions"] == 3
    deleted = run_cli(["apply", "-c", str(cfg), "--yes", "--allow-delete"], env)
    assert deleted.exit_code == 0, deleted.output
    assert bound(tenant)[PL] == ["add-profile-claims"] and tenant.stats()["actions"] == 2


def test_a_failed_build_binds_nothing_and_the_old_version_keeps_running(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg, env = config(tmp_path), env_of(tenant)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    history = tenant.stats()["binding_history"]
    doc = json.loads((cfg / "actions" / "add-profile-claims.json").read_text())
    doc["dependencies"] = [{"name": "crypto", "version": "17.7.1"}]
    (cfg / "actions" / "add-profile-claims.json").write_text(json.dumps(doc))
    failed = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert failed.exit_code == 1 and "failed" in failed.output
    assert len(failed.output.strip().splitlines()[-1]) < 400
    stats = tenant.stats()
    assert stats["versions_created"]["add-profile-claims"] == 1  # nothing deployed
    assert stats["binding_history"] == history  # nothing bound
    assert bound(tenant)[PL] == ["add-profile-claims"]


def test_saved_plan_is_bound_to_the_actions_tenant(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg, env = config(tmp_path), env_of(tenant)
    out = tmp_path / "plan.json"
    assert run_cli(["plan", "-c", str(cfg), "--out", str(out)], env).exit_code == 0
    no_canary(out.read_text())
    code = cfg / "actions" / "send-sms-via-provider" / "code.js"
    code.write_text(code.read_text() + "\n// edited after the plan\n")
    refused = run_cli(["apply", str(out), "-c", str(cfg)], env)
    assert refused.exit_code == 1 and tenant.stats()["versions_created"] == {}
    code.write_text(code.read_text().replace("\n// edited after the plan\n", ""))
    assert run_cli(["apply", str(out), "-c", str(cfg)], env).exit_code == 0
