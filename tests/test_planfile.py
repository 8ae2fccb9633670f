import json

import pytest

from reconciler.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.plan import PlanOptions
from reconciler.planfile import PlanFileError, check_fresh, read_plan, write_plan
from reconciler.planner import build_plan
from reconciler.render.json import FORMAT_VERSION, plan_from_dict, plan_to_dict

PRE = "pre-user-registration"


def _plan():
    desired = DesiredState((Hook("new", PRE, "// n\n", True, secrets={"K": "CANARY-v"}), Hook("old", PRE, "// o\n")))
    live = LiveState((LiveHook("1", "old", PRE, "// o\n", True), LiveHook("2", "gone", PRE, "// g\n", False)))
    return build_plan(desired, live, PlanOptions(allow_delete=True))


def test_plan_round_trips_through_json():
    plan = _plan()
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan


def test_written_plan_reads_back_without_secret_values(tmp_path):
    plan = _plan()
    path = tmp_path / "plan.json"
    write_plan(plan, path, config="cfg")
    text = path.read_text()
    assert "CANARY-v" not in text
    saved = read_plan(path)
    assert saved.plan == plan and saved.config == "cfg" and saved.format_version == FORMAT_VERSION
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temp file left behind


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a readable plan file"),
        ("[]", "no format_version"),
        ('{"format_version": 99}', "format_version 99 is not supported"),
        ('{"format_version": 1, "steps": []}', "malformed plan file"),
    ],
)
def test_bad_plan_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(PlanFileError, match=message):
        read_plan(path)


def test_missing_plan_file(tmp_path):
    with pytest.raises(PlanFileError, match="no such plan file"):
        read_plan(tmp_path / "absent.json")


def test_freshness_checks_both_digests(tmp_path):
    plan = _plan()
    write_plan(plan, tmp_path / "p.json", config="cfg")
    saved = read_plan(tmp_path / "p.json")
    check_fresh(saved, config_digest=plan.config_digest, live_fingerprint=plan.live_fingerprint)
    with pytest.raises(PlanFileError, match="stale plan: the config changed"):
        check_fresh(saved, config_digest="sha256:x", live_fingerprint=plan.live_fingerprint)
    with pytest.raises(PlanFileError, match="stale plan: the live tenant changed"):
        check_fresh(saved, config_digest=plan.config_digest, live_fingerprint="sha256:y")
