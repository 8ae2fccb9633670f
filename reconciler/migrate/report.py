"""What migrate and migrate --check say: one line per hook, then the details (all masked)."""

from __future__ import annotations

import json

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
    lines.extend(f"note: {note}" for note in migration.notes)
    return lines


def check_lines(checked: list[Checked]) -> list[str]:
    """A line per hook; for a difference, the event and both effects as JSON."""
    lines = []
    for item in checked:
        count = len(item.comparisons)
        events = "1 event" if count == 1 else f"{count} events"
        if item.same:
            lines.append(f"ok {item.hook}: the hook and the {item.action_from} action have the same effects on {events}")
        for comparison in item.comparisons:
            if comparison.same:
                continue
            lines.append(f"DIFFERS {item.hook} on event {comparison.event!r}: {', '.join(comparison.differing())}")
            lines.append(json.dumps(comparison.to_dict(), indent=2, sort_keys=True))
        lines.extend(hazard_lines(item.hazards))
    return lines


def hazard_lines(hazards: tuple[Hazard, ...]) -> list[str]:
    """``  hazard: <what> (line N)`` for each hazard found in a hook."""
    return [f"  hazard: {h.message} (line {h.line})" for h in hazards]
