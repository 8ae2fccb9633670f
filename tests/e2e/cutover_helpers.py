"""The example tenant with its hooks live and enabled, then migrated on a temp copy: the
setup of the cutover and interrupted-apply tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
VALUES = {
    "CLAIM_NAMESPACE": "https://canary-namespace.example/", "SLACK_WEBHOOK_URL": "https://canary-slack.example/x",
    "AUDIT_LOG_URL": "https://canary-audit.example/", "AUDIT_LOG_TOKEN": "canary-audit-token",
    "ENTITLEMENTS_API_KEY": "canary-entitlements-key", "SMS_PROVIDER_API_KEY": "canary-sms-provider-key",
    "SMS_GATEWAY_KEY": "canary-sms-gateway-key",
}
CRED, PUR, POST_REG, PCP, SPM = (
    "credentials-exchange", "pre-user-registration", "post-user-registration", "post-change-password",
    "send-phone-message",
)
DEFAULT_KINDS = {CRED: "both", PUR: "both", POST_REG: "both", PCP: "both", SPM: "neither"}
SMS_HOOK = {
    "name": "sms-gateway", "triggerId": SPM, "enabled": True, "script": "./sms-gateway.js",
    "dependencies": {}, "secrets": {"SMS_GATEWAY_KEY": "##SMS_GATEWAY_KEY##"},
}
SMS_SCRIPT = """module.exports = function(recipient, text, context, cb) {
  // the gateway call would use context.webtask.secrets.SMS_GATEWAY_KEY
  cb(null, {});
};
"""


def env_of(tenant: Any, **more: str) -> dict[str, str]:
    return {**tenant.env(), **VALUES, **more}


def migrated_config(tenant: Any, tmp_path: Path) -> Path:
    """The example with its hooks live and enabled (applied from a hooks-only copy), then
    migrated on a temp copy: actions written, hooks marked enabled: false."""
    full = tmp_path / "tenant-config"
    shutil.copytree(REPO / "tenant-config", full)
    (full / "hooks" / "sms-gateway.json").write_text(json.dumps(SMS_HOOK))
    (full / "hooks" / "sms-gateway.js").write_text(SMS_SCRIPT)
    hooks_only = tmp_path / "hooks-only"
    shutil.copytree(full, hooks_only, ignore=shutil.ignore_patterns("actions", "triggers"))
    applied = run_cli(["apply", "-c", str(hooks_only), "--yes"], env_of(tenant))
    assert applied.exit_code == 0, applied.output
    live = {h["name"]: h for h in tenant.state()["hooks"]}
    assert {n for n, h in live.items() if h["enabled"]} >= {"add-api-claims", "sms-gateway", "block-disposable-emails"}
    migrated = run_cli(["migrate", "-c", str(full), "--write", "--disable-hooks"], env_of(tenant))
    assert migrated.exit_code == 0, migrated.output
    return full
