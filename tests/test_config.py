from __future__ import annotations

import pytest

from reconciler.config import Connection, Settings, connection_from_env, load_settings  # noqa: E402
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
def test_missing_credentials_name_the_variables(env: dict[str, str], named: list[str], not_named: list[str]) -> None:
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


def test_wait_limit_from_env_and_flag() -> None:
    env = {"AUTH0_DOMAIN": "a.auth0.com", "AUTH0_ACCESS_TOKEN": "t"}
    assert connection_from_env(env).wait_limit is None
    assert connection_from_env({**env, "AUTH0_WAIT_LIMIT": "45"}).wait_limit == 45.0
    assert connection_from_env({**env, "AUTH0_WAIT_LIMIT": "45"}, wait_limit=5).wait_limit == 5.0
    for bad in ("soon", "0", "-1", "nan"):
        with pytest.raises(ConfigError, match="AUTH0_WAIT_LIMIT"):
            connection_from_env({**env, "AUTH0_WAIT_LIMIT": bad})


# --- Settings: flags, deploy-cli config file, environment ------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402


def write(tmp_path: Path, data: object, name: str = "config.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_deploy_cli_config_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, {
        "AUTH0_DOMAIN": "file.auth0.com", "AUTH0_CLIENT_ID": "file-id", "AUTH0_CLIENT_SECRET": CANARY,
        "AUTH0_KEYWORD_REPLACE_MAPPINGS": {"TOKEN": "t", "LIST": [1, 2]}, "AUTH0_ALLOW_DELETE": True,
        "AUTH0_EXCLUDED_RULES": ["r"], "AUTH0_EXCLUDED_HOOKS": ["legacy"], "AUTH0_API_MAX_RETRIES": 10,
    })
    settings = load_settings({}, config_file=path)
    assert settings.connection().base_url == "https://file.auth0.com"
    assert settings.client_secret == CANARY and settings.allow_delete
    assert settings.keyword_mappings == {"TOKEN": "t", "LIST": [1, 2]}
    assert settings.excluded_hooks == ("legacy",)
    assert CANARY not in repr(settings) and "TOKEN" not in repr(settings)


def test_environment_wins_over_the_file_and_flags_over_both(tmp_path: Path) -> None:
    path = write(tmp_path, {
        "AUTH0_DOMAIN": "file.auth0.com", "AUTH0_CLIENT_ID": "file-id", "AUTH0_CLIENT_SECRET": "file-secret",
        "AUTH0_KEYWORD_REPLACE_MAPPINGS": {"A": "file", "B": "file"}, "AUTH0_ALLOW_DELETE": True,
    })
    env = {"AUTH0_DOMAIN": "env.auth0.com", "AUTH0_KEYWORD_REPLACE_MAPPINGS": '{"A": "env"}',
           "AUTH0_ALLOW_DELETE": "false"}
    settings = load_settings(env, config_file=path, client_id="flag-id")
    assert settings.domain == "env.auth0.com" and settings.client_id == "flag-id"
    assert settings.client_secret == "file-secret"
    assert settings.keyword_mappings == {"A": "env", "B": "file"}
    assert settings.allow_delete is False


@pytest.mark.parametrize(
    "content,named",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"AUTH0_DOMAIN": 5}, "AUTH0_DOMAIN"),
        ({"AUTH0_KEYWORD_REPLACE_MAPPINGS": [1]}, "AUTH0_KEYWORD_REPLACE_MAPPINGS"),
        ({"AUTH0_KEYWORD_REPLACE_MAPPINGS": "{oops"}, "AUTH0_KEYWORD_REPLACE_MAPPINGS"),
        ({"AUTH0_ALLOW_DELETE": "maybe"}, "AUTH0_ALLOW_DELETE"),
        ({"AUTH0_EXCLUDED_HOOKS": "a"}, "AUTH0_EXCLUDED_HOOKS"),
        ({"AUTH0_EXCLUDED_ACTIONS": {"a": 1}}, "AUTH0_EXCLUDED_ACTIONS"),
        ({"AUTH0_TIMEOUT": [1]}, "AUTH0_TIMEOUT"),
        ("[" * 100_000, "config.json"),
        ("x" * 1_100_000, "larger than"),
    ],
)
def test_hostile_config_file_is_one_line_naming_file_and_key(tmp_path: Path, content: object, named: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as info:
        load_settings({}, config_file=path)
    message = str(info.value)
    assert "\n" not in message and named in message and path in message


def test_config_file_that_is_not_a_file(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.json"):
        with pytest.raises(ConfigError, match=str(path)):
            load_settings({}, config_file=str(path))
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings({}, config_file=str(tmp_path / "bin.json"))


def test_all_missing_settings_named_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        Settings().connection()
    message = str(info.value)
    assert all(n in message for n in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"))


@pytest.mark.parametrize("env,color", [({}, None), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, None)])
def test_no_color_variable(env: dict[str, str], color: object) -> None:
    assert load_settings(env).color is color
    assert load_settings(env, no_color=True).color is False


def test_cli_reads_the_config_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reconciler.cli import cli

    hooks = tmp_path / "cfg"
    (hooks / "hooks").mkdir(parents=True)
    (hooks / "hooks" / "a.json").write_text(json.dumps(
        {"name": "a", "triggerId": "pre-user-registration", "script": "./a.js", "secrets": {"K": "##K##"}}))
    (hooks / "hooks" / "a.js").write_text("// a\n")
    path = write(tmp_path, {"AUTH0_KEYWORD_REPLACE_MAPPINGS": {"K": "from-file"}})
    env = {"AUTH0_KEYWORD_REPLACE_MAPPINGS": "", "K": ""}
    assert CliRunner().invoke(cli, ["validate", "-c", str(hooks)], env=env).exit_code == 1
    result = CliRunner().invoke(cli, ["validate", "-c", str(hooks), "--config-file", path], env=env)
    assert result.exit_code == 0, result.output
    bad = write(tmp_path, "{", "bad.json")
    result = CliRunner().invoke(cli, ["validate", "-c", str(hooks), "--config_file", bad], env=env)
    assert result.exit_code == 1 and result.output.count("\n") == 1 and bad in result.output


def test_library_code_never_reads_the_environment() -> None:
    """Only the CLI's terminal module (which builds Settings) and the emulator's process launcher
    touch os.environ."""
    root = Path(__file__).resolve().parents[1] / "reconciler"
    allowed = {root / "terminal.py", root / "emulator" / "process.py"}
    offenders = [
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if path not in allowed and any(w in path.read_text(encoding="utf-8") for w in ("os.environ", "getenv("))
    ]
    assert offenders == []
