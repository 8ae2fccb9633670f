"""Registers hooks with the engine (``reconciler.resources.base``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.core.planner import TypePlan
from reconciler.keywords import Keywords
from reconciler.resources.base import EmulatorPart, Export, ResourceType, TypeExported, TypeLoad, register

if TYPE_CHECKING:  # the states and the engine's types, for mypy to check these against the seam
    from collections.abc import Callable

    from reconciler.api.client import ManagementClient
    from reconciler.core.executor import Runner
    from reconciler.core.plan import Plan
    from reconciler.core.reasons import Reason
    from reconciler.core.steps import Job, Step
    from reconciler.emulator.resources import Context, Resource
    from reconciler.resources.blocks import Blocks
    from reconciler.resources.hooks.model import DesiredState, LiveState
    from reconciler.resources.options import PlanOptions


def _hook_name(name: str) -> bool:
    """Auth0's rule for hook names: what AUTH0_EXCLUDED_HOOKS may list."""
    from reconciler.resources.hooks.model import NAME_PATTERN

    return re.match(NAME_PATTERN, name) is not None


def _load(config: str | os.PathLike[str], keywords: Keywords, *, offline: bool = False) -> TypeLoad[DesiredState]:
    from reconciler.resources.hooks.validate import load

    return load(config, keywords, offline=offline)


def read_live(client: ManagementClient, desired: DesiredState | None = None) -> LiveState:
    return _read(client, desired, None)


def read_again(client: ManagementClient, desired: DesiredState | None, before: LiveState, written: Plan | None = None,
               listed: Any = None) -> LiveState:
    """``read_live`` for the price of a list (``hooks.live.read_again``): what ``before``
    already holds is not read again. The read-back of a plan that wrote no hook is
    ``before`` as is, without a request (a config without hooks/ wrote none either)."""
    if written is not None and not written.steps_of("hook"):
        return before
    return _read(client, desired, lambda: _again(client, before, written, listed), listed)


def _again(client: ManagementClient, before: LiveState, written: Plan | None, listed: Any) -> LiveState:
    from reconciler.resources.hooks.live import read_again as again

    # The read-back reads the secrets of the hooks whose secrets the plan wrote: a write's
    # answer does not hold them.
    names = None if written is None else frozenset(
        step.key for step in written.steps if step.type == "hook" and "secret" in str(step.operation))
    return again(client, before, written=names, listed=listed)


def _read(client: ManagementClient, desired: DesiredState | None, reader: Callable[[], LiveState] | None,
          listed: Any = None) -> LiveState:
    """The live hooks as every command sees them: the apply lease's marker hook is left
    out, so plans, drift, export and the delete threshold never see it.

    Auth0 ended Hooks on 2026-11-18: a tenant without them has no live hooks, which is fine
    for a config without hooks (Actions only); a config that has hooks gets the one-line
    error saying the tenant has none. A config that does not manage hooks reads none."""
    from reconciler.errors import HooksUnavailableError, PlanError, ReconcilerError, hooks_unavailable
    from reconciler.lease import LEASE_NAME, is_marker_hook
    from reconciler.resources.hooks.live import read_live_state
    from reconciler.resources.hooks.model import LiveState

    reserved = [h.source or h.name for h in (desired.hooks if desired is not None else ()) if h.name == LEASE_NAME]
    if reserved:  # refused before any request: the name is the apply lease's
        raise PlanError(f"{reserved[0]}: the hook name {LEASE_NAME} is reserved for the apply lease")
    if desired is not None and not getattr(desired, "manages_hooks", True):
        return LiveState(hooks=(), outside=_outside(client, listed))
    try:
        live = read_live_state(client) if reader is None else reader()
    except ReconcilerError as error:
        if not hooks_unavailable(error):
            raise
        if desired is not None and not desired.hooks:
            return LiveState(hooks=())
        raise HooksUnavailableError(
            "this tenant has no Hooks (Auth0 retired them on 2026-11-18), but the config has "
            f"{len(desired.hooks) if desired is not None else 'some'} hook(s) in hooks/: move them to "
            "Actions with `reconciler migrate --write` (offline), then empty hooks/ with "
            "`reconciler migrate --retire-hooks --write` and apply; see docs/migration-last-mile.md "
            f"({getattr(error, 'status', None) or '?'} {getattr(error, 'error_code', None) or 'hooks_not_allowed'})"
        ) from None
    # Only a provable marker (disabled, the lease comment) is hidden: anything that runs on a
    # trigger, or that a user merely named so, is shown.
    return LiveState(hooks=tuple(h for h in live.hooks if not is_marker_hook(
        {"name": h.name, "enabled": h.enabled, "script": h.script})))


