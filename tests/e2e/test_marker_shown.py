"""Anything that runs on a trigger is shown in plans, a marker-looking hook included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.lease import LEASE_NAME
from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import env_of, hooks_only


def test_an_enabled_marker_hook_is_shown_in_plans(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    marker = '// reconciler-lease {"expires": "2020-01-01T00:00:00+00:00", "holder": "x", "nonce": "n", "since": "2020-01-01T00:00:00+00:00"}\n'
    tenant.seed([{"name": LEASE_NAME, "triggerId": "credentials-exchange", "enabled": True, "script": marker}])
    planned = run_cli(["plan", "-c", str(hooks_only(tmp_path))], env_of(tenant))
    assert planned.exit_code == 0, planned.output
    assert LEASE_NAME in planned.output
