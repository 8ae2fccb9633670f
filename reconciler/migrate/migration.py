"""The use case: every hook of a config (or one) to an action, as reviewable file changes; and --check."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reconciler.errors import LayoutError, MigrateError
from reconciler.migrate.check import OK, Verdict, events, prove
from reconciler.migrate.classify import PERSON, classify
from reconciler.migrate.generate import Migrated, hook_target, migrate_hook
from reconciler.migrate.hazards import Hazard
from reconciler.migrate.layout import FileChange, action_files, bind, disable_hook, write
from reconciler.resources.base import Desired
from reconciler.resources.hooks.model import Hook
from reconciler.runner.node import find_node
from reconciler.runner.proof import first_passes
from reconciler.runner.targets import KeywordValues, Target, load_templates

NEW, UP_TO_DATE, CONFLICT = "new", "up to date", "conflict"
PROOF_WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class HookResult:
    migrated: Migrated
    state: str  # NEW | UP_TO_DATE | CONFLICT
    conflict: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Migration:
    results: tuple[HookResult, ...]
    changes: tuple[FileChange, ...]
    notes: tuple[str, ...] = ()

    @property
    def conflicts(self) -> tuple[HookResult, ...]:
        return tuple(r for r in self.results if r.state == CONFLICT)


def plan_migration(config: str, *, only: str | None = None, disable_hooks: bool = False, verify: bool = True) -> Migration:
    """What migrating would change; nothing is written."""
    state = load_templates(config)
    root = Path(config)
    results: list[HookResult] = []
    changes: list[FileChange] = []
    bindings: list[tuple[str, str]] = []
    selected = _selected(state, only)
    for hook, migrated in zip(selected, _in_parallel(lambda h: migrate_hook(h, config, verify=verify), selected)):
        files = action_files(root, migrated)
        result = _classify(state, migrated, files)
        results.append(result)
        if result.state == CONFLICT:
            continue
        changes.extend(f for f in files if f.old != f.new)
        hook_notes = list(result.notes)
        if hook.enabled and migrated.status != PERSON:
            bindings.append((hook.trigger_id, hook.name))
            if disable_hooks:
                changes.append(disable_hook(Path(hook.source)))
        elif hook.enabled:
            hook_notes.append("not bound and the hook left enabled: a person must finish the action first")
        results[-1] = HookResult(migrated, result.state, result.conflict, tuple(hook_notes))
    notes: list[str] = []
    try:
        binding = bind(root, bindings)
    except LayoutError as error:
        raise MigrateError(str(error)) from None
    if binding is not None:
        changes.append(binding)
        if binding.old is None:
            notes.append(f"{binding.path} is new: deploy-cli and the reconciler will manage every binding on the "
                         "triggers it lists; bind any action already live there in it too")
    return Migration(tuple(results), tuple(changes), tuple(notes))


def write_migration(migration: Migration) -> None:
    if migration.conflicts:
        names = ", ".join(r.migrated.name for r in migration.conflicts)
        raise MigrateError(f"nothing written: resolve the conflicts first ({names}), or leave them out with --only")
    write(list(migration.changes))


@dataclass(frozen=True)
class Checked:
    hook: str
    action_from: str  # "config" or "generated"
    verdict: Verdict
    hazards: tuple[Hazard, ...] = ()  # found statically in the hook, reported with the proof

    @property
    def same(self) -> bool:
        return self.verdict.verdict == OK


def check_migration(config: str, *, only: str | None = None) -> list[Checked]:
    """Each hook against its action: the config's of the same name, else exactly the code
    ``--write`` would write (the translation, or the adapter it falls back to)."""
    find_node()  # NodeNotFound, saying how to get it, before any work
    state = load_templates(config)
    actions = state["action"].by_name() if state.get("action") else {}

    def check(hook: Hook) -> Checked:
        existing = actions.get(hook.name)
        if existing is not None:
            action = Target("action", existing.name, existing.trigger[0], existing.code, dict(existing.secrets))
            if action.trigger != hook.trigger_id:
                raise MigrateError(f"action {hook.name!r} runs on {action.trigger}, its hook on {hook.trigger_id}")
            hazards = classify(hook.name, hook.trigger_id, hook.script, dict(hook.dependencies)).hazards
            return Checked(hook.name, "config", prove(hook_target(hook), action, config), hazards)
        migrated = migrate_hook(hook, config)
        verdict = migrated.verdict or prove(hook_target(hook), migrated.as_target(), config)
        return Checked(hook.name, "generated", verdict, migrated.hazards)

    selected = _selected(state, only)
    # Every hook's first pass in one Node process: each proof then starts one process, not two.
    first_passes([(hook_target(hook), events(hook.trigger_id, config)) for hook in selected], KeywordValues())
    return _in_parallel(check, selected)


T = TypeVar("T")
R = TypeVar("R")


def _in_parallel(work: Callable[[T], R], items: list[T]) -> list[R]:
    """``work`` on every item, in order; each proof is its own Node process, so two run at once
    (the machines this runs on have a few cores; Node's start-up dominates a small hook's proof)."""
    if len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(PROOF_WORKERS, len(items))) as pool:
        return list(pool.map(work, items))


def _selected(state: Desired, only: str | None) -> list[Hook]:
    hooks = list(state["hook"].hooks if state.get("hook") else ())
    if only is None:
        return hooks
    chosen = [h for h in hooks if h.name == only]
    if not chosen:
        known = ", ".join(h.name for h in hooks) or "none"
        raise MigrateError(f"no hook named {only!r} in the config (hooks: {known})")
    return chosen


def _classify(state: Desired, migrated: Migrated, files: list[FileChange]) -> HookResult:
    existing = state["action"].by_name() if state.get("action") else {}
    ours_exist = any(f.old is not None for f in files)
    if all(f.old == f.new for f in files):
        return HookResult(migrated, UP_TO_DATE)
    if migrated.name in existing or ours_exist:
        where = existing[migrated.name].source if migrated.name in existing else files[0].path
        return HookResult(migrated, CONFLICT, f"an action named {migrated.name!r} already exists ({where}) and differs; not overwritten")
    return HookResult(migrated, NEW)
