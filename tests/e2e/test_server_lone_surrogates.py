"""A hostile server (a proxy on loopback) names a hook with a lone surrogate, which JSON can
spell (``"\\ud800"``) and no terminal, file or request body can take: the plan still prints in
every format, with U+FFFD in its place, or stops in one line; never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen
from tests.e2e.test_not_managed_notice import ACTIONS_ONLY, HOOKS_ONLY, LEGACY, env_of

EVIL = "evil-\ud800-name"


def _rename(request: Seen, forward: Any) -> Reply:
    reply: Reply = forward()
    if request.method == "GET" and request.path.startswith("/api/v2/hooks") and reply.status == 200:
        data = reply.json()
        hooks = data.get("hooks") if isinstance(data, dict) else data
        for hook in hooks or ():
            if hook.get("name") == LEGACY["name"]:
                hook["name"] = EVIL
        return Reply.of(200, data)
    return reply


@pytest.mark.parametrize("config", [ACTIONS_ONLY, HOOKS_ONLY], ids=["actions-only", "hooks-only"])
def test_a_lone_surrogate_in_a_server_name_is_no_traceback(emulator_factory: Any, tmp_path: Path, config: Path) -> None:
    tenant = emulator_factory()
    tenant.seed([LEGACY])
    with HostileProxy(tenant.base_url) as proxy:
        proxy.rule = _rename
        env = {**env_of(tenant), "AUTH0_DOMAIN": proxy.base_url}
        for args in (["--format", "text"], ["--format", "json"], ["--format", "markdown"],
                     ["--out", str(tmp_path / "plan.json")]):
            result = run_cli(["plan", "-c", str(config), *args], env)
            assert result.exit_code in (0, 1), result.output[-300:]
            if result.exit_code == 1:
                assert result.output.count("\n") == 1 and result.output.startswith("error:"), result.output
            else:
                assert "\ufffd" in result.output or args[0] == "--out", result.output[-300:]
