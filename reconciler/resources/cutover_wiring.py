"""The cutover rule (``cutover.py``) wired into planning and applying.

Planning: the facts come from both types' desired and live states, the rule pairs the hook's
disable with the action's bind, and the merge is tried once so an impossible pair (a cycle)
is refused at plan time. The plan keeps the ``Cutover`` lines (the renderers show them, a
saved plan is compared on them); the strict pairs are derived from them again at apply.

Applying: ``PairedRunner`` sends a pair's two requests alone (``client.gate``: no request of
another worker between them) and runs both steps' checks before either request: the bind's
"the list is still what was planned" read must not come between the two writes, and a
failed check must stop the cutover before the hook is disabled. So the window where both
(or neither) run is exactly one request. A "neither" cutover whose bind fails puts the hook
back (when the bind surely did not land) and says which trigger runs what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from reconciler.core.executor import Results, Runner
from reconciler.core.planner import Merged, TypePlan, merge_plan
from reconciler.errors import ApplyError
from reconciler.resources.cutover import BINDINGS, DISABLE, HOOK, CutoverPlan, merge_with_cutover, trigger_facts


def plan_cutover(
    parts: Sequence[TypePlan], desired: Mapping[str, Any], lives: Mapping[str, Any],
    modes: Mapping[str, str], excluded: Mapping[str, Iterable[str]] | None = None,
) -> tuple[Merged, CutoverPlan]:
    """Every type's part (in planning order) merged with the cutovers of a plan with Actions
    (``desired`` and ``lives``: each type's desired and live state by type name: the hooks'
    ``DesiredState`` and ``LiveState``, the actions' ``ActionsDesired`` and ``LiveActions``).
    ``excluded``: names left alone by type name (``PlanOptions.excluded``). No Actions: the
    parts merged as they are, no cutover."""
    actions, hooks = desired.get("action"), desired.get("hook")
    if actions is None or not any(part.type != "hook" for part in parts):
        return merge_plan(parts), CutoverPlan()
    excluded_hooks = frozenset((excluded or {}).get(HOOK, ()))
    wanted = {t: [name for name, _ in actions.bindings.get(t)] for t in actions.managed_triggers}
    bound = {t: [b.action_name for b in found] for t, found in lives["action"].bindings.by_trigger.items()}
    facts = trigger_facts(
        [h for h in (hooks.hooks if hooks is not None else ()) if h.name not in excluded_hooks],
        list(getattr(lives.get("hook"), "hooks", ())), wanted, bound,
    )
    return merge_with_cutover(parts, facts, modes)


class PairedRunner:
    """A runner (``core.executor.Runner``) around another: strict pairs ``(leader, follower)``
    (global indexes) run their checks and both requests inside the leader's ``run``, alone;
    the follower's ``run`` then hands back what its request returned (or raises its error)."""

    def __init__(self, inner: Runner[Any], steps: Sequence[Any], pairs: Iterable[tuple[int, int]], client: Any) -> None:
        self.inner = inner
        self.steps = {step.index: step for step in steps}
        self.follower_of = dict(pairs)
        self.paired = set(self.follower_of) | set(self.follower_of.values())
        self.gate = getattr(client, "gate", None)
        self.outcome: dict[int, tuple[bool, Any]] = {}  # follower -> (ok, result or error)

    def guard(self, step: Any, results: Results) -> None:
        if step.index not in self.paired:
            self.inner.guard(step, results)  # a pair's checks run in the leader's run

    def run(self, step: Any, results: Results) -> Any:
        if step.index in self.outcome:
            ok, value = self.outcome.pop(step.index)
            if not ok:
                raise value
            return value
        index = self.follower_of.get(step.index)
        if index is None:
            return self.inner.run(step, results)
        follower = self.steps[index]
        with self.gate.alone() if self.gate is not None else nullcontext():
            self.inner.guard(step, results)
            self.inner.guard(follower, results)
            started = self.inner.run(step, results)
            results.put(step.index, started)
            try:
                self.outcome[index] = (True, self.inner.run(follower, results))
            except Exception as error:  # reported as the follower's failure, by the executor
                self.outcome[index] = (False, self._after_failed_bind(step, follower, results, error))
        return started

    def _after_failed_bind(self, leader: Any, follower: Any, results: Results, error: Exception) -> Exception:
        """A "neither" cutover whose bind failed after the hook was disabled: the trigger runs
        nothing. Put the hook back when the bind surely did not land (the list is still the one
        planned before it), and say loudly what the trigger runs now."""
        if (leader.type, leader.operation, follower.type) != (HOOK, DISABLE, BINDINGS):
            return error
        trigger, hook = follower.key, leader.key
        undo = getattr(self.inner, "undo", None)
        try:
            self.inner.guard(follower, results)  # raises when the list changed (the bind landed?)
            if undo is None:
                raise ApplyError(f"hook {hook} cannot be enabled again here")
            undo(leader, results)
        except Exception as cause:
            return ApplyError(
                f"cutover on {trigger}: the bind failed ({error}) after hook {hook} was disabled, and the hook "
                f"could not be put back ({cause}): {trigger} RUNS NOTHING now; run apply again, or enable {hook}"
            )
        return ApplyError(
            f"cutover on {trigger}: the bind failed ({error}); hook {hook} was enabled again, so {trigger} "
            "runs the hook as before; fix the cause and run apply again"
        )

    def done(self, step: Any, started: Any, results: Results) -> bool:
        return self.inner.done(step, started, results)
