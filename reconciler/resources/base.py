"""The seam between the engine and a resource type: what a type implements, and the registry.

A resource type (hooks, Actions, ...) is one package under ``reconciler/resources/`` that
builds a ``ResourceType`` and registers it (as octoDNS registers record types, as
auth0-deploy-cli has one handler per type). The engine (``reconciler.core``, the use cases,
the renderers) asks the registry, never a type's modules by name.

Dependency rules: ``reconciler.core`` imports no resource package; the seam (this module,
``blocks``, ``checks``) imports no type and no renderer; resource packages build on the
core's data types (``Step``, ``Change``, ``Reason``, ``TypePlan``, ``Runner``), the seam and
``reconciler.resources.common``, and never on each other (Actions never imports Hooks).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from reconciler.config import Exclusion, printable_name
from reconciler.core.changes import Change
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import WORDED, Reason
from reconciler.keywords import Keywords
from reconciler.problems import Problem
from reconciler.resources.options import PlanOptions

if TYPE_CHECKING:  # types only: the seam loads neither httpx nor a renderer
    from reconciler.api.client import ManagementClient
    from reconciler.core.executor import Runner
    from reconciler.core.plan import Plan
    from reconciler.core.steps import Job, Step
    from reconciler.emulator.resources import Context, Resource
    from reconciler.resources.blocks import Blocks

# The loaded config: each type's desired state by type name (a type the config has nothing
# of maps to None). Built by ``reconciler.usecases.validating.check`` from every type's ``load``.
Desired = Mapping[str, Any]


# What a type implements, generic in the type's own states: ``D`` its desired state (what
# ``load`` makes of a config; hooks: ``DesiredState``), ``L`` its live state (what ``read_live``
# reads; hooks: ``LiveState``). A type's ``ResourceType[D, L]`` makes mypy check that its
# functions agree with each other; the engine only passes the states along (``Any`` there).
D = TypeVar("D")
L = TypeVar("L")
D_co = TypeVar("D_co", covariant=True)
D_contra = TypeVar("D_contra", contravariant=True)
L_co = TypeVar("L_co", covariant=True)
L_contra = TypeVar("L_contra", contravariant=True)


@dataclass(frozen=True)
class TypeLoad(Generic[D_co]):
    """What a type's ``load`` found in a config: its desired state (None on any error, or when
    the config has nothing of the type), every problem, and ``validate``'s words for what was
    checked (``"3 hooks valid"``; empty: nothing to say)."""

    state: D_co | None
    problems: tuple[Problem, ...]
    summary: str = ""


class Load(Protocol[D_co]):
    """Reads the type's part of the config (deploy-cli directory or YAML) and runs its schema
    and rules; never raises for bad input. ``offline``: a keyword without a value is a note."""

    def __call__(self, config: str | os.PathLike[str], keywords: Keywords, /, *,
                 offline: bool = False) -> TypeLoad[D_co]: ...


class ReadLive(Protocol[D_contra, L_co]):
    """The type's live state (only what the desired state needs; None: the config has
    nothing of the type, as for ``export``)."""

    def __call__(self, client: ManagementClient, desired: D_contra | None, /) -> L_co: ...


class ReadAgain(Protocol[D_contra, L]):
    """The type's live state again, cheaply, given ``before`` (the state read last): only
    what may have changed is read in full. ``written`` None: the check under the lease (what
    changed since ``before``); else the read-back of what the plan ``written`` wrote.
    ``listed``: the hooks list the lease's own read made under the lease (None: list again)."""

    def __call__(self, client: ManagementClient, desired: D_contra | None, before: L, written: Plan | None = None,
                 listed: Any = None, /) -> L: ...


class Outside(Protocol):
    """A config with nothing of the type leaves it unmanaged (deploy-cli's rule): the names of
    what still runs of it in the tenant, for a plan that must not say the tenant matches. One
    cheap read; () when nothing runs or the tenant (or the client's scopes) has none of it."""

    def __call__(self, client: ManagementClient, /) -> tuple[str, ...]: ...


class PlanPart(Protocol[D_contra, L_contra]):
    """The type's part of the plan, indexes local; cross-type edges as ``StepRef`` to types
    listed in ``after_types``."""

    def __call__(self, desired: D_contra, live: L_contra, options: PlanOptions, /) -> TypePlan: ...


class Operations(Protocol[D_contra]):
    """The runner (guard, run, done) that carries out the type's steps."""

    def __call__(self, client: ManagementClient, desired: D_contra, /) -> Runner[Any]: ...


