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
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.core.changes import ChangeKind
from reconciler.core.digest import canonical_json
from reconciler.core.keyword_report import differing_values
from reconciler.core.plan import Plan
from reconciler.errors import PlanFileError
from reconciler.render.blocks import blocks_for
from reconciler.render.json import FORMAT_VERSION, UNTYPED, plan_from_dict, plan_to_dict
from reconciler.resources.blocks import Malformed as _Malformed
from reconciler.resources.checks import choice as _choice
from reconciler.resources.checks import field as _field
from reconciler.resources.checks import list_of as _list_of
from reconciler.resources.checks import short as _short
from reconciler.text import lone_surrogate_at

# Far above any real plan (a step per request; scripts are at most ~100 KB), far below
# what would hurt to read.
MAX_PLAN_BYTES = 32 * 1024 * 1024
MAX_STEPS = 50_000


@dataclass(frozen=True)
class RecordedOptions:
    """The plan-changing options the plan was made with: apply replans with exactly these."""

    allow_delete: bool = False
    rotate_secrets: bool = False
    force: bool = False
    # --only groups and --target "GROUP:NAME": apply plans exactly this scope again.
    only: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "allow_delete": self.allow_delete, "rotate_secrets": self.rotate_secrets, "force": self.force,
        }
        if self.only or self.targets:  # an unscoped plan's file keeps the shape it always had
            data.update(only=list(self.only), targets=list(self.targets))
        return data


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    config: str
    created_at: str
    options: RecordedOptions = RecordedOptions()
    format_version: int = FORMAT_VERSION


