"""`apply --lock-timeout` against the emulator: a lease another run holds is waited for
(one line naming the holder and when its lease expires), and once the wait is over the
refusal says the same; without the option the refusal comes at once, with the expiry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reconciler.api.client import ManagementClient
from reconciler.config import connection_from_env
from reconciler.lease import Lease
from reconciler.lease_actions import lease_store
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {"CLAIM_NAMESPACE": "https://ns.example/", "ENTITLEMENTS_API_KEY": "k", "SMS_PROVIDER_API_KEY": "s"}


def test_apply_waits_for_a_held_lease_then_says_who_holds_it_until_when(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    cfg = tmp_path / "cfg"
    shutil.copytree(REPO / "tenant-config", cfg)
    shutil.rmtree(cfg / "hooks")
    env = {**tenant.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), "NO_COLOR": "1"}
    with ManagementClient(connection_from_env(tenant.env())) as client:
        held = Lease(lease_store(client), "other run pid 7", renew_every=0)
        held.acquire()
        try:
            at_once = run_cli(["apply", "-c", str(cfg), "--yes"], env)
            assert at_once.exit_code == 1 and "waiting up to" not in at_once.output
            assert "tenant is locked by other run pid 7 since" in at_once.output and ", until " in at_once.output
            waited = run_cli(["apply", "-c", str(cfg), "--yes", "--lock-timeout", "0.2"], env)
            assert waited.exit_code == 1, waited.output
            lines = waited.output.splitlines()
            wait = [line for line in lines if line.startswith("waiting up to")]
            assert len(wait) == 1 and "tenant is locked by other run pid 7" in wait[0] and ", until " in wait[0]
            assert [line for line in lines if line.startswith("error:") and "locked by other run" in line]
        finally:
            held.release()
    assert all(a["name"] != "add-profile-claims" for a in tenant.state()["actions"])
    done = run_cli(["apply", "-c", str(cfg), "--yes", "--lock-timeout", "5"], env)
    assert done.exit_code == 0 and "waiting up to" not in done.output, done.output
