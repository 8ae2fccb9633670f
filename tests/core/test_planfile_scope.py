"""A saved plan's scope (--only/--target): written twice, read back strictly, compared."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.plan import Plan
from reconciler.core.scope import Scope
from reconciler.errors import PlanFileError
from reconciler.planfile import check_matches, read_plan, write_plan
from reconciler.resources.builtin import registry
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.scope_rules import targeted

PRE = "pre-user-registration"


def scoped_plan() -> Plan:
    desired = DesiredState((Hook("new", PRE, "// n\n", True), Hook("old", PRE, "// o\n"), Hook("x", "post-change-password", "// x\n")))
    live = LiveState((LiveHook("1", "old", PRE, "// o\n", True),))
    plan = build_plan(desired, live)
    plan = dataclasses.replace(plan, scope=Scope(("hooks",), ("actions",)))
    return targeted(plan, ("hooks:new",), registry())


def saved(tmp_path: Path, edit: Any = None) -> Path:
    path = tmp_path / "plan.json"
    write_plan(scoped_plan(), path, config="cfg")
    if edit is not None:
        data = json.loads(path.read_text())
        edit(data)
        path.write_text(json.dumps(data))
    return path


def test_the_scope_is_written_twice_and_read_back(tmp_path: Path) -> None:
    plan = scoped_plan()
    assert {(s.key, s.operation) for s in plan.steps} >= {("new", "create"), ("old", "disable")}
    assert all(s.key != "x" for s in plan.steps)  # another trigger: not needed
    data = json.loads(saved(tmp_path).read_text())
    assert data["options"]["only"] == ["hooks"] and data["options"]["targets"] == ["hooks:new"]
    assert data["scope"]["targets"] == ["hooks:new"] and data["scope"]["needed"] == ["hooks:old"]
    back = read_plan(saved(tmp_path))
    assert back.plan.scope == plan.scope and back.options.targets == ("hooks:new",)
    check_matches(back, plan)


def test_an_unscoped_plan_file_keeps_its_old_shape(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    write_plan(build_plan(DesiredState(()), LiveState(())), path, config="cfg")
    data = json.loads(path.read_text())
    assert "scope" not in data and set(data["options"]) == {"allow_delete", "rotate_secrets", "force"}
    assert read_plan(path).plan.scope == Scope()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["options"].update(targets=["hooks:old"]), "options.only/targets disagree"),
    (lambda d: d["scope"].update(only=[]), "options.only/targets disagree"),
    (lambda d: d["scope"].update(extra=[]), "plan.scope: unknown key 'extra'"),
    (lambda d: d["scope"].update(needed=["a\x1b]0;x\x07"]), "is not a resource name"),
    (lambda d: d["scope"].update(needed=["n"] * 201), "at most 200"),
    (lambda d: d["scope"].update(targets="hooks:new"), "plan.scope.targets"),
    (lambda d: d["options"].update(only=[1]), "plan.options.only"),
    (lambda d: d["scope"].update(lines=["a", "b", "c", "d"]), "at most 3 lines"),
])
def test_a_bad_scope_is_one_line(tmp_path: Path, edit: Any, message: str) -> None:
    with pytest.raises(PlanFileError, match=message) as error:
        read_plan(saved(tmp_path, edit))
    assert "\n" not in str(error.value)


def test_a_scope_that_is_not_what_the_targets_need_now_is_refused(tmp_path: Path) -> None:
    back = read_plan(saved(tmp_path, lambda d: d["scope"].update(needed=[])))
    with pytest.raises(PlanFileError, match="its scope"):
        check_matches(back, scoped_plan())
