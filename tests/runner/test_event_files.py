"""Event files come from inside the config: a symlink out of it is refused."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config

CANARY = "canary-5e1d-attack-value"
POST = "post-user-registration"


def _config_with(tmp_path: Path, code: str, trigger: str = POST) -> Path:
    return hook_config(tmp_path / "config", "attack", trigger, code)


# ------------------------------------------------------------------ event files


def test_event_files_are_not_followed_through_symlinks_out_of_the_config(node: Node, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"user": {"email": CANARY}}))
    config = _config_with(tmp_path, "module.exports = function (user, context, cb) { console.log(user.email); cb(); };")
    events = config / "tests" / "events" / POST
    events.mkdir(parents=True)
    (events / "linked.json").symlink_to(outside)
    result = CliRunner().invoke(cli, ["run", "attack", "--all-samples", "-c", str(config)])
    assert CANARY not in result.output
    assert result.exit_code == 1 and "links outside the config directory" in result.stderr


def test_a_symlinked_events_folder_out_of_the_config_is_refused_too(node: Node, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "e.json").write_text(json.dumps({"user": {"email": CANARY}}))
    config = _config_with(tmp_path, "module.exports = function (user, context, cb) { console.log(user.email); cb(); };")
    (config / "tests" / "events").mkdir(parents=True)
    (config / "tests" / "events" / POST).symlink_to(outside)
    result = CliRunner().invoke(cli, ["run", "attack", "--all-samples", "-c", str(config)])
    assert CANARY not in result.output and result.exit_code == 1


def test_a_symlink_inside_the_config_is_fine(node: Node, tmp_path: Path) -> None:
    config = _config_with(tmp_path, "module.exports = function (user, context, cb) { console.log(user.email); cb(); };")
    events = config / "tests" / "events" / POST
    events.mkdir(parents=True)
    (config / "shared.json").write_text(json.dumps({"user": {"email": "inside@example.com"}}))
    (events / "shared.json").symlink_to(config / "shared.json")
    result = CliRunner().invoke(cli, ["run", "attack", "--all-samples", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[-1]["logs"] == ["inside@example.com"]
