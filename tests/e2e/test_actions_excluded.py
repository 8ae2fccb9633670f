"""AUTH0_EXCLUDED_ACTIONS end to end (deploy-cli's naming): an excluded live action is never
unbound or deleted, even with --allow-delete; an excluded config action is not written."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.actions_helpers import actions_stats
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://ns.example/", "SLACK_WEBHOOK_URL": "https://slack.example/x",
    "AUDIT_LOG_URL": "https://audit.example/", "AUDIT_LOG_TOKEN": "t", "ENTITLEMENTS_API_KEY": "k",
    "SMS_PROVIDER_API_KEY": "s",
}
THEIRS = {
    "name": "theirs", "code": "exports.onExecutePostLogin = async () => {};",
    "supported_triggers": [{"id": "post-login", "version": "v3"}], "runtime": "node22", "deployed": True,
}


@pytest.fixture
def tenant(emulator_factory: Any) -> Any:
    return emulator_factory(build_time=0.02, build_time_per_dependency=0.02)


def test_excluded_actions_are_left_alone(tenant: Any, tmp_path: Path) -> None:
    cfg = tmp_path / "tenant-config"
    shutil.copytree(REPO / "tenant-config", cfg)
    env = {**tenant.env(), **VALUES}
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).exit_code == 0
    tenant.seed(actions=[THEIRS], bindings={"post-login": [{"action_name": "add-profile-claims"}, {"action_name": "theirs"}]})
    code = cfg / "actions" / "add-profile-claims" / "code.js"
    code.write_text(code.read_text() + "\n// changed\n")

    plain = run_cli(["plan", "-c", str(cfg), "--allow-delete"], env).output
    assert "theirs" in plain and "add-profile-claims" in plain  # what exclusion must prevent

    excluded = {**env, "AUTH0_EXCLUDED_ACTIONS": "theirs,add-profile-claims"}
    shown = run_cli(["plan", "-c", str(cfg), "--allow-delete"], excluded)
    assert shown.exit_code == 0, shown.output
    assert "action add-profile-claims: excluded (AUTH0_EXCLUDED_ACTIONS)" in shown.output
    before = actions_stats(tenant)
    applied = run_cli(["apply", "-c", str(cfg), "--allow-delete", "--yes"], excluded)
    assert applied.exit_code == 0, applied.output
    after = actions_stats(tenant)
    assert after.bound_to("post-login") == ("add-profile-claims", "theirs")
    assert after.since(before).nothing  # no version made, no list changed
    assert {a["name"] for a in tenant.state()["actions"]} >= {"theirs"}