class Jobs(Protocol):
    """The scheduling facts of the type's steps by index, when a step alone cannot tell them
    (hooks: the enable of a hand-over follows its disable)."""

    def __call__(self, steps: tuple[Step, ...], /) -> Mapping[int, Job]: ...


class Verify(Protocol[D_contra, L_contra]):
    """What the tenant lacks of the applied plan, one line each; ``state``: (the type's
    desired state, its live state read back)."""

    def __call__(self, plan: Plan, state: tuple[D_contra, L_contra], /) -> tuple[str, ...]: ...


class Words(Protocol):
    """A reason of this type in words (the type's wording module)."""

    def __call__(self, reason: Reason, /) -> str: ...


class Block(Protocol):
    """A change of this type as text lines (used by the generic ``Blocks``)."""

    def __call__(self, change: Change, /) -> list[str]: ...


class SchemaText(Protocol):
    """One JSON Schema the type ships, exactly as shipped (``reconciler schema KIND``)."""

    def __call__(self) -> str: ...


@dataclass(frozen=True)
class TypeExported:
    """What a type's export wrote: the line that says so (``"Exported 3 hooks to out/hooks"``),
    the keywords written without a value, the keywords several of its resources share
    (keyword -> their names) and what else to know (file names, skipped resources)."""

    summary: str
    keywords: tuple[str, ...] = ()
    shared_keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Export(Generic[L]):
    """How a type's live state becomes config files (``reconciler export``).

    ``read(client)``: the live state, None when the tenant does not serve the type (then
    ``unserved`` says so); a 403 for want of scope is skipped with ``scope_note`` when another
    type was exported (empty: raised). ``existing(live, output)``: the files writing would
    replace, checked for every type before any writes; ``preflight(live, output, force)``:
    further refusals before writing; ``texts(live)``: the code a keyword value may hide in;
    ``write(live, output, values)``: writes (known keyword values go back as ``##KEY##``)."""

    read: Callable[[ManagementClient], L | None]
    existing: Callable[[L, str], list[Path]]
    texts: Callable[[L], list[str]]
    write: Callable[[L, str, Mapping[str, object]], TypeExported]
    unserved: str
    preflight: Callable[[L, str, bool], None] | None = None
    scope_note: str = ""


@dataclass(frozen=True)
class EmulatorPart:
    """What the type serves on the local emulator (``reconciler.emulator``): ``routes(context)``
    builds its routes module, a ``reconciler.emulator.resources.Resource`` serving
    ``/api/v2/<prefix>/...``; ``scopes``: the scopes its routes ask for, in the order the token
    endpoint lists them (the emulator grants every type's by default)."""

    prefix: str
    scopes: tuple[str, ...]
    routes: Callable[[Context], Resource]


class MakeBlocks(Protocol):
    """The type's render blocks and plan-file codec (a ``reconciler.resources.blocks.Blocks``)."""

    def __call__(self) -> Blocks: ...


@dataclass(frozen=True)
class ResourceType(Generic[D, L]):
    """What a resource type brings. ``name`` keys its steps, changes, reason codes
    (``"hook"`` -> codes ``"hook.*"``) and its state in ``Desired``. Every part is optional
    but ``name`` and ``noun``: a type is loaded when it has ``load``, planned when it has
    ``read_live`` and ``plan``, applied with ``operations``, checked after apply with
    ``verify``, worded with ``words``, rendered with ``blocks`` (or ``block``), exported
    with ``export`` and served by the emulator with ``emulator``."""

    name: str
    noun: str  # plural, for messages: "hooks"
    load: Load[D] | None = None
    # The type whose loaded state this type plans from (bindings: "action", loaded with the
    # actions); default: its own.
    state: str = ""
    read_live: ReadLive[D, L] | None = None
    read_again: ReadAgain[D, L] | None = None  # none: ``read_live`` again
    # Its check under the lease reads with ``listed``, the list the lease's own read makes
    # (hooks): it waits for that read. A type without (Actions) is checked as soon as the
    # lease's create proves the marker ours, alongside the lease's read: a round trip less.
    reads_lease_list: bool = False
    plan: PlanPart[D, L] | None = None
    operations: Operations[D] | None = None
    jobs: Jobs | None = None
    verify: Verify[D, L] | None = None
    words: Words | None = None
    block: Block | None = None
    blocks: MakeBlocks | None = None
    export: Export[L] | None = None
    emulator: EmulatorPart | None = None
    # What runs of the type when the config has none of it: named by ``make_plan`` with the
    # reason code "<name>.not_managed" (names=...), which ``words`` must word.
    outside: Outside | None = None
    # The folders of a deploy-cli directory the type reads (hooks: ("hooks",)) and their layout
    # for messages ("hooks/<name>.json next to <name>.js"): a directory with none of any type's
    # folders has nothing to manage (``usecases.validating.check`` refuses it).
    folders: tuple[str, ...] = ()
    layout: tuple[str, ...] = ()
    # The top-level keys of deploy-cli's single YAML file the type reads (hooks: ("hooks",)): a
    # file with none of any type's keys has nothing to manage (``usecases.validating.check``).
    yaml_keys: tuple[str, ...] = ()
    one: str = ""  # singular, for messages: "hook" (default: ``noun`` without its "s")
    # deploy-cli's AUTH0_EXCLUDED_<TYPE>: the setting (variable and config.json key, read by
    # ``reconciler.config``) naming the type's resources left alone: ``PlanOptions.excluded``.
    excluded_setting: str = ""
    # The names that setting accepts (Auth0's rule for the type's names; default: printable,
    # at most 200 characters): a bad one is refused before any request.
    excluded_name: Callable[[str], object] = printable_name
    # (kind, schema text) for editors, ``reconciler schema KIND``: hooks: ("hook", ...).
    schemas: tuple[tuple[str, SchemaText], ...] = ()
    # Types whose steps this type's steps may wait for: planned first.
    after_types: tuple[str, ...] = field(default=())

    def state_in(self, desired: Desired) -> D | None:
        """The type's part of ``desired`` (None: the config has nothing of the type)."""
        return cast("D | None", desired.get(self.state or self.name))


