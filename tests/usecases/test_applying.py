"""``apply``'s use cases: the saved plan and the flags it refuses (before the file is read),
the config and options to plan with, the lease holder from the environment given, and the
apply itself against the emulator."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import Settings
from reconciler.emulator.server import RunningEmulator
from reconciler.errors import PlanError, PlanFileError, SavedPlanFlags
from reconciler.lease import LEASE_NAME
from reconciler.planfile import write_plan
from reconciler.resources.hooks.export import write_config
from reconciler.usecases.applying import ApplySource, apply_plan, lease_holder, load_for_apply, open_saved
from reconciler.usecases.loading import plan_options
from reconciler.usecases.planning import make_plan
from tests.usecases.conftest import settings_for

PRE = "pre-user-registration"


def config(tmp_path: Path, *names: str) -> str:
    return str(write_config(tmp_path / "cfg", [{"name": n, "triggerId": PRE, "script": f"// {n}\n"} for n in names]))


def test_without_a_file_the_config_is_planned(tmp_path: Path) -> None:
    assert open_saved(None, "my-config", allow_delete=True) == ApplySource("my-config")


@pytest.mark.parametrize("flags, named", [
    ({"allow_delete": True}, "--allow-delete cannot change a saved plan"),
    ({"force": True, "rotate_secrets": True}, "--force, --rotate-secrets cannot change a saved plan"),
])
def test_plan_flags_next_to_a_saved_plan_are_refused_before_it_is_read(tmp_path: Path, flags: dict[str, Any], named: str) -> None:
    with pytest.raises(SavedPlanFlags, match=named) as refused:
        open_saved(str(tmp_path / "absent.json"), "tenant-config", **flags)
    first = next(flag for flag in ("--allow-delete", "--force") if flag in str(refused.value))
    assert str(refused.value).endswith(f"make the plan again with `reconciler plan {first} --out FILE`")


def test_a_saved_plan_names_the_default_config_and_decides_the_options(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    cfg = config(tmp_path, "a")
    options = plan_options(settings, allow_delete=True)
    with client_factory() as client:
        plan = make_plan(load_for_apply(ApplySource(cfg), settings).loaded.desired, client, options)
    write_plan(plan, tmp_path / "plan.json", config=cfg, options=options)
    source = open_saved(str(tmp_path / "plan.json"), "tenant-config")
    assert source.config == cfg and source.saved is not None
    assert open_saved(str(tmp_path / "plan.json"), "elsewhere").config == "elsewhere"
    inputs = load_for_apply(source, settings, allow_delete=False)
    assert inputs.options.allow_delete is True and inputs.saved is source.saved
    assert [hook.name for hook in inputs.loaded.desired["hook"].hooks] == ["a"]


def test_a_config_plans_with_the_flags_on_top_of_settings(emu: RunningEmulator, tmp_path: Path) -> None:
    settings = settings_for(emu, allow_delete=True)
    inputs = load_for_apply(ApplySource(config(tmp_path, "a")), settings, force=True)
    assert inputs.options.allow_delete and inputs.options.force and not inputs.options.rotate_secrets
    assert inputs.saved is None


def test_not_a_plan_file(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{}")
    with pytest.raises(PlanFileError, match="not a reconciler plan file"):
        open_saved(str(tmp_path / "plan.json"), "tenant-config")


def test_the_lease_holder_comes_from_the_environment_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "process-user")  # not consulted: the Settings' environ is
    holder = lease_holder(MappingProxyType({"LOGNAME": "ci", "GITHUB_RUN_ID": "9", "GITHUB_REPOSITORY": "o/r"}))
    assert holder.startswith("ci@") and f" pid {os.getpid()} " in holder
    assert holder.endswith("(GitHub run o/r#9)")
    assert "GitHub run" not in lease_holder({"USERNAME": "someone"})
    assert lease_holder({"USERNAME": "someone"}).startswith("someone@")


def test_apply_writes_under_the_lease_and_confirms_what_it_wrote(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    inputs = load_for_apply(ApplySource(config(tmp_path, "a", "b")), settings)
    with client_factory() as client:
        plan = make_plan(inputs.loaded.desired, client, inputs.options)
        outcome = apply_plan(plan, inputs.loaded.desired, client, inputs.options, holder="test run")
        assert outcome.report.ok and outcome.differences == () and outcome.lease_lost is None
        assert outcome.lease_problem is None
        assert sorted(h["name"] for h in client.hooks.list()) == ["a", "b"]  # the lease given back
        assert not make_plan(inputs.loaded.desired, client, inputs.options).has_changes


def test_a_plan_made_stale_by_another_writer_writes_nothing(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    inputs = load_for_apply(ApplySource(config(tmp_path, "a")), settings)
    with client_factory() as client:
        plan = make_plan(inputs.loaded.desired, client, inputs.options)
        emu.seed([{"name": "a", "triggerId": PRE, "script": "// someone else\n"}])
        writes = emu.stats()["writes"]
        with pytest.raises(PlanFileError, match="stale plan"):
            apply_plan(plan, inputs.loaded.desired, client, inputs.options, holder="test run")
        assert emu.stats()["writes"] == writes + 2  # the lease taken and given back, nothing else


def test_the_lease_name_is_reserved(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    inputs = load_for_apply(ApplySource(config(tmp_path, LEASE_NAME)), settings)
    with client_factory() as client, pytest.raises(PlanError, match="reserved for the apply lease"):
        make_plan(inputs.loaded.desired, client, inputs.options)


def test_only_a_type_that_reads_with_the_leases_list_waits_for_it() -> None:
    """The check of a type declaring ``reads_lease_list`` (hooks) gets the lease's own list;
    the others (Actions) never ask for it, so they are read while the lease reads."""
    from reconciler.resources.base import ResourceType
    from reconciler.resources.builtin import registry
    from reconciler.usecases.applying import _reader

    assert registry().get("hook").reads_lease_list
    assert not registry().get("action").reads_lease_list and not registry().get("bindings").reads_lease_list
    asked: list[str] = []
    got: dict[str, object] = {}

    def again(name: str) -> Any:
        def read(client: Any, desired: Any, before: Any, written: Any = None, listed: Any = None) -> Any:
            got[name] = listed
            return before
        return read

    def lease_list() -> Any:
        asked.append("asked")
        return ["the lease's list"]

    with_list = ResourceType[Any, Any](name="with", noun="withs", read_again=again("with"), reads_lease_list=True)
    without = ResourceType[Any, Any](name="without", noun="withouts", read_again=again("without"))
    read = _reader({"with": "before", "without": "before"}, None, lease_list)
    client: Any = None  # never used: the reads above make no request
    assert read(without, client, None) == "before" and asked == [] and got == {"without": None}
    assert read(with_list, client, None) == "before" and asked == ["asked"] and got["with"] == ["the lease's list"]
