"""A config file from a pull request may spell a lone surrogate (JSON ``"\\ud800"``, YAML
``"\\uD800"``), which no terminal, digest or request can take: one problem naming the file and
field, exit 1, no traceback (``validate`` died resolving a path built from it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reconciler.resources.common.parse import parse_json, parse_yaml
from tests.e2e.helpers import run_cli

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gitops-repo" / "tenant-config"


def test_json_and_yaml_name_the_field() -> None:
    for value, problem in (parse_json('{"name": "a\\ud800", "x": [1]}', "f.json"),
                           parse_yaml('name: "a\\uD800"\n', "f.yaml"),
                           parse_json('{"s": {"k\\udc80": 1}}', "g.json")):
        assert value is None and problem is not None
        assert "Unicode" in str(problem.message)  # PyYAML refuses it itself
    assert parse_json('{"name": "caf\\u00e9 \\ud83d\\ude00"}', "ok.json") == ({"name": "café 😀"}, None)


@pytest.mark.parametrize("field", ["name", "runtime"])
def test_a_config_with_a_lone_surrogate_is_one_problem(tmp_path: Path, field: str) -> None:
    config = tmp_path / "tenant-config"
    shutil.copytree(EXAMPLE, config)
    path = config / "actions" / "block-disposable-emails.json"
    data = json.loads(path.read_text())
    data[field] = str(data[field]) + "\ud800"
    path.write_text(json.dumps(data))
    env = {"SLACK_WEBHOOK_URL": "https://hooks.example/x", "AUTH0_DOMAIN": "example.eu.auth0.com",
           "AUTH0_ACCESS_TOKEN": "t", "NO_COLOR": "1"}
    for args in (["validate"], ["plan", "--allow-missing-keywords"]):
        result = run_cli([*args, "-c", str(config)], env)
        assert result.exit_code == 1, result.output
        assert f"block-disposable-emails.json: {field}: is not Unicode text (a lone surrogate)" in result.output
        assert "Traceback" not in result.output
