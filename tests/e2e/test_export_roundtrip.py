"""`reconciler export` against the emulator: the example tenant (hooks, actions, triggers.json)
applied, exported, and the export planned with the same keyword values is a no-op; hostile
action names land inside the output; keyword values are never written; a tenant without
Actions exports hooks alone, one without Hooks exports actions alone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reconciler.variables import HMAC_ENV
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://canary-namespace.example/", "SLACK_WEBHOOK_URL": "https://canary-slack.example/x",
    "AUDIT_LOG_URL": "https://canary-audit.example/", "AUDIT_LOG_TOKEN": "canary-audit-token",
    "ENTITLEMENTS_API_KEY": "canary-entitlements-key", "SMS_PROVIDER_API_KEY": "canary-sms-provider-key",
}
PL = "post-login"


def env_of(tenant: Any, **more: str) -> dict[str, str]:
    return {**tenant.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), HMAC_ENV: "ci-only-hmac-key",
            "NO_COLOR": "1", **more}


def written(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def no_canary(*texts: str) -> None:
    for text in texts:
        for value in VALUES.values():
            assert value not in text


@pytest.fixture
def tenant(emulator_factory: Any) -> Any:
    return emulator_factory(build_time=0.05, build_time_per_dependency=0.05)


def test_example_tenant_export_plans_as_no_change(tenant: Any, tmp_path: Path) -> None:
    cfg = tmp_path / "tenant-config"
    shutil.copytree(REPO / "tenant-config", cfg)
    env = env_of(tenant)
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    out = tmp_path / "exported"
    exported = run_cli(["export", "-o", str(out)], env)
    assert exported.exit_code == 0, exported.output
    no_canary(exported.output, written(out))
    assert "Exported 6 hooks" in exported.output and "Exported 2 actions" in exported.output
    assert "ENTITLEMENTS_API_KEY" in exported.output and "SMS_PROVIDER_API_KEY" in exported.output
    # deploy-cli's layout, the example's own files reproduced.
    for name in ("add-profile-claims", "send-sms-via-provider"):
        mine = json.loads((cfg / "actions" / f"{name}.json").read_text())
        theirs = json.loads((out / "actions" / f"{name}.json").read_text())
        assert {k: v for k, v in theirs.items() if k != "status"} == mine and theirs["status"] == "built"
        assert (out / "actions" / name / "code.js").read_text() == (cfg / "actions" / name / "code.js").read_text()
    bindings = json.loads((out / "triggers" / "triggers.json").read_text())
    example = json.loads((cfg / "triggers" / "triggers.json").read_text())
    assert {t: v for t, v in bindings.items() if v} == example
    assert "custom-token-exchange" not in bindings  # entity-bound: not bound through triggers.json
    writes = tenant.stats()["writes"]
    again = run_cli(["plan", "-c", str(out), "--detailed-exitcode"], env)
    assert again.exit_code == 0 and "No changes" in again.output, again.output
    assert tenant.stats()["writes"] == writes
    refused = run_cli(["export", "-o", str(out)], env)
    assert refused.exit_code == 1 and "--force" in refused.output
    assert run_cli(["export", "-o", str(out), "--force"], env).exit_code == 0


def test_hostile_action_names_land_inside_the_output(tenant: Any, tmp_path: Path) -> None:
    hostile = ["../../escape", "a/b", ".hidden", "CON", "..", "x\\y"]
    tenant.seed(actions=[
        {"name": n, "supported_triggers": [{"id": PL, "version": "v3"}], "code": f"// {i} {VALUES['AUDIT_LOG_TOKEN']}\n",
         "secrets": [{"name": "TOKEN", "value": "never-exported-secret"}], "deployed": True}
        for i, n in enumerate(hostile)
    ] + [{"name": "market", "supported_triggers": [{"id": PL, "version": "v3"}], "code": "//\n",
          "deployed": True, "integration": {"id": "i"}}],
        bindings={PL: [{"action_name": "a/b", "display_name": "../../display"}, {"action_name": "market"}]})
    out = tmp_path / "box" / "out"
    result = run_cli(["export", "-o", str(out)], env_of(tenant))
    assert result.exit_code == 0, result.output
    files = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(p.parts[:3] == ("box", "out", p.parts[2]) and p.parts[2] in ("actions", "triggers")
                         for p in files), files
    names = {json.loads(p.read_text())["name"] for p in (out / "actions").glob("*.json")}
    assert names == set(hostile)
    assert "not a safe file name" in result.output and "'../../escape'" in result.output
    assert "marketplace action 'market' skipped" in result.output
    assert "##TOKEN## is shared by actions" in result.output
    text = written(out)
    assert "never-exported-secret" not in text and "##AUDIT_LOG_TOKEN##" in text
    no_canary(result.output, text)
    assert json.loads((out / "triggers" / "triggers.json").read_text())[PL] == [
        {"action_name": "a/b", "display_name": "../../display"}, {"action_name": "market", "display_name": "market"}]


def test_a_tenant_without_actions_exports_hooks_alone(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(actions_enabled=False)
    tenant.seed([{"name": "h", "triggerId": "credentials-exchange", "script": "// h\n"}])
    out = tmp_path / "out"
    result = run_cli(["export", "-o", str(out)], env_of(tenant))
    assert result.exit_code == 0, result.output
    assert "no Actions" in result.output and "exported hooks only" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["hooks"]


def test_a_tenant_without_hooks_exports_actions_alone(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    tenant.seed(actions=[{"name": "a", "supported_triggers": [{"id": PL, "version": "v3"}], "code": "// a\n",
                          "deployed": True}], bindings={PL: [{"action_name": "a"}]})
    out = tmp_path / "out"
    result = run_cli(["export", "-o", str(out)], env_of(tenant))
    assert result.exit_code == 0, result.output
    assert "no Hooks" in result.output and "exported actions only" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["actions", "triggers"]
    assert json.loads((out / "triggers" / "triggers.json").read_text())[PL] == [{"action_name": "a", "display_name": "a"}]


def test_a_tenant_with_neither_fails_in_one_line(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False, actions_enabled=False)
    result = run_cli(["export", "-o", str(tmp_path / "out")], env_of(tenant))
    assert result.exit_code == 1 and "nothing to export" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_a_read_hooks_only_client_still_exports_hooks(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(scopes="read:hooks")
    tenant.seed([{"name": "h", "triggerId": "credentials-exchange", "script": "// h\n"}])
    out = tmp_path / "out"
    result = run_cli(["export", "-o", str(out)], env_of(tenant))
    assert result.exit_code == 0, result.output
    assert "lacks scope read:actions: exported hooks only" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["hooks"]
