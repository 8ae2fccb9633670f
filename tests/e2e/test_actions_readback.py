"""Never "Apply complete" for a state the read-back did not see; a list that never ends or
is cut short is an error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import actions_only, env_of, one_line_error
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen


def apply_answered_instead(tenant: Any, tmp_path: Path, when: Callable[[Seen, bool], bool], data: Any) -> Any:
    """Apply through a proxy that processes each request but answers ``data`` when ``when``
    (the request, whether a bind was sent already) says so."""
    bound = {"done": False}

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        hit = when(request, bound["done"])
        bound["done"] = bound["done"] or (request.method == "PATCH" and request.path.endswith("/bindings"))
        answer = forward()
        return Reply.of(200, data) if hit else answer

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        applied = run_cli(["apply", "-c", str(actions_only(tmp_path)), "--yes"], env_of(tenant, proxy.base_url))
    assert applied.exit_code == 1 and "Apply complete" not in applied.output, applied.output
    one_line_error(applied.output)
    return applied


def test_bindings_that_read_back_empty_after_the_bind_are_not_apply_complete(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    apply_answered_instead(
        tenant, tmp_path, lambda r, bound: bound and r.method == "GET" and r.path.endswith("/bindings"), {"bindings": []},
    )


def test_a_bind_answered_with_an_empty_list_is_not_apply_complete(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    applied = apply_answered_instead(
        tenant, tmp_path, lambda r, bound: r.method == "PATCH" and r.path.endswith("/bindings"), {"bindings": []},
    )
    assert "post-login" in applied.output or "send-phone-message" in applied.output


def test_a_trigger_list_that_comes_back_empty_is_not_apply_complete(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory(hooks_enabled=False)
    applied = apply_answered_instead(
        tenant, tmp_path, lambda r, bound: r.method == "GET" and r.path == "/api/v2/actions/triggers", {"triggers": []},
    )
    assert "triggers" in applied.output


def _binding(i: int) -> dict[str, Any]:
    return {"id": f"bnd_{i}", "trigger_id": "post-login", "display_name": f"a{i}",
            "action": {"id": f"act_{i}", "name": f"a{i}", "supported_triggers": [{"id": "post-login", "version": "v3"}]}}


@pytest.mark.parametrize("shape", ["endless", "truncated"])
def test_a_bindings_list_that_never_ends_or_is_cut_is_an_error(emulator_factory: Any, tmp_path: Path, shape: str) -> None:
    tenant = emulator_factory(hooks_enabled=False)

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if request.method == "GET" and request.path == "/api/v2/actions/triggers/post-login/bindings":
            page = int(request.param("page") or 0)
            if shape == "endless":  # every page full and new: a server that pages forever
                return Reply.of(200, {"bindings": [_binding(page * 100 + i) for i in range(100)],
                                      "page": page, "per_page": 100})
            # 'total' says 5, the pages hold 2 and then end
            return Reply.of(200, {"bindings": [_binding(i) for i in range(2)] if page == 0 else [],
                                  "total": 5, "per_page": 100, **({"page": page} if page else {})})
        return forward()

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        planned = run_cli(["plan", "-c", str(actions_only(tmp_path))], env_of(tenant, proxy.base_url))
    assert planned.exit_code == 1, planned.output
    one_line_error(planned.output)
    assert "bindings" in planned.output
