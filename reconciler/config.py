"""Settings: built once per run from flags, a deploy-cli ``config.json`` and the environment.

The variable and key names are auth0-deploy-cli's, so an existing CI setup and config file work
unchanged. Precedence, as in deploy-cli: flags, then environment variables, then the config
file. This is the only module that interprets the environment; the CLI hands it the process
environment and passes the resulting :class:`Settings` down, so library code never reads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from reconciler.text import clean as _clean

from .errors import ConfigError
from .keywords import KeywordError, parse_mappings
from .variables import HMAC_ENV, MAPPINGS_VAR

DEFAULT_TIMEOUT = 30.0
# The whole run (every request, retry and wait): long enough for 5,000 writes at 2/s.
DEFAULT_RUN_TIMEOUT = 3600.0
CONFIG_FILE_LIMIT = 1_000_000  # bytes: a settings file is small; anything bigger is a mistake
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

# deploy-cli's AUTH0_EXCLUDED_<TYPE>: each type declares its own (``ResourceType.excluded_setting``).
EXCLUDED_PREFIX = "AUTH0_EXCLUDED_"
MAX_EXCLUDED = 10_000


def printable_name(name: str) -> bool:
    """The name rule an exclusion list gets when its type declares none."""
    return 0 < len(name) <= 200 and name.isprintable()


@dataclass(frozen=True)
class Exclusion:
    """How one ``AUTH0_EXCLUDED_<TYPE>`` setting is read: the type's word for one resource
    (``"hook"``, for messages) and the names it accepts. The composition root builds these
    from the registry, so settings read a new type's setting without naming it."""

    one: str
    valid: Callable[[str], object] = printable_name


def undeclared(key: str) -> Exclusion:
    """A setting no type declared (a caller without a registry): worded from its own name."""
    return Exclusion(key.removeprefix(EXCLUDED_PREFIX).lower().removesuffix("s"))


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
    # The longest one wait may be (a build, a deploy, a server-asked Retry-After); None: each
    # wait's own bound (AUTH0_WAIT_LIMIT, --wait-limit).
    wait_limit: float | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def uses_token(self) -> bool:
        """True when a ready access token is used (no client-credentials request)."""
        return bool(self.access_token)


def parse_domain(domain: str) -> tuple[str, str]:
    """``example.eu.auth0.com`` or ``http://127.0.0.1:8787/`` -> (base_url, host).

    A user or password in it (``https://user:pass@host``) is refused without showing the value:
    the host is named in headings, prompts, comments and errors, and httpx would send it."""
    text = domain.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0  # reading .port checks it
    except ValueError:  # an unbalanced "[" or "]", a port that is not a number
        port_ok = False
    if "@" in text.split("://", 1)[1].split("/", 1)[0]:
        raise ConfigError("AUTH0_DOMAIN holds a user name or password (user:password@host): "
                          "give the tenant host alone, and the credentials in AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET")
    if not port_ok or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"AUTH0_DOMAIN {domain[:100]!r} is not a tenant host (example.eu.auth0.com) "
            "or a base URL (http://127.0.0.1:8787)"
        )
    # Only scheme and host matter: the API lives at {base}/api/v2 and {base}/oauth/token.
    return f"{parts.scheme}://{parts.netloc}", parts.netloc


