"""Terminal manners of the CLI: colour, exit codes of usage errors, confirmation, help, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import reconciler.terminal as terminal
from reconciler.cli import cli
from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.hooks.export import write_config

PRE = "pre-user-registration"
ANSI = "\x1b["
# Everything that could leak settings from the developer's shell into a test run.
CLEAN = {name: "" for name in (
    "AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN", "AUTH0_AUDIENCE",
    "AUTH0_ALLOW_DELETE", "AUTH0_KEYWORD_REPLACE_MAPPINGS", "NO_COLOR", "AUTH0_TIMEOUT",
)}


def invoke(args: list[str], env: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, args, env={**CLEAN, **(env or {})}, **kwargs)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", [{"name": "a", "triggerId": PRE, "script": "// a\n"}])


# --- colour -----------------------------------------------------------------------------------


def test_plan_is_coloured_on_a_terminal(emulator: EmulatorProcess, config: Path) -> None:
    result = invoke(["plan", "-c", str(config)], emulator.env(), color=True)
    assert result.exit_code == 0, result.output
    assert ANSI in result.output


@pytest.mark.parametrize(
    "args,env",
    [
        (["plan", "--no-color"], {}),
        (["--no-color", "plan"], {}),
        (["plan"], {"NO_COLOR": "1"}),
    ],
    ids=["flag", "group-flag", "NO_COLOR"],
)
def test_no_color_even_on_a_terminal(emulator: EmulatorProcess, config: Path, args: list[str],
                                     env: dict[str, str]) -> None:
    result = invoke([*args, "-c", str(config)], {**emulator.env(), **env}, color=True)
    assert result.exit_code == 0, result.output
    assert "+ a (pre-user-registration)" in result.output
    assert ANSI not in result.output


def test_no_colour_off_a_terminal(emulator: EmulatorProcess, config: Path) -> None:
    result = invoke(["plan", "-c", str(config)], emulator.env())  # CliRunner: not a terminal
    assert ANSI not in result.output


# --- exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--detailed-exitcode", "--allow-delet"],
        ["plan", "--detailed-exitcode", "--format", "yaml"],
        ["--bogus", "plan", "--detailed-exitcode"],
        ["plann", "--detailed-exitcode"],
    ],
)
def test_usage_errors_exit_1_never_2(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 1, result.output
    assert "Usage:" in result.output or "Error:" in result.output


# --- confirmation -------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["y", "Y", "YES", "no", ""])
def test_only_the_word_yes_approves(emulator: EmulatorProcess, config: Path, answer: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "interactive", lambda: True)
    result = invoke(["apply", "-c", str(config)], emulator.env(), input=f"{answer}\n")
    assert result.exit_code == 1, result.output
    assert "Only 'yes' will be accepted" in result.output and "apply cancelled" in result.output
    # The question names the tenant, so nobody approves an apply to prod meant for dev.
    host = emulator.env()["AUTH0_DOMAIN"].split("://", 1)[-1].rstrip("/")
    assert f"Do you want to apply these actions to {host}?" in result.output
    assert emulator.stats()["writes"] == 0


def test_yes_typed_applies(emulator: EmulatorProcess, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terminal, "interactive", lambda: True)
    result = invoke(["apply", "-c", str(config)], emulator.env(), input="yes\n")
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.output
    # Not a terminal (CliRunner's stdout): one line per finished request, with its time.
    assert "[1/1] create a: done after" in result.output


def test_without_a_terminal_yes_is_required(emulator: EmulatorProcess, config: Path) -> None:
    result = invoke(["apply", "-c", str(config)], emulator.env(), input="yes\n")
    assert result.exit_code == 1 and "pass --yes" in result.output
    assert emulator.stats()["writes"] == 0


# --- help and settings errors -------------------------------------------------------------------

TENANT_VARS = ["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET", "AUTH0_ACCESS_TOKEN",
               "AUTH0_AUDIENCE", "AUTH0_TIMEOUT", "NO_COLOR"]


@pytest.mark.parametrize(
    "command,names",
    [
        ("plan", [*TENANT_VARS, "AUTH0_ALLOW_DELETE", "AUTH0_KEYWORD_REPLACE_MAPPINGS", "RECONCILER_SECRETS_HMAC_KEY"]),
        ("apply", [*TENANT_VARS, "AUTH0_ALLOW_DELETE", "AUTH0_KEYWORD_REPLACE_MAPPINGS", "RECONCILER_SECRETS_HMAC_KEY"]),
        ("export", TENANT_VARS),
        ("validate", ["AUTH0_KEYWORD_REPLACE_MAPPINGS", "NO_COLOR"]),
        ("demo", ["AUTH0_KEYWORD_REPLACE_MAPPINGS"]),
        ("comment", ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL"]),
    ],
)
def test_help_names_the_environment_variables(command: str, names: list[str]) -> None:
    result = invoke([command, "--help"])
    assert result.exit_code == 0
    environment = result.output.split("Environment", 1)[1]
    for name in names:
        assert name in environment, f"{name} missing from `{command} --help`"


def test_all_missing_credentials_in_one_line(config: Path) -> None:
    result = invoke(["plan", "-c", str(config)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert all(name in errors[0] for name in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"))


def test_domain_without_scheme_that_fails_tls_says_what_to_try(emulator: EmulatorProcess, config: Path) -> None:
    host = emulator.base_url.split("://", 1)[1]  # the emulator speaks plain HTTP
    result = invoke(["plan", "-c", str(config)], {**emulator.env(), "AUTH0_DOMAIN": host})
    assert result.exit_code == 1
    assert f"for a local emulator use http://{host}" in result.output
    assert "Traceback" not in result.output


# --- start-up and completion --------------------------------------------------------------------


def test_importing_the_cli_loads_no_heavy_library() -> None:
    """A behavioural guard for start-up time: the CLI module must not import these eagerly
    (the settings, keywords and resource types load when a command runs, not for --help)."""
    code = (
        "import sys, reconciler.cli\n"
        "heavy = [m for m in ('httpx', 'rich', 'jsonschema', 'yaml', 'reconciler.emulator.server',\n"
        "  'reconciler.config', 'reconciler.keywords', 'reconciler.resources', 'reconciler.core') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


@pytest.mark.parametrize("name", sorted(set(cli.commands) - {"emulator"}))  # the emulator's entry has a summary of its own
def test_the_command_list_shows_what_each_command_says_of_itself(name: str) -> None:
    """`reconciler --help` lists the commands without loading them: each entry's text must be
    the one the loaded command would give (its docstring's first paragraph, shortened alike)."""
    ctx = click.Context(cli)
    listed = cli.commands[name]
    assert isinstance(listed, terminal.Lazy)
    loaded = listed.load()
    assert loaded.name == name
    for limit in (45, 1000):
        assert listed.get_short_help_str(limit) == loaded.get_short_help_str(limit)
    assert cli.get_command(ctx, name) is listed


def test_validate_loads_neither_httpx_nor_rich(tmp_path: Path) -> None:
    write_config(tmp_path, [{"name": "a", "triggerId": PRE, "script": "// a\n"}])
    code = (
        "import sys\nfrom reconciler.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('|' + ','.join(m for m in ('httpx', 'rich', 'jsonschema') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "validate", "-c", str(tmp_path)],
                          capture_output=True, text=True, env={**os.environ, **CLEAN})
    assert "ok: 1 hook valid" in proc.stdout, proc.stderr
    assert proc.stdout.rsplit("|", 1)[1].strip() == ""


def test_bash_completion_script() -> None:
    env = {**os.environ, "_RECONCILER_COMPLETE": "bash_source"}
    proc = subprocess.run([sys.executable, "-c", "from reconciler.cli import main; main()"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0
    assert "_RECONCILER_COMPLETE=bash_complete" in proc.stdout and "complete " in proc.stdout


def test_completion_offers_the_commands() -> None:
    env = {**os.environ, "_RECONCILER_COMPLETE": "bash_complete", "COMP_WORDS": "reconciler pl", "COMP_CWORD": "1"}
    proc = subprocess.run([sys.executable, "-c", "from reconciler.cli import main; main()"],
                          capture_output=True, text=True, env=env)
    assert "plain,plan" in proc.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_help_names_its_environment_and_an_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "--no-color" in result.output
    assert "Environment (" in result.output and "NO_COLOR" in result.output
    examples = result.output.split("Examples:")[1]
    assert f"reconciler {name}" in examples
