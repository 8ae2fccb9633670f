"""Planning: every registered type that can plan (``planning_types``: in planning order)
gives its part against the live state it reads, and the parts merge into one ``Plan``
(``core.plan.assemble``), with the hooks-to-Actions cutovers. I/O lives here and in the
client; the planning core stays pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.config import Settings
from reconciler.core.keyword_report import KeywordReport
from reconciler.core.plan import Plan, assemble
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.core.scope import SCOPE_WARNING, Scope
from reconciler.planfile import SavedPlan, check_matches
from reconciler.resources.base import Desired, ResourceType
from reconciler.resources.builtin import registry
from reconciler.resources.options import PlanOptions
from reconciler.resources.scope_rules import (
    check_only_split,
    only_types,
    parse_only,
    resolve_targets,
    skipped_groups,
    targeted,
)
from reconciler.usecases.keyword_names import keyword_report
from reconciler.usecases.loading import Loaded, live_view, load_desired, placeholder, plan_options

if TYPE_CHECKING:  # only a type here: httpx loads when a command talks to a tenant
    from reconciler.api.client import ManagementClient


def planning_types() -> list[ResourceType[Any, Any]]:
    """The registered types that can plan, in planning order (a type before those that wait
    for it)."""
    return [t for t in registry().planning_order() if t.plan is not None and t.read_live is not None]


def state_of(resource: ResourceType[Any, Any], desired: Desired) -> object:
    """The type's part of the desired state (None: the config has nothing of that type)."""
    return resource.state_in(desired)


# How a type's live state is read: (the type, the client, its desired state) -> its live state.
Reader = Callable[[ResourceType[Any, Any], "ManagementClient", object], object]


def read_live(resource: ResourceType[Any, Any], client: ManagementClient, state: object) -> object:
    assert resource.read_live is not None
    return resource.read_live(client, state)


def plan_parts(
    desired: Desired, client: ManagementClient, options: PlanOptions, reader: Reader = read_live,
) -> tuple[list[TypePlan], dict[str, object]]:
    """Every planning type's part, each against the live state it reads (types sharing a
    reader, Actions and their bindings, read the tenant once); and the live states by type.
    ``reader``: how a type's live state is read (the check under the lease reads less)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    parts: list[TypePlan] = []
    lives: dict[str, object] = {}
    planned = only_types(options.only, registry())  # --only: the other types are not even read
    typed = [(resource, state_of(resource, desired)) for resource in planning_types()
             if planned is None or resource.name in planned]
    typed = [(resource, state) for resource, state in typed if state is not None]
    # The types' reads are independent (hooks, Actions): made at once, one round trip apart
    # less; planned in order, and the first type's error is the one raised.
    read: dict[tuple[object, int], Future[object]] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(typed))) as pool:
        for resource, state in typed:
            key = (resource.read_live, id(state))
            if key not in read:
                read[key] = pool.submit(reader, resource, client, state)
        for resource, state in typed:
            assert resource.plan is not None
            live = read[(resource.read_live, id(state))].result()
            lives[resource.name] = live
            parts.append(resource.plan(state, live, options))
    return parts, lives


def plan_against(
    desired: Desired, client: ManagementClient, options: PlanOptions, *, reader: Reader = read_live,
    lives: dict[str, object] | None = None,
) -> Plan:
    """The merged plan; with Actions, the hooks-to-Actions cutovers: strict pairs at the
    merge and an extra of the ``action`` type (``cutovers``), which its render blocks show
    and saved plans are compared on. ``lives``: filled with the live states read, by type
    (the apply reads again against them)."""
    from reconciler.resources.cutover import mark_hook_changes, word
    from reconciler.resources.cutover_wiring import plan_cutover

    parts, read = plan_parts(desired, client, options, reader)
    if lives is not None:
        lives.update(read)
    check_only_split(desired, parts, options.only)
    merged, cut = plan_cutover(parts, desired, read, dict(options.cutover), options.excluded)
    if cut.cutovers:
        parts = [
            dataclasses.replace(part, extras=part.extras + (("cutovers", cut.cutovers),))
            if part.type == "action" else
            dataclasses.replace(part, changes=mark_hook_changes(part.changes, cut.cutovers))
            for part in parts
        ]
    plan = assemble(parts, steps=merged.steps, pairs=merged.pairs, allow_delete=options.allow_delete)
    if cut.warnings:
        plan = dataclasses.replace(
            plan, warnings=plan.warnings + tuple(Reason.worded(word(reason)) for reason in cut.warnings)
        )
    return scoped(plan, desired, options)


def scoped(plan: Plan, desired: Desired, options: PlanOptions) -> Plan:
    """``plan`` limited to ``--only``/``--target`` (unchanged without them), with the scope
    recorded and the warning every scoped plan carries."""
    if not options.only and not options.targets:
        return plan
    types = registry()
    plan = dataclasses.replace(plan, scope=Scope(options.only, skipped_groups(options.only, types)))
    if options.targets:
        plan = targeted(plan, resolve_targets(options.targets, plan, desired, types, options.only), types)
    return dataclasses.replace(plan, warnings=plan.warnings + (Reason.worded(SCOPE_WARNING),))


def make_plan(
    desired: Desired,
    client: ManagementClient,
    options: PlanOptions,
    *,
    saved: SavedPlan | None = None,
    keywords: KeywordReport | None = None,
    lives: dict[str, object] | None = None,
) -> Plan:
    """A fresh plan against the live tenant, from every type that plans (a hooks-only config
    gives a hooks-only plan). With ``saved``: the fresh plan, made with the saved plan's
    options, and only if it is identical to the saved one (else refused). ``lives``: filled
    with the live states read, so ``apply_plan`` checks against them for the price of a list.
    ``keywords``: the config's keyword report, kept in the plan."""
    # The tenant the client talks to, so every plan names it and a saved plan binds to it.
    host = getattr(getattr(client, "connection", None), "host", "")
    fresh = dataclasses.replace(
        with_not_managed(plan_against(desired, client, options, lives=lives), not_managed(desired, client, options)),
        domain=str(host or ""), keywords=keywords,
    )
    if saved is not None:
        check_matches(saved, fresh)
    return fresh


