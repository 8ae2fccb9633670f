"""Rolling a migrated trigger back to its hook, end to end against the emulator: the config
enables the hook again and drops the action from the trigger's list; the plan pairs the two
requests (the mirror of a cutover), so hook and action never both keep running. Re-enabling
the hook alone is warned about: both would run on every request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.actions_helpers import actions_stats
from tests.e2e.cutover_helpers import PUR, env_of, migrated_config
from tests.e2e.helpers import run_cli

HOOK = ACTION = "block-disposable-emails"


@pytest.fixture
def tenant(emulator_factory: Any) -> Any:
    return emulator_factory(build_time=0.05, build_time_per_dependency=0.05)


def cut_over(tenant: Any, tmp_path: Path) -> Path:
    cfg: Path = migrated_config(tenant, tmp_path)
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env_of(tenant))
    assert applied.exit_code == 0, applied.output
    return cfg


def enable_hook_again(cfg: Path) -> None:
    path = cfg / "hooks" / f"{HOOK}.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "enabled": True}))


def unbind(cfg: Path) -> None:
    path = cfg / "triggers" / "triggers.json"
    data = json.loads(path.read_text())
    data[PUR] = [b for b in data[PUR] if b["action_name"] != ACTION]
    path.write_text(json.dumps(data))


def test_a_rollback_hands_the_trigger_back_in_one_request(tenant: Any, tmp_path: Path) -> None:
    cfg = cut_over(tenant, tmp_path)
    enable_hook_again(cfg)
    unbind(cfg)
    env = env_of(tenant, NO_COLOR="1")
    shown = run_cli(["plan", "-c", str(cfg)], env)
    assert shown.exit_code == 0, shown.output
    assert "Rollbacks, Actions to hooks (the hook takes over again" in shown.output
    assert (f"rollback on {PUR}: enable hook {HOOK}, then unbind action {ACTION} (both run for one request)"
            in shown.output)
    assert "(none) -> " not in shown.output  # not shown as a hand-over out of nothing
    # The hook's own line, the mirror of a cutover's (issue 19), in text, markdown and JSON.
    back = f"takes over again from action {ACTION} in the same step"
    assert f"  ~ {HOOK} ({PUR})\n      enabled: false -> true ({back})\n" in shown.output
    md = run_cli(["plan", "-c", str(cfg), "--format", "markdown"], env).output
    assert f"(<code>{PUR}</code>) enable, {back}</summary>" in md and "[!CAUTION]" not in md
    data = json.loads(run_cli(["plan", "-c", str(cfg), "--format", "json"], env).output)
    assert [(c["trigger"], c["rollback"]) for c in data["cutovers"]] == [(PUR, True)]
    hook_change = next(c for c in data["changes"] if c.get("name") == HOOK)
    assert hook_change["takes_back_from"] == [ACTION] and "taken_over_by" not in hook_change
    before = len(actions_stats(tenant).timeline[PUR])
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], env)
    assert applied.exit_code == 0, applied.output
    assert f"enable {HOOK} ({back}): done" in applied.output
    assert f"bind trigger {PUR} (rollback to hook {HOOK}): done" in applied.output
    start, end = actions_stats(tenant).timeline[PUR][before:]
    assert start.hooks and start.actions  # both, for exactly one request
    assert end.hooks and not end.actions and end.seq - start.seq == 1
    again = run_cli(["plan", "-c", str(cfg), "--detailed-exitcode"], env)
    assert again.exit_code == 0, again.output


def test_a_hook_enabled_again_beside_its_action_is_warned_about(tenant: Any, tmp_path: Path) -> None:
    cfg = cut_over(tenant, tmp_path)
    enable_hook_again(cfg)
    shown = run_cli(["plan", "-c", str(cfg)], env_of(tenant, NO_COLOR="1"))
    assert shown.exit_code == 0, shown.output
    assert f"rollback on {PUR}: hook {HOOK} is enabled again while {ACTION} stays bound" in shown.output
    assert "both run on every request" in shown.output and "triggers/triggers.json" in shown.output
