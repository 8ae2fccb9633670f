"""Registers the Actions types with the engine: ``action`` (key: the action name) and
``bindings`` (key: the trigger id; planned after ``action``, whose deploys it waits for)."""

from __future__ import annotations

from typing import Any

from reconciler.core.planner import TypePlan
from reconciler.resources.actions.rules import check_config
from reconciler.resources.base import ResourceType, register


def _select(desired: Any) -> Any:
    """The config's Actions part (None: nothing to reconcile, the types do not plan)."""
    from reconciler.resources.actions.engine import wanted

    actions = getattr(desired, "actions", None)
    return actions if wanted(actions) else None


def _read_live(client: Any, desired: Any) -> Any:
    from reconciler.resources.actions.engine import read_live

    return read_live(client, desired)


def _plan_actions(desired: Any, live: Any, options: Any) -> TypePlan:
    from reconciler.resources.actions.plan import plan_actions

    return plan_actions(desired, live, options)[0]


def _plan_bindings(desired: Any, live: Any, options: Any) -> TypePlan:
    from reconciler.resources.actions.plan import plan_actions

    return plan_actions(desired, live, options)[1]


def _action_ops(client: Any, desired: Any) -> Any:
    from reconciler.resources.actions.ops import ActionOperations

    return ActionOperations(client, desired)


def _binding_ops(client: Any, desired: Any) -> Any:
    from reconciler.resources.actions.ops import BindingOperations

    return BindingOperations(client, desired)


def _verify(plan: Any, state: Any) -> tuple[str, ...]:
    """What the tenant lacks of the plan's Actions steps, both types' (read back once)."""
    from reconciler.resources.actions.verify import differences

    desired, live = state
    ours = [step for step in plan.steps if step.type in ("action", "bindings")]
    return tuple(differences(ours, desired, live)) if ours else ()


def _export(live: Any, directory: Any, values: Any = None, *, force: bool = False) -> Any:
    from reconciler.resources.actions.export import export_actions

    return export_actions(live, directory, values, force=force)


def _words(reason: Any) -> str:
    from reconciler.resources.actions.wording import word

    return word(reason)


def _action_blocks() -> Any:
    from reconciler.resources.actions.blocks import action_blocks

    return action_blocks()


def _binding_blocks() -> Any:
    from reconciler.resources.actions.blocks import binding_blocks

    return binding_blocks()


def _block(change: Any) -> list[str]:
    from reconciler.resources.actions.render import change_lines

    return change_lines(change)


ACTIONS = register(
    ResourceType(
        name="action",
        noun="actions",
        folder="actions",
        check=check_config,
        select=_select,
        read_live=_read_live,
        plan=_plan_actions,
        operations=_action_ops,
        verify=_verify,
        export=_export,  # actions/ and triggers/triggers.json in deploy-cli's layout
        words=_words,
        block=_block,
        blocks=_action_blocks,
        after_types=("hook",),  # a cutover binds an action after (or before) a hook's disable
    )
)

BINDINGS = register(
    ResourceType(
        name="bindings",
        noun="trigger bindings",
        folder="triggers",
        select=_select,
        read_live=_read_live,
        plan=_plan_bindings,
        operations=_binding_ops,
        words=_words,
        block=_block,
        blocks=_binding_blocks,
        after_types=("action",),
    )
)
