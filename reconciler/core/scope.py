"""A plan's scope (``--only TYPE``, ``--target TYPE:NAME``) and the pure filtering of a
merged plan down to it.

``--only`` is applied before anything is read (the use case plans only those types); this
module records it. ``--target`` keeps the steps of the named resources *and everything they
need to be applied safely*, so a scoped plan never breaks an invariant a whole plan keeps:

- every step a kept step waits for (``after``, ``follows``, and any index its payload names:
  a hook created earlier in the plan);
- both steps of every strict pair (a hooks-to-Actions cutover, a hooks hand-over): a pair is
  kept whole or not at all;

repeated until nothing more is added. What a target seeds beyond its own steps (an action's
trigger lists, a hook's hand-over partner) is the resource types' rule
(``resources.scope_rules``); the closure here is generic. The kept steps are renumbered in
their merged order (already topological), so every edge still points backwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# A target as the user writes it and the plan records it: "actions:post-login-claims".
SEPARATOR = ":"


@dataclass(frozen=True)
class Scope:
    """What a plan was limited to. ``only``: type groups (``actions``, ``hooks``) planned,
    empty: all; ``skipped``: the groups not planned because of ``only``; ``targets``:
    ``GROUP:NAME`` the user named; ``needed``: ``GROUP:NAME`` of resources outside the
    targets whose steps the targets need (dragged in, shown so nobody is surprised)."""

    only: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    needed: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        return bool(self.only or self.targets)

    def lines(self) -> list[str]:
        """The scope in words, one line each (empty: the whole tenant)."""
        out: list[str] = []
        if self.only:
            rest = f"; {', '.join(self.skipped)} not planned" if self.skipped else ""
            out.append(f"only: {', '.join(self.only)}{rest}")
        if self.targets:
            out.append(f"target: {', '.join(self.targets)}")
        if self.needed:
            out.append(f"also planned, as the targets need them: {', '.join(self.needed)}")
        return out

    def to_dict(self) -> dict[str, list[str]]:
        return {"only": list(self.only), "skipped": list(self.skipped),
                "targets": list(self.targets), "needed": list(self.needed)}


# What every scoped plan says, in every format (Terraform's note on -target).
SCOPE_WARNING = (
    "this plan is limited by --only/--target: the rest of the tenant was not compared, so it "
    "may differ from the configuration; scoping is for exceptional situations (a hotfix, a "
    "migration step), not for routine use"
)


def payload_refs(payload: Any) -> tuple[int, ...]:
    """The step indexes a payload names (``renumbered(move)`` is the one way a payload
    exposes them: a recording ``move`` lists them)."""
    renumber = getattr(payload, "renumbered", None)
    if renumber is None:
        return ()
    seen: list[int] = []

    def record(index: int) -> int:
        seen.append(index)
        return index

    renumber(record)
    return tuple(seen)


def needs(step: Any) -> set[int]:
    """The steps ``step`` cannot run without."""
    found = set(step.after) | set(payload_refs(step.payload))
    if getattr(step, "follows", None) is not None:
        found.add(step.follows)
    return found


def closure(steps: Sequence[Any], seeds: Iterable[int], partners: Iterable[tuple[int, int]]) -> set[int]:
    """``seeds`` and everything they need: prerequisites (transitively) and the other half of
    every strict pair (``partners``: (a, b) kept together), to a fixpoint."""
    together: dict[int, set[int]] = {}
    for a, b in partners:
        together.setdefault(a, set()).add(b)
        together.setdefault(b, set()).add(a)
    kept: set[int] = set()
    todo = [i for i in seeds if 0 <= i < len(steps)]
    while todo:
        index = todo.pop()
        if index in kept:
            continue
        kept.add(index)
        todo.extend(i for i in needs(steps[index]) | together.get(index, set()) if i not in kept)
    return kept


def keep_steps(
    steps: Sequence[Any], pairs: Sequence[tuple[int, int]], kept: set[int],
) -> tuple[tuple[Any, ...], tuple[tuple[int, int], ...]]:
    """The ``kept`` steps renumbered from 0 in their order, and the pairs among them.
    ``kept`` must be closed (:func:`closure`): a kept step naming a dropped one is a bug."""
    order = [i for i in range(len(steps)) if i in kept]
    mapping: Mapping[int, int] = {old: new for new, old in enumerate(order)}
    moved = []
    for old in order:
        step = steps[old]
        missing = needs(step) - kept
        if missing:
            raise ValueError(f"step {old + 1} needs step {min(missing) + 1}, which the scope dropped")
        moved.append(step.renumbered(mapping, [mapping[i] for i in step.after]))
    kept_pairs = tuple((mapping[a], mapping[b]) for a, b in pairs if a in kept and b in kept)
    return tuple(moved), kept_pairs
