"""End to end: the CLI against a running emulator over loopback, in each conflict mode.

Every scenario seeds a live tenant, writes a config, runs ``apply --yes`` and checks: the
tenant ends as configured, never more than one hook was enabled on a trigger, a new plan
shows no changes, and a second apply makes zero write requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import live_hooks, run_cli

REPO = Path(__file__).resolve().parents[2]
PRE = "pre-user-registration"
POST = "post-user-registration"
CRED = "credentials-exchange"


@pytest.fixture(scope="module", params=["reject", "auto-disable", "allow"])
def mode_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess({"enabled_conflict": request.param}, cwd=str(REPO))
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def tenant(mode_emulator: EmulatorProcess) -> EmulatorProcess:
    mode_emulator.reset()
    return mode_emulator


def h(name: str, trigger: str, enabled: bool = False, script: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "triggerId": trigger, "enabled": enabled, "script": script or f"// {name}\n", **extra}


SCENARIOS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]] = {
    "empty tenant to full config": (
        [],
        [
            h("a", PRE, True, secrets={"K": "##SECRET_K##"}),
            h("b", PRE),
            h("c", CRED, True, dependencies={"axios": "1.6.8"}),
            h("d", POST, True),
        ],
        [],
    ),
    "swap enabled between existing hooks": (
        [h("old", PRE, True), h("new", PRE)],
        [h("old", PRE), h("new", PRE, True)],
        [],
    ),
    "swap enabled to a newly created hook": (
        [h("old", PRE, True)],
        [h("old", PRE), h("fresh", PRE, True, secrets={"K": "##SECRET_K##"})],
        [],
    ),
    "enable moves from a hook being deleted to a new one": (
        [h("gone", PRE, True, script="// gone, different\n")],
        [h("fresh", PRE, True)],
        ["--allow-delete"],
    ),
    "triggerId change is a replace": (
        [h("mover", PRE, True), h("cred", CRED, True)],
        [h("mover", CRED, True), h("cred", CRED)],
        [],
    ),
    "rename keeps the hook": (
        [h("before", PRE, True, script="// same body\n")],
        [h("after", PRE, True, script="// same body\n")],
        [],
    ),
    "name freed and reused in one plan": (
        [h("shared", PRE, True, script="// v1\n"), h("other", CRED, True)],
        [h("shared", CRED, True, script="// v2\n"), h("other", CRED)],
        [],
    ),
    "secrets added, changed and removed": (
        [h("s", PRE, True, secrets={"KEEP": "old", "DROP": "x"})],
        [h("s", PRE, True, secrets={"KEEP": "##SECRET_K##", "ADD": "##SECRET_K##"})],
        ["--allow-delete", "--rotate-secrets"],
    ),
    "live tenant with two enabled on a trigger": (
        [h("one", PRE, True), h("two", PRE, True), h("three", PRE)],
        [h("one", PRE), h("two", PRE), h("three", PRE, True)],
        [],
    ),
}


def _run(tenant: EmulatorProcess, tmp_path: Path, seed: list[dict[str, Any]], want: list[dict[str, Any]], flags: list[str]
         ) -> tuple[Path, dict[str, str], dict[str, Any]]:
    if seed:
        tenant.seed([{k: v for k, v in hook.items()} for hook in seed])
    config = write_config(tmp_path / "config", want)
    env = {**tenant.env(), "SECRET_K": "value-from-env"}
    before = tenant.stats()
    applied = run_cli(["apply", "-c", str(config), "--yes", *flags], env)
    assert applied.exit_code == 0, applied.output
    return config, env, before


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenario(tenant: EmulatorProcess, tmp_path: Path, scenario: str) -> None:
    seed, want, flags = SCENARIOS[scenario]
    config, env, _ = _run(tenant, tmp_path, seed, want, flags)

    stats = tenant.stats()
    started_broken = scenario == "live tenant with two enabled on a trigger"
    if not started_broken:
        assert all(n <= 1 for n in stats["max_enabled_per_trigger"].values()), stats
        assert stats["invariant_violations"] == 0
    assert stats["by_status"].get("409", 0) == 0, stats

    hooks = live_hooks(tenant)
    assert set(hooks) == {hook["name"] for hook in want}
    for hook in want:
        got = hooks[hook["name"]]
        assert got["triggerId"] == hook["triggerId"]
        assert got["enabled"] == hook["enabled"]
        assert got["script"] == hook["script"]
        assert got["dependencies"] == hook.get("dependencies", {})
        expected_secrets = {k: "value-from-env" for k in hook.get("secrets", {})}
        assert {k: v for k, v in got["secrets"].items()} == expected_secrets
    for trigger in {hook["triggerId"] for hook in hooks.values()}:
        assert sum(1 for hook in hooks.values() if hook["triggerId"] == trigger and hook["enabled"]) <= 1

    again = run_cli(["plan", "-c", str(config), "--detailed-exitcode", *flags[:1]], env)
    assert again.exit_code == 0, again.output
    assert "No changes" in again.output
    writes = tenant.stats()["writes"]
    reapply = run_cli(["apply", "-c", str(config), "--yes"], env)
    assert reapply.exit_code == 0, reapply.output
    assert tenant.stats()["writes"] == writes


def test_deletes_refused_without_the_flag(tenant: EmulatorProcess, tmp_path: Path) -> None:
    tenant.seed([h("keep", PRE, True, secrets={"A": "1", "OLD": "2"}), h("orphan", POST, True)])
    config = write_config(tmp_path / "config", [h("keep", PRE, True, secrets={"A": "##SECRET_K##"})])
    env = {**tenant.env(), "SECRET_K": "1"}
    result = run_cli(["apply", "-c", str(config), "--yes"], env)
    assert result.exit_code == 0, result.output
    assert "not deleted (pass --allow-delete)" in result.output
    hooks = live_hooks(tenant)
    assert set(hooks) == {"keep", "orphan"}
    assert set(hooks["keep"]["secrets"]) == {"A", "OLD"}
    assert tenant.stats()["by_method"].get("DELETE", 0) == 0

    allowed = run_cli(["apply", "-c", str(config), "--yes"], {**env, "AUTH0_ALLOW_DELETE": "true"})
    assert allowed.exit_code == 0, allowed.output
    hooks = live_hooks(tenant)
    assert set(hooks) == {"keep"} and set(hooks["keep"]["secrets"]) == {"A"}


def test_detailed_exitcode_reports_changes_with_2(tenant: EmulatorProcess, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", [h("a", PRE, True)])
    result = run_cli(["plan", "-c", str(config), "--detailed-exitcode"], tenant.env())
    assert result.exit_code == 2, result.output
    assert "Plan: 1 to create, 0 to update, 0 to delete, 1 to enable/disable." in result.output
    assert tenant.stats()["writes"] == 0


def test_markdown_plan_names_the_tenant(tenant: EmulatorProcess, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", [h("a", PRE, True)])
    result = run_cli(["plan", "-c", str(config), "--format", "markdown", "--tenant", "prod"], tenant.env())
    assert result.exit_code == 0, result.output
    assert result.output.startswith("### Auth0 hooks plan for tenant `prod`")
