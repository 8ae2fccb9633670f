"""The "neither" cutover (send-phone-message) whose bind keeps failing after the hook was
disabled: the hook is put back and the output names the trigger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_proxy import HostileProxy, Reply, Seen


def test_a_neither_cutover_whose_bind_keeps_failing_puts_the_hook_back(emulator_factory: Any, tmp_path: Path) -> None:
    from tests.e2e.cutover_helpers import env_of as cutover_env
    from tests.e2e.cutover_helpers import migrated_config

    tenant = emulator_factory()
    cfg = migrated_config(tenant, tmp_path)

    def hostile(request: Seen, forward: Callable[[], Reply]) -> Reply:
        if request.method == "PATCH" and request.path == "/api/v2/actions/triggers/send-phone-message/bindings":
            # Refused every time (a 503 is retried first, within the client's bound, then the same)
            return Reply.of(400, {"statusCode": 400, "error": "Bad Request", "message": "bind refused"})
        return forward()

    with HostileProxy(tenant.base_url, rule=hostile) as proxy:
        applied = run_cli(["apply", "-c", str(cfg), "--yes"], cutover_env(tenant, AUTH0_DOMAIN=proxy.base_url))
    assert applied.exit_code == 1, applied.output
    sms = [h for h in tenant.state()["hooks"] if h["name"] == "sms-gateway"]
    assert sms and sms[0]["enabled"] is True, applied.output  # put back: the trigger still sends SMS
    assert "cutover on send-phone-message" in applied.output and "enabled again" in applied.output
