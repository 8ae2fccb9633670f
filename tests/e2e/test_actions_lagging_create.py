"""A create whose answer is lost while the lookup by name lags makes no second action, and a
second one is never "Apply complete"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import ACTIONS, actions_only, env_of
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen, lost_answer


def test_a_lost_create_with_a_lagging_name_lookup_makes_no_second_action(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    name = "add-profile-claims"
    lagging = {"left": 3}

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        creating = request.method == "POST" and request.path == ACTIONS and (request.json() or {}).get("name") == name
        if creating and lagging["left"] == 3:
            lagging["left"] = 2
            return lost_answer(500)(request, forward)
        if request.method == "GET" and request.path == ACTIONS and request.param("actionName") == name and lagging["left"] > 0:
            lagging["left"] -= 1
            forward()
            return Reply.of(200, {"actions": [], "per_page": 50})
        return forward()

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    same = [a for a in tenant.state()["actions"] if a["name"] == name]
    if len(same) > 1:  # a second one was made: the run must not say it is complete
        assert applied.exit_code == 1 and "Apply complete" not in applied.output, applied.output
    assert len(same) == 1, applied.output
    assert applied.exit_code == 0, applied.output


def test_a_second_action_of_one_name_is_never_apply_complete(emulator_factory: Any, tmp_path: Path) -> None:
    # Every listing hides the created action until the create was sent again: two exist.
    tenant = emulator_factory(hooks_enabled=False)
    name = "add-profile-claims"
    posts = {"n": 0}

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if request.method == "POST" and request.path == ACTIONS and (request.json() or {}).get("name") == name:
            posts["n"] += 1
            if posts["n"] == 1:
                return lost_answer(500)(request, forward)
        answer = forward()
        if request.method == "GET" and request.path == ACTIONS and posts["n"] == 1:
            listed = answer.json()
            return Reply.of(200, {**listed, "actions": [a for a in listed["actions"] if a["name"] != name]})
        return answer

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert len([a for a in tenant.state()["actions"] if a["name"] == name]) == 2
    assert applied.exit_code == 1 and "Apply complete" not in applied.output, applied.output
    assert f"two actions are named {name}" in applied.output
