"""The hooks-to-Actions cutover end to end: the CLI against the emulator (a real HTTP server).

The example tenant (plus a hook on send-phone-message, so every default is exercised) runs
with its hooks live and enabled; then `reconciler migrate --write --disable-hooks` and one
`reconciler apply`. The emulator's ``trigger_timeline`` (what runs on each trigger, at every
change, stamped with the API request number) shows, per migrated trigger, exactly one
window of the planned kind, one request long: both run (bind, then disable) or neither runs
(disable, then bind). AUTH0_CUTOVER flips a trigger; a saved plan is bound to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.e2e.actions_helpers import Moment, actions_stats
from tests.e2e.cutover_helpers import CRED, DEFAULT_KINDS, PUR, SPM, VALUES, env_of, migrated_config
from tests.e2e.helpers import run_cli


@pytest.fixture
def tenant(emulator_factory: Callable[..., EmulatorProcess]) -> EmulatorProcess:
    return emulator_factory(build_time=0.05, build_time_per_dependency=0.05)


def windows(tenant: EmulatorProcess, since: dict[str, int]) -> dict[str, tuple[str, int, float]]:
    """Per trigger, the cutover's window as the timeline shows it after ``since`` (entries
    per trigger before the apply): (kind, requests, milliseconds)."""
    out = {}
    for trigger, moments in actions_stats(tenant).timeline.items():
        new = moments[since.get(trigger, 0):]
        if trigger not in DEFAULT_KINDS:  # post-login: an action bound, no hook ever
            continue
        start, end = _window(trigger, new)
        kind = "both" if start.hooks and start.actions else "neither"
        out[trigger] = (kind, end.seq - start.seq, round((end.time - start.time) * 1000, 1))
    return out


def _window(trigger: str, new: tuple[Moment, ...]) -> tuple[Moment, Moment]:
    """Exactly two changes: the window opens (both or neither run), then closes (only the
    actions run)."""
    assert len(new) == 2, (trigger, new)
    start, end = new
    assert (bool(start.hooks), bool(start.actions)) in ((True, True), (False, False)), (trigger, start)
    assert end.actions and not end.hooks, (trigger, end)
    return start, end


def entries(tenant: EmulatorProcess) -> dict[str, int]:
    return {t: len(m) for t, m in actions_stats(tenant).timeline.items()}


def test_every_migrated_trigger_has_a_one_request_window_of_its_default_kind(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg = migrated_config(tenant, tmp_path)
    env = env_of(tenant)
    shown = run_cli(["plan", "-c", str(cfg)], env)
    assert shown.exit_code == 0, shown.output
    assert "cutover on send-phone-message: disable hook sms-gateway, then bind actions send-sms-via-provider, sms-gateway (neither runs" in shown.output
    assert "cutover on pre-user-registration: bind action block-disposable-emails, then disable hook block-disposable-emails (both run" in shown.output
    data = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert {c["trigger"]: c["mode"] for c in data["cutovers"]} == DEFAULT_KINDS
    before = entries(tenant)
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    for value in VALUES.values():
        assert value not in shown.output + applied.output
    found = windows(tenant, before)
    print("\nmeasured cutover windows (kind, requests, ms):", json.dumps(found))
    assert {t: (kind, requests) for t, (kind, requests, _) in found.items()} == {
        t: (kind, 1) for t, kind in DEFAULT_KINDS.items()
    }
    stats = actions_stats(tenant)
    assert not stats.both_ran(SPM)  # never two SMS
    assert all(not m.hooks for t in DEFAULT_KINDS for m in stats.timeline[t][-1:])
    assert run_cli(["apply", "-c", str(cfg), "--yes"], env).output.count("cutover") == 0


def test_auth0_cutover_flips_a_trigger_and_binds_saved_plans(tenant: EmulatorProcess, tmp_path: Path) -> None:
    cfg = migrated_config(tenant, tmp_path)
    flipped = env_of(tenant, AUTH0_CUTOVER='{"pre-user-registration": "neither"}')
    saved = tmp_path / "plan.json"
    made = run_cli(["plan", "-c", str(cfg), "--out", str(saved)], flipped)
    assert made.exit_code == 0, made.output
    assert "then bind action block-disposable-emails (neither runs for one request) (AUTH0_CUTOVER)" in made.output
    refused = run_cli(["apply", str(saved), "-c", str(cfg)], env_of(tenant))  # the default again: not the plan
    assert refused.exit_code == 1 and "cutovers" in refused.output, refused.output
    edits: list[Callable[[dict[str, Any]], object]] = [
        lambda d: d.pop("cutovers"),
        lambda d: d["cutovers"][0].update(mode="both" if d["cutovers"][0]["mode"] == "neither" else "neither"),
    ]
    for edit in edits:
        data = json.loads(saved.read_text())
        edit(data)
        tampered = tmp_path / "tampered.json"
        tampered.write_text(json.dumps(data))
        refused = run_cli(["apply", str(tampered), "-c", str(cfg)], flipped)
        assert refused.exit_code == 1 and "cutovers" in refused.output, refused.output
    assert not actions_stats(tenant).bound  # nothing was written by the refused applies
    before = entries(tenant)
    applied = run_cli(["apply", str(saved), "-c", str(cfg)], flipped)
    assert applied.exit_code == 0, applied.output
    found = windows(tenant, before)
    print("\nmeasured cutover windows with AUTH0_CUTOVER (kind, requests, ms):", json.dumps(found))
    assert found[PUR][:2] == ("neither", 1)
    assert found[CRED][:2] == ("both", 1) and found[SPM][:2] == ("neither", 1)
    assert not actions_stats(tenant).both_ran(SPM)
