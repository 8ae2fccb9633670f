"""Registers the Actions types with the engine: ``action`` (key: the action name) and
``bindings`` (key: the trigger id; planned after ``action``, whose deploys it waits for)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.core.planner import TypePlan
from reconciler.keywords import Keywords
from reconciler.problems import soften
from reconciler.resources.actions.model import wanted
from reconciler.resources.actions.rules import check_config
from reconciler.resources.base import EmulatorPart, Export, ResourceType, TypeExported, TypeLoad, register
from reconciler.text import plural

if TYPE_CHECKING:  # the states and the engine's types, for mypy to check these against the seam
    from reconciler.api.client import ManagementClient
    from reconciler.core.changes import Change
    from reconciler.core.executor import Runner
    from reconciler.core.plan import Plan
    from reconciler.core.reasons import Reason
    from reconciler.core.steps import Job, Step
    from reconciler.emulator.resources import Context, Resource
    from reconciler.resources.actions.live import LiveActions
    from reconciler.resources.actions.model import ActionsDesired
    from reconciler.resources.blocks import Blocks
    from reconciler.resources.options import PlanOptions


def _load(config: str | os.PathLike[str], keywords: Keywords, *, offline: bool = False) -> TypeLoad[ActionsDesired]:
    """The config's Actions and bindings (state None: nothing to reconcile, neither type plans)."""
    desired, found = check_config(config, keywords)
    problems = tuple(soften(found) if offline else found)
    if not wanted(desired):
        if desired is None and offline and not any(p.is_error for p in problems):
            # Valid but for keywords without a value (validate's default): still say what was checked.
            return TypeLoad(None, problems, _offline_summary(config, keywords))
        return TypeLoad(None, problems)
    assert desired is not None
    return TypeLoad(desired, problems, _summary(len(desired.actions), len(desired.managed_triggers)))


def _summary(actions: int, triggers: int) -> str:
    return f"{plural(actions, 'action')} and bindings on {plural(triggers, 'trigger')} valid"


def _offline_summary(config: str | os.PathLike[str], keywords: Keywords) -> str:
    from reconciler.resources.actions.load import read_actions

    read = read_actions(config, keywords)
    if not read.manages_actions and read.triggers is None:
        return ""
    lists = read.triggers.data if read.triggers is not None and isinstance(read.triggers.data, dict) else {}
    return _summary(len(read.actions), len(lists))


def _read_live(client: ManagementClient, desired: ActionsDesired | None) -> LiveActions:
    from reconciler.resources.actions.engine import read_live

    return read_live(client, desired)


def _read_again(client: ManagementClient, desired: ActionsDesired | None, before: LiveActions,
                written: Plan | None = None, listed: Any = None) -> LiveActions:
    from reconciler.resources.actions.engine import read_back

    return read_back(client, desired, before, written, listed)


def _plan_actions(desired: ActionsDesired, live: LiveActions, options: PlanOptions) -> TypePlan:
    from reconciler.resources.actions.plan import plan_actions

    return plan_actions(desired, live, options)[0]


def _plan_bindings(desired: ActionsDesired, live: LiveActions, options: PlanOptions) -> TypePlan:
    from reconciler.resources.actions.plan import plan_actions

    return plan_actions(desired, live, options)[1]


def _action_ops(client: ManagementClient, desired: ActionsDesired) -> Runner[Any]:
    from reconciler.resources.actions.ops import ActionOperations

    return ActionOperations(client, desired)


def _action_jobs(steps: tuple[Step, ...]) -> Mapping[int, Job]:
    from reconciler.resources.actions.ops import action_jobs

    return action_jobs(steps)


def _binding_ops(client: ManagementClient, desired: ActionsDesired) -> Runner[Any]:
    from reconciler.resources.actions.ops import BindingOperations

    return BindingOperations(client, desired)


def _verify(plan: Plan, state: tuple[ActionsDesired, LiveActions]) -> tuple[str, ...]:
    """What the tenant lacks of the plan's Actions steps, both types' (read back once)."""
    from reconciler.resources.actions.verify import differences

    desired, live = state
    ours = [step for step in plan.steps if step.type in ("action", "bindings")]
    return tuple(differences(ours, desired, live)) if ours else ()


def _outside(client: Any) -> tuple[str, ...]:
    from reconciler.resources.actions.outside import bound_outside

    return bound_outside(client)


def _action_schema() -> str:
    from reconciler.resources.actions.schema import schema_text

    return schema_text("action")


def _triggers_schema() -> str:
    from reconciler.resources.actions.schema import schema_text

    return schema_text("triggers")


NO_ACTIONS = "this tenant has no Actions (403 feature_not_enabled)"
NO_ACTIONS_SCOPE = "the client lacks scope read:actions"


