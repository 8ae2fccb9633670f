"""The example tenant migrates whole, with real Node: no hook needs a person, the proof passes,
every written action is valid and bound, and its hand-written send-phone-message action runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.migrate.migration import plan_migration
from reconciler.runner.node import Node
from tests.example_tenant import keyword_env

CANARY = "canary-5e2a-secret-value"
HOOKS = {
    "add-api-claims": "translated", "audit-password-change": "adapted",
    "block-disposable-emails": "translated", "block-signups-maintenance": "translated",
    "legacy-token-claims": "translated", "notify-slack-on-signup": "translated",
}
# The disposable-domain list is an npm package, stubbed offline: its deny branch never runs.
UNVERIFIED = {"block-disposable-emails": "lines 16-22 never ran"}


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env or {})


def test_every_hook_translates_or_adapts_and_the_check_passes(node: Node, example: Path) -> None:
    shown = invoke("migrate", "-c", str(example))
    assert shown.exit_code == 0, shown.output
    assert {r.migrated.name: r.migrated.status for r in plan_migration(str(example)).results} == HOOKS
    assert "needs a person" not in shown.stderr
    for name, status in HOOKS.items():
        assert f"{name}: {status}" in shown.stderr
    checked = invoke("migrate", "-c", str(example), "--check")
    assert checked.exit_code == 3, checked.output  # none differs, one is unverified
    assert "DIFFERS" not in checked.stdout
    verdicts = [line.split(":")[0] for line in checked.stdout.splitlines()]
    assert verdicts == [f"{'unverified' if name in UNVERIFIED else 'ok'} {name}" for name in HOOKS]
    assert "unverified block-disposable-emails: lines 16-22 never ran" in checked.stdout
    # The samples, the config's partner-read-only event and their variations: the refusal and the tier claim.
    assert re.search(r"^ok add-api-claims: same effects in \d+ runs, (\d+)/\1 branches of the hook \(the generated action\)$",
                     checked.stdout, re.M)


def test_written_actions_validate_bind_and_still_check(node: Node, example: Path) -> None:
    before = invoke("migrate", "-c", str(example), "--check")
    assert invoke("migrate", "-c", str(example), "--write").exit_code == 0
    valid = invoke("validate", "-c", str(example), "--strict", env=keyword_env("https://example.test/"))
    assert valid.exit_code == 0, valid.output
    assert "ok: 6 hooks valid, 8 actions and bindings on 6 triggers valid" in valid.output
    for name in HOOKS:
        assert json.loads((example / "actions" / f"{name}.json").read_text())["name"] == name
    triggers = json.loads((example / "triggers" / "triggers.json").read_text())
    assert {trigger: [b["action_name"] for b in bindings] for trigger, bindings in triggers.items()} == {
        "post-login": ["add-profile-claims"], "send-phone-message": ["send-sms-via-provider"],
        "credentials-exchange": ["add-api-claims"], "post-change-password": ["audit-password-change"],
        "pre-user-registration": ["block-disposable-emails"],  # the disabled hook: not bound
        "post-user-registration": ["notify-slack-on-signup"],
    }
    checked = invoke("migrate", "-c", str(example), "--check")
    assert checked.exit_code == 3, checked.output
    assert checked.stdout.count("(the config action)") == len(HOOKS)
    assert [line[:3] for line in checked.stdout.splitlines()].count("ok ") == len(HOOKS) - len(UNVERIFIED)
    # --check proves what --write writes: the same verdict on every hook before and after writing.
    assert before.exit_code == checked.exit_code
    assert before.stdout.replace("(the generated action)", "(the config action)") == checked.stdout


def test_the_send_phone_message_action_runs_on_its_sample(node: Node, example: Path) -> None:
    result = invoke("run", "send-sms-via-provider", "-c", str(example), env={"SMS_PROVIDER_API_KEY": CANARY})
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert (outcome["kind"], outcome["trigger"], outcome["event"]) == ("action", "send-phone-message", "mfa-code")
    [request] = outcome["effects"]["requests"]
    url, body, options = request["args"]
    assert request["call"] == "axios.post" and url == "https://sms.provider.example/v1/messages"
    assert body["to"] == "+15555550123" and body["body"] == "Your verification code is 123456"
    assert options["headers"] == {"authorization": "Bearer ##SMS_PROVIDER_API_KEY##"}
    assert CANARY not in result.output
