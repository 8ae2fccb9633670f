"""The Actions half as the use cases run it: read only when the config has Actions, plan both
parts, execute them with hook steps (one dependency graph), and read back.

A config without actions/ and triggers/ makes zero Actions requests and gets no parts, so a
hooks-only plan is exactly what it was before Actions existed.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping, Sequence

from reconciler.core import executor as core
from reconciler.core.executor import ApplyReport, Dispatch, StepCallback
from reconciler.core.planner import Merged, TypePlan, merge_plan, with_pairs
from reconciler.core.steps import Job
from reconciler.resources.actions.live import NOT_READ, LiveActions, read_live_actions
from reconciler.resources.actions.model import ActionsDesired
from reconciler.resources.actions.payloads import step_to_dict


def wanted(desired: ActionsDesired | None) -> bool:
    """Whether the config has an Actions part to reconcile (an empty one: nothing to do)."""
    return desired is not None and bool(desired.actions or desired.managed_triggers)


def read_live(client: Any, desired: ActionsDesired | None) -> LiveActions:
    if not wanted(desired):
        return NOT_READ
    assert desired is not None
    return read_live_actions(client, desired.managed_triggers)


def plan_parts(desired: ActionsDesired | None, client: Any, options: Any) -> tuple[TypePlan, ...]:
    """The action and bindings parts (none at all for a config without Actions)."""
    return plan_parts_and_live(desired, client, options)[0]


def plan_parts_and_live(desired: ActionsDesired | None, client: Any, options: Any) -> tuple[tuple[TypePlan, ...], LiveActions]:
    """The parts and the live Actions they were planned against (the cutover needs both)."""
    if not wanted(desired):
        return (), NOT_READ
    from reconciler.resources.actions.plan import plan_actions

    live = read_live(client, desired)
    return plan_actions(desired, live, options), live


def part_to_dict(part: Any) -> Any:
    """A part as plan files and JSON hold it (a part read from a file is kept as read)."""
    if not isinstance(part, TypePlan):
        return part
    return {
        "type": part.type,
        "steps": [step_to_dict(step) for step in part.steps],
        "edges": [[local, {"type": ref.type, "key": ref.key, "operation": ref.operation}] for local, ref in part.edges],
        "changes": [_change_dict(change) for change in part.changes],
        "warnings": [reason.to_dict() for reason in part.warnings],
        "extras": {key: list(value) if isinstance(value, tuple) else value for key, value in part.extras},
    }


def _change_dict(change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": change.type, "key": change.key, "kind": str(change.kind),
        "fields": [field.to_dict() for field in change.fields],
    }
    if change.skipped is not None:
        data["skipped"] = change.skipped.to_dict()
    for key, value in change.detail:
        data.setdefault("detail", {})[key] = list(value) if isinstance(value, tuple) else value
    return data


def all_steps(hook_steps: Sequence[Any], parts: Sequence[Any], cutovers: Sequence[Any] = ()) -> tuple[Any, ...]:
    """Hook steps (already numbered from 0) then every part's, renumbered, edges resolved,
    a cutover's two steps adjacent (``resources.cutover``)."""
    return merged(hook_steps, parts, cutovers).steps


def merged(hook_steps: Sequence[Any], parts: Sequence[Any], cutovers: Sequence[Any] = ()) -> Merged:
    typed = [part for part in parts if isinstance(part, TypePlan)]
    if not typed:
        return Merged(tuple(hook_steps))
    return merge_plan([TypePlan("hook", tuple(hook_steps)), *typed], [c.pair() for c in cutovers])


def execute_all(
    hook_steps: Sequence[Any], parts: Sequence[Any], client: Any, hooks_desired: Any, desired: ActionsDesired | None,
    *, max_workers: int = 8, on_step: StepCallback | None = None, stop: threading.Event | None = None,
    cutovers: Sequence[Any] = (),
) -> ApplyReport[Any]:
    """One dependency graph for hooks and Actions: hook steps keep their own scheduling facts
    (strict hand-over pairs), the others use ``step.job()``; a cutover's two requests run
    back to back, alone (``resources.cutover_wiring.PairedRunner``)."""
    from reconciler.resources.actions.ops import ActionOperations, BindingOperations
    from reconciler.resources.cutover_wiring import PairedRunner
    from reconciler.resources.hooks.ops import HookOperations, hook_jobs

    plan = merged(hook_steps, parts, cutovers)
    hook_facts: Mapping[int, Job] = hook_jobs(tuple(s for s in plan.steps if s.type == "hook"))
    jobs = with_pairs({s.index: hook_facts[s.index] if s.type == "hook" else s.job() for s in plan.steps}, plan.pairs)
    runner = PairedRunner(Dispatch({
        "hook": HookOperations(client, hooks_desired),
        "action": ActionOperations(client, desired),
        "bindings": BindingOperations(client, desired),
    }), plan.steps, plan.pairs, client)
    return core.execute(plan.steps, runner, max_workers=max_workers, on_step=on_step, stop=stop,
                        job_of=lambda step: jobs[step.index])


def verify(steps: Sequence[Any], client: Any, desired: ActionsDesired | None) -> list[str]:
    """What the tenant lacks of the Actions steps done (read back)."""
    from reconciler.resources.actions.verify import differences

    ours = [step for step in steps if step.type in ("action", "bindings")]
    if not ours or desired is None:
        return []
    return differences(ours, desired, read_live(client, desired))