def not_managed(desired: Desired, client: ManagementClient, options: PlanOptions) -> list[tuple[str, tuple[str, ...]]]:
    """(type, names) of what still runs of each type the config has nothing of (deploy-cli's
    "not managed"), one cheap read per such type (``ResourceType.outside``). Only the plan
    shown reads it: the check under the apply's lease compares steps, which it never adds.
    A type ``--only`` leaves out is not read (the scoped plan says it was not compared)."""
    planned = only_types(options.only, registry())
    found = []
    for resource in planning_types():
        if planned is not None and resource.name not in planned:
            continue
        if resource.outside is not None and state_of(resource, desired) is None:
            names = resource.outside(client)
            if names:
                found.append((resource.name, names))
    return found


def with_not_managed(plan: Plan, found: list[tuple[str, tuple[str, ...]]]) -> Plan:
    """``plan`` naming what runs outside the config: a warning per type, its names in the
    plan's ``unmanaged`` (kept with the first type, as a plan read back keeps them), so no
    output says the tenant matches and ``--detailed-exitcode`` reports drift."""
    if not found or not plan.types:
        return plan
    names = tuple(name for _, some in found for name in some)
    first, *rest = plan.extras or ((plan.types[0], ()),)
    kept = dict(first[1])
    kept["unmanaged"] = tuple(sorted({*kept.get("unmanaged", ()), *names}))
    return dataclasses.replace(
        plan,
        warnings=plan.warnings + tuple(Reason.of(f"{kind}.not_managed", names=some) for kind, some in found),
        extras=((first[0], tuple(kept.items())), *rest),
    )


@dataclass(frozen=True)
class Planned:
    plan: Plan
    loaded: Loaded
    options: PlanOptions


def plan_config(
    config: str,
    client_factory: Callable[[], ManagementClient],
    settings: Settings,
    *,
    allow_delete: bool = False,
    rotate_secrets: bool = False,
    force: bool = False,
    allow_missing_keywords: bool = False,
    on_loaded: Callable[[Loaded], None] | None = None,
    keywords_base: str | None = None,
    only: Sequence[str] = (),
    targets: Sequence[str] = (),
) -> Planned:
    """``reconciler plan``: load, plan against the tenant. With ``allow_missing_keywords``,
    unset keywords get placeholders, secret values are not compared (placeholders are not
    the real values: comparing them would report every secret as changed) and the plan is
    marked review-only, so no apply takes it. ``on_loaded``: told the loaded config before
    the tenant is read (the CLI prints its warnings then). ``keywords_base``: the config as
    at a base commit; the plan then names the keywords this config adds or no longer uses."""
    fill = placeholder if allow_missing_keywords else None
    groups = parse_only(only, registry())  # before anything is read: a typo costs no request
    loaded = load_desired(config, settings.keyword_source(), fill_missing=fill)
    if on_loaded is not None:
        on_loaded(loaded)
    options = plan_options(settings, allow_delete=allow_delete, rotate_secrets=rotate_secrets, force=force)
    options = dataclasses.replace(options, only=groups, targets=tuple(targets))
    if loaded.filled_keywords:
        options = dataclasses.replace(options, hmac_key=None, rotate_secrets=False)
    if allow_missing_keywords:
        # Decided by the flag, not by what was filled: a pull request that drops every keyword
        # fills nothing, and its live side still holds the values.
        options = dataclasses.replace(options, live_view=live_view(settings, complete=False))
    keywords = keyword_report(config, settings.keyword_source(), options.hmac_key, base=keywords_base)
    with client_factory() as client:
        the_plan = make_plan(loaded.desired, client, options, keywords=keywords)
    if loaded.filled_keywords:
        the_plan = dataclasses.replace(the_plan, review_only=True)
    return Planned(the_plan, loaded, options)


