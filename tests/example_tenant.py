"""The example tenant (`tenant-config/`) as tests see it: where it is and the keywords it uses."""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "tenant-config"

# Every ##KEYWORD## the example's hooks and actions use (the README quickstart exports them too).
KEYWORDS = ("SLACK_WEBHOOK_URL", "CLAIM_NAMESPACE", "AUDIT_LOG_URL", "AUDIT_LOG_TOKEN", "ENTITLEMENTS_API_KEY",
            "SMS_PROVIDER_API_KEY")


def keyword_env(value: str = "v") -> dict[str, str]:
    """A value for each of the example's keywords: ``value`` + the keyword in lower case, or ``value`` alone."""
    return {k: value + k.lower() if value.endswith("/") else value for k in KEYWORDS}
