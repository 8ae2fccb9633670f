"""`reconciler unlock` deletes only what is provably a lease marker, never a user's hook or
action that is merely named like it."""

from __future__ import annotations

from typing import Any

from reconciler.lease import LEASE_NAME
from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import HOOK_SCRIPT, USER_CODE, env_of


def test_unlock_leaves_a_users_action_named_like_the_marker(emulator_factory: Any) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    tenant.seed(actions=[{"name": LEASE_NAME, "code": USER_CODE, "deployed": True,
                          "supported_triggers": [{"id": "post-login", "version": "v3"}]}])
    result = run_cli(["unlock", "--yes"], env_of(tenant))
    assert result.exit_code == 0, result.output
    assert "Lease removed." not in result.output
    assert [a["code"] for a in tenant.state()["actions"]] == [USER_CODE]


def test_unlock_leaves_a_users_hook_named_like_the_marker(emulator_factory: Any) -> None:
    tenant = emulator_factory()
    tenant.seed([{"name": LEASE_NAME, "triggerId": "credentials-exchange", "enabled": True, "script": HOOK_SCRIPT}])
    result = run_cli(["unlock", "--yes"], env_of(tenant))
    assert "Lease removed." not in result.output
    assert [h["script"] for h in tenant.state()["hooks"]] == [HOOK_SCRIPT]
