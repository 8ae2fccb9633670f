"""Saved plans, export round trip, confirmation, rate-limited apply, and secret canaries."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import live_hooks, run_cli

PRE = "pre-user-registration"
CRED = "credentials-exchange"
CANARY_SECRET = "CANARY-hook-secret-9f8e7d"
CANARY_CLIENT_SECRET = "CANARY-client-secret-1a2b3c"


def _config(tmp_path: Path, script: str = "// v1\n") -> Path:
    return write_config(
        tmp_path / "config",
        [
            {"name": "a", "triggerId": PRE, "enabled": True, "script": script, "secrets": {"TOKEN": "##TOKEN##"}},
            {"name": "b", "triggerId": CRED, "enabled": False, "script": "// b\n"},
        ],
    )


def _env(emulator: EmulatorProcess) -> dict[str, str]:
    return {**emulator.env(), "TOKEN": CANARY_SECRET}


def test_saved_plan_applies_exactly_and_converges(emulator: EmulatorProcess, tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan_file = tmp_path / "plan.json"
    made = run_cli(["plan", "-c", str(config), "--out", str(plan_file)], _env(emulator))
    assert made.exit_code == 0, made.output
    data = json.loads(plan_file.read_text())
    assert data["format_version"] == 3 and data["config"] == str(config)
    assert emulator.stats()["writes"] == 0

    applied = run_cli(["apply", str(plan_file), "--yes"], _env(emulator))
    assert applied.exit_code == 0, applied.output
    assert emulator.stats()["writes"] == len(data["steps"]) + 2  # + the lease marker: create, delete
    assert live_hooks(emulator)["a"]["secrets"] == {"TOKEN": CANARY_SECRET}
    # Applying the same file again is stale: the tenant moved on.
    again = run_cli(["apply", str(plan_file), "--yes"], _env(emulator))
    assert again.exit_code == 1 and "stale plan" in again.output


def test_saved_plan_refused_when_config_changed(emulator: EmulatorProcess, tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan_file = tmp_path / "plan.json"
    assert run_cli(["plan", "-c", str(config), "--out", str(plan_file)], _env(emulator)).exit_code == 0
    _config(tmp_path, script="// v2\n")
    result = run_cli(["apply", str(plan_file), "--yes"], _env(emulator))
    assert result.exit_code == 1
    assert "stale plan: the config changed" in result.output
    assert emulator.stats()["writes"] == 0


def test_saved_plan_refused_when_tenant_changed(emulator: EmulatorProcess, tmp_path: Path) -> None:
    config = _config(tmp_path)
    plan_file = tmp_path / "plan.json"
    assert run_cli(["plan", "-c", str(config), "--out", str(plan_file)], _env(emulator)).exit_code == 0
    emulator.seed([{"name": "intruder", "triggerId": CRED, "script": "// x\n"}])
    result = run_cli(["apply", str(plan_file), "--yes"], _env(emulator))
    assert result.exit_code == 1
    assert "stale plan: the live tenant changed" in result.output
    assert emulator.stats()["writes"] == 0


def test_apply_without_terminal_and_without_yes_refuses(emulator: EmulatorProcess, tmp_path: Path) -> None:
    result = run_cli(["apply", "-c", str(_config(tmp_path))], _env(emulator))
    assert result.exit_code == 1
    assert "pass --yes" in result.output
    assert emulator.stats()["writes"] == 0


def test_export_round_trip_plans_to_no_changes(emulator: EmulatorProcess, tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert run_cli(["apply", "-c", str(config), "--yes"], _env(emulator)).exit_code == 0
    out = tmp_path / "exported"
    exported = run_cli(["export", "-o", str(out)], _env(emulator))
    assert exported.exit_code == 0, exported.output
    assert "TOKEN" in exported.output and CANARY_SECRET not in exported.output
    metadata = json.loads((out / "hooks" / "a.json").read_text())
    assert metadata["secrets"] == {"TOKEN": "##TOKEN##"} and metadata["script"] == "./a.js"
    assert run_cli(["validate", "-c", str(out)], _env(emulator)).exit_code == 0
    plan = run_cli(["plan", "-c", str(out), "--detailed-exitcode"], _env(emulator))
    assert plan.exit_code == 0, plan.output


def test_forty_changes_against_a_tight_rate_limit(emulator_factory: Callable[..., EmulatorProcess], tmp_path: Path) -> None:
    emulator = emulator_factory(rate_limit=2, burst=10)
    hooks = [{"name": f"hook-{i:02d}", "triggerId": CRED, "enabled": False, "script": f"// {i}\n"} for i in range(40)]
    config = write_config(tmp_path / "config", hooks)
    result = run_cli(["apply", "-c", str(config), "--yes"], emulator.env())
    assert result.exit_code == 0, result.output
    assert "Apply complete: 40 requests made." in result.output
    assert len(live_hooks(emulator)) == 40


@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_canaries_never_appear_in_any_output(emulator: EmulatorProcess, tmp_path: Path, output_format: str) -> None:
    env = {
        **_env(emulator),
        "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"TOKEN": CANARY_SECRET}),
        "RECONCILER_SECRETS_HMAC_KEY": "hmac-key-for-tests",
    }
    config = _config(tmp_path)
    plan_file = tmp_path / "plan.json"
    outputs = [
        run_cli(["validate", "-c", str(config)], env).output,
        run_cli(["plan", "-c", str(config), "--format", output_format, "--out", str(plan_file)], env).output,
        plan_file.read_text(),
        run_cli(["apply", str(plan_file), "--yes"], env).output,
        run_cli(["plan", "-c", str(config), "--rotate-secrets", "--format", output_format], env).output,
        run_cli(["apply", "-c", str(config), "--yes", "--rotate-secrets"], env).output,
        run_cli(["export", "-o", str(tmp_path / "exported")], env).output,
    ]
    exported = "".join(p.read_text() for p in (tmp_path / "exported" / "hooks").iterdir())
    # A bad client secret: the error must not echo it.
    bad = {**env, "AUTH0_CLIENT_SECRET": CANARY_CLIENT_SECRET}
    outputs.append(run_cli(["plan", "-c", str(config)], bad).output)
    token = emulator.token()
    outputs.append(run_cli(["plan", "-c", str(config)], {**env, "AUTH0_ACCESS_TOKEN": token}).output)
    for text in outputs + [exported]:
        assert CANARY_SECRET not in text
        assert CANARY_CLIENT_SECRET not in text
        assert emulator.client_secret not in text
        assert token not in text
        assert "Traceback" not in text
    secrets = live_hooks(emulator)["a"]["secrets"]
    assert secrets.pop("TOKEN") == CANARY_SECRET
    assert [key.startswith("RECONCILER_HMAC_") for key in secrets] == [True]


def test_plan_without_keyword_values_shows_key_changes_only(emulator: EmulatorProcess, tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert run_cli(["apply", "-c", str(config), "--yes"], _env(emulator)).exit_code == 0
    without = {k: v for k, v in _env(emulator).items() if k != "TOKEN"}
    refused = run_cli(["plan", "-c", str(config)], without)
    assert refused.exit_code == 1 and "unresolved keyword ##TOKEN##" in refused.output
    plan_file = tmp_path / "plan.json"
    result = run_cli(
        ["plan", "-c", str(config), "--allow-missing-keywords", "--detailed-exitcode", "--out", str(plan_file)],
        {**without, "RECONCILER_SECRETS_HMAC_KEY": "k"},
    )
    assert result.exit_code == 0, result.output  # no spurious secret change
    assert "planned without these keywords" in result.output and "TOKEN" in result.output
    # A plan made from placeholders is never applied: the real config differs from it.
    write_config(tmp_path / "config", [
        {"name": "a", "triggerId": PRE, "enabled": True, "script": "// v1\n", "secrets": {"TOKEN": "##TOKEN##", "NEW": "##TOKEN##"}},
        {"name": "b", "triggerId": CRED, "enabled": False, "script": "// b\n"},
    ])
    keyed = run_cli(["plan", "-c", str(config), "--allow-missing-keywords", "--out", str(plan_file)], without)
    assert keyed.exit_code == 0 and "+ NEW = (sensitive)" in keyed.output
    assert json.loads(plan_file.read_text())["review_only"] is True
    applied = run_cli(["apply", str(plan_file), "--yes"], _env(emulator))
    assert applied.exit_code == 1 and "for review only" in applied.output
    assert "NEW" not in live_hooks(emulator)["a"]["secrets"]
