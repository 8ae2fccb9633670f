"""The demo's sequence run with the use cases the CLI calls: load with visible dummy values,
plan, execute, plan again; and what the emulator saw, as data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reconciler.api.client import ManagementClient
from reconciler.config import Settings
from reconciler.emulator.server import RunningEmulator
from reconciler.resources.hooks.export import write_config
from reconciler.usecases.applying import execute_plan
from reconciler.usecases.demo import DemoTraffic, demo_value, load_for_demo
from reconciler.usecases.loading import plan_options
from reconciler.usecases.planning import make_plan


def test_unset_keywords_get_visible_dummy_values(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "cfg", [{"name": "a", "triggerId": "pre-user-registration",
                                           "script": "// a\n", "secrets": {"TOKEN": "##TOKEN##"}}])
    loaded = load_for_demo(str(cfg), Settings())
    assert loaded.filled_keywords == ("TOKEN",)
    assert dict(loaded.desired["hook"].hooks[0].secrets) == {"TOKEN": demo_value("TOKEN")} == {"TOKEN": "demo-value-for-TOKEN"}


def test_plan_apply_plan_again_converges_and_the_traffic_is_counted(emu: RunningEmulator, settings: Settings, client_factory: Callable[[], ManagementClient], tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "cfg", [
        {"name": "a", "triggerId": "pre-user-registration", "script": "// a\n", "enabled": True},
        {"name": "b", "triggerId": "pre-user-registration", "script": "// b\n"},
    ])
    loaded = load_for_demo(str(cfg), Settings())
    with client_factory() as client:
        first = make_plan(loaded.desired, client, plan_options())
        report = execute_plan(first, loaded.desired, client)
        again = make_plan(loaded.desired, client, plan_options())
    # created disabled, then enabled: never two enabled on one trigger
    assert report.ok and len(report.done) == len(first.steps) == 3 and not again.has_changes
    seen = DemoTraffic.from_stats(emu.stats())
    assert seen.writes == 3 and seen.requests > seen.writes and seen.most_enabled == 1
    assert seen.versions == ()


def test_actions_versions_are_listed_by_name() -> None:
    stats = {"requests": 9, "writes": 4, "max_enabled_per_trigger": {},
             "versions_created": {"zeta": 1, "alpha": 2}, "bound_per_trigger": {"post-login": 2}}
    assert DemoTraffic.from_stats(stats) == DemoTraffic(9, 4, 0, (("alpha", 2), ("zeta", 1)), {"post-login": 2})
