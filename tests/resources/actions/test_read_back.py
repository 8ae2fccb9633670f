"""The apply's read-back of Actions: each action written as the server last answered for it,
a list only when an answer cannot tell, and the bound triggers read again."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any

from reconciler.api.action_answers import Answers
from reconciler.core.steps import Step as PlanStep
from reconciler.resources.actions.engine import read_back
from reconciler.resources.actions.live import LiveAction, LiveActions, LiveBinding, LiveBindings
from reconciler.resources.actions.model import ActionsDesired


def action(i: str, name: str, code: str = "// v1") -> dict[str, Any]:
    return {"id": i, "name": name, "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": code,
            "runtime": "node22", "dependencies": [], "secrets": [], "status": "built"}


@dataclass
class Api:
    listed: list[dict[str, Any]]
    answers: Answers = field(default_factory=Answers)
    reads: list[str] = field(default_factory=list)

    def list(self) -> list[dict[str, Any]]:
        self.reads.append("list")
        return self.listed

    def bindings(self, trigger: str) -> builtins.list[dict[str, Any]]:
        self.reads.append(f"bindings {trigger}")
        return [{"action": {"id": "a1", "name": "one"}, "display_name": "one"}]


@dataclass
class Client:
    actions: Api
    max_workers: int = 2


@dataclass(frozen=True)
class Payload:
    name: str
    action_id: str | None = None
    trigger_id: str = "post-login"


def Step(kind: str, operation: str, payload: Payload) -> PlanStep:  # noqa: N802 - reads as the step it makes
    return PlanStep(index=0, type=kind, key=payload.name, operation=operation, payload=payload)


@dataclass(frozen=True)
class Written:
    steps: tuple[PlanStep, ...]


DESIRED = ActionsDesired(managed_triggers=frozenset({"post-login"}))
BEFORE = LiveActions(actions=(LiveAction.from_api(action("a1", "one")), LiveAction.from_api(action("a2", "two"))),
                     bindings=LiveBindings({"post-login": (LiveBinding("a1", "one", "one"),)}))


def test_an_action_written_is_read_back_from_its_answers_without_a_list() -> None:
    api = Api(listed=[])
    api.answers.keep(action("a2", "two", code="// v2"))
    after = read_back(Client(api), DESIRED, BEFORE, Written((Step("action", "update", Payload("two", "a2")),)))
    assert api.reads == []
    assert {a.name: a.code for a in after.actions} == {"one": "// v1", "two": "// v2"}


def test_a_create_whose_outcome_was_unknown_lists_every_action() -> None:
    # the list shows a second action of the name: the verify step reports it
    api = Api(listed=[action("a1", "one"), action("a2", "two"), action("a3", "three"), action("a4", "three")])
    api.answers.keep(action("a3", "three"))
    api.answers.mark_unsure()
    after = read_back(Client(api), DESIRED, BEFORE, Written((Step("action", "create", Payload("three")),)))
    assert api.reads == ["list"]
    assert after.duplicate_names() == frozenset({"three"})


def test_an_action_written_without_an_answer_kept_lists_every_action() -> None:
    api = Api(listed=[action("a1", "one"), action("a2", "two", code="// v2")])
    after = read_back(Client(api), DESIRED, BEFORE, Written((Step("action", "update", Payload("two", "a2")),)))
    assert api.reads == ["list"] and {a.name: a.code for a in after.actions}["two"] == "// v2"


def test_answers_of_an_earlier_apply_are_not_laid_over_this_one() -> None:
    api = Api(listed=[])
    api.answers.keep(action("a1", "one", code="// an old answer"))  # not written by this plan
    api.answers.keep(action("a2", "two", code="// v2"))
    after = read_back(Client(api), DESIRED, BEFORE, Written((Step("action", "update", Payload("two", "a2")),)))
    assert {a.name: a.code for a in after.actions} == {"one": "// v1", "two": "// v2"}


def test_a_deleted_action_is_gone_and_a_bound_trigger_is_read_again() -> None:
    api = Api(listed=[])
    api.answers.deleted("a2")
    steps = (Step("bindings", "bind", Payload("post-login")), Step("action", "delete", Payload("two", "a2")))
    after = read_back(Client(api), DESIRED, BEFORE, Written(steps))
    assert api.reads == ["bindings post-login"]
    assert [a.name for a in after.actions] == ["one"]
