"""Actions and trigger bindings as the config wants them.

``Action.code`` is the source as written in git: a template whose ``##KEY##`` / ``@@KEY@@``
keywords are filled only on the way to the API (``code_for_api``), so plans and diffs can show
the template while keyword values (often secrets) stay out of every output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from reconciler.keywords import Keywords
from reconciler.resources.common.templates import matches

Pair = tuple[str, str]


def _frozen(values: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(sorted((values or {}).items())))


@dataclass(frozen=True)
class Action:
    """One custom action. ``secrets`` and ``keyword_values`` hold real values: never print them."""

    name: str
    code: str  # the template, keywords unfilled
    runtime: str  # as configured, or the trigger version's default
    supported_triggers: tuple[Pair, ...]  # ((trigger id, version),): the API allows exactly one
    dependencies: tuple[Pair, ...] = ()  # ((npm name, version), ...) in config order
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    deployed: bool = False  # deploy-cli's flag: deploy after writing (a binding needs it)
    keyword_values: Mapping[str, object] = field(default_factory=dict, repr=False)
    source: str = ""  # the metadata file (and YAML index), for messages
    # "secrets": "@@KEY@@" planned without KEY's value: the names are unknown, so the plan
    # leaves the live ones as they are (review only).
    secrets_from: str = ""
    # Keywords planned without a value (--allow-missing-keywords): their place in the live
    # code matches whatever it holds, as in a hook's script (``templates.matches``).
    unknown_keywords: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "secrets", _frozen(self.secrets))
        object.__setattr__(self, "unknown_keywords", frozenset(self.unknown_keywords))
        object.__setattr__(self, "keyword_values", _frozen(self.keyword_values))

    @property
    def trigger(self) -> Pair:
        return self.supported_triggers[0]

    def code_for_api(self) -> str:
        """The code with its keywords filled: what ``POST/PATCH /actions/actions`` gets."""
        return Keywords(self.keyword_values).replace(self.code).text

    def code_differs(self, live_code: str) -> bool:
        """Whether the live code is not what this template produces (unknown keywords match
        whatever the live code holds at their place: a review-only plan never claims a
        value changed that it could not compare)."""
        return not matches(self.code, self.keyword_values, self.unknown_keywords, live_code)


@dataclass(frozen=True)
class TriggerBindings:
    """trigger id -> ordered ((action name, display name), ...); the order is execution order."""

    by_trigger: Mapping[str, tuple[Pair, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_trigger", MappingProxyType(dict(self.by_trigger)))

    def get(self, trigger_id: str) -> tuple[Pair, ...]:
        return self.by_trigger.get(trigger_id, ())


@dataclass(frozen=True)
class LiveRef:
    """A binding naming an action the config does not define: the plan must find it live and kept."""

    trigger_id: str
    action_name: str
    source: str  # where the binding is written, for the planner's message


@dataclass(frozen=True)
class ActionsDesired:
    """Everything about Actions the config says.

    ``managed_triggers`` follows deploy-cli: a trigger absent from triggers.json is left alone;
    one listed with ``[]`` has every binding removed. ``marketplace`` names installed
    integrations the config mentions: they are never created, changed or deleted.
    """

    actions: tuple[Action, ...] = ()
    bindings: TriggerBindings = field(default_factory=TriggerBindings)
    managed_triggers: frozenset[str] = frozenset()
    marketplace: frozenset[str] = frozenset()
    live_refs: tuple[LiveRef, ...] = ()  # checked against the tenant by the planner (rules.check_live_refs)
    source: str = ""

    def by_name(self) -> dict[str, Action]:
        return {action.name: action for action in self.actions}


def wanted(desired: ActionsDesired | None) -> bool:
    """Whether the config has an Actions part to reconcile (an empty one: nothing to do)."""
    return desired is not None and bool(desired.actions or desired.managed_triggers)