def _outside(client: ManagementClient, listed: Any = None) -> tuple[str, ...]:
    """The names of the live hooks a config without hooks/ leaves alone: one list request,
    none when the lease's own list is at hand (a tenant without Hooks answers 403
    hooks_not_allowed: nothing is live there). A client without read:hooks (an Actions-only
    setup needs none) cannot list them: its plans are not refused for the notice."""
    from reconciler.errors import AuthError, ReconcilerError, hooks_unavailable
    from reconciler.lease import is_marker_hook

    if listed is None:
        try:
            listed = client.hooks.list()
        except ReconcilerError as error:
            if hooks_unavailable(error) or (isinstance(error, AuthError) and error.status == 403):
                return ()
            raise
    return tuple(sorted(str(h["name"]) for h in listed if not is_marker_hook(h)))


def _plan(desired: DesiredState, live: LiveState, options: PlanOptions) -> TypePlan:
    from reconciler.resources.hooks.planner import plan_part

    return plan_part(desired, live, options)


def _operations(client: ManagementClient, desired: DesiredState) -> Runner[Any]:
    from reconciler.resources.hooks.ops import HookOperations

    return HookOperations(client, desired)


def _jobs(steps: tuple[Step, ...]) -> Mapping[int, Job]:
    from reconciler.resources.hooks.ops import hook_jobs

    return hook_jobs(tuple(steps))


def _verify(plan: Plan, state: tuple[DesiredState, LiveState]) -> tuple[str, ...]:
    from reconciler.resources.hooks.verify import differences

    desired, live = state
    return tuple(differences(plan, desired, live))


def _schema_text() -> str:
    from reconciler.resources.hooks.schema import schema_text

    return schema_text()


def _words(reason: Reason) -> str:
    from reconciler.resources.hooks.wording import word

    return word(reason)


NO_HOOKS = "this tenant has no Hooks"


def _export_read(client: ManagementClient) -> LiveState | None:
    """Every live hook, or None when the tenant has no Hooks."""
    from reconciler.errors import ReconcilerError, hooks_unavailable

    try:
        return read_live(client, None)
    except ReconcilerError as error:
        if hooks_unavailable(error):
            return None
        raise


def _export_existing(live: LiveState, output: str) -> list[Path]:
    from reconciler.resources.hooks.export import existing_files

    return existing_files(live, output)


def _export_texts(live: LiveState) -> list[str]:
    return [hook.script for hook in live.hooks]


def _export_write(live: LiveState, output: str, values: Mapping[str, object]) -> TypeExported:
    from reconciler.resources.hooks.export import export_live

    done = export_live(live, output, values, force=True)
    return TypeExported(
        summary=f"Exported {done.hooks} hooks to {done.directory}/hooks",
        keywords=done.keywords,
        shared_keywords=done.shared_keywords,
        notes=tuple(f"hook {name!r} is not a safe file name; written as {stem}.json / {stem}.js"
                    for name, stem in done.encoded.items()),
    )


def _blocks() -> Blocks:
    from reconciler.resources.hooks.render import HookBlocks

    return HookBlocks()


# The scopes of the Management API's /hooks endpoints (the emulator's routes ask for them).
HOOK_SCOPES = tuple(f"{verb}:hooks" for verb in ("read", "create", "update", "delete"))


def _emulator_routes(context: Context) -> Resource:
    # Imported when an emulator starts: a command never pays for the emulator's routes.
    from reconciler.emulator.resources.hooks import HooksResource

    return HooksResource(context)


HOOKS = register(
    ResourceType(
        name="hook",
        noun="hooks",
        one="hook",
        load=_load,
        folders=("hooks",),
        yaml_keys=("hooks",),
        excluded_setting="AUTH0_EXCLUDED_HOOKS",
        excluded_name=_hook_name,
        layout=("hooks/<name>.json next to <name>.js",),
        schemas=(("hook", _schema_text),),
        read_live=read_live,
        read_again=read_again,
        reads_lease_list=True,
        plan=_plan,
        operations=_operations,
        jobs=_jobs,
        verify=_verify,
        words=_words,
        blocks=_blocks,
        export=Export(read=_export_read, existing=_export_existing, texts=_export_texts, write=_export_write,
                      unserved=NO_HOOKS),
        emulator=EmulatorPart("hooks", HOOK_SCOPES, _emulator_routes),
    )
)
