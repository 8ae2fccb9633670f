"""Connection settings for the Management API, from the environment and command-line flags.

The variable names are auth0-deploy-cli's, so an existing CI setup works unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

from .errors import ConfigError

DEFAULT_TIMEOUT = 30.0
# The whole run (every request, retry and wait): long enough for 5,000 writes at 2/s.
DEFAULT_RUN_TIMEOUT = 3600.0


@dataclass(frozen=True)
class Connection:
    """Where the tenant is and how to authenticate. Secrets stay out of ``repr``."""

    base_url: str
    audience: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT  # per request, body included (AUTH0_TIMEOUT)
    run_timeout: float = DEFAULT_RUN_TIMEOUT  # the whole run (AUTH0_RUN_TIMEOUT)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def uses_token(self) -> bool:
        """True when a ready access token is used (no client-credentials request)."""
        return bool(self.access_token)


def _clean(value: str | None) -> str | None:
    # An empty variable (common in CI templates) counts as unset.
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_domain(domain: str) -> tuple[str, str]:
    """``example.eu.auth0.com`` or ``http://127.0.0.1:8787/`` -> (base_url, host)."""
    text = domain.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"AUTH0_DOMAIN {domain!r} is not a tenant host (example.eu.auth0.com) "
            "or a base URL (http://127.0.0.1:8787)"
        )
    # Only scheme and host matter: the API lives at {base}/api/v2 and {base}/oauth/token.
    return f"{parts.scheme}://{parts.netloc}", parts.netloc


def connection_from_env(
    env: Mapping[str, str],
    *,
    domain: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    access_token: str | None = None,
    audience: str | None = None,
    timeout: float | None = None,
    run_timeout: float | None = None,
) -> Connection:
    """Build a :class:`Connection`; flags (keyword arguments) override the environment."""
    domain = _clean(domain) or _clean(env.get("AUTH0_DOMAIN"))
    client_id = _clean(client_id) or _clean(env.get("AUTH0_CLIENT_ID"))
    client_secret = _clean(client_secret) or _clean(env.get("AUTH0_CLIENT_SECRET"))
    access_token = _clean(access_token) or _clean(env.get("AUTH0_ACCESS_TOKEN"))
    audience = _clean(audience) or _clean(env.get("AUTH0_AUDIENCE"))

    if not domain:
        raise ConfigError(
            "no tenant given: set AUTH0_DOMAIN (e.g. example.eu.auth0.com) or pass --domain"
        )
    base_url, host = parse_domain(domain)

    if not access_token:
        missing = [
            name
            for name, value in (
                ("AUTH0_CLIENT_ID", client_id),
                ("AUTH0_CLIENT_SECRET", client_secret),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"no credentials: set {' and '.join(missing)} "
                "(or AUTH0_ACCESS_TOKEN with a ready Management API token)"
            )

    timeout = _seconds(env, "AUTH0_TIMEOUT", timeout, DEFAULT_TIMEOUT)
    run_timeout = _seconds(env, "AUTH0_RUN_TIMEOUT", run_timeout, DEFAULT_RUN_TIMEOUT)

    return Connection(
        base_url=base_url,
        audience=audience or f"https://{host}/api/v2/",
        client_id=client_id,
        client_secret=client_secret,
        access_token=access_token,
        timeout=timeout,
        run_timeout=run_timeout,
    )


def _seconds(env: Mapping[str, str], name: str, given: float | None, default: float) -> float:
    if given is None:
        raw = _clean(env.get(name))
        try:
            given = float(raw) if raw else default
        except ValueError:
            raise ConfigError(f"{name} must be a number of seconds, not {raw[:40]!r}") from None
    if not 0 < given < float("inf"):  # also refuses nan
        raise ConfigError(f"{name} must be a positive number of seconds")
    return given
