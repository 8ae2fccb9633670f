"""Per-type render blocks, part of the seam: how one resource type's changes, steps and extras
look. Types subclass ``Blocks`` from here and never import ``reconciler.render``.

The renderers (``text``, ``markdown``, ``json``) lay out a whole plan of any types; each
piece that names a type's fields comes from that type's ``Blocks``, found through the
registry (``ResourceType.blocks``, a factory, asked by ``reconciler.render.blocks``). A type
without its own blocks gets ``Blocks`` as is: generic text, markdown and JSON built from the
core ``Change`` and ``Step`` alone (``ResourceType.block`` may still supply the text lines of
a change), so a new type renders from its first day. A type subclasses ``Blocks`` and overrides what it
shows differently (hooks: ``reconciler/resources/hooks/render.py``).

A saved plan is the JSON rendering plus a few keys, so the JSON half of a ``Blocks`` is
also the type's plan-file codec: ``*_to_dict`` writes, ``*_from_dict`` reads back, and
``check_*`` vets hostile input one field at a time (raising ``Malformed`` naming it).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from reconciler.core.changes import Change, ChangeKind, FieldChange
from reconciler.core.plan import Plan
from reconciler.core.reasons import Reason
from reconciler.core.steps import Phase, Step
from reconciler.escape import md_code, md_text
from reconciler.resources.base import REGISTRY
from reconciler.text import plural

SYMBOLS: dict[ChangeKind, tuple[str, str]] = {
    ChangeKind.CREATE: ("+", "green"),
    ChangeKind.UPDATE: ("~", "yellow"),
    ChangeKind.ENABLE: ("~", "yellow"),
    ChangeKind.DISABLE: ("~", "yellow"),
    ChangeKind.DELETE: ("-", "red"),
    ChangeKind.REPLACE: ("-/+", "magenta"),
}

def worded(text: str) -> Reason:
    """A reason read back from a plan file: its words only (files hold words, not codes)."""
    return Reason.worded(text)


def word(reason: Reason | str | None) -> str:
    """The words of ``reason`` (its type's wording, through the registry: the type is
    registered, its blocks are in use; ``reconciler.render.blocks.word`` registers the
    built-in types first)."""
    if reason is None:
        return ""
    if isinstance(reason, str):
        return reason
    return REGISTRY.word(reason)


class Malformed(Exception):
    """One field of a plan file is wrong: the message names it."""


@dataclass(frozen=True)
class Blocks:
    """The generic blocks; ``name``/``one``/``noun``: the type's name, one and many."""

    name: str
    one: str
    noun: str
    lines: Callable[[Change], list[str]] | None = None  # ResourceType.block

    # -- text ---------------------------------------------------------------------------------

    def text_change(self, change: Change) -> list[str]:
        """The change's lines (uncoloured title and fields; ``render.text`` colours)."""
        if self.lines is not None:
            return self.lines(change)
        symbol, _ = SYMBOLS[change.kind]
        title = f"{symbol} {self.one} {change.key}"
        if change.skipped:
            return [f"  {title}: skipped, {word(change.skipped)}"]
        return [f"  {title}"] + [line for f in change.fields for line in field_lines(f)]

    def text_extras(self, plan: Plan) -> list[str]:
        """Blocks after the changes (hooks: the hand-overs); each ends with an empty line."""
        return []

    def text_step(self, step: Any) -> str:
        """What one request does, after its number and phase."""
        return f"{step.operation} {self.one} {step.key}"

    # -- markdown -----------------------------------------------------------------------------

    def md_where(self, change: Change) -> str:
        """Markdown-safe text naming where the resource lives, or ``""``."""
        return ""

    def md_caution(self, plan: Plan) -> list[list[str]]:
        """Sections of the ``[!CAUTION]`` alert: what a reviewer must not miss."""
        deletes = [c for c in plan.changes_of(self.name) if c.kind is ChangeKind.DELETE and not c.skipped]
        if not deletes:
            return []
        return [[f"> **{plural(len(deletes), self.one)} will be deleted:**"]
                + [f"> - {md_code(c.key)}" + (f" ({self.md_where(c)})" if self.md_where(c) else "") for c in deletes]]

    def md_important(self, plan: Plan) -> list[list[str]]:
        """Sections of the ``[!IMPORTANT]`` alert: planned hand-overs a reviewer should read
        (a hooks-to-Actions cutover), which are not dangers."""
        return []

    def md_summary(self, change: Change) -> str:
        symbol, _ = SYMBOLS[change.kind]
        return f"<code>{html.escape(symbol)}</code> <b>{md_text(change.key)}</b> {change.kind.value}"

    # -- JSON and plan files ------------------------------------------------------------------

    def change_to_dict(self, change: Change) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": change.type, "key": change.key, "kind": str(change.kind),
            "fields": [f.to_dict() for f in change.fields],
        }
        if change.detail:
            data["detail"] = {k: _plain(v) for k, v in change.detail}
        if change.skipped:
            data["skipped"] = word(change.skipped)
        return data

    def change_from_dict(self, data: Mapping[str, Any]) -> Change:
        return Change(
            self.name, str(data["key"]), ChangeKind(data["kind"]),
            tuple(FieldChange.from_dict(f) for f in data.get("fields", ())),
            worded(data["skipped"]) if data.get("skipped") else None,
            tuple(sorted((str(k), _frozen(v)) for k, v in (data.get("detail") or {}).items())),
        )

    def step_to_dict(self, step: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "index": step.index, "type": step.type, "key": step.key, "operation": step.operation,
            "payload": step.payload.to_dict() if step.payload is not None else None,
            "after": list(step.after), "phase": str(step.phase),
        }
        if step.reason is not None:
            data["reason"] = word(step.reason)
        return data

    def step_from_dict(self, data: Mapping[str, Any]) -> Any:
        """A generic step read back: the payload stays plain data (only compared, never run:
        apply runs the plan it makes again)."""
        return Step(
            int(data["index"]), self.name, str(data["key"]), str(data["operation"]),
            _Plain(tuple(sorted((data.get("payload") or {}).items()))) if data.get("payload") is not None else None,
            tuple(int(i) for i in data.get("after") or ()), Phase(data.get("phase", "prepare")),
            worded(data["reason"]) if data.get("reason") else None,
        )

    def extras_to_dict(self, plan: Plan) -> dict[str, Any]:
        """Top-level JSON keys of this type's own (they must not clash with another's)."""
        return {}

    def extras_from_dict(self, data: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
        return ()

    def check_step(self, step: Mapping[str, Any], i: int, steps: Sequence[Mapping[str, Any]]) -> None:
        where = f"plan.steps[{i}]"
        for key in ("key", "operation"):
            if not isinstance(step.get(key), str):
                raise Malformed(f"{where}.{key} must be str")
        if step.get("phase", "prepare") not in {str(p) for p in Phase}:
            raise Malformed(f"{where}.phase: unknown value")
        # Read back as a mapping (``step_from_dict``): anything else is one line, not a traceback.
        if not isinstance(step.get("payload"), (dict, type(None))):
            raise Malformed(f"{where}.payload must be an object or null")

    def check_change(self, change: Mapping[str, Any], where: str) -> None:
        if not isinstance(change.get("key"), str):
            raise Malformed(f"{where}.key must be str")
        if not isinstance(change.get("detail", {}), dict):
            raise Malformed(f"{where}.detail must be an object")

    def check_extras(self, data: Mapping[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class _Plain:
    """A payload read back from a file: its fields as they were written."""

    items: tuple[tuple[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.items)


def _md(text: str) -> str:
    return md_text(text)


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def field_lines(field: FieldChange) -> list[str]:
    """One field change as text (scripts and code as coloured diffs)."""
    if field.field in ("script", "code"):
        out = [f"      {field.field}:"]
        for line in field.diff.splitlines():
            colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            out.append(click.style(f"        {line}", fg=colour))
        return out
    if field.diff:
        return [f"      {field.field}:"] + [f"        {line}" for line in field.diff.splitlines()]
    if field.before is None:
        return [f"      {field.field}: {_show(field.after)}"]
    return [f"      {field.field}: {_show(field.before)} -> {_show(field.after)}"]


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