def _export_read(client: ManagementClient) -> LiveActions | None:
    """Every live action and trigger binding, or None when the tenant has no Actions."""
    from reconciler.errors import ActionsUnavailableError
    from reconciler.resources.actions.live import read_live_actions

    try:
        return read_live_actions(client, (), every_trigger=True)
    except ActionsUnavailableError:
        return None


def _export_existing(live: LiveActions, output: str) -> list[Path]:
    from reconciler.resources.actions.export import existing_files

    return existing_files(live, output)


def _export_preflight(live: LiveActions, output: str, force: bool) -> None:
    from reconciler.resources.actions.export import preflight

    preflight(live, output, force=force)


def _export_texts(live: LiveActions) -> list[str]:
    return [action.code for action in live.actions if isinstance(action.code, str)]


def _export_write(live: LiveActions, output: str, values: Mapping[str, object]) -> TypeExported:
    from reconciler.resources.actions.export import export_actions

    done = export_actions(live, output, values, force=True)
    where = done.directory
    return TypeExported(
        summary=(f"Exported {done.actions} actions to {where}/actions and "
                 f"{done.triggers} trigger lists to {where}/triggers/triggers.json"),
        keywords=done.keywords,
        shared_keywords=done.shared_keywords,
        notes=tuple(_export_notes(done)),
    )


def _export_notes(done: Any) -> list[str]:
    notes = [f"action {name!r} is not a safe file name; written as {stem}.json / {stem}/code.js"
             for name, stem in done.encoded.items()]
    notes += [f"marketplace action {name!r} skipped (installed integrations are not managed)"
              for name in done.marketplace]
    notes += [f"actions named {name!r} skipped: two actions share the name (rename one)"
              for name in done.duplicates]
    notes += [f"trigger {trigger} left out of triggers.json: it binds an action whose name is not unique"
              for trigger in done.held_triggers]
    notes += [f"trigger {trigger} is bound through other entities: its bindings are not exported"
              for trigger in done.entity_bound]
    notes += [f"action {name!r} has draft changes that are not deployed: the export holds the draft, "
              "and applying it deploys that draft" for name in done.undeployed_drafts]
    for name, renamed in done.renamed_secrets.items():
        notes += [f"secret {secret!r} of action {name!r} is not a keyword name; its value is ##{keyword}##"
                  for secret, keyword in renamed.items()]
    return notes


def _words(reason: Reason) -> str:
    from reconciler.resources.actions.wording import word

    return word(reason)


def _action_blocks() -> Blocks:
    from reconciler.resources.actions.blocks import action_blocks

    return action_blocks()


def _binding_blocks() -> Blocks:
    from reconciler.resources.actions.blocks import binding_blocks

    return binding_blocks()


def _block(change: Change) -> list[str]:
    from reconciler.resources.actions.render import change_lines

    return change_lines(change)


# The scopes of the Management API's /actions endpoints (the emulator's routes ask for them).
ACTION_SCOPES = tuple(f"{verb}:actions" for verb in ("read", "create", "update", "delete"))


def _emulator_routes(context: Context) -> Resource:
    # Imported when an emulator starts: a command never pays for the emulator's routes.
    from reconciler.emulator.resources.actions import ActionsResource

    return ActionsResource(context)


ACTIONS = register(
    ResourceType(
        name="action",
        noun="actions",
        load=_load,
        folders=("actions", "triggers"),
        yaml_keys=("actions", "triggers"),
        excluded_setting="AUTH0_EXCLUDED_ACTIONS",
        layout=("actions/<name>.json", "triggers/triggers.json"),
        schemas=(("action", _action_schema), ("triggers", _triggers_schema)),
        read_live=_read_live,
        read_again=_read_again,
        plan=_plan_actions,
        operations=_action_ops,
        jobs=_action_jobs,
        verify=_verify,
        words=_words,
        block=_block,
        blocks=_action_blocks,
        export=Export(read=_export_read, existing=_export_existing, texts=_export_texts, write=_export_write,
                      unserved=NO_ACTIONS, preflight=_export_preflight, scope_note=NO_ACTIONS_SCOPE),
        emulator=EmulatorPart("actions", ACTION_SCOPES, _emulator_routes),
        outside=_outside,
        after_types=("hook",),  # a cutover binds an action after (or before) a hook's disable
    )
)

BINDINGS = register(
    ResourceType(
        name="bindings",
        noun="trigger bindings",
        state="action",  # loaded with the actions
        read_live=_read_live,
        plan=_plan_bindings,
        operations=_binding_ops,
        words=_words,
        block=_block,
        blocks=_binding_blocks,
        after_types=("action",),
    )
)
