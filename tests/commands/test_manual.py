"""Every command's ``--help`` (reconciler/commands/manual.py): its examples run as written, it
names the variables the command reads, and it speaks of Actions before Hooks."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.commands.manual import ENVIRONMENT, EXAMPLES


def _loaded(name: str) -> click.Command:
    ctx = click.Context(cli)
    _, command, _ = cli.resolve_command(ctx, [name])
    assert command is not None
    return command


def _help(name: str) -> str:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def _example_args(line: str) -> list[str]:
    """The arguments after ``reconciler NAME`` in an example: no comment, no VAR=value
    prefix, no shell redirection."""
    words = shlex.split(line.split("#", 1)[0])
    while words and "=" in words[0]:
        words.pop(0)
    if ">" in words:
        words = words[: words.index(">")]
    assert words[0] == "reconciler", line
    return words[2:]


@pytest.mark.parametrize("name,line", [(name, line) for name, lines in EXAMPLES.items() for line in lines])
def test_every_example_parses_as_written(name: str, line: str) -> None:
    """An example that names a flag the command does not have teaches an error; one that
    names a hidden (legacy) flag teaches what the help does not explain."""
    command = _loaded(name)
    args = _example_args(line)
    command.make_context(name, list(args), resilient_parsing=False)
    hidden = {opt for p in command.params if isinstance(p, click.Option) and p.hidden for opt in p.opts}
    assert not hidden & set(args), line


def test_the_emulator_example_uses_the_emulator_s_own_secret() -> None:
    default = next(p.default for p in _loaded("emulator").params if p.name == "client_secret")
    assert f"AUTH0_CLIENT_SECRET={default} " in " ".join(EXAMPLES["emulator"])


@pytest.mark.parametrize("name", ["plan", "apply"])
def test_plan_and_apply_help_speak_of_actions_and_name_every_variable_they_read(name: str) -> None:
    text = " ".join(_help(name).split())
    assert "Delete actions, hooks and secret keys missing from the config" in text
    assert "unbinding an action from a trigger needs no flag" in text
    assert "more than 30% of the live actions (or hooks)" in text
    assert "of the hooks." not in text
    environment = text.split("Environment", 1)[1]
    for variable in ("AUTH0_EXCLUDED_ACTIONS", "AUTH0_EXCLUDED_HOOKS", "AUTH0_CUTOVER"):
        assert variable in environment


def test_export_names_the_keyword_values_it_writes_back() -> None:
    assert "AUTH0_KEYWORD_REPLACE_MAPPINGS" in _help("export").split("Environment", 1)[1]


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_the_precedence_line_names_config_file_only_where_there_is_one(name: str) -> None:
    text = _help(name)
    has_file = "--config-file" in text.split("Environment", 1)[0]
    assert ("it wins over --config-file" in text) == has_file


@pytest.mark.parametrize("name", ["export", "emulator", "validate", "demo"])
def test_titles_put_actions_before_hooks(name: str) -> None:
    text = " ".join(_help(name).split()).lower()
    words = [w.strip(".,():") for w in text.split()]
    first_action = next(i for i, w in enumerate(words) if w.startswith("action"))
    first_hook = next(i for i, w in enumerate(words) if w.startswith("hook"))
    assert first_action < first_hook, text[:300]