@dataclass(frozen=True)
class Settings:
    """Everything a run takes from outside the config directory. Secrets stay out of ``repr``."""

    domain: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    audience: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    run_timeout: float = DEFAULT_RUN_TIMEOUT
    wait_limit: float | None = None  # AUTH0_WAIT_LIMIT / --wait-limit
    allow_delete: bool = False
    hmac_key: bytes | None = field(default=None, repr=False)
    # AUTH0_KEYWORD_REPLACE_MAPPINGS (file object, then the variable's keys on top).
    keyword_mappings: Mapping[str, object] = field(default_factory=dict, repr=False)
    # The environment as it was at start: keywords may name any variable (deploy-cli's rule).
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    # deploy-cli's AUTH0_EXCLUDED_<TYPE> by setting name: the names each type leaves alone
    # (each type names its setting: ``ResourceType.excluded_setting``).
    excluded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # AUTH0_CUTOVER: per hook trigger, "both" or "neither" (resources/cutover.py); {}: defaults.
    cutover: Mapping[str, str] = field(default_factory=dict)
    color: bool | None = None  # False: never; None: only on a terminal
    config_file: str | None = None

    def connection(self) -> Connection:
        """Where and how to connect; every missing setting is named at once."""
        missing = [] if self.domain else ["AUTH0_DOMAIN"]
        if not self.access_token:
            missing += [name for name, value in (("AUTH0_CLIENT_ID", self.client_id),
                                                 ("AUTH0_CLIENT_SECRET", self.client_secret)) if not value]
        if missing:
            where = f" or in {self.config_file}" if self.config_file else ""
            raise ConfigError(
                f"missing {', '.join(missing)}: set {'it' if len(missing) == 1 else 'them'} in the "
                f"environment{where} (or pass --domain / --client-id)"
                + ("; AUTH0_ACCESS_TOKEN with a ready Management API token replaces the client credentials"
                   if not self.access_token and missing != ["AUTH0_DOMAIN"] else "")
            )
        assert self.domain is not None
        base_url, host = parse_domain(self.domain)
        return Connection(
            base_url=base_url,
            audience=self.audience or f"https://{host}/api/v2/",
            client_id=self.client_id,
            client_secret=self.client_secret,
            access_token=self.access_token,
            timeout=self.timeout,
            run_timeout=self.run_timeout,
            wait_limit=self.wait_limit,
        )

    @property
    def tenant_label(self) -> str:
        """The tenant's host as people name it (``example.eu.auth0.com``), for prompts and
        headings; a placeholder when it does not parse (the connection reports that)."""
        if not self.domain:
            return "(no AUTH0_DOMAIN)"
        try:
            return parse_domain(self.domain)[1]
        except ConfigError:  # never the raw value: it may hold a password or control codes
            return "(AUTH0_DOMAIN is not a tenant host)"

    @property
    def domain_has_scheme(self) -> bool:
        return bool(self.domain and "://" in self.domain)

    def keyword_source(self) -> Mapping[str, object]:
        """What keyword lookup reads: the environment with the merged mapping in its place."""
        return MappingProxyType({**self.environ, MAPPINGS_VAR: dict(self.keyword_mappings)})


