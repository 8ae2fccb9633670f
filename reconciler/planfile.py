"""Saved plans: ``plan --out FILE`` writes one; ``apply FILE`` treats it as an approval.

A saved plan is not a script. ``apply FILE`` recomputes the plan from the config and the
live tenant with the options recorded in the file and runs only if the recomputed plan is
identical to the file's (:func:`check_matches`), so an edited file, a stale one, or a
planner that changed in between is refused before any write. The file is read as hostile
input: bounded in size, every field checked for type and range, so a bad file is one line.
It never holds a secret value: secret steps carry key names; values come from the config.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from reconciler.core.digest import canonical_json
from reconciler.errors import ReconcilerError
from reconciler.resources.hooks.plan import Action, ChangeKind, Phase, Plan, PlanOptions, Step
from reconciler.render.json import FORMAT_VERSION, plan_from_dict, plan_to_dict

# Far above any real plan (a step per request; scripts are at most ~100 KB), far below
# what would hurt to read.
MAX_PLAN_BYTES = 32 * 1024 * 1024
MAX_STEPS = 50_000


class PlanFileError(ReconcilerError):
    """A saved plan that cannot be read or no longer applies."""


@dataclass(frozen=True)
class RecordedOptions:
    """The plan-changing options the plan was made with: apply replans with exactly these."""

    allow_delete: bool = False
    rotate_secrets: bool = False
    force: bool = False

    def to_dict(self) -> dict[str, bool]:
        return {"allow_delete": self.allow_delete, "rotate_secrets": self.rotate_secrets, "force": self.force}


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    config: str
    created_at: str
    options: RecordedOptions = RecordedOptions()
    format_version: int = FORMAT_VERSION


def write_plan(
    plan: Plan, path: str | os.PathLike[str], *, config: str, options: PlanOptions | None = None
) -> None:
    data = plan_to_dict(plan)
    data["config"] = config
    data["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    recorded = RecordedOptions(plan.allow_delete)
    if options is not None:
        recorded = RecordedOptions(options.allow_delete, options.rotate_secrets, options.force)
    data["options"] = recorded.to_dict()
    target = Path(path)
    # Write then rename, so a crash never leaves half a plan behind.
    with tempfile.NamedTemporaryFile(
        "w", dir=target.parent or ".", prefix=f".{target.name}.", delete=False, encoding="utf-8"
    ) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(handle.name, target)


def read_plan(path: str | os.PathLike[str]) -> SavedPlan:
    data = _load_json(path)
    where = str(path)
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanFileError(f"{where}: not a reconciler plan file (no format_version)")
    version = data["format_version"]
    if type(version) is not int or version != FORMAT_VERSION:
        raise PlanFileError(
            f"{where}: format_version {_short(version)} is not supported "
            f"(this reconciler reads {FORMAT_VERSION}); make the plan again"
        )
    try:
        _check_shape(data)
        plan = plan_from_dict(data)
    except _Malformed as error:
        raise PlanFileError(f"plan file was altered or is malformed: {where}: {error}") from None
    except (KeyError, TypeError, ValueError, RecursionError) as error:  # belt and braces
        raise PlanFileError(
            f"plan file was altered or is malformed: {where}: {error.__class__.__name__}"
        ) from None
    options = data.get("options")
    if isinstance(options, dict):
        recorded = RecordedOptions(**options)
    else:  # written before options were recorded: only allow_delete was kept
        recorded = RecordedOptions(plan.allow_delete)
    if recorded.allow_delete != plan.allow_delete:
        raise PlanFileError(
            f"plan file was altered or is malformed: {where}: options.allow_delete disagrees with allow_delete"
        )
    return SavedPlan(
        plan, str(data.get("config", "tenant-config")), str(data.get("created_at", "")), recorded, version
    )


def check_matches(saved: SavedPlan, now: Plan) -> None:
    """Refuse unless ``now`` (recomputed from the config and the live tenant) is the plan
    the file holds, step for step and change for change."""
    if saved.plan.review_only:
        raise PlanFileError(
            "this plan was made without keyword values (--allow-missing-keywords): it is for "
            "review only; make the plan again with the values set"
        )
    if saved.plan.config_digest != now.config_digest:
        raise PlanFileError(
            "stale plan: the config changed since the plan was made; run `reconciler plan` again"
        )
    if saved.plan.live_fingerprint != now.live_fingerprint:
        raise PlanFileError(
            "stale plan: the live tenant changed since the plan was made; run `reconciler plan` again"
        )
    theirs, ours = saved.plan.steps, now.steps
    for index, (step, fresh) in enumerate(zip(theirs, ours)):
        if canonical(step.to_dict()) != canonical(fresh.to_dict()):
            raise PlanFileError(
                f"plan file was altered or is malformed: step {index + 1} ({step.action} {_short(step.hook)}) "
                f"is not what the config and the tenant produce ({fresh.action} {fresh.hook})"
            )
    if len(theirs) != len(ours):
        raise PlanFileError(
            f"plan file was altered or is malformed: it holds {len(theirs)} steps, "
            f"the config and the tenant produce {len(ours)}"
        )
    from reconciler.resources.actions.engine import part_to_dict

    if canonical([part_to_dict(p) for p in saved.plan.parts]) != canonical([part_to_dict(p) for p in now.parts]):
        raise PlanFileError(
            "plan file was altered or is stale: its Actions part is not what the config and the tenant "
            "produce now; run `reconciler plan` again"
        )
    if canonical([c.to_dict() for c in saved.plan.cutovers]) != canonical([c.to_dict() for c in now.cutovers]):
        raise PlanFileError(
            "plan file was altered or is stale: its hooks-to-Actions cutovers are not what the config, "
            "the tenant and AUTH0_CUTOVER produce now; run `reconciler plan` again"
        )
    described = ([c.to_dict() for c in saved.plan.changes], [h.to_dict() for h in saved.plan.handovers])
    if canonical(described) != canonical(([c.to_dict() for c in now.changes], [h.to_dict() for h in now.handovers])):
        raise PlanFileError(
            "plan file was altered or is malformed: its described changes are not what the "
            "config and the tenant produce"
        )


def canonical(data: Any) -> str:
    return canonical_json(data)


# ---------------------------------------------------------------------------- reading


def _load_json(path: str | os.PathLike[str]) -> Any:
    where = str(path)
    try:
        # O_NONBLOCK: a FIFO must not hang the tool waiting for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PlanFileError(f"{where}: no such plan file") from None
    except OSError as error:
        raise PlanFileError(f"{where}: cannot open the plan file ({error.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise PlanFileError(f"{where}: not a regular file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > MAX_PLAN_BYTES:
            raise PlanFileError(f"{where}: plan file larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB")
        try:
            raw = handle.read(MAX_PLAN_BYTES + 1)
        except OSError as error:
            raise PlanFileError(f"{where}: cannot read the plan file ({error.strerror})") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanFileError(f"{where}: plan file larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise PlanFileError(f"{where}: not a readable plan file ({error.__class__.__name__})") from None


class _Malformed(Exception):
    """One field of the file is wrong: the message names it."""


def _short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if key not in data:
        if optional:
            return None
        raise _Malformed(f"{where}.{key} is missing")
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int in Python; a JSON true is never an index.
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise _Malformed(f"{where}.{key} must be {names}, not {_short(value)}")
    return value


def _list_of(data: Mapping[str, Any], key: str, kind: type, where: str, *, optional: bool = False) -> list[Any]:
    values = _field(data, key, list, where, optional=optional) or []
    for i, value in enumerate(values):
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise _Malformed(f"{where}.{key}[{i}] must be {kind.__name__}, not {_short(value)}")
    return values


def _choice(data: Mapping[str, Any], key: str, allowed: type, where: str) -> None:
    value = _field(data, key, str, where)
    if value not in {str(member) for member in allowed}:  # type: ignore[attr-defined]
        raise _Malformed(f"{where}.{key}: unknown value {_short(value)}")


def _check_shape(data: Mapping[str, Any]) -> None:
    top = "plan"
    for key in ("config_digest", "live_fingerprint"):
        _field(data, key, str, top)
    for key in ("allow_delete", "review_only"):
        _field(data, key, bool, top, optional=True)
    for key in ("config", "created_at"):
        _field(data, key, str, top, optional=True)
    _list_of(data, "warnings", str, top, optional=True)
    options = _field(data, "options", dict, top, optional=True)
    if options is not None:
        unknown = set(options) - {"allow_delete", "rotate_secrets", "force"}
        if unknown:
            raise _Malformed(f"plan.options: unknown option {_short(sorted(unknown)[0])}")
        for key in ("allow_delete", "rotate_secrets", "force"):
            _field(options, key, bool, "plan.options")
    for i, handover in enumerate(_list_of(data, "handovers", dict, top)):
        where = f"plan.handovers[{i}]"
        _field(handover, "trigger_id", str, where)
        _list_of(handover, "before", str, where)
        _field(handover, "after", (str, type(None)), where)
    for i, change in enumerate(_list_of(data, "changes", dict, top)):
        where = f"plan.changes[{i}]"
        _choice(change, "kind", ChangeKind, where)
        for key in ("name", "trigger_id"):
            _field(change, key, str, where)
        for key in ("previous_name", "previous_trigger_id", "skipped"):
            _field(change, key, str, where, optional=True)
        for j, item in enumerate(_list_of(change, "fields", dict, where, optional=True)):
            _field(item, "field", str, f"{where}.fields[{j}]")
            _field(item, "diff", str, f"{where}.fields[{j}]", optional=True)
    for i, part in enumerate(_list_of(data, "resources", dict, top, optional=True)):
        # Only compared with a fresh plan, never run: types and size are enough.
        _field(part, "type", str, f"plan.resources[{i}]")
        if len(_list_of(part, "steps", dict, f"plan.resources[{i}]")) > MAX_STEPS:
            raise _Malformed(f"plan.resources[{i}].steps: more than {MAX_STEPS} steps")
    for i, cutover in enumerate(_list_of(data, "cutovers", dict, top, optional=True)):
        for key in ("trigger", "mode", "hook"):
            _field(cutover, key, str, f"plan.cutovers[{i}]")
        _list_of(cutover, "actions", str, f"plan.cutovers[{i}]")
    steps = _list_of(data, "steps", dict, top)
    if len(steps) > MAX_STEPS:
        raise _Malformed(f"plan.steps: {len(steps)} steps (at most {MAX_STEPS})")
    for i, step in enumerate(steps):
        _check_step(step, i, steps)


def _check_step(step: Mapping[str, Any], i: int, steps: list[Mapping[str, Any]]) -> None:
    where = f"plan.steps[{i}]"
    if _field(step, "index", int, where) != i:
        raise _Malformed(f"{where}.index is {step['index']}, expected {i}")
    _choice(step, "action", Action, where)
    _choice(step, "phase", Phase, where)
    for key in ("hook", "trigger_id"):
        _field(step, key, str, where)
    _field(step, "reason", str, where, optional=True)
    _field(step, "body", dict, where)
    hook_id = _field(step, "hook_id", (str, type(None)), where, optional=True)
    created_by = _field(step, "created_by", (int, type(None)), where, optional=True)
    is_create = step["action"] == str(Action.CREATE)
    if is_create != (hook_id is None and created_by is None):
        raise _Malformed(
            f"{where}: a create step has neither hook_id nor created_by; every other step exactly one"
        )
    if hook_id is not None and created_by is not None:
        raise _Malformed(f"{where}: has both hook_id and created_by")
    # Every reference points backwards: no self reference, no forward reference, so the
    # dependency graph cannot hold a cycle.
    if created_by is not None:
        if not 0 <= created_by < i:
            raise _Malformed(f"{where}.created_by {created_by} does not name an earlier step")
        if steps[created_by].get("action") != str(Action.CREATE):
            raise _Malformed(f"{where}.created_by {created_by} is not a create step")
    for before in _list_of(step, "after", int, where, optional=True):
        if not 0 <= before < i:
            raise _Malformed(f"{where}.after names step {before}, which is not an earlier step")
