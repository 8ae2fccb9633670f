"""octoDNS-style safety: refuse a plan that deletes too large a share of what exists."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import PlanError


@dataclass(frozen=True)
class DeleteThreshold:
    max_share: float = 0.3  # refuse to delete more than this share of the live resources...
    min_existing: int = 10  # ...when at least this many exist
    force: bool = False


def check_delete_threshold(deletes: int, existing: int, threshold: DeleteThreshold, noun: str) -> None:
    """Raise ``PlanError`` when ``deletes`` of ``existing`` ``noun`` is too many."""
    if threshold.force or existing < threshold.min_existing:
        return
    if deletes > existing * threshold.max_share:
        raise PlanError(
            f"refusing to delete {deletes} of {existing} {noun} (more than "
            f"{threshold.max_share:.0%}); check the config, or pass --force"
        )
