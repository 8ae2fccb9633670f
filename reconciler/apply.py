"""Executes a plan as a dependency graph against the Management API.

Independent steps run concurrently (the client paces them within the rate budget). A
hand-over is strict: the worker that disables the old hook enables the new one right
after, in the same thread, so nothing else on that trigger can come between them.
``remove`` steps start only when every other step has succeeded. On the first failure (or
when ``stop`` is set: Ctrl-C, a lost lease) no new step starts, but a hand-over whose
disable has started always gets its enable, so a failure elsewhere never leaves a trigger
dark. Just before each enable the trigger is read again: if another hook is enabled there
(somebody else's write during the apply), the enable is not sent and the trigger is left
as that writer left it, with that hook enabled: never two enabled, never dark. What was
done and what was not is reported; a re-run converges.
"""

from __future__ import annotations

import heapq
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol

from reconciler.errors import ReconcilerError
from reconciler.model import DesiredState
from reconciler.plan import Action, Phase, Plan, Step
from reconciler.secrets import MARKER_VALUE, is_marker
from reconciler.templates import fill, keys_in


class HookWriter(Protocol):
    """The part of the Management API client the executor needs."""

    def create_hook(
        self, name: str, trigger_id: str, script: str, enabled: bool = False,
        dependencies: Mapping[str, str] | None = None,
    ) -> Mapping[str, object]: ...
    def update_hook(self, hook_id: str, **fields: object) -> Mapping[str, object]: ...
    def delete_hook(self, hook_id: str) -> None: ...
    def add_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None: ...
    def update_secrets(self, hook_id: str, secrets: Mapping[str, str]) -> None: ...
    def delete_secrets(self, hook_id: str, keys: list[str]) -> None: ...
    def list_hooks(self) -> list[dict[str, object]]: ...


class ApplyError(ReconcilerError):
    """A step could not be carried out."""


@dataclass(frozen=True)
class StepFailure:
    step: Step
    message: str


@dataclass
class ApplyReport:
    done: list[Step] = field(default_factory=list)
    failed: list[StepFailure] = field(default_factory=list)
    not_run: list[Step] = field(default_factory=list)
    interrupted: bool = False  # stopped by ``stop`` rather than by a failure

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_run


StepCallback = Callable[[Step, str], None]  # (step, "start" | "done" | "failed")


