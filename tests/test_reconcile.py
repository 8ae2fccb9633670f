"""plan_options: where exclusions and flags come from (deploy-cli's names)."""

import json
from pathlib import Path

import pytest

from reconciler.config import excluded_actions, excluded_hooks, load_settings
from reconciler.errors import ReconcilerError
from reconciler.usecases.loading import plan_options


@pytest.mark.parametrize(
    "value, names",
    [
        (None, set()), ("", set()), ('["a", "b c"]', {"a", "b c"}), ("a, b", {"a", "b"}),
        (["a"], {"a"}),  # a deploy-cli config.json holds a real list
    ],
)
def test_excluded_hooks_forms(value: object, names: set[str]) -> None:
    assert set(excluded_hooks(value)) == names


@pytest.mark.parametrize("value", ['["a", 3]', "[not json", '{"a": 1}', [""], 7])
def test_bad_exclusion_lists_are_refused(value: object) -> None:
    with pytest.raises(ReconcilerError, match="AUTH0_EXCLUDED_HOOKS"):
        excluded_hooks(value)


def test_plan_options_reads_the_settings_passed_not_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH0_EXCLUDED_HOOKS", "from-os")
    options = plan_options(load_settings({"AUTH0_EXCLUDED_HOOKS": '["x"]'}), exclude=["y"])
    assert options.excluded_hooks == {"x", "y"}
    assert plan_options(load_settings({})).excluded_hooks == frozenset()


def test_exclusions_from_a_deploy_cli_config_file_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_HOOKS": ["from-file"]}))
    assert load_settings({}, config_file=str(config)).excluded_hooks == ("from-file",)
    assert load_settings({"AUTH0_EXCLUDED_HOOKS": "from-env"}, config_file=str(config)).excluded_hooks == ("from-env",)


@pytest.mark.parametrize("value, names", [(None, set()), ("a, b-c", {"a", "b-c"}), ('["x y"]', {"x y"}), (["a"], {"a"})])
def test_excluded_actions_forms(value: object, names: set[str]) -> None:
    assert set(excluded_actions(value)) == names


@pytest.mark.parametrize("value", ['["a", 3]', "[not json", [""], ["a\nb"], 7])
def test_bad_action_exclusions_are_one_line(value: object) -> None:
    with pytest.raises(ReconcilerError, match="AUTH0_EXCLUDED_ACTIONS") as info:
        excluded_actions(value)
    assert "\n" not in str(info.value)


def test_excluded_actions_reach_the_actions_planner_options(tmp_path: Path) -> None:
    settings = load_settings({"AUTH0_EXCLUDED_ACTIONS": "theirs,legacy"})
    assert plan_options(settings).excluded_actions == {"theirs", "legacy"}
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_ACTIONS": ["from-file"]}))
    assert plan_options(load_settings({}, config_file=str(config))).excluded_actions == {"from-file"}
