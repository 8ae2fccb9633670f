"""How many requests an apply makes, per change, against the emulator (counts, never times):
one read to plan, the lease's create, list and delete (its list is the check under the lease
that nothing changed), the writes, and a read-back of only what was written. And the windows
the timeline shows: a hooks hand-over's disable and enable are adjacent requests; a moved
action is bound somewhere at every request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.common.names import replaced_base
from reconciler.resources.hooks.export import write_config
from tests.e2e.helpers import run_cli

CRED, PRE = "credentials-exchange", "pre-user-registration"
HOOKS = 4
# A hooks-only config's plan lists the actions once: it names any bound outside the config
# (``action.not_managed``); none is deployed here, so nothing more is read.
NOTICE = 1


def hooks(*, change: bool = False, handover: bool = False, secret_of: str = "") -> list[dict[str, Any]]:
    """Hooks on two triggers, the first of each enabled, each with a secret."""
    out = []
    for i in range(HOOKS):
        enabled = i < 2 if not handover else i in (1, 2)
        script = f"// hook {i}{' v2' if change and i == 3 else ''}\n"
        secrets = {"TOKEN": "##TOKEN##", **({"MORE": "##TOKEN##"} if secret_of == f"h{i}" else {})}
        out.append({"name": f"h{i}", "triggerId": (CRED, PRE)[i % 2], "enabled": enabled, "script": script,
                    "secrets": secrets})
    return out


def env(emulator: EmulatorProcess) -> dict[str, str]:
    return {**emulator.env(), "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"TOKEN": "t0ken-value"})}


def apply_counted(emulator: EmulatorProcess, config: Path) -> int:
    """The requests one ``apply --yes`` made (the token's included)."""
    before = emulator.stats()["requests"]
    result = run_cli(["apply", "-c", str(config), "--yes"], env(emulator))
    assert result.exit_code == 0, result.output
    return int(emulator.stats()["requests"]) - int(before)


@pytest.fixture
def applied(emulator: EmulatorProcess, tmp_path: Path) -> Path:
    config = write_config(tmp_path / "config", hooks())
    apply_counted(emulator, config)
    return config


def test_one_change_reads_every_secret_once(emulator: EmulatorProcess, applied: Path) -> None:
    write_config(applied, hooks(change=True))
    # token; plan: list + 4 secrets (+ the actions list); lease: create + list (the check) + delete;
    # 1 write; read-back: list
    assert apply_counted(emulator, applied) == 1 + 5 + NOTICE + 3 + 1 + 1


def test_a_secret_written_is_read_back_alone(emulator: EmulatorProcess, applied: Path) -> None:
    write_config(applied, hooks(secret_of="h2"))
    # as above, and the read-back reads h2's secrets
    assert apply_counted(emulator, applied) == 1 + 5 + NOTICE + 3 + 1 + 1 + 1


def test_a_hand_over_is_two_adjacent_requests(emulator: EmulatorProcess, applied: Path) -> None:
    write_config(applied, hooks(handover=True))
    # plan; lease; the trigger's check, disable, enable; read-back
    assert apply_counted(emulator, applied) == 1 + 5 + NOTICE + 3 + 3 + 1
    entries = emulator.stats()["hook_history"][CRED]
    dark = [e for e in entries if not e["hooks"]]
    assert len(dark) == 1
    after = entries[entries.index(dark[0]) + 1]
    assert after["hooks"] == ["h2"] and after["seq"] - dark[0]["seq"] == 1


def test_a_plan_made_stale_by_another_writer_re_reads_only_what_changed(emulator: EmulatorProcess, applied: Path) -> None:
    """The check under the lease still sees another writer's change (a listing that
    differs), and then reads that hook's secrets again."""
    from reconciler.commands.common import client_for
    from reconciler.config import load_settings
    from reconciler.errors import PlanFileError
    from reconciler.usecases.applying import ApplySource, apply_plan, load_for_apply
    from reconciler.usecases.planning import make_plan

    write_config(applied, hooks(change=True))
    settings = load_settings(env(emulator))
    inputs = load_for_apply(ApplySource(str(applied)), settings)
    with client_for(settings, 8) as client:
        seen: dict[str, object] = {}
        plan = make_plan(inputs.loaded.desired, client, inputs.options, lives=seen)
        hook = next(h for h in client.hooks.list() if h["name"] == "h0")
        client.hooks.update(hook["id"], script="// someone else\n")  # another writer
        before = emulator.stats()
        with pytest.raises(PlanFileError, match="stale plan"):
            apply_plan(plan, inputs.loaded.desired, client, inputs.options, holder="test", seen=seen)
        after = emulator.stats()
    assert after["writes"] - before["writes"] == 2  # the lease, nothing else
    # lease create + list + delete, and h0's secrets read again
    assert after["requests"] - before["requests"] == 3 + 1


def actions_config(directory: Path, where: dict[str, str]) -> Path:
    """Actions in deploy-cli's layout (``where``: name -> trigger), each bound, in name order."""
    (directory / "actions").mkdir(parents=True, exist_ok=True)
    (directory / "triggers").mkdir(exist_ok=True)
    bindings: dict[str, list[dict[str, str]]] = {}
    for name, trigger in sorted(where.items()):
        handler = {CRED: "onExecuteCredentialsExchange", PRE: "onExecutePreUserRegistration"}[trigger]
        (directory / "actions" / name).mkdir(exist_ok=True)
        (directory / "actions" / name / "code.js").write_text(f"exports.{handler} = async (event, api) => {{}};\n")
        doc = {"name": name, "code": f"./actions/{name}/code.js", "runtime": "node22", "dependencies": [],
               "secrets": [], "supported_triggers": [{"id": trigger, "version": "v2"}], "deployed": True}
        (directory / "actions" / f"{name}.json").write_text(json.dumps(doc))
        bindings.setdefault(trigger, []).append({"action_name": name, "display_name": name})
    (directory / "triggers" / "triggers.json").write_text(json.dumps(bindings))
    return directory


@pytest.mark.parametrize("allow_delete", [False, True])
def test_a_moved_action_is_bound_somewhere_at_every_request(emulator_factory: Any, tmp_path: Path, allow_delete: bool) -> None:
    tenant = emulator_factory(build_time=0.05, build_time_per_dependency=0.05)
    config = actions_config(tmp_path / "config", {"a": CRED, "b": CRED, "c": PRE})
    assert run_cli(["apply", "-c", str(config), "--yes"], tenant.env()).exit_code == 0
    actions_config(config, {"a": PRE, "b": CRED, "c": PRE})
    flags = ["--allow-delete"] if allow_delete else []
    planned = run_cli(["plan", "-c", str(config), *flags], tenant.env())
    assert f"1 to create, {2 if allow_delete else 3} to update, {1 if allow_delete else 0} to delete" in planned.output
    applied = run_cli(["apply", "-c", str(config), "--yes", *flags], tenant.env())
    assert applied.exit_code == 0, applied.output
    # Replay every trigger's changes in request order: "a" (or its old copy, renamed aside)
    # runs on some trigger from its first bind on.
    events = sorted((e["seq"], t, e["actions"]) for t, es in tenant.stats()["trigger_timeline"].items() for e in es)
    where: set[str] = set()
    started = False
    for seq, trigger, names in events:
        (where.add if "a" in {replaced_base(n) or n for n in names} else where.discard)(trigger)
        started = started or bool(where)
        assert where or not started, f"a runs nowhere after request {seq}"
    assert where == {PRE}


# -- Actions: exact counts per change (builds finish before the first poll looks) -----------------
#
# A config without hooks/ on a tenant that serves hooks. The plan reads: the hooks list (to
# name the hooks it leaves alone), the trigger versions offered, the actions list and the
# bindings of each trigger it may touch. Under the lease: the marker's create and its list
# (which is the hooks check), the actions list and those bindings again (not the trigger
# versions: no writer changes them). A build or a deploy is one poll each (the build is done
# when the poll looks; the deploy answer says not yet live). A bind re-reads its trigger first
# and that trigger is read back after; an action written is read back from the answers.

def counted_apply(tenant: Any, config: Path, *flags: str) -> int:
    before = tenant.stats()["requests"]
    applied = run_cli(["apply", "-c", str(config), "--yes", *flags], tenant.env())
    assert applied.exit_code == 0, applied.output
    return int(tenant.stats()["requests"]) - int(before)


@pytest.fixture
def built_at_once(emulator_factory: Any) -> Any:
    return emulator_factory(build_time=0.0, build_time_per_dependency=0.0)


def test_actions_initial_apply_of_one_action(built_at_once: Any, tmp_path: Path) -> None:
    config = actions_config(tmp_path / "config", {"a": CRED})
    plan, lease, check = 4, 3, 2  # plan: hooks, triggers, actions, 1 trigger; lease: create, list, delete
    writes = 1 + 1 + 1  # create, deploy, bind
    polls, bind_check, read_back = 2, 1, 1  # build, live; the trigger before the bind; after it
    assert counted_apply(built_at_once, config) == 1 + plan + lease + check + writes + polls + bind_check + read_back


def test_actions_one_change_reads_nothing_back_beyond_the_answers(built_at_once: Any, tmp_path: Path) -> None:
    config = actions_config(tmp_path / "config", {"a": CRED, "b": CRED, "c": PRE})
    counted_apply(built_at_once, config)
    (config / "actions" / "a" / "code.js").write_text("exports.onExecuteCredentialsExchange = async () => { /* 2 */ };\n")
    plan, lease, check = 5, 3, 3  # two triggers read
    writes, polls = 2, 2  # update, deploy; build poll, live check
    assert counted_apply(built_at_once, config) == 1 + plan + lease + check + writes + polls


def test_actions_reorder_is_one_bind_between_its_checks(built_at_once: Any, tmp_path: Path) -> None:
    config = actions_config(tmp_path / "config", {"a": CRED, "b": CRED, "c": PRE})
    counted_apply(built_at_once, config)
    doc = json.loads((config / "triggers" / "triggers.json").read_text())
    doc[CRED].reverse()
    (config / "triggers" / "triggers.json").write_text(json.dumps(doc))
    plan, lease, check = 5, 3, 3
    bind_check, writes, read_back = 1, 1, 1
    assert counted_apply(built_at_once, config) == 1 + plan + lease + check + bind_check + writes + read_back


def test_actions_move_binds_the_new_then_unbinds_the_old(built_at_once: Any, tmp_path: Path) -> None:
    config = actions_config(tmp_path / "config", {"a": CRED, "b": CRED, "c": PRE})
    counted_apply(built_at_once, config)
    actions_config(config, {"a": PRE, "b": CRED, "c": PRE})
    plan, lease, check = 5, 3, 3
    writes = 1 + 1 + 1 + 2 + 1  # rename aside, create, deploy, two binds, delete the old one
    polls, bind_checks, read_back = 2, 2, 2
    assert counted_apply(built_at_once, config, "--allow-delete") == (
        1 + plan + lease + check + writes + polls + bind_checks + read_back)