def load_settings(
    env: Mapping[str, str],
    *,
    config_file: str | None = None,
    domain: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    access_token: str | None = None,
    audience: str | None = None,
    timeout: float | None = None,
    run_timeout: float | None = None,
    wait_limit: float | None = None,
    no_color: bool = False,
    exclusions: Mapping[str, Exclusion] | None = None,
) -> Settings:
    """The one place settings are read. Flags (keyword arguments) win over ``env``, which wins
    over ``config_file``. Raises :class:`ConfigError` with one line naming the file or variable.

    ``exclusions``: the ``AUTH0_EXCLUDED_<TYPE>`` settings the registered types declare, by
    name (``Registry.exclusion_settings()``); None: every such setting ``env`` or the file
    holds, read by the rule any type's names meet."""
    file = read_config_file(config_file, exclusions) if config_file else {}
    if exclusions is None:
        exclusions = {key: undeclared(key) for key in (*env, *file) if key.startswith(EXCLUDED_PREFIX)}

    def pick(flag: str | None, name: str) -> str | None:
        return _clean(flag) or _clean(env.get(name)) or _clean(file.get(name))

    mappings: dict[str, object] = dict(file.get(MAPPINGS_VAR) or {})
    try:
        mappings.update(parse_mappings(env.get(MAPPINGS_VAR)))
    except KeywordError as error:  # worded as validate words a problem: "<where>: <field>: <what>"
        raise ConfigError(f"{MAPPINGS_VAR}: (environment): {error}") from None
    hmac_key = _clean(env.get(HMAC_ENV)) or _clean(file.get(HMAC_ENV))
    return Settings(
        domain=pick(domain, "AUTH0_DOMAIN"),
        client_id=pick(client_id, "AUTH0_CLIENT_ID"),
        client_secret=pick(client_secret, "AUTH0_CLIENT_SECRET"),
        access_token=pick(access_token, "AUTH0_ACCESS_TOKEN"),
        audience=pick(audience, "AUTH0_AUDIENCE"),
        timeout=_seconds(env, file, "AUTH0_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else _positive(timeout),
        run_timeout=(
            _seconds(env, file, "AUTH0_RUN_TIMEOUT", DEFAULT_RUN_TIMEOUT, limit=float("inf"))
            if run_timeout is None else _positive(run_timeout, "AUTH0_RUN_TIMEOUT", float("inf"))
        ),
        wait_limit=(
            _seconds(env, file, "AUTH0_WAIT_LIMIT", None, limit=float("inf"))
            if wait_limit is None else _positive(wait_limit, "AUTH0_WAIT_LIMIT", float("inf"))
        ),
        allow_delete=_flag(env, file, "AUTH0_ALLOW_DELETE", config_file),
        hmac_key=hmac_key.encode() if hmac_key else None,
        keyword_mappings=MappingProxyType(mappings),
        environ=MappingProxyType(dict(env)),
        excluded=MappingProxyType({
            key: excluded_names(_clean(env.get(key)) or file.get(key), key, rule) for key, rule in exclusions.items()
        }),
        cutover=_cutover(env, file, config_file),
        # https://no-color.org: present and not empty disables colour.
        color=False if no_color or env.get("NO_COLOR") else None,
        config_file=config_file,
    )


def connection_from_env(env: Mapping[str, str], **flags: Any) -> Connection:
    """A :class:`Connection` from ``env`` and :func:`load_settings`' flags (for tests and benches)."""
    return load_settings(env, **flags).connection()


# --- deploy-cli's config.json ----------------------------------------------------------------

_STRING_KEYS = frozenset(
    {"AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN", "AUTH0_AUDIENCE", HMAC_ENV}
)


def read_config_file(path: str, exclusions: Mapping[str, Exclusion] | None = None) -> dict[str, Any]:
    """deploy-cli's ``-c config.json``: the keys this tool uses, checked; other keys ignored
    (deploy-cli has many for resource types that are not hooks). ``exclusions``: as
    :func:`load_settings` takes them (None: every ``AUTH0_EXCLUDED_*`` key is checked)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(CONFIG_FILE_LIMIT + 1)
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a JSON config file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    if len(raw) > CONFIG_FILE_LIMIT:
        raise ConfigError(f"{path}: larger than {CONFIG_FILE_LIMIT} bytes; not a config file")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON: {error.msg} (line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a JSON object of settings (AUTH0_DOMAIN, ...)")
    for key in _STRING_KEYS & data.keys():
        if data[key] is not None and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key}: must be a string")
    mappings = data.get(MAPPINGS_VAR)
    if isinstance(mappings, str):  # deploy-cli also accepts the JSON text
        try:
            data[MAPPINGS_VAR] = mappings = parse_mappings(mappings)
        except KeywordError as error:
            raise ConfigError(f"{path}: {error}") from None
    if mappings is not None and not isinstance(mappings, dict):
        raise ConfigError(f"{path}: {MAPPINGS_VAR}: must be an object of keyword values")
    if exclusions is None:
        exclusions = {key: undeclared(key) for key in data if key.startswith(EXCLUDED_PREFIX)}
    for key, rule in exclusions.items():
        excluded = data.get(key)
        if excluded is not None and not (isinstance(excluded, list) and all(isinstance(x, str) for x in excluded)):
            raise ConfigError(f"{path}: {key}: must be an array of {rule.one} names")
    for key in ("AUTH0_ALLOW_DELETE", "AUTH0_TIMEOUT"):
        if isinstance(data.get(key), (dict, list)):
            raise ConfigError(f"{path}: {key}: must be a {'boolean' if key == 'AUTH0_ALLOW_DELETE' else 'number'}")
    return data


def _flag(env: Mapping[str, str], file: Mapping[str, Any], name: str, path: str | None) -> bool:
    raw = env.get(name)
    if raw is not None and raw.strip():
        return raw.strip().lower() in TRUE_WORDS
    value = file.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ConfigError(f"{path}: {name}: must be true or false")


def _cutover(env: Mapping[str, str], file: Mapping[str, Any], path: str | None) -> Mapping[str, str]:
    """AUTH0_CUTOVER from the environment (JSON text), else the config file (object or text)."""
    from reconciler.resources.cutover import SETTING, parse_setting

    raw = _clean(env.get(SETTING))
    if raw:
        return parse_setting(raw, f"{SETTING} (environment)")
    return parse_setting(file.get(SETTING), f"{path}: {SETTING}")


def excluded_names(value: Any, key: str, rule: Exclusion) -> tuple[str, ...]:
    """One ``AUTH0_EXCLUDED_<TYPE>`` setting (deploy-cli's naming, as AUTH0_EXCLUDED_RULES):
    the names of ``rule``'s type the tool leaves alone (never created, changed or deleted), as
    a list (config.json), a JSON array, or ``a,b``."""
    what, valid = rule.one, rule.valid
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ConfigError(f"{key}: not a JSON array of {what} names") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ConfigError(f"{key}: expected a list of {what} names")
    bad = next((name for name in value if not valid(name)), None)
    if bad is not None:
        raise ConfigError(f"{key}: {bad[:60]!r} is not {'an' if what[0] in 'aeiou' else 'a'} {what} name")
    if len(value) > MAX_EXCLUDED:
        raise ConfigError(f"{key}: more than {MAX_EXCLUDED} names")
    return tuple(dict.fromkeys(value))


def _seconds(
    env: Mapping[str, str], file: Mapping[str, Any], name: str, default: Any, limit: float = 3600
) -> Any:
    raw: object = _clean(env.get(name)) or file.get(name)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool):
            raise ValueError
        seconds = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of seconds") from None
    return _positive(seconds, name, limit)


def _positive(seconds: float, name: str = "AUTH0_TIMEOUT", limit: float = 3600) -> float:
    if not 0 < seconds <= limit or seconds == float("inf"):  # also refuses nan
        bound = f" (at most {limit:g})" if limit != float("inf") else ""
        raise ConfigError(f"{name} must be a positive number of seconds{bound}")
    return seconds
