"""Hostile Actions configs: symlinks out, FIFOs, huge or binary files, YAML bombs and tags, deep
nesting. Each is one clean line, no traceback, nothing read from outside the config."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from tests.resources.actions.actions_testlib import CODE, action, write_dir

OUTSIDE = "outside-canary-code-5521"


def run(config: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", "-c", str(config)], env={"AUTH0_KEYWORD_REPLACE_MAPPINGS": None})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and OUTSIDE not in result.output
    return result.output


def test_code_symlink_outside(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], code={"a": None})
    (tmp_path / "evil.js").write_text(f"// {OUTSIDE}\n" + CODE)
    (config / "actions" / "a").mkdir()
    (config / "actions" / "a" / "code.js").symlink_to(tmp_path / "evil.js")
    assert "actions/a.json: code: './actions/a/code.js' is a symlink that resolves outside" in run(config)


def test_action_folder_symlink_outside(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], code={"a": None})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "code.js").write_text(CODE)
    (config / "actions" / "a").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert "is a symlink that resolves outside the config directory" in run(config)


def test_metadata_symlink_outside(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")])
    (tmp_path / "b.json").write_text(json.dumps(action("b")))
    (config / "actions" / "b.json").symlink_to(tmp_path / "b.json")
    assert "actions/b.json: (file): is a symlink that resolves outside the config directory" in run(config)


def test_triggers_dir_symlink_outside(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")])
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "triggers.json").write_text('{"post-login": []}')
    (config / "triggers").symlink_to(tmp_path / "t", target_is_directory=True)
    assert "triggers: (dir): is a symlink that resolves outside the config directory" in run(config)


def test_broken_metadata_symlink(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")])
    (config / "actions" / "gone.json").symlink_to(tmp_path / "missing.json")
    assert "actions/gone.json: (file): is a broken symlink" in run(config)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_code_fifo_is_refused_unread(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], code={"a": None})
    (config / "actions" / "a").mkdir()
    os.mkfifo(config / "actions" / "a" / "code.js")
    assert "is not a regular file" in run(config)


def test_huge_sparse_code(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")])
    with open(config / "actions" / "a" / "code.js", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    assert "actions/a/code.js: code: is 52428800 bytes" in run(config)


def test_binary_code(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], code={"a": b"\x7fELF\x00\x01" + bytes(range(256))})
    assert "actions/a/code.js: code: is a binary file" in run(config)


def test_huge_metadata(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")])
    (config / "actions" / "a.json").write_text(json.dumps(action("a")) + " " * (1024 * 1024))
    assert "actions/a.json: (file): is 1048" in run(config)


def test_deeply_nested_triggers_json(tmp_path: Path) -> None:
    config = write_dir(tmp_path / "c", [action("a")], "[" * 100_000 + "]" * 100_000)
    assert "triggers/triggers.json: (file): is nested too deeply" in run(config)


def test_yaml_bomb_in_actions(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1},*a{i-1}]" for i in range(1, 9)]
    lines += ["actions:", "  - name: a", "    code: ./c.js", "    supported_triggers: *a8"]
    (tmp_path / "tenant.yaml").write_text("\n".join(lines) + "\n")
    assert "expands to more than" in run(tmp_path / "tenant.yaml")


def test_yaml_python_tag_in_triggers(tmp_path: Path) -> None:
    (tmp_path / "tenant.yaml").write_text("triggers:\n  post-login: !!python/object/apply:os.system ['echo pwned']\n")
    assert "YAML tag" in run(tmp_path / "tenant.yaml")


def test_yaml_code_escaping_the_config(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "evil.js").write_text(f"// {OUTSIDE}\n")
    (tmp_path / "cfg" / "tenant.yaml").write_text(
        "actions:\n  - name: a\n    code: ../evil.js\n    deployed: true\n"
        "    supported_triggers: [{id: post-login, version: v3}]\n"
    )
    assert "tenant.yaml: actions[0].code: '../evil.js' points outside the config directory" in run(tmp_path / "cfg" / "tenant.yaml")


def test_yaml_actions_not_a_list(tmp_path: Path) -> None:
    (tmp_path / "tenant.yaml").write_text("actions:\n  name: a\n")
    assert "tenant.yaml: actions: must be a list of actions, got object" in run(tmp_path / "tenant.yaml")


def test_yaml_date_in_an_action(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text(CODE)
    (tmp_path / "tenant.yaml").write_text(
        "actions:\n  - name: a\n    code: ./a.js\n    deployed: true\n"
        "    dependencies: [{name: axios, version: 2024-01-01}]\n"
        "    supported_triggers: [{id: post-login, version: v3}]\n"
    )
    assert "actions[0].dependencies[0].version: is a YAML date, not plain data: quote it" in run(tmp_path / "tenant.yaml")
