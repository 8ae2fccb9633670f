"""Actions and trigger bindings as the tenant has them, and the reader that builds them.

Frozen data made from answers :mod:`reconciler.api.actions` has already shape-checked. Secret
values are write-only in Auth0: only names are known. What the planner needs to decide
"changed?" without another request is precomputed here: whether the deployed version is the
draft (``draft_is_deployed``) and whether that version is live and built (``deployed_live``).

Which bindings are read (``read_live_actions``): not every trigger's (deploy-cli reads all
13, one request each), only

- the triggers the config manages (the keys of triggers.json: their whole list is rewritten),
- the trigger of every custom action in scope (``names``; by default every custom action,
  since any of them may be changed, moved to another trigger, or deleted, and deleting
  starts by unbinding it from that trigger).

An action supports exactly one trigger, so those are all the lists a run can touch. Triggers
the tenant does not offer, or binds through other entities (``entity-bound``), are not read:
the planner reports a managed trigger the tenant lacks instead of a 404 from the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from reconciler.api.action_shapes import (
    BUILT,
    dependency_pairs,
    draft_is_deployed,
    is_marketplace,
    secret_stamps,
)
from reconciler.lease_actions import is_marker_action
from reconciler.resources.actions.triggers import TRIGGER_BOUND, TriggerVersion
from reconciler.resources.actions.triggers import bindable as known_bindable

Pair = tuple[str, str]


@dataclass(frozen=True)
class LiveAction:
    """One action in the tenant (its draft, plus what is deployed)."""

    id: str
    name: str
    supported_triggers: tuple[Pair, ...]
    code: str
    runtime: str
    dependencies: tuple[Pair, ...] = ()
    secret_names: frozenset[str] = frozenset()  # values are write-only
    status: str = ""  # draft build state: pending | building | built | retrying | failed | ...
    deployed_version_id: str | None = None
    deployed_version_number: int | None = None
    deployed_live: bool = False  # deployed_version says deployed:true and status built
    all_changes_deployed: bool = False  # the server's own flag (any PATCH clears it)
    draft_is_deployed: bool | None = None  # deployed code/deps/runtime/secrets == draft; None: never deployed
    marketplace: bool = False  # an installed integration: never created, changed or deleted

    @property
    def trigger(self) -> Pair | None:
        return self.supported_triggers[0] if self.supported_triggers else None

    @property
    def trigger_id(self) -> str | None:
        return self.supported_triggers[0][0] if self.supported_triggers else None

    @property
    def built(self) -> bool:
        return self.status == BUILT

    @property
    def deployed(self) -> bool:
        return self.deployed_version_id is not None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> LiveAction:
        """From a checked action object (``ActionsApi.get``/``list``)."""
        live = data.get("deployed_version") if isinstance(data.get("deployed_version"), dict) else None
        number = live.get("number") if live else None
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            supported_triggers=tuple((str(t["id"]), str(t["version"])) for t in data.get("supported_triggers") or ()),
            code=str(data.get("code") or ""),
            runtime=str(data.get("runtime") or ""),
            dependencies=dependency_pairs(data),
            secret_names=frozenset(secret_stamps(data)),
            status=str(data.get("status") or ""),
            deployed_version_id=str(live["id"]) if live else None,
            deployed_version_number=number if isinstance(number, int) and not isinstance(number, bool) else None,
            deployed_live=bool(live and live.get("deployed") is True and live.get("status") == BUILT),
            all_changes_deployed=data.get("all_changes_deployed") is True,
            draft_is_deployed=draft_is_deployed(data),
            marketplace=is_marketplace(data),
        )


@dataclass(frozen=True)
class LiveBinding:
    """One entry of a trigger's ordered list. The binding's own id is not kept: it changes on
    every PATCH."""

    action_id: str
    action_name: str
    display_name: str

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> LiveBinding:
        action = data["action"]
        name = str(action["name"])
        return cls(str(action["id"]), name, str(data.get("display_name") or name))


@dataclass(frozen=True)
class LiveBindings:
    """trigger id -> ordered bindings (execution order), for the triggers that were read."""

    by_trigger: Mapping[str, tuple[LiveBinding, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_trigger", MappingProxyType(dict(sorted(self.by_trigger.items()))))

    @property
    def read(self) -> frozenset[str]:
        return frozenset(self.by_trigger)

    def get(self, trigger_id: str) -> tuple[LiveBinding, ...] | None:
        """The list, ``()`` when nothing is bound, None when this trigger was not read."""
        return self.by_trigger.get(trigger_id)


@dataclass(frozen=True)
class LiveActions:
    """The Actions half of the tenant. ``read`` False: the config has no Actions and nothing
    was asked of the API (every field empty)."""

    actions: tuple[LiveAction, ...] = ()
    bindings: LiveBindings = field(default_factory=LiveBindings)
    triggers: tuple[TriggerVersion, ...] = ()  # what the tenant offers (GET /actions/triggers)
    read: bool = True

    def custom(self) -> tuple[LiveAction, ...]:
        return tuple(action for action in self.actions if not action.marketplace)

    def named(self, name: str) -> tuple[LiveAction, ...]:
        return tuple(action for action in self.actions if action.name == name)

    def by_id(self) -> dict[str, LiveAction]:
        return {action.id: action for action in self.actions}

    def duplicate_names(self) -> frozenset[str]:
        """Names held by two custom actions (the API does not forbid it; this tool refuses to
        guess which one the config means)."""
        seen: set[str] = set()
        twice: set[str] = set()
        for action in self.custom():
            (twice if action.name in seen else seen).add(action.name)
        return frozenset(twice)

    def trigger_versions(self, trigger_id: str) -> tuple[TriggerVersion, ...]:
        return tuple(t for t in self.triggers if t.id == trigger_id)


NOT_READ = LiveActions(read=False)


class ActionsClient(Protocol):
    """What the reader needs of :class:`~reconciler.api.client.ManagementClient`."""

    max_workers: int
    actions: Any  # reconciler.api.actions.ActionsApi


def trigger_from_api(data: dict[str, Any]) -> TriggerVersion:
    return TriggerVersion(
        id=str(data["id"]),
        version=str(data["version"]),
        status=str(data.get("status") or ""),
        runtimes=tuple(str(r) for r in data.get("runtimes") or ()),
        default_runtime=str(data.get("default_runtime") or ""),
        binding_policy=str(data.get("binding_policy") or TRIGGER_BOUND),  # absent before 2024 [rec 2023]
    )


def bindings_to_read(
    managed: Iterable[str], actions: Iterable[LiveAction], offered: Iterable[TriggerVersion],
    names: Iterable[str] | None = None,
) -> tuple[str, ...]:
    """The triggers whose bindings a run may touch (see the module docstring), sorted."""
    wanted = set(managed)
    scope = None if names is None else set(names)
    for action in actions:
        if not action.marketplace and action.trigger_id and (scope is None or action.name in scope):
            wanted.add(action.trigger_id)
    versions = list(offered)
    bindable = {t.id for t in versions} - {t.id for t in versions if not t.bindable}
    return tuple(sorted(wanted & bindable))


def read_live_actions(
    client: ActionsClient, triggers: Iterable[str] | None, *, names: Iterable[str] | None = None,
    every_trigger: bool = False, offered: tuple[TriggerVersion, ...] | None = None,
    likely: Iterable[str] = (),
) -> LiveActions:
    """Read the tenant's actions, the triggers it offers and the bindings a run may touch.

    ``triggers``: the trigger ids the config manages (triggers.json keys); None when the config
    has no Actions part at all: then nothing is requested and :data:`NOT_READ` is returned, so
    a hooks-only config costs zero Actions requests. ``names``: the action names in scope
    (None: every custom action). ``every_trigger`` (export): the bindings of every trigger the
    tenant offers and binds through this API, as if the config managed them all. The trigger list is read alongside the action pages; bindings
    one request per needed trigger, concurrently within the client's worker budget.
    ``offered``: the trigger versions a read moments ago found (the check under the lease):
    what Auth0 offers is not written by any writer of the tenant, so it is not read again;
    ``likely``: the triggers that read needed, whose bindings are read alongside the actions
    (one round trip less) and any other the fresh list names after it. Without ``offered``
    (the plan's read), the managed triggers this tool knows as bindable
    (``triggers.bindable``) are read alongside the trigger list too: the config names them,
    so their lists are needed unless the tenant lacks the trigger (then the early answer is
    dropped and the planner reports it, as before). A trigger this tool does not know, or
    binds through another entity, waits for the list, so it costs no request.
    """
    if triggers is None:
        return NOT_READ
    managed = frozenset(triggers)
    if offered is None:
        likely = {*likely, *(trigger for trigger in managed if known_bindable(trigger))}
    api = client.actions
    with ThreadPoolExecutor(max_workers=max(1, client.max_workers)) as pool:
        offered_later = pool.submit(api.list_triggers) if offered is None else None
        early = {trigger: pool.submit(api.bindings, trigger) for trigger in likely}
        # The one place live actions are read: the tenant lease's marker action (never
        # deployed or bound; reconciler/lease_actions.py) is hidden from plans, drift, export;
        # a user's action that is merely named so is not.
        actions = tuple(sorted(
            (LiveAction.from_api(a) for a in api.list() if not is_marker_action(a)), key=lambda a: (a.name, a.id),
        ))
        if offered_later is not None:
            offered = tuple(trigger_from_api(t) for t in offered_later.result())
        assert offered is not None
        if every_trigger:
            managed = managed | {t.id for t in offered}
        needed = bindings_to_read(managed, actions, offered, names)
        late = {trigger: pool.submit(api.bindings, trigger) for trigger in needed if trigger not in early}
        lists = [(early.get(trigger) or late[trigger]).result() for trigger in needed]
    bindings = LiveBindings({
        trigger: tuple(LiveBinding.from_api(b) for b in found) for trigger, found in zip(needed, lists)
    })
    return LiveActions(actions=actions, bindings=bindings, triggers=offered)
