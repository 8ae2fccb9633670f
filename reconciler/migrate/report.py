"""What migrate and migrate --check say: one line per hook, then the details (all masked)."""

from __future__ import annotations

import json

from reconciler.migrate.check import DIFFERS, UNVERIFIED
from reconciler.migrate.generate import ADAPTED
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
        lines.extend(f"  note: {note}" for note in (*migrated.notes, *result.notes))
        if migrated.verdict is not None:
            lines.extend(f"  hazard: {hazard}" for hazard in migrated.verdict.hazards())
            if migrated.status == ADAPTED and migrated.verdict.hazards():
                lines.append("  note: the adapter waits for that work before its handler returns (at most 5 s)")
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
        lines.extend(f"  hazard: {hazard}" for hazard in verdict.hazards())
    return lines


def check_exit_code(checked: list[Checked]) -> int:
    """0 every hook ok, 1 an action differs from its hook, 3 none differs but some are unverified."""
    verdicts = {item.verdict.verdict for item in checked}
    return 1 if DIFFERS in verdicts else 3 if UNVERIFIED in verdicts else 0
