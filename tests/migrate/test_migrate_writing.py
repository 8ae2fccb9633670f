"""``migrate --write`` writes only inside the config, and keeps secrets apart (issue 18,
"migrate writing"): a symlinked ``actions/<name>/``, ``actions/`` or ``triggers/`` folder is
refused with one line and nothing is written through it; secret keys ``a-b`` and ``a_b``
never share one keyword."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config

CODE = "module.exports = function (u, context, cb) { cb(); };"


def migrate(*args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", *args], env={"NO_COLOR": "1"})


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("linked", ["actions/h", "actions", "triggers"])
def test_write_never_follows_a_symlinked_folder_out_of_the_config(node: Node, tmp_path: Path, linked: str) -> None:
    config = hook_config(tmp_path / "cfg", "h", "post-user-registration", CODE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (config / linked).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, config / linked)
    result = migrate("-c", str(config), "--write")
    assert result.exit_code == 1, result.output
    # The loader refuses a linked actions/ or triggers/ itself; a linked actions/<name>/ is
    # refused by the writer. Either way: one line, and nothing outside.
    [line] = [ln for ln in result.output.splitlines() if "symlink" in ln]
    assert str(config / linked) in line
    assert "Traceback" not in result.output
    assert files_under(outside) == []


def test_secret_keys_that_differ_only_in_punctuation_get_their_own_keywords(node: Node, tmp_path: Path) -> None:
    secrets = {"a-b": "canary-one-7731", "a_b": "canary-two-7732", "a.b": "canary-three-7733"}
    config = hook_config(tmp_path / "cfg", "h", "post-user-registration", CODE, secrets=secrets)
    result = migrate("-c", str(config), "--write")
    assert result.exit_code == 0, result.output
    action = json.loads((config / "actions" / "h.json").read_text())
    values = {s["name"]: s["value"] for s in action["secrets"]}
    assert set(values) == set(secrets) and len(set(values.values())) == 3, values
    assert values["a_b"] == "##a_b##"  # a name that is a keyword name keeps it
    assert all(canary not in result.output for canary in secrets.values())


def test_a_generated_keyword_never_takes_one_the_hook_already_uses(node: Node, tmp_path: Path) -> None:
    secrets = {"a-b": "literal-value-1", "OTHER": "##a_b##"}
    config = hook_config(tmp_path / "cfg", "h", "post-user-registration", CODE, secrets=secrets)
    result = migrate("-c", str(config))
    assert result.exit_code == 0, result.output
    assert '"value": "##a_b##"' in result.output and '"value": "##a_b_2##"' in result.output
