"""The in-memory Actions tenant (``fake_actions.FakeActionsApi``, what the Actions planner,
drift and golden tests run on) against the emulator behind the real client: one script of
``client.actions`` calls runs on both, and every answer and every refusal is compared in
the terms the reconciler reads (names, triggers, code, dependencies, secret names, build
and deploy states, bindings, error kinds and statuses)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

import pytest

from reconciler.api.client import ManagementClient
from reconciler.config import connection_from_env
from reconciler.emulator.process import EmulatorProcess
from reconciler.errors import ActionBoundError, ApiError, BuildFailedError
from tests.resources.actions.fake_actions import FakeActionsApi, Rows

PL = ("post-login", "v3")
CRED = ("credentials-exchange", "v2")
CODE = "exports.onExecutePostLogin = async (event, api) => {};\n"
CODE_2 = "exports.onExecutePostLogin = async (event, api) => { api.access.deny('no'); };\n"


class Actions(Protocol):
    """The part of ``client.actions`` both tenants offer."""

    def list(self, *, name: str | None = None) -> Rows: ...
    def get(self, action_id: str) -> dict[str, Any]: ...
    def list_triggers(self) -> Rows: ...
    def bindings(self, trigger_id: str) -> Rows: ...
    def create(self, name: str, trigger: tuple[str, str], code: str, *, runtime: str | None = None,
               dependencies: Any = (), secrets: Any = None) -> dict[str, Any]: ...
    def update(self, action_id: str, *, trigger: tuple[str, str] | None = None, code: str | None = None,
               secrets: Any = None) -> dict[str, Any]: ...
    def deploy(self, action_id: str) -> dict[str, Any]: ...
    def delete(self, action_id: str) -> None: ...
    def set_bindings(self, trigger_id: str, bindings: Any) -> Rows: ...
    def wait_built(self, action_id: str) -> dict[str, Any]: ...
    def wait_deployed(self, action_id: str, version_id: str) -> dict[str, Any]: ...


def draft(action: dict[str, Any]) -> tuple[object, ...]:
    """An action as the reconciler reads it (ids and time stamps differ by design)."""
    return (
        action["name"], [(t["id"], t["version"]) for t in action["supported_triggers"]], action["code"],
        action["runtime"], sorted((d["name"], d["version"]) for d in action.get("dependencies") or []),
        sorted(s["name"] for s in action.get("secrets") or []), action["status"],
        action.get("all_changes_deployed"),
    )


def bound(bindings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(b["action"]["name"], b["display_name"]) for b in bindings]


def script(api: Actions) -> Iterator[tuple[str, Callable[[], object]]]:
    """(what, the call and what of its answer to compare), in order: later calls use earlier ids."""
    ids: dict[str, str] = {}
    versions: dict[str, str] = {}

    def create(name: str, trigger: tuple[str, str], deps: tuple[tuple[str, str], ...] = ()) -> str:
        created = api.create(name, trigger, CODE, runtime="node22", dependencies=deps, secrets={"TOKEN": "t"})
        ids[name] = str(created["id"])
        return name

    def deploy(name: str) -> int:
        version = api.deploy(ids[name])
        versions[name] = str(version["id"])
        return int(version["number"])

    yield "the triggers offered", lambda: sorted(
        (t["id"], t["version"], t["status"]) for t in api.list_triggers() if t["id"] in (PL[0], CRED[0]))
    yield "create", lambda: create("a", PL)
    yield "build", lambda: draft(api.wait_built(ids["a"]))
    yield "bind before any deploy", lambda: api.set_bindings(PL[0], [(ids["a"], None)])
    yield "deploy", lambda: deploy("a")
    yield "deployed", lambda: api.wait_deployed(ids["a"], versions["a"])["deployed_version"]["number"]
    yield "read", lambda: draft(api.get(ids["a"]))
    yield "list by name", lambda: [draft(a) for a in api.list(name="a")]
    yield "bind", lambda: bound(api.set_bindings(PL[0], [(ids["a"], "First")]))
    yield "bindings", lambda: bound(api.bindings(PL[0]))
    yield "delete while bound", lambda: api.delete(ids["a"])
    yield "move to another trigger", lambda: api.update(ids["a"], trigger=CRED)
    yield "read a missing action", lambda: api.get("act_missing_000000000000")
    # The fake's builds finish at once (its one simplification): a write's answer says `built`
    # where Auth0 says `pending`, so the state is compared after the wait, not in the answer.
    yield "change the code", lambda: draft(api.update(ids["a"], code=CODE_2, secrets={"TOKEN": "t", "MORE": "m"}))[:-2]
    yield "build again", lambda: draft(api.wait_built(ids["a"]))
    yield "deploy again", lambda: deploy("a")
    yield "create with a bad dependency", lambda: create("b", PL, (("crypto", "17.7.1"),))
    yield "its build fails", lambda: api.wait_built(ids["b"])
    yield "deploy a failed build", lambda: api.deploy(ids["b"])
    yield "bind an undeployed action", lambda: api.set_bindings(PL[0], [(ids["a"], None), (ids["b"], None)])
    yield "unbind everything", lambda: bound(api.set_bindings(PL[0], []))
    yield "delete", lambda: api.delete(ids["a"])
    yield "gone", lambda: [a["name"] for a in api.list()]


def answers(api: Actions) -> list[tuple[str, object]]:
    """What each call of the script answered, or how it was refused."""
    out: list[tuple[str, object]] = []
    for what, call in script(api):
        try:
            out.append((what, call()))
        except BuildFailedError:
            out.append((what, "build failed"))
        except ActionBoundError as error:
            out.append((what, ("refused: still bound", error.status)))
        except ApiError as error:
            out.append((what, ("refused", error.status)))
    return out


@pytest.fixture
def emulated(emulator_factory: Callable[..., EmulatorProcess]) -> Iterator[Actions]:
    emulator = emulator_factory(rate_limit=0, build_time=0, build_time_per_dependency=0,
                                bad_dependencies="crypto@17.7.1")
    with ManagementClient(connection_from_env(emulator.env())) as client:
        yield client.actions


def test_the_fake_answers_every_call_as_the_emulator_does(emulated: Actions) -> None:
    expected = answers(emulated)
    assert answers(FakeActionsApi(bad_dependencies=frozenset({"crypto"}))) == expected


def test_the_script_meets_every_refusal_the_fake_makes(emulated: Actions) -> None:
    refused = {what for what, answer in answers(emulated) if answer == "build failed" or
               (isinstance(answer, tuple) and str(answer[0]).startswith("refused"))}
    assert refused == {"bind before any deploy", "delete while bound", "move to another trigger",
                       "read a missing action", "its build fails", "deploy a failed build",
                       "bind an undeployed action"}
