"""Validation of the Actions half of a config: every problem at once, one line each.

Rules a schema can't express: trigger versions and runtimes per version, secrets (masked,
empty, literal), unique names, and the bindings (entity-bound triggers, unknown or unbound-able
actions, duplicates). A binding may name an action the config does not define: that is only
decidable against the tenant, so it becomes a ``LiveRef`` for ``check_live_refs`` (the planner).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.keywords import Keywords, has_keyword, unknown_whole
from reconciler.lease import LEASE_NAME
from reconciler.problems import Problem, error, warning
from reconciler.resources.actions import triggers as known
from reconciler.resources.actions.load import Read, read_actions, read_code
from reconciler.resources.actions.model import Action, ActionsDesired, LiveRef, TriggerBindings
from reconciler.resources.actions.schema import schema_problems
from reconciler.resources.common.documents import Source
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.variables import MAPPINGS_VAR


@dataclass(frozen=True)
class _Declared:
    """What bindings need to know of an action, taken from its document even when it is invalid."""

    source: Source
    trigger: str | None
    deployed: bool


def check_config(config: str | os.PathLike[str], keywords: Keywords) -> tuple[ActionsDesired | None, list[Problem]]:
    """Load and validate the Actions part of ``config``: the desired state (None on any error)
    and every problem. A config without actions/ and triggers/ gives an empty state."""
    return check(read_actions(config, keywords), keywords, os.fspath(config))


def check(read: Read, keywords: Keywords, config: str = "") -> tuple[ActionsDesired | None, list[Problem]]:
    """The desired Actions state (None when any error), and every problem found."""
    problems = list(read.problems)
    actions: list[Action] = []
    declared: dict[str, _Declared] = {}
    marketplace: set[str] = set()
    for i, source in enumerate(read.actions):
        secrets_from = unknown_whole(source.data, "secrets") or ""
        if secrets_from:  # "secrets": "@@LIST@@" without a value: the names are unknown, not wrong
            source = dataclasses.replace(source, data={**source.data, "secrets": []})
        data = source.data if isinstance(source.data, dict) else {}
        name = data.get("name")
        if "integration" in data or "installed_integration_id" in data:
            if isinstance(name, str) and name:
                marketplace.add(name)
            problems.append(warning(source.path, source.field("name"), "is a marketplace action: left alone (never created, changed or deleted)"))
            continue
        own = list(schema_problems(source, "action"))
        own.extend(_trigger_problems(source))
        own.extend(_secret_problems(source))
        code = data.get("code")
        template = None
        if isinstance(code, str) and code and "code" not in source.unresolved:
            bases = read.code_bases[i] if i < len(read.code_bases) else ()
            result = read_code(source, code, bases, keywords)
            own.extend(result.problems)
            template = result
        if name == LEASE_NAME:  # the Actions-backed apply lease's marker (reconciler/lease_actions.py)
            own.append(error(source.path, source.field("name"), f"the action name {LEASE_NAME} is reserved for the apply lease"))
        problems.extend(own)
        if isinstance(name, str) and name:
            first = declared.get(name)
            if first is not None or name in marketplace:
                where = _where(first.source) if first else "a marketplace action"
                problems.append(error(source.path, source.field("name"), f"duplicate action name {name!r}: also in {where}; names must be unique in the tenant"))
            else:
                declared[name] = _Declared(source, _trigger_of(data), data.get("deployed") is True)
        if template is not None and template.template is not None and not any(p.is_error for p in own) and not source.unresolved:
            actions.append(_build(source, template.template, template.values, secrets_from, template.unknown))
    bindings, managed = TriggerBindings(), frozenset[str]()
    refs: tuple[LiveRef, ...] = ()
    if read.triggers is not None:
        bindings, managed, refs, found = _bindings(read.triggers, declared, marketplace)
        problems.extend(found)
    problems = list(dict.fromkeys(problems))
    if any(p.is_error for p in problems):
        return None, problems
    desired = ActionsDesired(tuple(actions), bindings, managed, frozenset(marketplace), refs, config)
    return desired, problems


def check_live_refs(desired: ActionsDesired, live_names: Collection[str], deleting: Collection[str] = ()) -> list[Problem]:
    """For the planner: each binding to an action outside the config must name a live action
    that this run keeps (not one it deletes)."""
    out = []
    for ref in desired.live_refs:
        if ref.action_name in desired.marketplace and ref.action_name in live_names:
            continue
        if ref.action_name not in live_names:
            out.append(error(ref.source, ref.trigger_id, f"binds action {ref.action_name!r}, which is neither in the config nor in the tenant"))
        elif ref.action_name in deleting:
            out.append(error(ref.source, ref.trigger_id, f"binds action {ref.action_name!r}, which this plan deletes"))
    return out


# --- one action ----------------------------------------------------------------------------


def _trigger_of(data: dict[str, Any]) -> str | None:
    triggers = data.get("supported_triggers")
    if isinstance(triggers, list) and len(triggers) == 1 and isinstance(triggers[0], dict):
        trigger = triggers[0].get("id")
        return trigger if isinstance(trigger, str) else None
    return None


def _trigger_version(data: dict[str, Any]) -> known.TriggerVersion | None:
    triggers = data.get("supported_triggers")
    if not (isinstance(triggers, list) and len(triggers) == 1 and isinstance(triggers[0], dict)):
        return None
    return known.lookup(str(triggers[0].get("id")), str(triggers[0].get("version")))


def _trigger_problems(source: Source) -> Iterable[Problem]:
    data = source.data if isinstance(source.data, dict) else {}
    triggers = data.get("supported_triggers")
    if not (isinstance(triggers, list) and len(triggers) == 1 and isinstance(triggers[0], dict)):
        return  # the schema says what is wrong
    trigger_id, version = triggers[0].get("id"), triggers[0].get("version")
    if trigger_id not in known.TRIGGER_IDS or not isinstance(version, str) or "supported_triggers" in source.unresolved:
        return
    found = known.lookup(trigger_id, version)
    if found is None:
        listed = ", ".join(f"{t.version}{' (current)' if t.status == known.CURRENT else ''}" for t in known.versions(trigger_id))
        yield error(source.path, source.field("supported_triggers[0].version"), f"{trigger_id} has no version {version!r}; known: {listed}")
        return
    if found.status == known.DEPRECATED:
        now = known.current(trigger_id)
        yield warning(source.path, source.field("supported_triggers[0].version"), f"{trigger_id} {version} is deprecated{f'; {now.version} is current' if now else ''}")
    runtime = data.get("runtime")
    if runtime is None and found.default_runtime not in found.runtimes:
        yield error(source.path, source.field("runtime"), f"is required for {trigger_id} {version} (its default {found.default_runtime} is retired): use {', '.join(found.runtimes)}")
    elif isinstance(runtime, str) and runtime in known.RUNTIMES and runtime not in found.runtimes:
        yield error(source.path, source.field("runtime"), f"{runtime} is not supported by {trigger_id} {version}: use one of {', '.join(found.runtimes)}")


def _secret_problems(source: Source) -> Iterable[Problem]:
    data, raw = source.data, source.raw
    secrets = data.get("secrets") if isinstance(data, dict) else None
    if not isinstance(secrets, list) or "secrets" in source.unresolved:
        return
    raw_list = raw.get("secrets") if isinstance(raw, dict) else None
    seen: dict[str, int] = {}
    for i, item in enumerate(secrets):
        if not isinstance(item, dict):
            continue
        name, value = item.get("name"), item.get("value")
        raw_item = raw_list[i] if isinstance(raw_list, list) and i < len(raw_list) and isinstance(raw_list[i], dict) else {}
        name_from_git = isinstance(raw_item.get("name"), str) and not has_keyword(raw_item["name"])
        label = f"secret {name!r}" if name_from_git else "this secret"
        if isinstance(name, str):
            if name in seen:
                yield error(source.path, source.field(f"secrets[{i}].name"), f"{label} is listed twice (also secrets[{seen[name]}])")
            seen.setdefault(name, i)
        field = source.field(f"secrets[{i}].value")
        if not isinstance(value, str) or f"secrets[{i}].value" in source.unresolved:
            continue
        hint = f'write a keyword such as "##{name}##"' if name_from_git and isinstance(name, str) and name.isidentifier() else "write a ##KEY## keyword"
        raw_value = raw_item.get("value")
        literal = isinstance(raw_value, str) and not has_keyword(raw_value)
        if value == MASKED_SECRET:
            yield error(source.path, field, f"{label} is {MASKED_SECRET}, a placeholder; applying it would overwrite the real secret. {hint.capitalize()} and supply the value via {MAPPINGS_VAR} or the environment")
        elif value == "" and not literal:
            yield error(source.path, field, f"{label} is empty after keyword replacement (is the variable set?)")
        elif literal:
            yield warning(source.path, field, f"{label} value is written literally in the config; {hint} and supply the value via {MAPPINGS_VAR} or the environment")


def _build(source: Source, template: str, values: dict[str, object], secrets_from: str = "",
           unknown: frozenset[str] = frozenset()) -> Action:
    data = source.data
    found = _trigger_version(data)
    assert found is not None  # checked before building
    return Action(
        name=data["name"],
        code=template,
        runtime=data.get("runtime") or found.default_runtime,
        supported_triggers=((found.id, found.version),),
        dependencies=tuple((d["name"], d["version"]) for d in data.get("dependencies") or ()),
        secrets={s["name"]: s["value"] for s in data.get("secrets") or ()},
        deployed=data.get("deployed") is True,
        keyword_values=values,
        unknown_keywords=unknown,
        source=_where(source),
        secrets_from=secrets_from,
    )


def _where(source: Source) -> str:
    return f"{source.path}, {source.prefix.rstrip('.')}" if source.prefix else source.path


# --- bindings ------------------------------------------------------------------------------


def _bindings(
    source: Source, declared: dict[str, _Declared], marketplace: set[str]
) -> tuple[TriggerBindings, frozenset[str], tuple[LiveRef, ...], list[Problem]]:
    problems = list(schema_problems(source, "triggers"))
    data = source.data if isinstance(source.data, dict) else {}
    by_trigger: dict[str, tuple[tuple[str, str], ...]] = {}
    refs: list[LiveRef] = []
    for trigger_id, items in data.items():
        if trigger_id not in known.TRIGGER_IDS or not isinstance(items, list):
            continue  # the schema reported it
        if not known.bindable(trigger_id):
            if items:
                problems.append(error(source.path, source.field(trigger_id), f"{trigger_id} is entity-bound: its actions are attached through their own entity, not through trigger bindings"))
            continue
        pairs: list[tuple[str, str]] = []
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            name = item.get("action_name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name:
                continue
            field = source.field(f"{trigger_id}[{i}].action_name")
            display = item.get("display_name")
            pairs.append((name, display if isinstance(display, str) and display else name))
            if name in first:
                problems.append(error(source.path, field, f"action {name!r} is bound twice on {trigger_id} (also [{first[name]}])"))
                continue
            first[name] = i
            problems.extend(_binding_problems(source, field, trigger_id, name, declared, marketplace, refs))
        by_trigger[trigger_id] = tuple(pairs)
    return TriggerBindings(by_trigger), frozenset(by_trigger), tuple(refs), problems


def _binding_problems(
    source: Source, field: str, trigger_id: str, name: str,
    declared: dict[str, _Declared], marketplace: set[str], refs: list[LiveRef],
) -> Iterable[Problem]:
    action = declared.get(name)
    if action is None:
        refs.append(LiveRef(trigger_id, name, source.path))
        if name in marketplace:
            return
        hint = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
        also = f"; did you mean {hint[0]!r}?" if hint else ""
        yield warning(source.path, field, f"action {name!r} is not in the config: the plan will require it to exist in the tenant{also}")
        return
    if action.trigger is not None and action.trigger != trigger_id:
        yield error(source.path, field, f"action {name!r} runs on {action.trigger} (its supported_triggers, in {_where(action.source)}), so it cannot be bound to {trigger_id}")
    if not action.deployed:
        yield error(source.path, field, f'action {name!r} is not deployed ("deployed": true missing in {_where(action.source)}); Auth0 binds only deployed actions')
