from __future__ import annotations

import pytest

from reconciler.config import Connection, connection_from_env
from reconciler.errors import ConfigError, ReconcilerError

CANARY = "canary-S3CRET-value-8d1f"


def test_host_becomes_https_and_default_audience() -> None:
    c = connection_from_env(
        {"AUTH0_DOMAIN": "example.eu.auth0.com", "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "s"}
    )
    assert c.base_url == "https://example.eu.auth0.com"
    assert c.audience == "https://example.eu.auth0.com/api/v2/"
    assert c.client_id == "id" and c.client_secret == "s"
    assert c.access_token is None
    assert c.timeout > 0


def test_full_url_kept_with_scheme_and_port() -> None:
    c = connection_from_env(
        {"AUTH0_DOMAIN": "http://127.0.0.1:8787/", "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "s"}
    )
    assert c.base_url == "http://127.0.0.1:8787"
    assert c.audience == "https://127.0.0.1:8787/api/v2/"


def test_audience_override_and_flags_override_env() -> None:
    env = {
        "AUTH0_DOMAIN": "a.auth0.com",
        "AUTH0_CLIENT_ID": "env-id",
        "AUTH0_CLIENT_SECRET": "env-secret",
        "AUTH0_AUDIENCE": "https://custom/api/v2/",
    }
    c = connection_from_env(env, domain="b.auth0.com", client_id="flag-id")
    assert c.base_url == "https://b.auth0.com"
    assert c.client_id == "flag-id"
    assert c.client_secret == "env-secret"
    assert c.audience == "https://custom/api/v2/"
    assert connection_from_env(env, audience="https://x/").audience == "https://x/"


def test_access_token_alone_is_enough() -> None:
    c = connection_from_env({"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_ACCESS_TOKEN": CANARY})
    assert c.access_token == CANARY
    assert c.uses_token


def test_missing_domain_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="AUTH0_DOMAIN"):
        connection_from_env({"AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "s"})


def test_empty_values_count_as_unset() -> None:
    with pytest.raises(ConfigError, match="AUTH0_DOMAIN"):
        connection_from_env({"AUTH0_DOMAIN": "  ", "AUTH0_ACCESS_TOKEN": "t"})


@pytest.mark.parametrize(
    "env,named,not_named",
    [
        ({}, ["AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"], []),
        ({"AUTH0_CLIENT_ID": "id"}, ["AUTH0_CLIENT_SECRET"], ["AUTH0_CLIENT_ID "]),
        ({"AUTH0_CLIENT_SECRET": CANARY}, ["AUTH0_CLIENT_ID"], []),
    ],
)
def test_missing_credentials_name_the_variables(env: dict, named: list, not_named: list) -> None:
    with pytest.raises(ConfigError) as info:
        connection_from_env({"AUTH0_DOMAIN": "a.auth0.com", **env})
    message = str(info.value)
    for name in named:
        assert name in message
    for name in not_named:
        assert name not in message
    assert "AUTH0_ACCESS_TOKEN" in message
    assert CANARY not in message
    assert isinstance(info.value, ReconcilerError)


def test_bad_domain() -> None:
    with pytest.raises(ConfigError, match="AUTH0_DOMAIN"):
        connection_from_env({"AUTH0_DOMAIN": "ftp://x", "AUTH0_ACCESS_TOKEN": "t"})


def test_secrets_never_in_repr() -> None:
    c = connection_from_env(
        {"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": CANARY}
    )
    assert CANARY not in repr(c)
    t = Connection(base_url="https://a", audience="x", access_token=CANARY)
    assert CANARY not in repr(t) and CANARY not in str(t)


def test_timeout_from_env() -> None:
    env = {"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_ACCESS_TOKEN": "t", "AUTH0_TIMEOUT": "5"}
    assert connection_from_env(env).timeout == 5.0
    with pytest.raises(ConfigError, match="AUTH0_TIMEOUT"):
        connection_from_env({**env, "AUTH0_TIMEOUT": "soon"})
