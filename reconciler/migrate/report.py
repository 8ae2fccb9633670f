"""What migrate and migrate --check say: one line per hook, then the details (all masked)."""

from __future__ import annotations

import json

from reconciler.migrate.check import DIFFERS, UNVERIFIED, Verdict
from reconciler.migrate.generate import ADAPTED
from reconciler.migrate.hazards import Hazard
from reconciler.migrate.migration import CONFLICT, UP_TO_DATE, Checked, Migration


def migration_lines(migration: Migration) -> list[str]:
    """``name: translated``, ``name: adapted (why)``, ``name: needs a person (why)``, with notes."""
    lines = []
    for result in migration.results:
        migrated = result.migrated
        if result.state == CONFLICT:
            lines.append(f"{migrated.name}: conflict ({result.conflict})")
            continue
        why = f" ({migrated.why})" if migrated.why else ""
        tail = " [up to date]" if result.state == UP_TO_DATE else ""
        lines.append(f"{migrated.name}: {migrated.status}{why}{tail}")
        lines.extend(hazard_lines(migrated.hazards))
        lines.extend(f"  note: {note}" for note in (*migrated.notes, *result.notes))
        if migrated.verdict is not None:
            lines.extend(_seen_hazards(migrated.verdict, migrated.hazards))
            left_running = migrated.verdict.hazards() or any(h.kind == "pending-work" for h in migrated.hazards)
            if migrated.status == ADAPTED and left_running:
                lines.append("  note: the adapter waits for work the hook leaves running before its handler returns (at most 5 s)")
    lines.extend(f"note: {note}" for note in migration.notes)
    return lines


def check_lines(checked: list[Checked]) -> list[str]:
    """A line per hook (``ok``, ``DIFFERS``, ``unverified``); for a difference, both effects as JSON."""
    lines = []
    for item in checked:
        verdict = item.verdict
        if verdict.verdict == DIFFERS:
            for run in verdict.differing[:3]:
                lines.append(f"DIFFERS {item.hook} on event {run.case!r}: {', '.join(run.differing())}")
                lines.append(json.dumps(run.to_dict(), indent=2, sort_keys=True))
        else:
            lines.append(f"{verdict.verdict} {item.hook}: {verdict.why} (the {item.action_from} action)")
        lines.extend(hazard_lines(item.hazards))
        lines.extend(_seen_hazards(verdict, item.hazards))
    return lines


def check_exit_code(checked: list[Checked]) -> int:
    """0 every hook ok, 1 an action differs from its hook, 3 none differs but some are unverified."""
    verdicts = {item.verdict.verdict for item in checked}
    return 1 if DIFFERS in verdicts else 3 if UNVERIFIED in verdicts else 0


def hazard_lines(hazards: tuple[Hazard, ...]) -> list[str]:
    """``  hazard: <what> (line N)`` for each hazard found in a hook."""
    return [f"  hazard: {h.message} (line {h.line})" for h in hazards]


def _seen_hazards(verdict: Verdict, found: tuple[Hazard, ...]) -> list[str]:
    """What the runs saw that the static look did not already name (work left running)."""
    if any(h.kind == "pending-work" for h in found):
        return []
    return [f"  hazard: {hazard} (seen in the runs)" for hazard in verdict.hazards()]
