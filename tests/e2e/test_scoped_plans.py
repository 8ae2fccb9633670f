"""--only and --target end to end: the CLI against the emulator. Fewer requests with --only,
a migration cut over one trigger at a time with --target (the cutover comes whole), saved
scoped plans bound to their scope, and bad scopes refused before any write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.scope import SCOPE_WARNING
from reconciler.render.text import NO_CHANGES_IN_SCOPE
from tests.e2e.actions_helpers import actions_stats
from tests.e2e.cutover_helpers import CRED, PUR, REPO, env_of, migrated_config
from tests.e2e.helpers import run_cli

SCOPED = "this plan is limited by --only/--target"


def requests(tenant: Any) -> int:
    return int(tenant.stats()["requests"])


def counted(tenant: Any, args: list[str], env: dict[str, str], code: int = 0) -> tuple[int, str]:
    before = requests(tenant)
    result = run_cli(args, env)
    assert result.exit_code == code, result.output
    return requests(tenant) - before, result.output


@pytest.fixture
def applied(emulator: Any, tmp_path: Path) -> Path:
    """The example tenant applied whole (hooks and actions on different triggers)."""
    config = tmp_path / "tenant-config"
    shutil.copytree(REPO / "tenant-config", config)
    result = run_cli(["apply", "-c", str(config), "--yes"], env_of(emulator))
    assert result.exit_code == 0, result.output
    return config


def _edit_action_and_hook(config: Path) -> None:
    action = next((config / "actions").glob("*/code.js"), None) or next((config / "actions").rglob("*.js"))
    action.write_text(action.read_text() + "\n// changed\n")
    hook = config / "hooks" / "add-api-claims.js"
    hook.write_text(hook.read_text() + "\n// changed\n")


def test_only_actions_reads_no_hook_and_writes_only_actions(emulator: Any, applied: Path) -> None:
    env = env_of(emulator)
    _edit_action_and_hook(applied)
    whole, whole_out = counted(emulator, ["plan", "-c", str(applied), "--detailed-exitcode"], env, 2)
    only, out = counted(emulator, ["plan", "-c", str(applied), "--only", "actions", "--detailed-exitcode"], env, 2)
    hooks, hooks_out = counted(emulator, ["plan", "-c", str(applied), "--only", "hooks"], env)
    assert "add-api-claims" in whole_out
    assert "Scope: only: actions; hooks not planned" in out and "add-api-claims" not in out
    assert SCOPE_WARNING in " ".join(out.split())
    assert "Scope: only: hooks; actions not planned" in hooks_out and "action " not in hooks_out.split("Requests")[0]
    # Hooks cost a list and one secrets read per hook: none of that with --only actions.
    assert only < whole and hooks < whole, (only, hooks, whole)

    writes = emulator.stats()["writes"]
    result = run_cli(["apply", "-c", str(applied), "--only", "actions", "--yes"], env)
    assert result.exit_code == 0, result.output
    assert emulator.stats()["writes"] > writes
    # The action landed; the hook change is still pending, and only a plan of hooks shows it.
    _, again = counted(emulator, ["plan", "-c", str(applied), "--only", "actions", "--detailed-exitcode"], env)
    assert NO_CHANGES_IN_SCOPE in again
    _, rest = counted(emulator, ["plan", "-c", str(applied), "--detailed-exitcode"], env, 2)
    assert "add-api-claims" in rest


def test_only_markdown_and_json_say_the_scope(emulator: Any, applied: Path) -> None:
    env = env_of(emulator)
    md = run_cli(["plan", "-c", str(applied), "--only", "hooks", "--format", "markdown"], env)
    assert md.exit_code == 0, md.output
    assert "Scope: only: hooks; actions not planned" in md.output and SCOPED in md.output
    assert NO_CHANGES_IN_SCOPE in md.output and "The tenant matches" not in md.output
    js = run_cli(["plan", "-c", str(applied), "--only", "hooks", "--format", "json"], env)
    data = json.loads(js.output)
    assert data["scope"]["only"] == ["hooks"] and data["scope"]["skipped"] == ["actions"]
    assert any(SCOPED in w for w in data["warnings"])


def test_bad_scopes_are_one_line_and_write_nothing(emulator: Any, applied: Path) -> None:
    env = env_of(emulator)
    _edit_action_and_hook(applied)
    writes = emulator.stats()["writes"]
    for args, message in (
        (["--only", "rules"], "error: --only 'rules': not a resource type (choices: hooks, actions)"),
        (["--target", "nope"], "error: --target nope: no hook or action of that name"),
        (["--target", "hooks:nope"], "error: --target hooks:nope: no hook named 'nope'"),
        (["--only", "actions", "--target", "hooks:add-api-claims"], "error: --target hooks:add-api-claims: hooks are not planned"),
    ):
        for command in (["plan"], ["apply", "--yes"]):
            result = run_cli([*command, "-c", str(applied), *args], env)
            assert result.exit_code == 1, result.output
            lines = [line for line in result.output.splitlines() if line.startswith("error:")]
            assert len(lines) == 1 and lines[0].startswith(message), result.output
            assert "Traceback" not in result.output
    assert emulator.stats()["writes"] == writes


def test_a_target_plans_only_its_resource_and_apply_leaves_the_rest(emulator: Any, applied: Path) -> None:
    env = env_of(emulator)
    _edit_action_and_hook(applied)
    result = run_cli(["plan", "-c", str(applied), "--target", "add-api-claims", "--detailed-exitcode"], env)
    assert result.exit_code == 2, result.output
    assert "Scope: target: hooks:add-api-claims" in result.output
    assert "action " not in result.output.split("Requests")[0]
    applied_run = run_cli(["apply", "-c", str(applied), "--target", "hooks:add-api-claims", "--yes"], env)
    assert applied_run.exit_code == 0, applied_run.output
    again = run_cli(["plan", "-c", str(applied), "--target", "hooks:add-api-claims", "--detailed-exitcode"], env)
    assert again.exit_code == 0 and NO_CHANGES_IN_SCOPE in again.output, again.output
    rest = run_cli(["plan", "-c", str(applied), "--detailed-exitcode"], env)
    assert rest.exit_code == 2 and "~ action" in rest.output, rest.output


@pytest.fixture
def migrating(emulator_factory: Any, tmp_path: Path) -> tuple[Any, Path]:
    tenant = emulator_factory(build_time=0.05, build_time_per_dependency=0.05)
    return tenant, migrated_config(tenant, tmp_path)


def test_a_migration_one_trigger_at_a_time(migrating: tuple[Any, Path]) -> None:
    """--only cannot split a cutover; --target on a migrated action brings its trigger's
    cutover whole (the hook's disable with the bind), and nothing of the other triggers."""
    tenant, config = migrating
    env = env_of(tenant)
    split = run_cli(["plan", "-c", str(config), "--only", "actions"], env)
    assert split.exit_code == 1 and "a hand-over needs both types" in split.output, split.output
    target = run_cli(["plan", "-c", str(config), "--target", "hook:block-disposable-emails"], env)
    assert target.exit_code == 0, target.output
    assert f"cutover on {PUR}" in target.output
    assert "credentials-exchange" not in target.output.split("Requests")[1].split("Warning")[0]
    applied = run_cli(["apply", "-c", str(config), "--target", "hooks:block-disposable-emails", "--yes"], env)
    assert applied.exit_code == 0, applied.output
    stats = tenant.stats()
    assert stats["invariant_violations"] == 0 and stats["by_status"].get("409", 0) == 0, stats
    live = {h["name"]: h for h in tenant.state()["hooks"]}
    assert live["block-disposable-emails"]["enabled"] is False
    assert live["add-api-claims"]["enabled"] is True  # another trigger: not cut over yet
    stats_now = actions_stats(tenant)
    assert stats_now.bound.get(PUR) and not stats_now.bound.get(CRED), stats_now.bound
    # Never nobody, never both for longer than the cutover's one request, on the trigger cut over.
    moments = stats_now.timeline[PUR]
    assert moments[-1].actions and not moments[-1].hooks
    again = run_cli(["plan", "-c", str(config), "--target", "hooks:block-disposable-emails", "--detailed-exitcode"], env)
    assert again.exit_code == 0 and NO_CHANGES_IN_SCOPE in again.output, again.output
    rest = run_cli(["plan", "-c", str(config), "--detailed-exitcode"], env)
    assert rest.exit_code == 2 and "cutover on credentials-exchange" in rest.output, rest.output


def test_a_saved_scoped_plan_is_bound_to_its_scope(emulator: Any, applied: Path, tmp_path: Path) -> None:
    env = env_of(emulator)
    _edit_action_and_hook(applied)
    saved = tmp_path / "scoped.plan"
    made = run_cli(["plan", "-c", str(applied), "--target", "hooks:add-api-claims", "--out", str(saved)], env)
    assert made.exit_code == 0, made.output
    data = json.loads(saved.read_text())
    assert data["options"]["targets"] == ["hooks:add-api-claims"] and data["scope"]["targets"] == ["hooks:add-api-claims"]
    shown = run_cli(["show", str(saved)], {})
    assert "Scope: target: hooks:add-api-claims" in shown.output and SCOPED in shown.output

    for extra in (["--only", "hooks"], ["--target", "hooks:add-api-claims"]):
        refused = run_cli(["apply", str(saved), "-c", str(applied), *extra], env)
        assert refused.exit_code == 1 and "cannot change a saved plan: its scope comes from the file" in refused.output

    writes = emulator.stats()["writes"]
    for tamper, message in (
        (lambda d: d["options"].update(targets=[]), "options.only/targets disagree"),
        (lambda d: (d["options"].pop("targets"), d["options"].pop("only"), d.pop("scope")), "plan file was altered"),
        # Both copies edited alike: the steps are not what that scope produces.
        (lambda d: (d["options"].update(only=["actions"]), d["scope"].update(only=["actions"])), "hooks are not planned"),
        (lambda d: (d["options"].update(targets=["hooks:audit-password-change"]),
                    d["scope"].update(targets=["hooks:audit-password-change"])), "altered"),
        (lambda d: d["scope"].update(needed=["hooks:audit-password-change"]), "its scope"),
    ):
        bad = json.loads(saved.read_text())
        tamper(bad)
        path = tmp_path / "bad.plan"
        path.write_text(json.dumps(bad))
        refused = run_cli(["apply", str(path), "-c", str(applied)], env)
        assert refused.exit_code == 1 and message in refused.output, refused.output
    assert emulator.stats()["writes"] == writes

    ok = run_cli(["apply", str(saved), "-c", str(applied)], env)
    assert ok.exit_code == 0, ok.output
    assert "Scope: target: hooks:add-api-claims" in ok.output


def _rename_action(config: Path, old: str, new: str) -> None:
    meta = json.loads((config / "actions" / f"{old}.json").read_text())
    (config / "actions" / f"{old}.json").unlink()
    (config / "actions" / old).rename(config / "actions" / new)
    meta.update(name=new, code=f"./actions/{new}/code.js")
    (config / "actions" / f"{new}.json").write_text(json.dumps(meta))
    triggers = config / "triggers" / "triggers.json"
    triggers.write_text(triggers.read_text().replace(f'"{old}"', f'"{new}"'))


def test_a_renamed_action_targeted_is_bound_in_the_same_request_that_unbinds_its_old_self(
    emulator: Any, applied: Path,
) -> None:
    """The new action's trigger list comes with it (a list is written whole), so the old
    action is never unbound without its replacement bound; the other trigger is untouched."""
    env = env_of(emulator)
    _rename_action(applied, "add-profile-claims", "profile-claims")
    _edit_action_and_hook(applied)  # a hook and the SMS action change too: outside the target
    since = len(actions_stats(emulator).history.get("post-login", ()))
    result = run_cli(["apply", "-c", str(applied), "--target", "profile-claims", "--yes"], env)
    assert result.exit_code == 0, result.output
    assert "Scope: target: actions:profile-claims" in result.output
    assert "also planned, as the targets need them: trigger:post-login" in result.output
    stats = actions_stats(emulator)
    assert stats.bound["post-login"] == ("profile-claims",)
    assert all(m.actions for m in stats.history["post-login"][since:])  # never nobody on post-login
    again = run_cli(["plan", "-c", str(applied), "--target", "actions:profile-claims", "--detailed-exitcode"], env)
    assert again.exit_code == 0 and NO_CHANGES_IN_SCOPE in again.output, again.output
    rest = run_cli(["plan", "-c", str(applied), "--detailed-exitcode"], env)
    assert rest.exit_code == 2 and "add-api-claims" in rest.output, rest.output
