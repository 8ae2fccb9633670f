"""Two applies at once on one tenant, and Ctrl-C during apply: real subprocesses against
the emulator. Invariants are read from /__emulator/stats: never two enabled hooks on a
trigger, and the lease is always given back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.emulator.process import EmulatorProcess
from reconciler.lease import LEASE_NAME
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import live_hooks

REPO = Path(__file__).resolve().parents[2]
PRE = "pre-user-registration"
CRED = "credentials-exchange"


def _config(root: Path, tag: str, count: int) -> Path:
    hooks: list[dict[str, Any]] = [{"name": f"{tag}-{i:02d}", "triggerId": CRED, "script": f"// {tag} {i}\n"} for i in range(count)]
    hooks.append({"name": f"{tag}-main", "triggerId": PRE, "enabled": True, "script": f"// {tag}\n"})
    return write_config(root / tag, hooks)


def _apply(config: Path, emulator: EmulatorProcess, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, **emulator.env(), "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "-c", str(config), "--yes", "--allow-delete", *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _assert_invariant(emulator: EmulatorProcess) -> None:
    stats = emulator.stats()
    assert stats["invariant_violations"] == 0
    assert max(stats["max_enabled_per_trigger"].values(), default=0) <= 1
    assert LEASE_NAME not in live_hooks(emulator, with_lease=True)


def _first_apply_stopped_holding_the_lease(
    emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path, count: int,
) -> tuple[EmulatorProcess, subprocess.Popen[str]]:
    """A tenant with a legacy hook and a first apply ("blue") held (SIGSTOP) while it holds
    the lease: a second run then surely meets it. The caller sends SIGCONT."""
    emulator = emulator_factory(latency_ms=20, rate_limit=0)
    emulator.seed([{"name": "legacy", "triggerId": PRE, "script": "// legacy\n", "enabled": True}])
    first = _apply(_config(tmp_path, "blue", count), emulator)
    _wait_for(lambda: LEASE_NAME in live_hooks(emulator, with_lease=True), "the first apply to take the lease")
    os.kill(first.pid, signal.SIGSTOP)
    return emulator, first


def test_two_concurrent_applies_one_proceeds_the_other_refuses(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    emulator, first = _first_apply_stopped_holding_the_lease(emulator_factory, tmp_path, 10)
    try:
        second = _apply(_config(tmp_path, "green", 3), emulator)
        out2, _ = second.communicate(timeout=120)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out1, _ = first.communicate(timeout=120)
    assert first.returncode == 0, out1
    assert second.returncode == 1, out2
    refusal = [line for line in out2.splitlines() if line.startswith("error:")]
    assert len(refusal) == 1 and "tenant is locked by" in refusal[0] and f"pid {first.pid}" in refusal[0]
    hooks = live_hooks(emulator)
    assert sorted(hooks) == sorted([f"blue-{i:02d}" for i in range(10)] + ["blue-main"])
    assert hooks["blue-main"]["enabled"]
    _assert_invariant(emulator)


def test_applies_started_together_never_break_the_invariant(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    emulator = emulator_factory(latency_ms=10, rate_limit=0)
    emulator.seed([{"name": "legacy", "triggerId": PRE, "script": "// legacy\n", "enabled": True}])
    configs = {"blue": _config(tmp_path, "blue", 6), "green": _config(tmp_path, "green", 6)}
    runs = {tag: _apply(config, emulator) for tag, config in configs.items()}
    outputs = {tag: run.communicate(timeout=120)[0] for tag, run in runs.items()}
    winners = [tag for tag, run in runs.items() if run.returncode == 0]
    assert winners, outputs
    for tag, run in runs.items():
        if run.returncode != 0:
            assert run.returncode == 1 and ("tenant is locked by" in outputs[tag] or "stale plan" in outputs[tag]), outputs[tag]
    hooks = live_hooks(emulator)
    # The tenant is one winner's config, whole (the last one to finish if both ran in turn).
    assert any(sorted(hooks) == sorted([f"{w}-{i:02d}" for i in range(6)] + [f"{w}-main"]) for w in winners), sorted(hooks)
    _assert_invariant(emulator)


def test_ctrl_c_finishes_in_flight_work_releases_the_lease_and_exits_130(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    emulator = emulator_factory(latency_ms=30, rate_limit=0)
    emulator.seed([{"name": "legacy", "triggerId": PRE, "script": "// legacy\n", "enabled": True}])
    run = _apply(_config(tmp_path, "blue", 60), emulator, "--max-workers", "2")
    _wait_for(lambda: emulator.stats()["writes"] >= 4, "the apply to start writing")
    # Stop it, queue the SIGINT, continue: the signal surely lands mid-apply.
    os.kill(run.pid, signal.SIGSTOP)
    os.kill(run.pid, signal.SIGINT)
    os.kill(run.pid, signal.SIGCONT)
    out, _ = run.communicate(timeout=120)
    assert run.returncode == 130, out
    assert "interrupted: finished the requests in flight" in out
    # Acknowledged at once, before the in-flight work ends: the first line after the signal.
    assert "interrupt received: finishing " in out
    assert out.index("interrupt received") < out.index("interrupted: finished")
    assert "done:" in out and "not run:" in out and "Traceback" not in out
    not_run = int(out.split("not run: ", 1)[1].split(" ", 1)[0])
    assert not_run > 0
    stats = emulator.stats()
    # Never two enabled and never dark: the legacy hook or the new one, exactly one.
    assert stats["enabled_per_trigger"][PRE] == 1
    _assert_invariant(emulator)
    # The interrupted run is resumed by a plain re-run.
    again = _apply(_config(tmp_path, "blue", 60), emulator)
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    assert live_hooks(emulator)["blue-main"]["enabled"]


def test_a_run_that_waited_for_the_lease_says_the_other_run_changed_the_tenant(
    emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path,
) -> None:
    """--lock-timeout: the wait ends when the first run is done; what that run wrote makes
    the second's plan stale, and the refusal says so (not "another writer?")."""
    emulator, first = _first_apply_stopped_holding_the_lease(emulator_factory, tmp_path, 4)
    try:
        second = _apply(_config(tmp_path, "green", 4), emulator, "--lock-timeout", "120")
        assert second.stdout is not None
        seen = []
        for line in second.stdout:  # until it says it waits
            seen.append(line)
            if line.startswith("waiting up to"):
                break
        # "up to 120 s", less the time the first attempt took (a loaded machine: 119 s)
        assert seen and seen[-1].startswith("waiting up to ") and " s for the lease: tenant is locked by" in seen[-1], "".join(seen)
        assert "until " in seen[-1]
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=120) == 0
    rest, _ = second.communicate(timeout=120)
    assert second.returncode == 1, rest
    assert "error: stale plan: the run whose lease this one waited for changed the tenant; nothing was written" in rest
    _assert_invariant(emulator)
