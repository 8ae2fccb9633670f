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
    options = plan_options(load_settings({"AUTH0_EXCLUDED_HOOKS": '["x", "y"]'}))
    assert options.excluded_of("hook") == {"x", "y"}
    assert plan_options(load_settings({})).excluded_of("hook") == frozenset()


def test_exclusions_from_a_deploy_cli_config_file_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_HOOKS": ["from-file"]}))
    assert load_settings({}, config_file=str(config)).excluded["AUTH0_EXCLUDED_HOOKS"] == ("from-file",)
    from_env = load_settings({"AUTH0_EXCLUDED_HOOKS": "from-env"}, config_file=str(config))
    assert from_env.excluded["AUTH0_EXCLUDED_HOOKS"] == ("from-env",)
    assert plan_options(from_env).excluded_of("hook") == {"from-env"}


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
    assert plan_options(settings).excluded_of("action") == {"theirs", "legacy"}
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_ACTIONS": ["from-file"]}))
    assert plan_options(load_settings({}, config_file=str(config))).excluded_of("action") == {"from-file"}


def test_a_type_names_its_own_exclusion_setting() -> None:
    # Each type declares its AUTH0_EXCLUDED_<TYPE> through the seam; the options key them by type.
    from reconciler.resources.builtin import registry
    from reconciler.resources.options import PlanOptions

    declared = {r.name: r.excluded_setting for r in registry() if r.excluded_setting}
    assert declared == {"hook": "AUTH0_EXCLUDED_HOOKS", "action": "AUTH0_EXCLUDED_ACTIONS"}
    assert set(declared.values()) <= set(load_settings({}).excluded), "a type names a setting nobody reads"
    options = plan_options(load_settings({"AUTH0_EXCLUDED_HOOKS": "h", "AUTH0_EXCLUDED_ACTIONS": "a"}))
    assert dict(options.excluded) == {"hook": {"h"}, "action": {"a"}}
    assert options.excluded_of("bindings") == frozenset()  # a type without a setting leaves nothing alone
    assert PlanOptions().delete_threshold_min("action") == 10
    assert PlanOptions(delete_threshold_mins={"hook": 3}).delete_threshold_min("hook") == 3
