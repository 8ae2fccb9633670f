"""``check``'s own refusals: a config path that does not exist and a directory with nothing
of any registered type are the use case's, so they hold whichever types are registered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.resources.base import Registry, ResourceType, TypeLoad
from reconciler.resources.builtin import registry
from reconciler.usecases import validating
from reconciler.usecases.validating import check


@pytest.fixture
def without_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    """A registry of every built-in type but Hooks, as if its package were deleted, that the
    use case asks for its types (the shared registry is left as it is)."""
    types = Registry()
    with types.registered(*(resource for resource in registry() if resource.name != "hook")):
        monkeypatch.setattr(validating, "registry", lambda: types)
        yield types


def test_a_missing_config_path_is_refused(tmp_path: Path) -> None:
    found = check(tmp_path / "nowhere")
    assert found.desired is None
    assert [(p.field, p.message) for p in found.problems] == [("(config)", "does not exist")]


def test_a_directory_with_nothing_to_manage_names_every_folder(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    found = check(tmp_path)
    assert found.desired is None and [p.field for p in found.problems] == ["hooks"]
    assert found.problems[0].message == (
        "has no hooks/ directory, nor actions/ or triggers/ (expected auth0-deploy-cli's layout: "
        "hooks/<name>.json next to <name>.js, actions/<name>.json, triggers/triggers.json)")


def test_without_hooks_the_checks_stay(tmp_path: Path, without_hooks: Registry) -> None:
    assert "hook" not in without_hooks.names() and "action" in without_hooks.names()
    assert [p.message for p in check(tmp_path / "nowhere").problems] == ["does not exist"]
    found = check(tmp_path)
    assert [p.field for p in found.problems] == ["actions"]
    assert found.problems[0].message.startswith("has no actions/ directory, nor triggers/ ")


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tenant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_file_with_no_type_key_names_every_key(tmp_path: Path) -> None:
    for text in ("clients: []\n", "- hooks\n"):
        found = check(_yaml(tmp_path, text))
        assert found.desired is None
        assert [(p.field, p.message) for p in found.problems] == [
            ("hooks", "has no top-level `hooks:` list, nor `actions:` or `triggers:` (auth0-deploy-cli YAML format)")]


def test_a_yaml_file_keeps_other_deploy_cli_keys(tmp_path: Path) -> None:
    found = check(_yaml(tmp_path, "clients: []\ntenant: {friendly_name: x}\nactions: []\n"))
    assert found.desired is not None and not found.problems


def test_a_broken_yaml_file_is_one_problem_whichever_types_read_it(tmp_path: Path) -> None:
    found = check(_yaml(tmp_path, "hooks: [\n"))
    assert [(p.field, p.message.split(":")[0]) for p in found.problems] == [("(file)", "is not valid YAML")]


def test_a_type_registered_later_brings_its_yaml_key(tmp_path: Path, without_hooks: Registry) -> None:
    streams: ResourceType[None, None] = ResourceType("log-stream", "log streams", load=lambda config, keywords, *, offline=False: TypeLoad(None, ()),
                           yaml_keys=("logStreams",))
    with without_hooks.registered(streams):
        assert not check(_yaml(tmp_path, "logStreams: []\n")).problems
        found = check(_yaml(tmp_path, "rules: []\n"))
    assert [(p.field, p.message) for p in found.problems] == [
        ("actions", "has no top-level `actions:` list, nor `triggers:` or `logStreams:` (auth0-deploy-cli YAML format)")]
    assert [p.field for p in check(_yaml(tmp_path, "logStreams: []\n")).problems] == ["actions"]


@pytest.mark.parametrize("folder", ["hooks", "actions", "triggers"])
def test_a_type_folder_that_is_a_file_is_worded_by_its_own_type_alone(tmp_path: Path, folder: str) -> None:
    (tmp_path / folder).write_text("not a directory\n")
    found = check(tmp_path)
    assert found.desired is None
    assert [(p.path, p.field) for p in found.problems] == [(str(tmp_path / folder), "(dir)")]
    message = found.problems[0].message
    assert message.startswith(f"must be a directory (auth0-deploy-cli's {folder}/ folder")
    others = {"hooks", "actions", "triggers"} - {folder}
    assert not [other for other in others if other in message], message
