"""The Actions types' executor operations (``Runner``: guard, run, done) over ``client.actions``.

- ``create``/``update`` send the draft (code filled with its keyword values and secrets with
  their values only here, on the way to the API) and are polled until ``built``: a
  ``failed`` build stops the plan with the build's message, nothing later runs (so nothing is
  bound and the version deployed before keeps running).
- ``deploy`` makes sure the draft is built (an interrupted run may have left it building),
  deploys, and is polled until that version is live.
- ``bind`` reads the trigger's list again first: if another writer changed it since the plan,
  nothing is sent (their change is not silently overwritten); then one PATCH of the whole list.
- ``delete`` never forces: a 409 (bound again by someone) stops the run.

The waits are the client's bounded polls with back-off (``ActionsApi.wait_built`` and
``wait_deployed``), bounded by the step's ``wait.timeout``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from reconciler.core.executor import Results
from reconciler.core.steps import Job, Step
from reconciler.errors import ApplyError
from reconciler.resources.actions import payloads as p
from reconciler.resources.actions.model import Action, ActionsDesired
from reconciler.resources.common.secrets import MARKER_VALUE, is_marker


def action_jobs(steps: tuple[Step, ...]) -> dict[int, Job]:
    """Scheduling facts: a create or update that sends npm dependencies is sent before the
    other ready steps (its build installs them and takes longest: started in the first wave
    of requests, it is not the one the trigger's bind waits for longest); else as the step
    says."""
    return {step.index: dataclasses.replace(step.job(), first=True) if _installs(step) else step.job()
            for step in steps}


def _installs(step: Step) -> bool:
    return step.operation in (p.CREATE, p.UPDATE) and bool(getattr(step.payload, "dependencies", None))


def _created(step: Step, results: Results, name: str) -> str | None:
    """The id of ``name`` as an earlier step of this run returned it (create, deploy)."""
    for index in step.after:
        found = results.get(index)
        if isinstance(found, Mapping) and found.get("name") == name and found.get("id"):
            return str(found["id"])
    return None


class ActionOperations:
    """Operations of type ``action``."""

    def __init__(self, client: Any, desired: ActionsDesired | None) -> None:
        self.api = client.actions
        self.actions: dict[str, Action] = desired.by_name() if desired is not None else {}
        hide = getattr(client, "hide", None)  # test doubles may not scrub errors
        if hide is not None:
            hide([v for action in self.actions.values() for v in (*action.keyword_values.values(), *action.secrets.values())])

    # -- Runner ------------------------------------------------------------------------------

    def guard(self, step: Step, results: Results) -> None:
        if step.operation == p.DEPLOY:
            # Built already when this run wrote the draft (its create/update step waited for
            # that); after an interrupted run, maybe not yet.
            action_id = self._id(step, results)
            written = (results.get(i) for i in step.after)
            if not any(isinstance(r, dict) and r.get("id") == action_id for r in written):
                self.api.wait_built(action_id, timeout=p.BUILD_WAIT.timeout)

    def run(self, step: Step, results: Results) -> Any:
        payload = step.payload
        if step.operation == p.CREATE:
            action = self._desired(step)
            created = self.api.create(
                action.name, action.trigger, self._code(step, action), runtime=payload.runtime,
                dependencies=payload.dependencies or (), secrets=self._secrets(step, action, payload.secrets),
                sensitive=self._sensitive(action),
            )
            return {"id": str(created["id"]), "name": action.name, "updated_at": created.get("updated_at"),
                    "dependencies": created.get("dependencies")}  # how long its build takes at the least
        if step.operation == p.UPDATE:
            action = self._desired(step)
            updated = self.api.update(
                payload.action_id, trigger=payload.trigger,
                code=self._code(step, action) if payload.code is not None else None,
                runtime=payload.runtime, dependencies=payload.dependencies,
                secrets=self._secrets(step, action, payload.secrets) if payload.secrets is not None else None,
                sensitive=self._sensitive(action),
            )
            return {"id": payload.action_id, "name": action.name, "updated_at": updated.get("updated_at"),
                    "dependencies": updated.get("dependencies")}
        if step.operation == p.RENAME:
            self.api.update(payload.action_id, name=payload.new_name)
            return {"id": payload.action_id, "name": payload.new_name}
        if step.operation == p.DEPLOY:
            action_id = self._id(step, results)
            version = self.api.deploy(action_id)
            number = version.get("number")
            return {"id": action_id, "name": payload.name, "version": str(version["id"]),
                    "number": number if isinstance(number, int) else None}
        if step.operation == p.DELETE:
            self.api.delete(payload.action_id)  # never force=true: a 409 stops the run
            return {"id": payload.action_id, "name": payload.name}
        raise ApplyError(f"step {step.index + 1}: unknown action operation {step.operation!r}")

    def done(self, step: Step, started: Any, results: Results) -> bool:
        timeout = step.wait.timeout if step.wait is not None else None
        if step.operation in (p.CREATE, p.UPDATE):
            self.api.wait_built(started["id"], timeout=timeout, written=started)
        elif step.operation == p.DEPLOY:
            self.api.wait_deployed(started["id"], started["version"], number=started["number"], timeout=timeout)
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _id(self, step: Step, results: Results) -> str:
        if step.payload.action_id:
            return str(step.payload.action_id)
        found = _created(step, results, step.payload.name)
        if found is None:
            raise ApplyError(f"step {step.index + 1}: the action {step.payload.name} was not created")
        return found

    def _desired(self, step: Step) -> Action:
        action = self.actions.get(step.payload.name)
        if action is None:
            raise ApplyError(f"step {step.index + 1}: action {step.payload.name} is not in the config; plan again")
        return action

    def _code(self, step: Step, action: Action) -> str:
        """The code as the API gets it: the plan holds the template, values come from the config."""
        if step.payload.code != action.code:
            raise ApplyError(f"action {action.name}: the code is not what was planned; plan again")
        return action.code_for_api()

    def _secrets(self, step: Step, action: Action, names: tuple[str, ...] | None) -> dict[str, str]:
        """The complete set, values filled: never a partial one."""
        values: dict[str, str] = {}
        for name in names or ():
            if is_marker(name):
                values[name] = MARKER_VALUE
            elif name in action.secrets:
                values[name] = action.secrets[name]
            else:
                raise ApplyError(f"action {action.name}: secret {name} has no value in the config; plan again")
        return values

    @staticmethod
    def _sensitive(action: Action) -> list[str]:
        values = [v for v in action.keyword_values.values() if isinstance(v, str) and v]
        return values + [v for v in action.secrets.values() if v]


class BindingOperations:
    """Operations of type ``bindings`` (key: the trigger id)."""

    def __init__(self, client: Any, desired: ActionsDesired | None = None) -> None:
        self.api = client.actions

    def guard(self, step: Step, results: Results) -> None:
        bind: p.Bind = step.payload
        now = tuple(
            (str(b["action"]["id"]), str(b.get("display_name") or b["action"]["name"]))
            for b in self.api.bindings(bind.trigger_id)
        )
        if now != tuple(bind.before):
            raise ApplyError(
                f"not binding on {bind.trigger_id}: its bindings changed since the plan (another writer?); "
                "nothing was sent there; plan again"
            )

    def run(self, step: Step, results: Results) -> Any:
        bind: p.Bind = step.payload
        refs: list[tuple[str, str | None]] = []
        for entry in bind.entries:
            action_id = entry.action_id or _created(step, results, entry.action_name)
            if action_id is None:
                raise ApplyError(f"not binding on {bind.trigger_id}: action {entry.action_name} was not deployed")
            refs.append((action_id, entry.display_name))
        answered = [str(b["action"]["id"]) for b in self.api.set_bindings(bind.trigger_id, refs)]
        if answered != [action_id for action_id, _ in refs]:
            # Never reported as done: the answer to the write does not show it.
            raise ApplyError(
                f"trigger {bind.trigger_id}: the server answered the bind with {len(answered)} binding(s), "
                f"not the {len(refs)} sent; what runs there is unknown: plan again to see"
            )
        return None

    def done(self, step: Step, started: Any, results: Results) -> bool:
        return True
