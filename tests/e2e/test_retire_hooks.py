"""The migration's last mile against the emulator: a config without hooks/ never claims the
tenant matches while hooks run; ``migrate --retire-hooks`` writes the config that deletes
them; a tenant without Hooks gets a path out of the "run migrate" error, not a loop."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.e2e.helpers import live_hooks, run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {"CLAIM_NAMESPACE": "https://ns.example/", "ENTITLEMENTS_API_KEY": "canary-entitlements-7d1",
          "SMS_PROVIDER_API_KEY": "canary-sms-7d1"}
SCRIPT = "module.exports = function (user, context, cb) { cb(null, { user: user }); };\n"
MATCHES = "The tenant matches the configuration"


def actions_only(tmp_path: Path) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(REPO / "tenant-config", cfg)
    shutil.rmtree(cfg / "hooks")
    return cfg


def with_migrated_hook(tmp_path: Path) -> Path:
    """An Actions config that still has the hook its action was migrated from."""
    cfg = actions_only(tmp_path)
    (cfg / "hooks").mkdir()
    (cfg / "hooks" / "add-profile-claims.json").write_text(json.dumps(
        {"name": "add-profile-claims", "script": "./add-profile-claims.js",
         "triggerId": "pre-user-registration", "enabled": False}))
    (cfg / "hooks" / "add-profile-claims.js").write_text(SCRIPT)
    return cfg


def env_of(tenant: Any) -> dict[str, str]:
    return {**tenant.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), "NO_COLOR": "1"}


def seed_legacy(tenant: Any) -> None:
    tenant.seed([{"name": "legacy", "triggerId": "credentials-exchange", "enabled": True,
                  "script": "module.exports = function (c, s, a, ctx, cb) { cb(null, {}); };"}])


def test_a_config_without_hooks_names_the_live_hooks_it_leaves_running(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    seed_legacy(tenant)
    cfg, env = actions_only(tmp_path), env_of(tenant)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    planned = run_cli(["plan", "-c", str(cfg), "--allow-delete", "--detailed-exitcode"], env)
    assert planned.exit_code == 2, planned.output  # drift: hooks still run
    assert MATCHES not in planned.output
    assert "hooks are not managed (the config has no hooks/)" in planned.output
    assert "live hooks are left running: legacy (1 hook)" in planned.output
    assert "--retire-hooks" in planned.output
    as_json = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert as_json["unmanaged"] == ["legacy"] and as_json["has_drift"] is True
    assert [h["name"] for h in live_hooks(tenant).values()] == ["legacy"]


def test_without_hooks_on_the_tenant_an_actions_only_config_still_matches(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    cfg, env = actions_only(tmp_path), env_of(tenant)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    planned = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert planned.exit_code == 0 and MATCHES in planned.output, planned.output


def test_retire_hooks_writes_the_config_that_deletes_them(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    seed_legacy(tenant)
    cfg, env = with_migrated_hook(tmp_path), env_of(tenant)
    shown = run_cli(["migrate", "-c", str(cfg), "--retire-hooks"], env)
    assert shown.exit_code == 0, shown.output
    assert "add-profile-claims.js" in shown.output and "+# Hooks retired" in shown.output
    assert (cfg / "hooks" / "add-profile-claims.json").exists()  # a diff only
    written = run_cli(["migrate", "-c", str(cfg), "--retire-hooks", "--write"], env)
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in (cfg / "hooks").iterdir()) == ["README.md"]
    planned = run_cli(["plan", "-c", str(cfg), "--allow-delete"], env)
    assert planned.exit_code == 0 and "- legacy (credentials-exchange)" in planned.output, planned.output
    assert run_cli(["apply", "-c", str(cfg), "--allow-delete", "--yes"], env).exit_code == 0
    assert live_hooks(tenant) == {}
    again = run_cli(["plan", "-c", str(cfg), "--allow-delete", "--detailed-exitcode"], env)
    assert again.exit_code == 0 and MATCHES in again.output, again.output
    assert "already retired" in run_cli(["migrate", "-c", str(cfg), "--retire-hooks"], env).output


def test_retire_hooks_refuses_a_hook_that_has_no_action_yet(tmp_path: Path) -> None:
    cfg = with_migrated_hook(tmp_path)
    (cfg / "hooks" / "orphan.json").write_text(json.dumps(
        {"name": "orphan", "script": "./orphan.js", "triggerId": "credentials-exchange", "enabled": True}))
    (cfg / "hooks" / "orphan.js").write_text(SCRIPT)
    refused = run_cli(["migrate", "-c", str(cfg), "--retire-hooks", "--write"], {"NO_COLOR": "1"})
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "orphan" in refused.output and "migrate --write" in refused.output
    assert (cfg / "hooks" / "orphan.json").exists() and (cfg / "hooks" / "add-profile-claims.js").exists()


def test_a_tenant_without_hooks_has_a_way_out_of_the_migrate_error(emulator_factory: Any, tmp_path: Path) -> None:
    # The runbook: migrate offline (done: the action exists), retire hooks/, bind, apply.
    tenant = emulator_factory(hooks_enabled=False)
    cfg, env = with_migrated_hook(tmp_path), env_of(tenant)
    refused = run_cli(["plan", "-c", str(cfg)], env)
    assert refused.exit_code == 1
    error = [line for line in refused.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "migrate --retire-hooks --write" in error[0], refused.output
    assert run_cli(["migrate", "-c", str(cfg), "--retire-hooks", "--write"], env).exit_code == 0
    applied = run_cli(["apply", "-c", str(cfg), "--allow-delete", "--yes"], env)
    assert applied.exit_code == 0, applied.output
    again = run_cli(["plan", "-c", str(cfg), "--allow-delete", "--detailed-exitcode"], env)
    assert again.exit_code == 0 and MATCHES in again.output, again.output


def test_retire_hooks_refuses_a_hook_that_still_runs_its_trigger(tmp_path: Path) -> None:
    # Enabled, and its action not bound there (a rolled-back trigger): retiring it would
    # leave the trigger running nothing.
    cfg = with_migrated_hook(tmp_path)
    metadata = cfg / "hooks" / "add-profile-claims.json"
    metadata.write_text(json.dumps({**json.loads(metadata.read_text()), "enabled": True}))
    refused = run_cli(["migrate", "-c", str(cfg), "--retire-hooks", "--write"], {"NO_COLOR": "1"})
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "add-profile-claims (pre-user-registration)" in refused.output and "triggers/triggers.json" in refused.output
    assert metadata.exists()


def test_a_saved_plan_with_hooks_left_running_applies(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    seed_legacy(tenant)
    cfg, env = actions_only(tmp_path), env_of(tenant)
    saved = tmp_path / "plan.json"
    made = run_cli(["plan", "-c", str(cfg), "--out", str(saved)], env)
    assert made.exit_code == 0 and "live hooks are left running: legacy" in made.output, made.output
    assert json.loads(saved.read_text())["unmanaged"] == ["legacy"]
    applied = run_cli(["apply", str(saved), "-c", str(cfg)], env)
    assert applied.exit_code == 0, applied.output
    assert [h["name"] for h in live_hooks(tenant).values()] == ["legacy"]
