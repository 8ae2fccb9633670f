"""An in-memory Actions tenant behind the ``client.actions`` interface (not a test module).

Strict where the real API is strict (``shared/auth0-api/actions.md``): deploying an unbuilt
draft, binding an action that is not deployed, deleting a bound action without force and
moving an action to another trigger are refused, as Auth0 refuses them. It counts versions
per action and keeps every bindings list it was given, so tests see what was live at every
instant. ``fail_at``: the Nth write raises (an interrupted run). ``test_fake_actions_contract.py``
runs one script of calls on it and on the emulator and compares the answers.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.api.action_shapes import dependency_pairs
from reconciler.errors import ActionBoundError, ApiError, BuildFailedError
from reconciler.resources.actions.triggers import KNOWN

_ids = itertools.count(1)

# JSON as the API answers it; named here because `FakeActionsApi.list` hides the builtin
Row = dict[str, Any]
Rows = list[Row]
Names = list[str]


class Interrupted(ApiError):
    """The simulated crash of a run (raised instead of the Nth write)."""


@dataclass
class FakeActionsApi:
    bad_dependencies: frozenset[str] = frozenset()
    fail_at: int | None = None  # the write number (1-based) that raises instead
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    bound: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # trigger -> [(id, display)]
    secret_values: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> name -> value
    versions_created: dict[str, int] = field(default_factory=dict)  # name -> count
    history: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (trigger, names) per PATCH
    requests: int = 0
    writes: int = 0
    clock: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()

    # -- bookkeeping ------------------------------------------------------------------------

    def _read(self) -> None:
        with self.lock:
            self.requests += 1

    def _write(self) -> None:
        with self.lock:
            self.requests += 1
            self.writes += 1
            if self.fail_at is not None and self.writes == self.fail_at:
                raise Interrupted("simulated crash", status=0)

    def _stamp(self) -> str:
        self.clock += 1
        return f"2026-01-01T00:00:{self.clock:06d}Z"

    def _get(self, action_id: str) -> dict[str, Any]:
        if action_id not in self.actions:
            raise ApiError("That action does not exist.", status=404)
        return self.actions[action_id]

    # -- reads ------------------------------------------------------------------------------

    def list(self, *, name: str | None = None) -> Rows:
        self._read()
        with self.lock:
            return [_copy(a) for a in self.actions.values() if name is None or a["name"] == name]

    def find(self, name: str) -> dict[str, Any] | None:
        same = [a for a in self.list(name=name) if "integration" not in a]
        return same[0] if same else None

    def get(self, action_id: str) -> dict[str, Any]:
        self._read()
        with self.lock:
            return _copy(self._get(action_id))

    def list_triggers(self) -> Rows:
        self._read()
        return [{"id": t.id, "version": t.version, "status": t.status, "runtimes": list(t.runtimes),
                 "default_runtime": t.default_runtime, "binding_policy": t.binding_policy} for t in KNOWN]

    def bindings(self, trigger_id: str) -> Rows:
        self._read()
        with self.lock:
            return [{"id": f"b{next(_ids)}", "trigger_id": trigger_id, "display_name": display,
                     "action": {"id": i, "name": self.actions[i]["name"]}}
                    for i, display in self.bound.get(trigger_id, [])]

    # -- writes -----------------------------------------------------------------------------

    def create(self, name: str, trigger: tuple[str, str], code: str, *, runtime: str | None = None,
               dependencies: Iterable[tuple[str, str]] = (), secrets: Mapping[str, str] | None = None,
               sensitive: Iterable[str] = ()) -> dict[str, Any]:
        self._write()
        with self.lock:
            action_id = f"act-{next(_ids)}"
            action = {"id": action_id, "name": name, "supported_triggers": [{"id": trigger[0], "version": trigger[1]}],
                      "code": code, "runtime": runtime or "node22", "status": "pending",
                      "dependencies": [], "secrets": [], "all_changes_deployed": False}
            self.actions[action_id] = action
            self._draft(action, dependencies=list(dependencies), secrets=dict(secrets or {}))
            return _copy(action)

    def update(self, action_id: str, *, name: str | None = None, trigger: tuple[str, str] | None = None,
               code: str | None = None, runtime: str | None = None,
               dependencies: Iterable[tuple[str, str]] | None = None, secrets: Mapping[str, str] | None = None,
               sensitive: Iterable[str] = ()) -> dict[str, Any]:
        self._write()
        with self.lock:
            action = self._get(action_id)
            if trigger is not None and trigger[0] != action["supported_triggers"][0]["id"]:
                raise ApiError("can't upgrade to this trigger.", status=400)
            if name is not None:
                action["name"] = name
            if trigger is not None:
                action["supported_triggers"] = [{"id": trigger[0], "version": trigger[1]}]
            if code is not None:
                action["code"] = code
            if runtime is not None:
                action["runtime"] = runtime
            self._draft(action, dependencies=None if dependencies is None else list(dependencies),
                        secrets=None if secrets is None else dict(secrets))
            return _copy(action)

    def _draft(self, action: dict[str, Any], *, dependencies: Sequence[tuple[str, str]] | None, secrets: dict[str, str] | None) -> None:
        stamp = self._stamp()
        if dependencies is not None:
            action["dependencies"] = [{"name": n, "version": v} for n, v in dependencies]
        if secrets is not None:
            self.secret_values[action["id"]] = dict(secrets)
            action["secrets"] = [{"name": n, "updated_at": stamp} for n in sorted(secrets)]
        bad = any(d["name"] in self.bad_dependencies for d in action["dependencies"])
        action["status"] = "failed" if bad else "built"  # builds finish at once here
        action["all_changes_deployed"] = False

    def deploy(self, action_id: str) -> dict[str, Any]:
        self._write()
        with self.lock:
            action = self._get(action_id)
            if action["status"] != "built":
                raise ApiError("A draft must be in the 'built' state before it can be deployed.", status=400)
            number = self.versions_created.get(action["name"], 0) + 1
            self.versions_created[action["name"]] = number
            version = {"id": f"ver-{next(_ids)}", "number": number, "deployed": True, "status": "built",
                       **{k: _deep(action[k]) for k in ("code", "runtime", "dependencies", "secrets", "supported_triggers")}}
            action["deployed_version"] = version
            action["all_changes_deployed"] = True
            return {**version, "deployed": False}

    def delete(self, action_id: str, *, force: bool = False) -> None:
        assert not force, "the reconciler never forces a delete"
        self._write()
        with self.lock:
            self._get(action_id)
            if any(i == action_id for pairs in self.bound.values() for i, _ in pairs):
                raise ActionBoundError("Unable to delete an action bound to a trigger.", status=409)
            del self.actions[action_id]

    def set_bindings(self, trigger_id: str, bindings: Sequence[tuple[str, str | None]]) -> Rows:
        self._write()
        with self.lock:
            new = []
            for action_id, display in bindings:
                action = self._get(action_id)
                if action["supported_triggers"][0]["id"] != trigger_id:
                    raise ApiError(f"action {action['name']} does not support {trigger_id}", status=400)
                if "deployed_version" not in action:
                    raise ApiError("Trying to create a binding for an action that has not been deployed yet.", status=400)
                new.append((action_id, display or action["name"]))
            self.bound[trigger_id] = new
            self.history.append((trigger_id, tuple(self.actions[i]["name"] for i, _ in new)))
            # As the real API answers: the list now bound (binding ids are new on every PATCH;
            # not drawn from the shared id counter, so recorded ids stay the same).
            return [{"id": f"bind-{trigger_id}-{n}", "trigger_id": trigger_id, "display_name": display,
                     "action": {"id": i, "name": self.actions[i]["name"]}} for n, (i, display) in enumerate(new)]

    # -- waits (builds are instant here) ----------------------------------------------------

    def wait_built(self, action_id: str, *, timeout: float | None = None, written: Any = None) -> dict[str, Any]:
        action = self.get(action_id)
        if action["status"] == "failed":
            raise BuildFailedError(f"the build of action {action['name']!r} failed: bad dependency",
                                   action_id=action_id, name=action["name"], build_message="bad dependency")
        return action

    def wait_deployed(self, action_id: str, version_id: str, *, number: int | None = None,
                      timeout: float | None = None) -> dict[str, Any]:
        action = self.get(action_id)
        assert action["deployed_version"]["id"] == version_id
        return action

    # -- what tests look at -----------------------------------------------------------------

    def named(self, name: str) -> dict[str, Any]:
        found = [a for a in self.actions.values() if a["name"] == name]
        assert len(found) == 1, f"{len(found)} actions named {name}"
        return found[0]

    def bound_names(self, trigger_id: str) -> Names:
        return [self.actions[i]["name"] for i, _ in self.bound.get(trigger_id, [])]

    def seed(self, name: str, trigger: tuple[str, str] = ("post-login", "v3"), code: str = "x", *,
             deployed: bool = True, secrets: Mapping[str, str] | None = None,
             dependencies: Iterable[tuple[str, str]] = (), runtime: str = "node22",
             marketplace: bool = False) -> str:
        fail_at, self.fail_at = self.fail_at, None
        created = self.create(name, trigger, code, runtime=runtime, dependencies=dependencies, secrets=secrets)
        if deployed:
            self.deploy(created["id"])
            self.versions_created[name] = 0  # seeding is not the tool's doing
        if marketplace:
            self.actions[created["id"]]["integration"] = {"id": "int-1"}
        self.fail_at, self.requests, self.writes = fail_at, 0, 0
        return str(created["id"])

    def bind(self, trigger_id: str, *names: str) -> None:
        self.bound[trigger_id] = [(self.named(n)["id"], n) for n in names]


def _deep(value: Any) -> Any:
    if isinstance(value, list):
        return [_deep(v) for v in value]
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    return value


def _copy(action: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = _deep(action)
    return copied


@dataclass
class FakeClient:
    actions: FakeActionsApi = field(default_factory=FakeActionsApi)
    max_workers: int = 4


def deps_of(action: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return dependency_pairs(action)
