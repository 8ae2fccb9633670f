"""Names `run` never fills with a real value."""

from __future__ import annotations

import pytest

from reconciler.credentials import is_tool_credential


@pytest.mark.parametrize("name", ["AUTH0_CLIENT_SECRET", "auth0_access_token", "RECONCILER_SECRETS_HMAC_KEY", "GITHUB_TOKEN",
                                  "AUTH0_PLAN_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "NPM_TOKEN"])
def test_credentials_are_recognised(name: str) -> None:
    assert is_tool_credential(name)


@pytest.mark.parametrize("name", ["SLACK_WEBHOOK_URL", "CLAIM_NAMESPACE", "AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "MY_AWS_KEY"])
def test_keywords_of_a_config_are_not(name: str) -> None:
    assert not is_tool_credential(name)
