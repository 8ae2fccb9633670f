"""Long waits (a build that stays pending, a huge Retry-After) say what they wait for and end
at the per-wait limit (AUTH0_WAIT_LIMIT / --wait-limit) in one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import ACTIONS, actions_only, env_of, markers, one_line_error
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen


def test_a_build_that_stays_pending_is_named_while_waiting_and_ends_at_the_wait_limit(
    emulator_factory: Any, tmp_path: Path,
) -> None:
    tenant = emulator_factory(hooks_enabled=False, manual_builds=True)
    applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, AUTH0_WAIT_LIMIT="4", AUTH0_RUN_TIMEOUT="30"))
    assert applied.exit_code == 1, applied.output
    assert "waiting for action 'add-profile-claims' to build" in applied.output
    assert "within 4s" in applied.output
    assert markers(tenant) == []


def test_the_wait_limit_flag(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False, manual_builds=True)
    applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes", "--wait-limit", "3"], env_of(tenant, AUTH0_RUN_TIMEOUT="30"))
    assert applied.exit_code == 1 and "within 3s" in applied.output, applied.output


def test_a_huge_retry_after_ends_at_the_wait_limit_in_one_line(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if request.method == "GET" and request.path == ACTIONS:
            return Reply.of(429, {"statusCode": 429, "error": "Too Many Requests", "message": "slow down"},
                            (("Retry-After", "999999"),))
        return forward()

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        planned = run_cli(["plan", "-c", str(actions_only(tmp_path))], env_of(tenant, proxy.base_url, AUTH0_WAIT_LIMIT="5", AUTH0_RUN_TIMEOUT="40"))
    assert planned.exit_code == 1, planned.output
    one_line_error(planned.output)
    assert "999999" in planned.output or "longer than" in planned.output
