import json

from click import unstyle

from reconciler.core.plan import Plan
from reconciler.render.json import FORMAT_VERSION, render_json
from reconciler.render.text import NO_CHANGES, render_text
from reconciler.resources.hooks.model import DesiredState, Hook, LiveHook, LiveState
from reconciler.resources.hooks.planner import build_plan
from reconciler.resources.options import PlanOptions

PRE = "pre-user-registration"
CRED = "credentials-exchange"


def _plan(allow_delete: bool = False) -> Plan:
    desired = DesiredState(
        (
            Hook("fresh", PRE, "// fresh\n", True, {"axios": "1.6.8"}, secrets={"TOKEN": "CANARY-1"}),
            Hook("mover", CRED, "// m\n"),
            Hook("edited", CRED, "// v2\n"),
        )
    )
    live = LiveState(
        (
            LiveHook("1", "old", PRE, "// old\n", True),
            LiveHook("2", "mover", PRE, "// m\n", False),
            LiveHook("3", "edited", CRED, "// v1\n", False),
        )
    )
    return build_plan(desired, live, PlanOptions(allow_delete=allow_delete))


def test_text_uses_terraform_symbols_and_one_summary_line() -> None:
    text = unstyle(render_text(_plan()))
    assert "  + fresh (pre-user-registration)" in text
    assert "  -/+ mover (pre-user-registration -> credentials-exchange, forces replacement)" in text
    assert "  ~ edited (credentials-exchange)" in text
    assert "-// v1" in text and "+// v2" in text
    assert "  - old (pre-user-registration): skipped, not in the config" in text
    assert "pre-user-registration: old -> fresh" in text
    assert "TOKEN = (sensitive)" in text and "CANARY-1" not in text
    assert text.rstrip().splitlines()[-1] == (
        "Plan: 2 to create, 1 to update, 1 to delete, 2 to enable/disable. (1 skipped)"
    )


def test_no_changes() -> None:
    plan = build_plan(DesiredState(()), LiveState(()))
    assert unstyle(render_text(plan)).strip() == NO_CHANGES


def test_json_has_format_version_summary_and_no_secret_values() -> None:
    data = json.loads(render_json(_plan(allow_delete=True)))
    assert data["format_version"] == FORMAT_VERSION == 3
    assert data["summary"]["create"] == 2 and data["summary"]["delete"] == 2
    assert data["has_changes"] is True
    assert "CANARY-1" not in json.dumps(data)
    actions = [step["action"] for step in data["steps"]]
    assert actions.index("disable") < actions.index("enable") < actions.index("delete")


def test_no_request_but_drift_does_not_claim_the_tenant_matches() -> None:
    from reconciler.render.text import NOTHING_TO_APPLY

    plan = build_plan(DesiredState(()), LiveState((LiveHook("1", "by-hand", PRE, "// x\n", False),)))
    text = unstyle(render_text(plan))
    assert text.rstrip().splitlines()[-1] == NOTHING_TO_APPLY
    assert text.count("by-hand") == 1  # a skipped delete, not also a warning
