"""Interrupted Actions applies converge: `reconciler apply` (a real subprocess) is SIGKILLed at
a few points of the migrated example's apply (creates and builds, deploys, binds and the
cutovers), then `reconciler unlock --yes` if the lease left behind blocks, and `apply` again.

Each trial then checks: the plan shows no changes; every action exists once (no duplicate
from a create the kill cut short); every bound action has a deployed version and the
emulator never refused a bind of an undeployed one; every hook is disabled; and
send-phone-message never ran a hook and an action together (at most one SMS), even killed
between the cutover's two requests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reconciler.lease import LEASE_NAME
from tests.e2e.actions_helpers import actions_stats
from tests.e2e.cutover_helpers import DEFAULT_KINDS, SPM, env_of, migrated_config
from tests.e2e.helpers import run_cli

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
POINTS = (0.2, 0.45, 0.7, 0.9)  # where in the apply's requests the kill lands


@pytest.fixture
def make_tenant(emulator_factory: Any) -> Any:
    return lambda: emulator_factory(build_time=0.05, build_time_per_dependency=0.05)


def requests(tenant: Any) -> int:
    return int(tenant.stats()["requests"])


def apply_size(make_tenant: Any, tmp_path: Path) -> int:
    """Requests one uninterrupted apply of the migrated example makes."""
    tenant = make_tenant()
    cfg = migrated_config(tenant, tmp_path / "size")
    before = requests(tenant)
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env_of(tenant)).exit_code == 0
    return requests(tenant) - before


def kill_apply_after(tenant: Any, cfg: Path, count: int) -> bool:
    env = {**os.environ, **env_of(tenant), "PYTHONUNBUFFERED": "1"}
    for name in ("AUTH0_ALLOW_DELETE", "AUTH0_ACCESS_TOKEN", "AUTH0_CUTOVER"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "-c", str(cfg), "--yes"],
        env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    target = requests(tenant) + count
    deadline = time.monotonic() + 60
    while proc.poll() is None and requests(tenant) < target and time.monotonic() < deadline:
        time.sleep(0.002)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return killed


def converge(tenant: Any, cfg: Path) -> list[str]:
    """apply until it succeeds (unlock when the killed run's lease blocks); the outputs."""
    outputs = []
    for _ in range(4):
        run = run_cli(["apply", "-c", str(cfg), "--yes"], env_of(tenant))
        outputs.append(run.output)
        if run.exit_code == 0:
            return outputs
        if "lease" in run.output.lower() or "locked" in run.output.lower():
            unlocked = run_cli(["unlock", "--yes"], env_of(tenant))
            assert unlocked.exit_code == 0, unlocked.output
    raise AssertionError("no successful apply after the kill:\n" + "\n---\n".join(outputs))


@pytest.mark.parametrize("point", POINTS)
def test_killed_actions_apply_converges(make_tenant: Any, tmp_path: Path, point: float) -> None:
    size = apply_size(make_tenant, tmp_path)
    tenant = make_tenant()
    cfg = migrated_config(tenant, tmp_path / "trial")
    tenant.configure(latency_ms=10)  # so the kill lands within a request or two of the point
    killed = kill_apply_after(tenant, cfg, max(1, int(size * point)))
    tenant.configure(latency_ms=0)
    outputs = converge(tenant, cfg)

    again = run_cli(["plan", "-c", str(cfg)], env_of(tenant))
    assert again.exit_code == 0 and "No changes" in again.output, again.output
    state = tenant.state()
    names = Counter(a["name"] for a in state["actions"] if a["name"] != LEASE_NAME)
    assert names and max(names.values()) == 1, names  # no duplicate action
    stats = actions_stats(tenant)
    for trigger in DEFAULT_KINDS:
        for name in stats.bound_to(trigger):
            assert stats.versions(name) >= 1, (trigger, name)  # bound only once deployed
    assert all(not h["enabled"] for h in state["hooks"] if h["name"] != LEASE_NAME)
    assert not stats.both_ran(SPM)
    raw = tenant.stats()
    assert not raw.get("by_status", {}).get("400"), raw.get("by_status")  # no refused bind or deploy
    print(f"\nkill at {point:.0%} of {size} requests: killed={killed}, applies after: {len(outputs)}")
