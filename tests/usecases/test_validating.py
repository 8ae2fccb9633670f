"""``check``'s own refusals: a config path that does not exist and a directory with nothing
of any registered type are the use case's, so they hold whichever types are registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.resources.base import REGISTRY
from reconciler.resources.builtin import registry
from reconciler.usecases.validating import check


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


def test_without_hooks_the_checks_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry()
    monkeypatch.delitem(REGISTRY._types, "hook")
    assert [p.message for p in check(tmp_path / "nowhere").problems] == ["does not exist"]
    found = check(tmp_path)
    assert [p.field for p in found.problems] == ["actions"]
    assert found.problems[0].message.startswith("has no actions/ directory, nor triggers/ ")
