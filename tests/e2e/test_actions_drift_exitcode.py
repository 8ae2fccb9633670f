"""Actions drift through the CLI: a difference the plan only warns about (an action bound on
a managed trigger but left out of triggers.json, kept without --allow-delete) is drift, so
``plan --detailed-exitcode`` exits 2 and says there is nothing to apply; it writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from e2e.helpers import run_cli
from reconciler.render.text import NO_CHANGES, NOTHING_TO_APPLY

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://canary-namespace.example/", "ENTITLEMENTS_API_KEY": "canary-entitlements-key",
    "SMS_PROVIDER_API_KEY": "canary-sms-provider-key",
}


def test_a_binding_left_in_place_is_drift_exit_2(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(build_time=0.02, build_time_per_dependency=0.02)
    cfg = tmp_path / "actions-only"
    shutil.copytree(REPO / "tenant-config", cfg, ignore=shutil.ignore_patterns("hooks", "tests"))
    env = {**tenant.env(), **VALUES}
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    clean = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert clean.exit_code == 0 and clean.output.rstrip().endswith(NO_CHANGES), clean.output

    triggers = cfg / "triggers" / "triggers.json"
    listed = json.loads(triggers.read_text())
    triggers.write_text(json.dumps({**listed, "post-login": []}))  # add-profile-claims stays bound
    writes = tenant.stats()["writes"]
    drift = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert drift.exit_code == 2, drift.output
    assert "add-profile-claims is bound but not in triggers.json; left bound" in drift.output
    assert drift.output.rstrip().splitlines()[-1] == NOTHING_TO_APPLY
    as_json = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode", "--format", "json"], env)
    data = json.loads(as_json.output)
    assert as_json.exit_code == 2 and data["has_drift"] is True and data["has_changes"] is False
    assert tenant.stats()["writes"] == writes
    for value in VALUES.values():
        assert value not in drift.output + as_json.output
