"""Plan and apply Actions against the in-memory tenant (``fake_actions``), through the same
parts the engine runs: ``plan_actions`` then the generic executor with the type operations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.core.executor import ApplyReport, Dispatch, execute
from reconciler.core.planner import TypePlan, merge
from reconciler.keywords import Keywords
from reconciler.resources.actions.live import read_live_actions
from reconciler.resources.actions.model import ActionsDesired
from reconciler.resources.actions.ops import ActionOperations, BindingOperations
from reconciler.resources.actions.plan import plan_actions
from reconciler.resources.actions.rules import check_config
from reconciler.resources.options import PlanOptions
from tests.resources.actions.actions_testlib import write_dir
from tests.resources.actions.fake_actions import FakeClient


def desired(root: Path, actions: list[dict[str, Any]] | None, triggers: Any = None,
            code: dict[str, str] | None = None, env: dict[str, str] | None = None) -> ActionsDesired:
    if root.exists():
        import shutil

        shutil.rmtree(root)
    write_dir(root, actions, triggers, code)
    state, problems = check_config(root, Keywords(env or {}))
    assert state is not None, [str(p) for p in problems]
    return state


def plan(want: ActionsDesired, client: FakeClient, **options: Any) -> tuple[TypePlan, TypePlan]:
    live = read_live_actions(client, want.managed_triggers)
    return plan_actions(want, live, PlanOptions(**options))


def steps(want: ActionsDesired, client: FakeClient, **options: Any) -> tuple[Any, ...]:
    return merge([*plan(want, client, **options)])


def ops(parts: tuple[Any, ...]) -> list[tuple[str, str, str]]:
    return [(s.type, s.operation, s.key) for s in parts]


def apply(want: ActionsDesired, client: FakeClient, *, workers: int = 4, **options: Any) -> ApplyReport[Any]:
    merged = steps(want, client, **options)
    runner = Dispatch({"action": ActionOperations(client, want), "bindings": BindingOperations(client, want)})
    return execute(merged, runner, max_workers=workers)
