"""Registers hooks with the engine (``reconciler.resources.base``)."""

from __future__ import annotations

from typing import Any

from reconciler.core.planner import TypePlan
from reconciler.resources.base import ResourceType, register


def _check(config: Any, keywords: Any) -> tuple[Any, list[Any]]:
    from reconciler.resources.hooks.validate import check

    report = check(config, keywords)
    return report.state, list(report.problems)


def _plan(desired: Any, live: Any, options: Any) -> TypePlan:
    from reconciler.resources.hooks.planner import build_plan

    plan = build_plan(desired, live, options)
    # Hooks' changes and warnings are still hook-shaped (HookChange, text): the hook Plan
    # rides along for the hook renderers until they are ported to core Changes.
    return TypePlan("hook", plan.steps, extras=(("plan", plan),))


def _operations(client: Any, desired: Any) -> Any:
    from reconciler.resources.hooks.ops import HookOperations

    return HookOperations(client, desired)


def _jobs(steps: Any) -> Any:
    from reconciler.resources.hooks.ops import hook_jobs

    return hook_jobs(tuple(steps))


def _schema() -> Any:
    from reconciler.resources.hooks.validate import schema

    return schema()


def _words(reason: Any) -> str:
    from reconciler.resources.hooks.wording import word

    return word(reason)


HOOKS = register(
    ResourceType(
        name="hook",
        noun="hooks",
        folder="hooks",
        schema=_schema,
        check=_check,
        read_live=lambda client, desired: client.read_live_state(),
        plan=_plan,
        operations=_operations,
        jobs=_jobs,
        words=_words,
    )
)