def write_plan(plan: Plan, path: str | os.PathLike[str], *, config: str, options: Any = None) -> None:
    """``options``: the plan options it was made with (``allow_delete``, ``rotate_secrets``,
    ``force`` are recorded)."""
    data = plan_to_dict(plan)
    data["config"] = config
    data["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    scope = plan.scope
    recorded = RecordedOptions(plan.allow_delete, only=scope.only, targets=scope.targets)
    if options is not None:
        recorded = RecordedOptions(options.allow_delete, options.rotate_secrets, options.force,
                                   scope.only, scope.targets)
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
    if type(version) is int and 0 < version < FORMAT_VERSION:
        raise PlanFileError(f"{where}: made by an older version of reconciler (format {version}); plan again")
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
        recorded = RecordedOptions(
            bool(options["allow_delete"]), bool(options["rotate_secrets"]), bool(options["force"]),
            tuple(options.get("only", ())), tuple(options.get("targets", ())),
        )
    else:  # written before options were recorded: only allow_delete was kept
        recorded = RecordedOptions(plan.allow_delete)
    if recorded.allow_delete != plan.allow_delete:
        raise PlanFileError(
            f"plan file was altered or is malformed: {where}: options.allow_delete disagrees with allow_delete"
        )
    if (recorded.only, recorded.targets) != (plan.scope.only, plan.scope.targets):
        raise PlanFileError(
            f"plan file was altered or is malformed: {where}: options.only/targets disagree with the plan's scope"
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
    if saved.plan.domain and now.domain and saved.plan.domain != now.domain:
        raise PlanFileError(
            f"this plan was made for tenant {saved.plan.domain}, not {now.domain}: "
            "apply it with that tenant's AUTH0_DOMAIN, or plan this tenant"
        )
    if saved.plan.config_digest != now.config_digest:
        values = differing_values(saved.plan.keywords, now.keywords)
        if values:
            raise PlanFileError(f"stale plan: {values}; set the same values as the plan's, or plan again")
        raise PlanFileError(
            "stale plan: the config changed since the plan was made; run `reconciler plan` again"
        )
    if saved.plan.live_fingerprint != now.live_fingerprint:
        raise PlanFileError(
            "stale plan: the live tenant changed since the plan was made; run `reconciler plan` again"
        )
    if canonical(saved.plan.scope.to_dict()) != canonical(now.scope.to_dict()):
        raise PlanFileError(
            "plan file was altered or is stale: its scope (--only/--target and what the targets need) is not "
            "what the config and the tenant produce now; run `reconciler plan` again with that scope"
        )
    # Before the steps: a different cutover reorders them, and this says why.
    if canonical(_cutovers(saved.plan)) != canonical(_cutovers(now)):
        raise PlanFileError(
            "plan file was altered or is stale: its hooks-to-Actions cutovers are not what the config, "
            "the tenant and AUTH0_CUTOVER produce now; run `reconciler plan` again"
        )
    theirs, ours = saved.plan.steps, now.steps
    for index, (step, fresh) in enumerate(zip(theirs, ours)):
        if canonical(_step_dict(step)) != canonical(_step_dict(fresh)):
            raise PlanFileError(
                f"plan file was altered or is malformed: step {index + 1} ({_what(step)}) "
                f"is not what the config and the tenant produce ({_what(fresh, short=False)})"
            )
    if len(theirs) != len(ours):
        raise PlanFileError(
            f"plan file was altered or is malformed: it holds {len(theirs)} steps, "
            f"the config and the tenant produce {len(ours)}"
        )
    if canonical(_described(saved.plan)) != canonical(_described(now)):
        raise PlanFileError(
            "plan file was altered or is malformed: its described changes are not what the "
            "config and the tenant produce"
        )


def _cutovers(plan: Plan) -> list[dict[str, Any]]:
    from reconciler.resources.cutover import cutovers_of

    return [c.to_dict() for c in cutovers_of(plan)]


def _step_dict(step: Any) -> dict[str, Any]:
    return blocks_for(step.type).step_to_dict(step)


def step_dicts(plan: Plan) -> list[dict[str, Any]]:
    """The plan's steps as plan files hold them (what comparing two plans compares)."""
    return [_step_dict(step) for step in plan.steps]


def _what(step: Any, short: bool = True) -> str:
    key = _short(step.key) if short else step.key
    return f"{step.operation} {key}"


def _described(plan: Plan) -> Any:
    """What a plan shows people beside its steps: changes and every type's extras."""
    extras = {t: blocks_for(t).extras_to_dict(plan) for t in sorted(set(plan.types) | {c.type for c in plan.changes})}
    return [blocks_for(c.type).change_to_dict(c) for c in plan.changes], extras


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
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise PlanFileError(f"{where}: not a readable plan file ({error.__class__.__name__})") from None
    found = lone_surrogate_at(data, "plan")
    if found is not None:  # JSON may spell "\\ud800"; no output can print or send it
        raise PlanFileError(f"plan file was altered or is malformed: {where}: {found} is not Unicode text "
                            "(a lone surrogate)")
    return data



def _check_shape(data: Mapping[str, Any]) -> None:
    top = "plan"
    for key in ("config_digest", "live_fingerprint"):
        _field(data, key, str, top)
    for key in ("allow_delete", "review_only"):
        _field(data, key, bool, top, optional=True)
    for key in ("config", "created_at"):
        _field(data, key, str, top, optional=True)
    _list_of(data, "warnings", str, top, optional=True)
    _check_domain_and_keywords(data)
    _list_of(data, "unmanaged", str, top, optional=True)
    options = _field(data, "options", dict, top, optional=True)
    if options is not None:
        unknown = set(options) - {"allow_delete", "rotate_secrets", "force", "only", "targets"}
        if unknown:
            raise _Malformed(f"plan.options: unknown option {_short(sorted(unknown)[0])}")
        for key in ("allow_delete", "rotate_secrets", "force"):
            _field(options, key, bool, "plan.options")
        for key in ("only", "targets"):
            _check_names(_list_of(options, key, str, "plan.options", optional=True), f"plan.options.{key}")
    scope = _field(data, "scope", dict, top, optional=True)
    if scope is not None:
        unknown = set(scope) - {"only", "skipped", "targets", "needed", "lines"}
        if unknown:
            raise _Malformed(f"plan.scope: unknown key {_short(sorted(unknown)[0])}")
        for key in ("only", "skipped", "targets", "needed"):
            _check_names(_list_of(scope, key, str, "plan.scope", optional=True), f"plan.scope.{key}")
        if len(_list_of(scope, "lines", str, "plan.scope", optional=True)) > 3:
            raise _Malformed("plan.scope.lines: at most 3 lines")
    known = set(_registered())
    for name in _list_of(data, "types", str, top, optional=True):
        if name not in known:
            raise _Malformed(f"plan.types: unknown resource type {_short(name)}")
    changes = _list_of(data, "changes", dict, top)
    steps = _list_of(data, "steps", dict, top)
    if len(steps) > MAX_STEPS:
        raise _Malformed(f"plan.steps: {len(steps)} steps (at most {MAX_STEPS})")
    for i, entry in enumerate([*changes, *steps]):
        kind = _field(entry, "type", str, "plan.changes" if i < len(changes) else "plan.steps", optional=True)
        if kind is not None and kind not in known:
            raise _Malformed(f"plan: unknown resource type {_short(kind)}")
    from reconciler.render.json import types_of

    for type_name in types_of(data):
        blocks_for(type_name).check_extras(data)
    for i, change in enumerate(changes):
        where = f"plan.changes[{i}]"
        _choice(change, "kind", ChangeKind, where)
        _field(change, "skipped", str, where, optional=True)
        for j, item in enumerate(_list_of(change, "fields", dict, where, optional=True)):
            _field(item, "field", str, f"{where}.fields[{j}]")
            _field(item, "diff", str, f"{where}.fields[{j}]", optional=True)
        blocks_for(change.get("type", UNTYPED)).check_change(change, where)
    for i, step in enumerate(steps):
        where = f"plan.steps[{i}]"
        if _field(step, "index", int, where) != i:
            raise _Malformed(f"{where}.index is {step['index']}, expected {i}")
        _field(step, "reason", str, where, optional=True)
        # Every edge points backwards, so the dependency graph cannot hold a cycle.
        for before in _list_of(step, "after", int, where, optional=True):
            if not 0 <= before < i:
                raise _Malformed(f"{where}.after names step {before}, which is not an earlier step")
        blocks_for(step.get("type", UNTYPED)).check_step(step, i, steps)
    for j, pair in enumerate(_list_of(data, "pairs", list, top, optional=True)):
        if len(pair) != 2 or not all(type(i) is int and 0 <= i < len(steps) for i in pair):
            raise _Malformed(f"plan.pairs[{j}] must be two step indexes")


def _check_names(names: list[Any], where: str) -> None:
    """Scope entries: a bounded list of short printable names (shown in every plan)."""
    if len(names) > 200:
        raise _Malformed(f"{where}: {len(names)} names (at most 200)")
    for name in names:
        if not _SCOPE_NAME.match(name):
            raise _Malformed(f"{where}: {_short(name)} is not a resource name")


_SCOPE_NAME = re.compile(r"^[^\x00-\x1f\x7f-\x9f]{1,300}$")
_HOST = re.compile(r"^[A-Za-z0-9.:\[\]_-]{1,255}$")
_KEYWORD = re.compile(r"^[A-Za-z0-9_]{1,128}$")
_HEX = re.compile(r"^[0-9a-f]{16,64}$")


def _check_domain_and_keywords(data: Mapping[str, Any]) -> None:
    domain = _field(data, "domain", str, "plan", optional=True)
    if domain is not None and not _HOST.match(domain):
        raise _Malformed("plan.domain must be a tenant host")
    keywords = _field(data, "keywords", dict, "plan", optional=True)
    if keywords is None:
        return
    where = "plan.keywords"
    unknown = set(keywords) - {"used", "added", "removed", "template_digest", "key_mark", "value_marks"}
    if unknown:
        raise _Malformed(f"{where}: unknown key {_short(sorted(unknown)[0])}")
    for key in ("used", "added", "removed"):
        for name in _list_of(keywords, key, str, where, optional=key != "used"):
            if not _KEYWORD.match(name):
                raise _Malformed(f"{where}.{key}: {_short(name)} is not a keyword name")
    digest = _field(keywords, "template_digest", str, where, optional=True)
    if digest is not None and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise _Malformed(f"{where}.template_digest must be sha256:HEX")
    mark = _field(keywords, "key_mark", str, where, optional=True)
    if mark is not None and not _HEX.match(mark):
        raise _Malformed(f"{where}.key_mark must be hexadecimal")
    for name, value in (_field(keywords, "value_marks", dict, where, optional=True) or {}).items():
        if not _KEYWORD.match(name) or not isinstance(value, str) or not _HEX.match(value):
            raise _Malformed(f"{where}.value_marks: {_short(name)} must map a keyword name to a hexadecimal mark")


def _registered() -> tuple[str, ...]:
    from reconciler.resources.builtin import registry

    return registry().names()
