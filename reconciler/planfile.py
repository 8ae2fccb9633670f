"""Saved plans: ``plan --out FILE`` writes one, ``apply FILE`` executes exactly it.

The file records the config digest and a fingerprint of the live tenant, so a plan that no
longer describes reality is refused instead of applied. It never holds a secret value:
secret steps carry key names and the values are read from the environment at apply time.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from reconciler.errors import ReconcilerError
from reconciler.plan import Plan
from reconciler.render.json import FORMAT_VERSION, plan_from_dict, plan_to_dict


class PlanFileError(ReconcilerError):
    """A saved plan that cannot be read or no longer applies."""


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    config: str
    created_at: str
    format_version: int = FORMAT_VERSION


def write_plan(plan: Plan, path: str | os.PathLike[str], *, config: str) -> None:
    data = plan_to_dict(plan)
    data["config"] = config
    data["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    target = Path(path)
    # Write then rename, so a crash never leaves half a plan behind.
    with tempfile.NamedTemporaryFile(
        "w", dir=target.parent or ".", prefix=f".{target.name}.", delete=False, encoding="utf-8"
    ) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(handle.name, target)


def read_plan(path: str | os.PathLike[str]) -> SavedPlan:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanFileError(f"{path}: no such plan file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanFileError(f"{path}: not a readable plan file ({error.__class__.__name__})") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanFileError(f"{path}: not a reconciler plan file (no format_version)")
    if data["format_version"] != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: format_version {data['format_version']} is not supported "
            f"(this reconciler reads {FORMAT_VERSION}); make the plan again"
        )
    try:
        plan = plan_from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise PlanFileError(f"{path}: malformed plan file ({error})") from None
    return SavedPlan(plan, str(data.get("config", "tenant-config")), str(data.get("created_at", "")))


def check_fresh(saved: SavedPlan, *, config_digest: str, live_fingerprint: str) -> None:
    """Refuse a plan made for review only, or against another config or tenant state."""
    if saved.plan.review_only:
        raise PlanFileError(
            "this plan was made without keyword values (--allow-missing-keywords): it is for "
            "review only; make the plan again with the values set"
        )
    if saved.plan.config_digest != config_digest:
        raise PlanFileError(
            "stale plan: the config changed since the plan was made; run `reconciler plan` again"
        )
    if saved.plan.live_fingerprint != live_fingerprint:
        raise PlanFileError(
            "stale plan: the live tenant changed since the plan was made; run `reconciler plan` again"
        )
