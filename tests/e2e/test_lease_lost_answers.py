"""A lost answer to the marker's create (a 500 or a reset after the write) neither fails the
apply nor leaves a lease behind; every exit path releases what it created."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.lease import LEASE_NAME
from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import (
    ACTIONS,
    HOOKS,
    actions_only,
    env_of,
    hooks_only,
    is_lease_create,
    markers,
    one_line_error,
)
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen, lost_answer, once


@pytest.mark.parametrize("status", [500, -1], ids=["500-after-write", "reset-after-write"])
def test_a_lost_answer_to_the_hook_markers_create(emulator_factory: Any, tmp_path: Path, status: int) -> None:
    tenant = emulator_factory()
    with HostileProxy(tenant.base_url) as proxy:
        proxy.rule = once(is_lease_create(HOOKS), lost_answer(status))
        applied = run_cli(["apply", "-c", str(hooks_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 0, applied.output
    assert markers(tenant) == []


@pytest.mark.parametrize("status", [500, -1], ids=["500-after-write", "reset-after-write"])
def test_a_lost_answer_to_the_action_markers_create(emulator_factory: Any, tmp_path: Path, status: int) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    with HostileProxy(tenant.base_url) as proxy:
        proxy.rule = once(is_lease_create(ACTIONS), lost_answer(status))
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 0, applied.output
    assert markers(tenant) == []
    again = run_cli(["plan", "-c", str(actions_only(tmp_path)), "--detailed-exitcode"], env_of(tenant))
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("hooks", [True, False], ids=["hooks", "actions"])
def test_a_failed_apply_after_a_500_leaves_no_marker(emulator_factory: Any, tmp_path: Path, hooks: bool) -> None:
    tenant = emulator_factory(hooks_enabled=hooks)
    cfg = hooks_only(tmp_path) if hooks else actions_only(tmp_path)
    lease_path = HOOKS if hooks else ACTIONS

    def config_write(r: Seen) -> bool:  # the config's own create fails for good
        return r.method == "POST" and r.path == lease_path and (r.json() or {}).get("name") != LEASE_NAME

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if config_write(request):
            return Reply.of(400, {"statusCode": 400, "error": "Bad Request", "message": "refused"})
        return lost(request, forward)

    lost = once(is_lease_create(lease_path), lost_answer(500))
    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        applied = run_cli(["apply", "-c", str(cfg), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 1, applied.output
    assert markers(tenant) == []


def test_the_lease_is_released_when_the_run_deadline_is_reached(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False, manual_builds=True)  # builds stay pending
    applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, AUTH0_RUN_TIMEOUT="3"))
    assert applied.exit_code == 1, applied.output
    one_line_error(applied.output)
    assert "could not remove the tenant lease" not in applied.output
    assert markers(tenant) == []
