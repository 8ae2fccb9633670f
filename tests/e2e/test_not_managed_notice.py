"""A type the config has nothing of is not managed (deploy-cli's rule), and a plan never says
the tenant matches while that type still runs there: in text, markdown and JSON it names what
runs, both ways round.

- An Actions-only config (examples/gitops-repo) on a tenant whose hooks still run: one hooks
  list request (``hook.not_managed``). Kept even if hooks are otherwise not read for such a
  config: these tests fail if the notice disappears.
- A hooks-only config (examples/migrating-from-hooks) on a tenant whose actions are bound to
  triggers (``action.not_managed``).

A client without the other type's read scope still plans (an Actions-first setup has no hook
scopes), and a tenant with nothing running of the other type still matches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
ACTIONS_ONLY = REPO / "examples" / "gitops-repo" / "tenant-config"
HOOKS_ONLY = REPO / "examples" / "migrating-from-hooks" / "tenant-config"
VALUES = {"SLACK_WEBHOOK_URL": "https://hooks.slack.example/canary-51e0"}
MATCHES = "The tenant matches the configuration"
LEGACY = {"name": "legacy-signup-audit", "triggerId": "post-user-registration", "enabled": True,
          "script": "module.exports = function (user, context, cb) { cb(); };"}
HOOKS_LEFT = "hooks are not managed (the config has no hooks/), so live hooks are left running: legacy-signup-audit (1 hook)"
ACTIONS_LEFT = ("actions are not managed (the config has no actions/ nor triggers/), so live actions bound to "
                "triggers are left running: block-disposable-emails, notify-slack-on-signup (2 actions)")


def env_of(tenant: Any) -> dict[str, str]:
    return {**tenant.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps(VALUES), "NO_COLOR": "1"}


def plans(config: Path, env: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """The plan as text (with --detailed-exitcode: 2, drift), markdown and JSON."""
    text = run_cli(["plan", "-c", str(config), "--allow-delete", "--detailed-exitcode"], env)
    assert text.exit_code == 2, text.output
    markdown = run_cli(["plan", "-c", str(config), "--format", "markdown"], env)
    as_json = run_cli(["plan", "-c", str(config), "--format", "json"], env)
    assert markdown.exit_code == 0 and as_json.exit_code == 0, markdown.output + as_json.output
    return text.output, markdown.output, json.loads(as_json.output)


def test_an_actions_only_config_names_the_hooks_still_running(emulator_factory: Any) -> None:
    tenant = emulator_factory()
    tenant.seed([LEGACY])
    env = env_of(tenant)
    assert run_cli(["apply", "-c", str(ACTIONS_ONLY), "--yes"], env).exit_code == 0
    text, markdown, as_json = plans(ACTIONS_ONLY, env)
    assert HOOKS_LEFT in text and "--retire-hooks" in text and MATCHES not in text
    assert HOOKS_LEFT in markdown and MATCHES not in markdown
    assert as_json["unmanaged"] == ["legacy-signup-audit"] and as_json["has_drift"] is True
    assert any("hooks are not managed" in w for w in json.dumps(as_json["warnings"]).split('"'))


def test_a_hooks_only_config_names_the_actions_still_bound(emulator_factory: Any) -> None:
    tenant = emulator_factory()
    env = env_of(tenant)
    # The actions run (applied from the Actions example), then the hooks config is planned.
    assert run_cli(["apply", "-c", str(ACTIONS_ONLY), "--yes"], env).exit_code == 0
    assert run_cli(["apply", "-c", str(HOOKS_ONLY), "--yes"], env).exit_code == 0
    text, markdown, as_json = plans(HOOKS_ONLY, env)
    assert ACTIONS_LEFT in text and "reconciler export" in text and MATCHES not in text
    assert "No changes to apply. The tenant differs from the configuration as shown above." in text
    assert ACTIONS_LEFT in markdown and MATCHES not in markdown
    assert as_json["unmanaged"] == ["block-disposable-emails", "notify-slack-on-signup"]
    assert as_json["has_drift"] is True
    assert VALUES["SLACK_WEBHOOK_URL"] not in text + markdown + json.dumps(as_json)


def test_a_hooks_only_config_on_a_tenant_without_running_actions_still_matches(emulator_factory: Any) -> None:
    tenant = emulator_factory()
    env = env_of(tenant)
    assert run_cli(["apply", "-c", str(HOOKS_ONLY), "--yes"], env).exit_code == 0
    before = tenant.stats()["requests"]
    planned = run_cli(["plan", "-c", str(HOOKS_ONLY), "--detailed-exitcode"], env)
    assert planned.exit_code == 0 and MATCHES in planned.output, planned.output
    # The notice's price on such a tenant: one list of the actions (none deployed, nothing
    # more). The rest: the token, the hooks list and each hook's secrets.
    assert tenant.stats()["requests"] - before == 1 + 1 + 2 + 1


@pytest.mark.parametrize(("config", "scopes"), [
    (ACTIONS_ONLY, "read:actions create:actions update:actions delete:actions"),
    (HOOKS_ONLY, "read:hooks create:hooks update:hooks delete:hooks"),
], ids=["actions-only-without-hook-scopes", "hooks-only-without-action-scopes"])
def test_a_client_without_the_other_types_scopes_still_plans(emulator_factory: Any, config: Path, scopes: str) -> None:
    tenant = emulator_factory(scopes=scopes)
    env = env_of(tenant)
    assert run_cli(["apply", "-c", str(config), "--yes"], env).exit_code == 0
    planned = run_cli(["plan", "-c", str(config), "--detailed-exitcode"], env)
    assert planned.exit_code == 0 and MATCHES in planned.output, planned.output


def test_only_hooks_reads_no_action_for_the_notice(emulator_factory: Any) -> None:
    tenant = emulator_factory()
    env = env_of(tenant)
    assert run_cli(["apply", "-c", str(ACTIONS_ONLY), "--yes"], env).exit_code == 0
    assert run_cli(["apply", "-c", str(HOOKS_ONLY), "--yes"], env).exit_code == 0
    before = tenant.stats()["requests"]
    scoped = run_cli(["plan", "-c", str(HOOKS_ONLY), "--only", "hooks"], env)
    assert scoped.exit_code == 0, scoped.output
    assert "actions are not managed" not in scoped.output and "actions not planned" in scoped.output
    # The token, the hooks list and each hook's secrets: no Actions request.
    assert tenant.stats()["requests"] - before == 1 + 1 + 2
