"""plan_options: where exclusions and flags come from (deploy-cli's names)."""

import dataclasses
import json
from pathlib import Path

import click
import pytest

from reconciler.config import Settings, excluded_names, load_settings
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.resources.builtin import registry
from reconciler.terminal import run_settings
from reconciler.usecases.loading import plan_options
from tests.resources.logstreams.logstreams_toy import LOG_STREAMS, NAME_RE

# What the CLI hands settings: each registered type's own setting and name rule.
EXCLUSIONS = registry().exclusion_settings()


def excluded_hooks(value: object) -> tuple[str, ...]:
    return excluded_names(value, "AUTH0_EXCLUDED_HOOKS", EXCLUSIONS["AUTH0_EXCLUDED_HOOKS"])


def excluded_actions(value: object) -> tuple[str, ...]:
    return excluded_names(value, "AUTH0_EXCLUDED_ACTIONS", EXCLUSIONS["AUTH0_EXCLUDED_ACTIONS"])


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
    assert set(declared.values()) == set(EXCLUSIONS), "a type names a setting nobody reads"
    assert set(load_settings({}, exclusions=EXCLUSIONS).excluded) == set(EXCLUSIONS)
    options = plan_options(load_settings({"AUTH0_EXCLUDED_HOOKS": "h", "AUTH0_EXCLUDED_ACTIONS": "a"}))
    assert dict(options.excluded) == {"hook": {"h"}, "action": {"a"}}
    assert options.excluded_of("bindings") == frozenset()  # a type without a setting leaves nothing alone
    assert PlanOptions().delete_threshold_min("action") == 10
    assert PlanOptions(delete_threshold_mins={"hook": 3}).delete_threshold_min("hook") == 3


def test_each_type_brings_its_own_name_rule_and_word() -> None:
    # Hooks: Auth0's hook name rule; Actions: any printable name. Worded as they always were.
    with pytest.raises(ConfigError, match=r"^AUTH0_EXCLUDED_HOOKS: 'a_b' is not a hook name$"):
        load_settings({"AUTH0_EXCLUDED_HOOKS": "a_b"}, exclusions=EXCLUSIONS)
    assert load_settings({"AUTH0_EXCLUDED_ACTIONS": "a_b"}, exclusions=EXCLUSIONS).excluded["AUTH0_EXCLUDED_ACTIONS"] == ("a_b",)


def test_undeclared_settings_are_left_alone_when_the_types_are_given(tmp_path: Path) -> None:
    # deploy-cli's other AUTH0_EXCLUDED_* (rules, clients, ...) are not this tool's to check.
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_RULES": "not-a-list"}))
    settings = load_settings({"AUTH0_EXCLUDED_CLIENTS": "[broken"}, config_file=str(config), exclusions=EXCLUSIONS)
    assert set(settings.excluded) == set(EXCLUSIONS)


STREAMS = dataclasses.replace(LOG_STREAMS, excluded_setting="AUTH0_EXCLUDED_LOG_STREAMS", excluded_name=NAME_RE.match)


def _cli_settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], **flags: object) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with click.Context(click.Command("plan")).scope():
        return run_settings(**flags)


def test_a_new_type_s_exclusion_setting_is_read_without_a_line_in_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTH0_EXCLUDED_LOG_STREAMS", raising=False)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"AUTH0_EXCLUDED_LOG_STREAMS": ["from-file"]}))
    with registry().registered(STREAMS):
        from_file = _cli_settings(monkeypatch, {}, config_file=str(config))
        assert plan_options(from_file).excluded_of("log-stream") == {"from-file"}
        from_env = _cli_settings(monkeypatch, {"AUTH0_EXCLUDED_LOG_STREAMS": "audit, siem"}, config_file=str(config))
        assert plan_options(from_env).excluded_of("log-stream") == {"audit", "siem"}
        with pytest.raises(ConfigError, match=r"^AUTH0_EXCLUDED_LOG_STREAMS: 'Audit_1' is not a log stream name$"):
            _cli_settings(monkeypatch, {"AUTH0_EXCLUDED_LOG_STREAMS": "Audit_1"})
        config.write_text(json.dumps({"AUTH0_EXCLUDED_LOG_STREAMS": "audit"}))
        with pytest.raises(ConfigError) as info:
            _cli_settings(monkeypatch, {}, config_file=str(config))
        assert str(info.value) == f"{config}: AUTH0_EXCLUDED_LOG_STREAMS: must be an array of log stream names"
    # Unregistered again: the CLI no longer reads or checks it.
    assert "AUTH0_EXCLUDED_LOG_STREAMS" not in _cli_settings(monkeypatch, {}, config_file=str(config)).excluded