class Registry:
    """Resource types by name, in registration order (hooks first)."""

    def __init__(self) -> None:
        self._types: dict[str, ResourceType[Any, Any]] = {}

    def register(self, resource: ResourceType[D, L]) -> ResourceType[D, L]:
        if resource.name in self._types and self._types[resource.name] is not resource:
            raise ValueError(f"resource type {resource.name!r} is already registered")
        self._types[resource.name] = resource
        return resource

    @contextlib.contextmanager
    def registered(self, *resources: ResourceType[Any, Any]) -> Iterator[None]:
        """``resources`` registered for the block only, and gone after it whatever happens (a
        type registered from the tests leaves no trace); one registered already stays."""
        added: list[ResourceType[Any, Any]] = []
        try:
            for resource in resources:
                if self._types.get(resource.name) is not resource:
                    added.append(self.register(resource))
            yield
        finally:
            for resource in added:
                self._types.pop(resource.name, None)

    def get(self, name: str) -> ResourceType[Any, Any]:
        try:
            return self._types[name]
        except KeyError:
            raise KeyError(f"no resource type {name!r} (known: {', '.join(self._types)})") from None

    def __iter__(self) -> Iterator[ResourceType[Any, Any]]:
        return iter(self.planning_order())

    def names(self) -> tuple[str, ...]:
        return tuple(self._types)

    def exclusion_settings(self) -> dict[str, Exclusion]:
        """Each type's ``AUTH0_EXCLUDED_<TYPE>`` by setting name, for ``config.load_settings``
        (settings import no registry: the composition root hands these over)."""
        return {resource.excluded_setting: Exclusion(resource.one or resource.noun.removesuffix("s"), resource.excluded_name)
                for resource in self.planning_order() if resource.excluded_setting}

    def planning_order(self) -> list[ResourceType[Any, Any]]:
        """Types after the types they wait for (a stable topological order)."""
        done: dict[str, ResourceType[Any, Any]] = {}

        def visit(resource: ResourceType[Any, Any], path: tuple[str, ...]) -> None:
            if resource.name in done:
                return
            if resource.name in path:
                raise ValueError(f"resource types wait for each other: {' -> '.join(path + (resource.name,))}")
            for name in resource.after_types:
                if name in self._types:
                    visit(self._types[name], path + (resource.name,))
            done[resource.name] = resource

        for resource in self._types.values():
            visit(resource, ())
        return list(done.values())

    def word(self, reason: Reason) -> str:
        """The words for ``reason``, from the type its code names."""
        if reason.code == WORDED:
            return str(reason.arg("text", ""))
        resource = self._types.get(reason.code.split(".", 1)[0])
        if resource is None or resource.words is None:
            return reason.code  # never guessed: a code without wording shows as itself
        return resource.words(reason)


REGISTRY = Registry()


def register(resource: ResourceType[D, L]) -> ResourceType[D, L]:
    return REGISTRY.register(resource)
