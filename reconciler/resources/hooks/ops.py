"""Executes a hooks plan: the hook operations, run by the generic executor
(``reconciler.core.executor``: dependency graph, concurrency, stop on first failure).

A hand-over is strict: the enable follows its disable in the same worker, right after, so
nothing else on that trigger can come between them, and a started hand-over always gets
its enable. The trigger is read again (the executor's guard) before the enable, and, when
the apply runs the hand-over as a pair (``resources.cutover_wiring.PairedRunner``), before
the disable, so the two writes are adjacent: if another hook is enabled there (somebody
else's write during the apply), nothing is sent and the trigger is left as that writer
left it: never two enabled, never dark.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from reconciler.core import executor as core
from reconciler.core.executor import ApplyReport, Results, StepCallback
from reconciler.core.plan import Plan
from reconciler.core.steps import Job, Phase, Step
from reconciler.errors import ApplyError
from reconciler.resources.common.secrets import MARKER_VALUE, is_marker
from reconciler.resources.common.templates import fill, keys_in
from reconciler.resources.hooks.actions import Action
from reconciler.resources.hooks.model import DesiredState
from reconciler.resources.hooks.plan import action_of, payload_of

__all__ = ["HookWriter", "execute"]


class HookEndpoints(Protocol):
    """The hooks endpoints the executor needs (``ManagementClient.hooks``)."""

    def create(
        self, name: str, trigger_id: str, script: str, enabled: bool = False,
        dependencies: Mapping[str, str] | None = None,
    ) -> Mapping[str, object]: ...
    def update(self, hook_id: str, **fields: object) -> Mapping[str, object]: ...
    def delete(self, hook_id: str) -> None: ...
    def add_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None: ...
    def update_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None: ...
    def delete_secrets(self, hook_id: str, keys: list[str]) -> None: ...
    def list(self) -> list[dict[str, object]]: ...


class HookWriter(Protocol):
    """The part of the Management API client the executor needs."""

    @property
    def hooks(self) -> HookEndpoints: ...


def execute(
    plan: Plan,
    client: HookWriter,
    desired: DesiredState,
    *,
    max_workers: int = 8,
    on_step: StepCallback | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport[Step]:
    """Run every step of a hooks-only ``plan``; secret values come from ``desired``. Setting
    ``stop`` (from a signal handler, say) lets requests in flight and started hand-overs
    finish and starts nothing new."""
    jobs = hook_jobs(plan.steps)
    return core.execute(
        plan.steps, HookOperations(client, desired), max_workers=max_workers, on_step=on_step,
        stop=stop, job_of=lambda step: jobs[step.index],
    )


def hook_jobs(steps: tuple[Step, ...]) -> dict[int, Job]:
    """Scheduling facts: removals wait for everything; disables start first; the enable of a
    hand-over is the strict follower of its disable. ``steps``: the hook steps of a plan
    (global indexes; edges to other types' steps are kept as they are)."""
    by_index = {step.index: step for step in steps}
    follows = {
        step.index: before
        for step in steps
        if action_of(step) is Action.ENABLE
        for before in step.after
        if before in by_index and action_of(by_index[before]) is Action.DISABLE
    }
    return {
        step.index: Job(
            step.index, step.after, last=step.phase is Phase.REMOVE,
            first=action_of(step) is Action.DISABLE, follows=follows.get(step.index),
        )
        for step in steps
    }


class HookOperations:
    """The hook type's executor operations (one Management API request a step)."""

    def __init__(self, client: HookWriter, desired: DesiredState) -> None:
        self.client = client
        self.secrets = {hook.name: hook.secrets for hook in desired.hooks}
        self.hooks = {hook.name: hook for hook in desired.hooks}
        self.disabling: dict[str | None, str] = {}  # trigger -> the hook a checked, unsent disable turns off
        hide = getattr(client, "hide", None)  # test doubles may not scrub errors
        if hide is not None:
            hide([v for hook in desired.hooks for v in (*hook.script_values.values(), *hook.secrets.values())])

    def guard(self, step: Step, results: Results) -> None:
        action = action_of(step)
        if action is Action.DISABLE:
            # Run as a pair (``PairedRunner``), the enable's check comes next, before this
            # disable is sent: the hook it disables is still enabled then, and is no intruder.
            self.disabling[payload_of(step).trigger_id] = self._hook_id(step, results)
        elif action is Action.ENABLE:
            self._check_trigger_free(step, self._hook_id(step, results))

    def done(self, step: Step, started: Any, results: Results) -> bool:
        return True  # hook requests are synchronous

    def run(self, step: Step, results: Results) -> str | None:
        """Send the step's request; a create returns the new hook's id for later steps."""
        action, body = action_of(step), payload_of(step).body()
        if "script" in body and isinstance(body["script"], str):
            body = {**body, "script": self._filled(step, body["script"])}
        if action is Action.CREATE:
            created = self.client.hooks.create(
                name=body["name"],
                trigger_id=body["triggerId"],
                script=body["script"],
                enabled=bool(body.get("enabled", False)),
                dependencies=body.get("dependencies") or {},
            )
            return str(created["id"])
        hook_id = self._hook_id(step, results)
        if action is Action.DISABLE:
            self.disabling.pop(payload_of(step).trigger_id, None)
        if action in (Action.UPDATE, Action.DISABLE, Action.ENABLE):
            self.client.hooks.update(hook_id, **dict(body))
        elif action is Action.DELETE:
            self.client.hooks.delete(hook_id)
        elif action is Action.SECRETS_ADD:
            self.client.hooks.add_secrets(hook_id, self._secret_values(step))
        elif action is Action.SECRETS_UPDATE:
            self.client.hooks.update_secrets(hook_id, self._secret_values(step))
        elif action is Action.SECRETS_DELETE:
            self.client.hooks.delete_secrets(hook_id, list(body["keys"]))
        else:  # pragma: no cover - Action is closed
            raise ApplyError(f"unknown action {action}")
        return None

    def undo(self, step: Step, results: Results) -> None:
        """Enable again a hook this run disabled (a cutover whose bind failed: the trigger
        would run nothing). Only a disable can be undone."""
        if action_of(step) is not Action.DISABLE:
            raise ApplyError(f"step {step.index + 1}: only a disable can be undone")
        self.client.hooks.update(self._hook_id(step, results), enabled=True)

    def _hook_id(self, step: Step, results: Results) -> str:
        payload = payload_of(step)
        if payload.hook_id:
            return payload.hook_id
        hook_id = results.get(payload.created_by)
        if hook_id is None:
            raise ApplyError(f"step {step.index + 1}: the hook {step.key} was not created")
        return str(hook_id)

    def _secret_values(self, step: Step) -> dict[str, str]:
        wanted = self.secrets.get(step.key, {})
        values: dict[str, str] = {}
        for key in getattr(step.payload, "keys", ()):
            if is_marker(key):
                values[key] = MARKER_VALUE
            elif key in wanted:
                values[key] = wanted[key]
            else:
                raise ApplyError(
                    f"{step.key}: secret {key} has no value in the config; plan again"
                )
        return values

    def _filled(self, step: Step, template: str) -> str:
        """The script as the API gets it: a plan holds the template, values come from the config."""
        hook = self.hooks.get(step.key)
        missing = keys_in(template) - (set(hook.script_values) if hook else set())
        if hook is None or missing:
            raise ApplyError(
                f"{step.key}: script keywords {', '.join(sorted(missing)) or '(all)'} have no value in the config; plan again"
            )
        return fill(template, hook.script_values)

    def _check_trigger_free(self, step: Step, hook_id: str) -> None:
        """Refuse to enable while another hook is enabled on the trigger.

        The plan disables every other hook there before this step, so one that is enabled
        now was enabled by another writer (or our disable did not land). Enabling ours
        would make two; re-enabling the hook we disabled would make two as well. So the
        trigger is left with that hook enabled: one enabled, not dark. Checked just before
        the hand-over's disable (a pair), the hook that disable turns off is still enabled.
        """
        trigger = payload_of(step).trigger_id
        ours = {hook_id, self.disabling.get(trigger)}
        hooks = [hook for hook in self.client.hooks.list() if isinstance(hook, dict)]
        if not any(str(hook.get("id")) == hook_id for hook in hooks):
            # Acknowledged but not there (a create that did not land): disabling the hook
            # there now would leave the trigger running nothing.
            running = [str(h.get("name"))[:100] for h in hooks if h.get("triggerId") == trigger and h.get("enabled") is True]
            now = f"hook {running[0]!r} is enabled on {trigger} and stays so" if running else f"{trigger} is left as it is"
            raise ApplyError(f"not enabling {step.key}: {now}: {step.key} is not in the tenant (a write acknowledged but not applied?)")
        for hook in hooks:
            if (
                isinstance(hook, dict)
                and hook.get("triggerId") == trigger
                and hook.get("enabled") is True
                and str(hook.get("id")) not in ours
            ):
                raise ApplyError(
                    f"not enabling {step.key}: hook {str(hook.get('name'))[:100]!r} is enabled on "
                    f"{payload_of(step).trigger_id}, which this plan did not expect (another writer?); "
                    "the trigger was left with that hook enabled"
                )
