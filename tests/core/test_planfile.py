"""Saved plan files: round trip, defensive parsing, and binding to the recomputed plan."""

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.plan import Plan
from reconciler.errors import PlanFileError
from reconciler.planfile import MAX_PLAN_BYTES, RecordedOptions, check_matches, read_plan, write_plan
from reconciler.render.json import FORMAT_VERSION, plan_from_dict, plan_to_dict
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions

PRE = "pre-user-registration"


def _plan() -> Plan:
    desired = DesiredState((Hook("new", PRE, "// n\n", True, secrets={"K": "CANARY-v"}), Hook("old", PRE, "// o\n")))
    live = LiveState((LiveHook("1", "old", PRE, "// o\n", True), LiveHook("2", "gone", PRE, "// g\n", False)))
    return build_plan(desired, live, PlanOptions(allow_delete=True))


def _saved_dict(tmp_path: Path) -> dict[str, Any]:
    write_plan(_plan(), tmp_path / "plan.json", config="cfg", options=PlanOptions(allow_delete=True))
    saved: dict[str, Any] = json.loads((tmp_path / "plan.json").read_text())
    return saved


def test_plan_round_trips_through_json() -> None:
    plan = _plan()
    back = plan_from_dict(json.loads(json.dumps(plan_to_dict(plan))))
    # A file holds words, not reason codes: what comes back renders the same, field for field.
    assert plan_to_dict(back) == plan_to_dict(plan)
    assert [s.payload for s in back.steps] == [s.payload for s in plan.steps]  # typed again
    assert plan.steps[0].reason.code == "hook.created_disabled"
    assert back.steps[0].reason.code == "worded"