def execute(
    plan: Plan,
    client: HookWriter,
    desired: DesiredState,
    *,
    max_workers: int = 8,
    on_step: StepCallback | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    """Run every step of ``plan``; secret values come from ``desired``. Setting ``stop``
    (from a signal handler, say) lets requests in flight and started hand-overs finish and
    starts nothing new."""
    run = _Run(plan, client, desired, max_workers, on_step or (lambda step, event: None))
    return run.run(stop or threading.Event())


class _Run:
    """One execution: a ready queue fed by dependency counts (Kahn's algorithm), so each
    step is looked at a bounded number of times however large the plan."""

    def __init__(
        self, plan: Plan, client: HookWriter, desired: DesiredState, max_workers: int,
        on_step: StepCallback,
    ) -> None:
        self.steps = {step.index: step for step in plan.steps}
        self.client = client
        self.secrets = {hook.name: hook.secrets for hook in desired.hooks}
        self.hooks = {hook.name: hook for hook in desired.hooks}
        self.max_workers = max(1, max_workers)
        self.on_step = on_step
        self.lock = threading.Condition()
        self.created_ids: dict[int, str] = {}
        self.report = ApplyReport()
        self.stopped = False
        self.pending = set(self.steps)  # not claimed by a worker yet
        self.running = 0
        self.waiting = {step.index: len(set(step.after)) for step in plan.steps}
        self.dependents: dict[int, list[int]] = defaultdict(list)
        for step in plan.steps:
            for before in set(step.after):
                self.dependents[before].append(step.index)
        # Removal waits for every other step: the barrier counts what is left before it.
        self.before_removal = sum(1 for step in plan.steps if step.phase is not Phase.REMOVE)
        self.held: list[int] = []  # removal steps ready but for the barrier
        self.ready: list[tuple[bool, int]] = []  # heap; disables first (they start hand-overs)
        # The enable of a hand-over runs in the thread that did its disable, right after it.
        self.follower = {
            before: step.index
            for step in plan.steps
            if step.action is Action.ENABLE
            for before in step.after
            if self.steps[before].action is Action.DISABLE
        }
        for index, count in self.waiting.items():
            if count == 0:
                self._release(index)

    # -- scheduling (all under self.lock) ---------------------------------------------

    def _release(self, index: int) -> None:
        step = self.steps[index]
        if step.phase is Phase.REMOVE and self.before_removal:
            self.held.append(index)
        else:
            heapq.heappush(self.ready, (step.action is not Action.DISABLE, index))

    def _claim(self, index: int) -> None:
        self.pending.discard(index)
        self.running += 1

    def _finish(self, index: int) -> int | None:
        """Record a success; return the follower enable if this thread should run it now."""
        if self.steps[index].phase is not Phase.REMOVE:
            self.before_removal -= 1
            if self.before_removal == 0:
                for held in self.held:
                    self._release(held)
                self.held.clear()
        follower = self.follower.get(index)
        handed = None
        for dependent in self.dependents[index]:
            self.waiting[dependent] -= 1
            if self.waiting[dependent] == 0:
                if dependent == follower:
                    # Even when stopped: a started hand-over is finished, never left dark.
                    handed = dependent
                else:
                    self._release(dependent)
        if handed is not None:
            self._claim(handed)
        return handed

    def run(self, stop: threading.Event) -> ApplyReport:
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="apply") as pool:
            with self.lock:
                while True:
                    if stop.is_set() and not self.stopped:
                        self.stopped = self.report.interrupted = True
                    while self.ready and not self.stopped and self.running < self.max_workers:
                        _, index = heapq.heappop(self.ready)
                        self._claim(index)
                        pool.submit(self._work, index)
                    if not self.running:
                        break  # all done, or stopped and drained
                    # A timeout, so a stop set from a signal handler is seen promptly.
                    self.lock.wait(0.2)
        self.report.not_run = [self.steps[i] for i in sorted(self.pending)]
        self.report.done.sort(key=lambda s: s.index)
        return self.report

    def _work(self, index: int | None) -> None:
        while index is not None:
            ok = self._run_step(self.steps[index])
            with self.lock:
                self.running -= 1
                if ok:
                    index = self._finish(index)
                else:
                    self.stopped = True
                    index = None
                self.lock.notify_all()

    # -- one request ------------------------------------------------------------------

    def _run_step(self, step: Step) -> bool:
        self.on_step(step, "start")
        try:
            self._call(step)
        except ReconcilerError as error:
            with self.lock:
                self.report.failed.append(StepFailure(step, str(error)))
            self.on_step(step, "failed")
            return False
        except Exception as error:  # an unexpected bug must still stop the run cleanly
            with self.lock:
                self.report.failed.append(StepFailure(step, f"{error.__class__.__name__}: {error}"))
            self.on_step(step, "failed")
            return False
        with self.lock:
            self.report.done.append(step)
        self.on_step(step, "done")
        return True

    def _hook_id(self, step: Step) -> str:
        if step.hook_id:
            return step.hook_id
        with self.lock:
            hook_id = self.created_ids.get(step.created_by) if step.created_by is not None else None
        if hook_id is None:
            raise ApplyError(f"step {step.index + 1}: the hook {step.hook} was not created")
        return hook_id

    def _secret_values(self, step: Step) -> dict[str, str]:
        wanted = self.secrets.get(step.hook, {})
        values: dict[str, str] = {}
        for key in step.body.get("keys", ()):
            if is_marker(key):
                values[key] = MARKER_VALUE
            elif key in wanted:
                values[key] = wanted[key]
            else:
                raise ApplyError(
                    f"{step.hook}: secret {key} has no value in the config; plan again"
                )
        return values

    def _filled(self, step: Step, template: str) -> str:
        """The script as the API gets it: a plan holds the template, values come from the config."""
        hook = self.hooks.get(step.hook)
        missing = keys_in(template) - (set(hook.script_values) if hook else set())
        if hook is None or missing:
            raise ApplyError(
                f"{step.hook}: script keywords {', '.join(sorted(missing)) or '(all)'} have no value in the config; plan again"
            )
        return fill(template, hook.script_values)

    def _call(self, step: Step) -> None:
        body = step.body
        if "script" in body and isinstance(body["script"], str):
            body = {**body, "script": self._filled(step, body["script"])}
        if step.action is Action.CREATE:
            created = self.client.create_hook(
                name=body["name"],
                trigger_id=body["triggerId"],
                script=body["script"],
                enabled=bool(body.get("enabled", False)),
                dependencies=body.get("dependencies") or {},
            )
            with self.lock:
                self.created_ids[step.index] = str(created["id"])
        elif step.action is Action.ENABLE:
            hook_id = self._hook_id(step)
            self._check_trigger_free(step, hook_id)
            self.client.update_hook(hook_id, **dict(body))
        elif step.action in (Action.UPDATE, Action.DISABLE):
            self.client.update_hook(self._hook_id(step), **dict(body))
        elif step.action is Action.DELETE:
            self.client.delete_hook(self._hook_id(step))
        elif step.action is Action.SECRETS_ADD:
            self.client.add_secrets(self._hook_id(step), self._secret_values(step))
        elif step.action is Action.SECRETS_UPDATE:
            self.client.update_secrets(self._hook_id(step), self._secret_values(step))
        elif step.action is Action.SECRETS_DELETE:
            self.client.delete_secrets(self._hook_id(step), list(body["keys"]))
        else:  # pragma: no cover - Action is closed
            raise ApplyError(f"unknown action {step.action}")

    def _check_trigger_free(self, step: Step, hook_id: str) -> None:
        """Refuse to enable while another hook is enabled on the trigger.

        The plan disabled every other hook there before this step, so one that is enabled
        now was enabled by another writer (or our disable did not land). Enabling ours
        would make two; re-enabling the hook we disabled would make two as well. So the
        trigger is left with that hook enabled: one enabled, not dark.
        """
        for hook in self.client.list_hooks():
            if (
                isinstance(hook, dict)
                and hook.get("triggerId") == step.trigger_id
                and hook.get("enabled") is True
                and str(hook.get("id")) != hook_id
            ):
                raise ApplyError(
                    f"not enabling {step.hook}: hook {str(hook.get('name'))[:100]!r} is enabled on "
                    f"{step.trigger_id}, which this plan did not expect (another writer?); "
                    "the trigger was left with that hook enabled"
                )
