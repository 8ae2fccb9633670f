"""Actions drift through the CLI: a difference the plan only warns about (an action bound on
a managed trigger but left out of triggers.json, kept without --allow-delete) is drift, so
``plan --detailed-exitcode`` exits 2 and says there is nothing to apply; it writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reconciler.render.text import NO_CHANGES
from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://canary-namespace.example/", "ENTITLEMENTS_API_KEY": "canary-entitlements-key",
    "SMS_PROVIDER_API_KEY": "canary-sms-provider-key",
}


def test_a_binding_the_list_lacks_is_a_change_and_apply_unbinds_it(emulator_factory: Any, tmp_path: Path) -> None:
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
    triggers.write_text(json.dumps({**listed, "post-login": []}))  # the trigger follows the list
    writes = tenant.stats()["writes"]
    planned = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode", "--format", "json"], env)
    data = json.loads(planned.output)
    assert planned.exit_code == 2 and data["has_changes"] is True, planned.output
    assert tenant.stats()["writes"] == writes
    unbound = run_cli(["apply", "-c", str(cfg), "--yes"], env)  # no --allow-delete needed
    assert unbound.exit_code == 0, unbound.output
    again = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert again.exit_code == 0 and again.output.rstrip().endswith(NO_CHANGES), again.output
    for value in VALUES.values():
        assert value not in planned.output + unbound.output + again.output