def test_written_plan_reads_back_without_secret_values(tmp_path: Path) -> None:
    plan = _plan()
    path = tmp_path / "plan.json"
    write_plan(plan, path, config="cfg", options=PlanOptions(allow_delete=True, force=True))
    text = path.read_text()
    assert "CANARY-v" not in text
    saved = read_plan(path)
    # The version the file says, checked against a literal: a constant compared with itself
    # could never fail.
    assert json.loads(text)["format_version"] == 3 == FORMAT_VERSION
    assert plan_to_dict(saved.plan) == plan_to_dict(plan) and saved.config == "cfg" and saved.format_version == 3
    assert saved.options == RecordedOptions(allow_delete=True, rotate_secrets=False, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temp file left behind


def test_a_file_without_recorded_options_keeps_its_allow_delete(tmp_path: Path) -> None:
    data = _saved_dict(tmp_path)
    del data["options"]
    (tmp_path / "plan.json").write_text(json.dumps(data))
    assert read_plan(tmp_path / "plan.json").options == RecordedOptions(allow_delete=True)


# An edit to a saved plan: its text, or a change to its parsed JSON.
Edit = str | Callable[[dict[str, Any]], object]


def _edits() -> list[tuple[Edit, str]]:
    def step(i: int, **changes: Any) -> Callable[[dict[str, Any]], object]:
        return lambda d: d["steps"][i].update(changes)
    return [
        ("not json", "not a readable plan file"),
        ("[]", "no format_version"),
        ('{"format_version": 99}', "format_version 99 is not supported"),
        ('{"format_version": true}', "format_version True is not supported"),
        ('{"format_version": 3, "steps": []}', "is missing"),
        ('{"format_version": 1, "steps": []}', r"made by an older version of reconciler \(format 1\); plan again"),
        ('{"format_version": 2, "steps": []}', r"made by an older version of reconciler \(format 2\); plan again"),
        ("[" * 100000 + "]" * 100000, "not a readable plan file"),
        (lambda d: d.update(steps={}), "plan.steps must be list"),
        (lambda d: d.update(steps=[1]), r"plan.steps\[0\] must be dict"),
        (lambda d: d.update(config_digest=None), "config_digest must be str"),
        (lambda d: d.update(options={"allow_delete": "yes", "rotate_secrets": False, "force": False}), "allow_delete must be bool"),
        (lambda d: d.update(options={"allow_delete": True, "rotate_secrets": False, "force": False, "x": 1}), "unknown option"),
        (lambda d: d["options"].update(allow_delete=False), "disagrees"),
        (lambda d: d["handovers"][0].update(before="old"), "before must be list"),
        (lambda d: d["changes"][0].update(kind="explode"), "unknown value"),
        (lambda d: d["changes"][0].update(taken_over_by="an-action"), "taken_over_by must be list"),
        (lambda d: d["changes"][0].update(takes_back_from=[1]), r"takes_back_from\[0\] must be str"),
        (step(0, index=5), "index is 5, expected 0"),
        (step(0, index=False), "index must be int"),
        (step(1, action="rm -rf"), "unknown value"),
        (step(1, phase="later"), "unknown value"),
        (step(1, body=[]), "body must be dict"),
        (step(1, hook=None), "hook must be str"),
        (step(1, after=[1]), "not an earlier step"),
        (step(1, after=[7]), "not an earlier step"),
        (step(1, after=[-1]), "not an earlier step"),
        (step(1, after=["0"]), "must be int"),
        (step(1, after=[True]), "must be int"),
        (step(1, created_by=9), "created_by 9 does not name an earlier step"),
        (step(1, created_by=1), "does not name an earlier step"),
        (step(1, hook_id="x", created_by=0), "both hook_id and created_by"),
        (step(1, hook_id=None, created_by=None), "neither hook_id nor created_by"),
        (step(0, hook_id="abc"), "neither hook_id nor created_by"),
        # A body key its action never sends would be dropped on reading: refused instead.
        (lambda d: d["steps"][1]["body"].update(extra=1), r"steps\[1\].body is not what a secrets-add step sends"),
        (lambda d: d["steps"][0]["body"].update(triggerId="credentials-exchange"), "is not what a create step sends"),
        (lambda d: d["steps"][0].update(type="nonsense"), "unknown resource type"),
        (lambda d: d.update(types=["hook", "nonsense"]), "unknown resource type"),
    ]


@pytest.mark.parametrize("index", range(len(_edits())))
def test_bad_plan_files_are_one_line_errors(tmp_path: Path, index: int) -> None:
    content, message = _edits()[index]
    path = tmp_path / "plan.json"
    if callable(content):
        data = _saved_dict(tmp_path)
        # The plan's steps: 0 create new, 1 secrets-add (created_by 0), ...
        content(data)
        content = json.dumps(data)
    path.write_text(content)
    with pytest.raises(PlanFileError, match=message) as caught:
        read_plan(path)
    assert "\n" not in str(caught.value)


def test_created_by_must_name_a_create_step(tmp_path: Path) -> None:
    data = _saved_dict(tmp_path)
    data["steps"][2]["hook_id"], data["steps"][2]["created_by"] = None, 1
    (tmp_path / "plan.json").write_text(json.dumps(data))
    with pytest.raises(PlanFileError, match="is not a create step"):
        read_plan(tmp_path / "plan.json")


def test_missing_and_odd_plan_files(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="no such plan file"):
        read_plan(tmp_path / "absent.json")
    with pytest.raises(PlanFileError, match="not a regular file"):
        read_plan(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(PlanFileError, match="not a regular file"):  # and no hang
        read_plan(fifo)
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(MAX_PLAN_BYTES + 1)
    with pytest.raises(PlanFileError, match="larger than"):
        read_plan(big)


def test_saved_plan_must_equal_the_recomputed_plan(tmp_path: Path) -> None:
    plan = _plan()
    write_plan(plan, tmp_path / "p.json", config="cfg")
    saved = read_plan(tmp_path / "p.json")
    check_matches(saved, plan)
    with pytest.raises(PlanFileError, match="stale plan: the config changed"):
        check_matches(saved, dataclasses.replace(plan, config_digest="sha256:x"))
    with pytest.raises(PlanFileError, match="stale plan: the live tenant changed"):
        check_matches(saved, dataclasses.replace(plan, live_fingerprint="sha256:y"))
    edited = dataclasses.replace(plan.steps[0], payload=dataclasses.replace(plan.steps[0].payload, script="evil()"))
    with pytest.raises(PlanFileError, match="altered or is malformed: step 1"):
        check_matches(dataclasses.replace(saved, plan=dataclasses.replace(plan, steps=(edited,) + plan.steps[1:])), plan)
    with pytest.raises(PlanFileError, match="holds 2 steps"):
        check_matches(dataclasses.replace(saved, plan=dataclasses.replace(plan, steps=plan.steps[:2])), plan)
    with pytest.raises(PlanFileError, match="described changes"):
        check_matches(dataclasses.replace(saved, plan=dataclasses.replace(plan, changes=())), plan)
    with pytest.raises(PlanFileError, match="review only"):
        check_matches(dataclasses.replace(saved, plan=dataclasses.replace(plan, review_only=True)), plan)
