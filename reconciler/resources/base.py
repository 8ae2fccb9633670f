"""The seam between the engine and a resource type: what a type implements, and the registry.

A resource type (hooks, Actions, ...) is one package under ``reconciler/resources/`` that
builds a ``ResourceType`` and registers it (as octoDNS registers record types, as
auth0-deploy-cli has one handler per type). The engine (``reconciler.core``, the use cases,
the renderers) asks the registry, never a type's modules by name. Every part is optional
but ``name``: a type is registered as soon as it can validate, and gains planning, apply,
verification and export as it grows (Actions: validation first, planning next).

Dependency rule: ``reconciler.core`` imports no resource package; resource packages build
on the core's data types (``Step``, ``Change``, ``Reason``, ``TypePlan``, ``Runner``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from reconciler.core.changes import Change
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import WORDED, Reason
from reconciler.keywords import Keywords
from reconciler.problems import Problem

# (config path, keywords) -> (the type's desired state or None on any error, problems):
# loads the deploy-cli directory and YAML formats and runs the schema and rules.
Check = Callable[[str | os.PathLike[str], Keywords], tuple[Any, "list[Problem] | tuple[Problem, ...]"]]
# (client, the type's desired state) -> the type's live state (only what the config needs).
ReadLive = Callable[[Any, Any], Any]
# (the loaded config's desired state) -> this type's part of it; None: the config has none
# (the type does not plan). Unset: the whole desired state.
Select = Callable[[Any], Any]
# (desired, live, options) -> the type's part of the plan (indexes local; cross-type edges
# as StepRefs to types listed in ``after_types``).
PlanPart = Callable[[Any, Any, Any], TypePlan]
# (client, desired) -> a Runner (reconciler.core.executor): guard, run, done.
Operations = Callable[[Any, Any], Any]
# (the type's steps) -> their scheduling facts by index, when a step alone cannot tell them
# (hooks: the enable of a hand-over follows its disable); None: ``step.job()``.
Jobs = Callable[[Any], Mapping[int, Any]]
# (the plan applied, (the type's desired state, its live state read back)) -> what the
# tenant lacks, one line each.
Verify = Callable[[Any, Any], tuple[str, ...]]
# (live state, output directory, keyword values=None, *, force=False) -> what was written
# (deploy-cli's layout; known keyword values masked back to ##KEY##; nothing replaced without force).
Export = Callable[..., Any]
# A Reason of this type -> one line of text (the type's wording module).
Words = Callable[[Reason], str]
# A Change of this type -> its text block lines (the renderers' per-type block).
Block = Callable[[Change], list[str]]
# () -> the type's render blocks and plan-file codec (``reconciler.resources.blocks.Blocks``
# or a subclass); None: the generic blocks (with ``block`` for a change's text lines).
MakeBlocks = Callable[[], Any]


@dataclass(frozen=True)
class ResourceType:
    """What a resource type brings. ``name`` keys its steps, changes and reason codes
    (``"hook"`` -> codes ``"hook.*"``); ``folder`` is its deploy-cli directory."""

    name: str
    noun: str  # plural, for messages: "hooks"
    folder: str = ""
    schema: Callable[[], Mapping[str, Any]] | None = None
    check: Check | None = None
    select: Select | None = None
    read_live: ReadLive | None = None
    plan: PlanPart | None = None
    operations: Operations | None = None
    jobs: Jobs | None = None
    verify: Verify | None = None
    export: Export | None = None
    words: Words | None = None
    block: Block | None = None
    blocks: MakeBlocks | None = None
    one: str = ""  # singular, for messages: "hook" (default: ``noun`` without its "s")
    # Types whose steps this type's steps may wait for: planned first.
    after_types: tuple[str, ...] = field(default=())


class Registry:
    """Resource types by name, in registration order (hooks first)."""

    def __init__(self) -> None:
        self._types: dict[str, ResourceType] = {}

    def register(self, resource: ResourceType) -> ResourceType:
        if resource.name in self._types and self._types[resource.name] is not resource:
            raise ValueError(f"resource type {resource.name!r} is already registered")
        self._types[resource.name] = resource
        return resource

    def get(self, name: str) -> ResourceType:
        try:
            return self._types[name]
        except KeyError:
            raise KeyError(f"no resource type {name!r} (known: {', '.join(self._types)})") from None

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self.planning_order())

    def names(self) -> tuple[str, ...]:
        return tuple(self._types)

    def planning_order(self) -> list[ResourceType]:
        """Types after the types they wait for (a stable topological order)."""
        done: dict[str, ResourceType] = {}

        def visit(resource: ResourceType, path: tuple[str, ...]) -> None:
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


def register(resource: ResourceType) -> ResourceType:
    return REGISTRY.register(resource)


def registry() -> Registry:
    """The registry with every built-in type registered (imports their packages once)."""
    import reconciler.resources.actions.register  # noqa: F401
    import reconciler.resources.hooks.register  # noqa: F401

    return REGISTRY
