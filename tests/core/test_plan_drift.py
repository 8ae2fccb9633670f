"""Plan.has_drift asks each type: steps, unmanaged names and skipped changes as before, and a
type's own ``drift`` extra (differences only its warnings tell: Actions' kept replaced actions)."""

from __future__ import annotations

import click

from reconciler.core.plan import DRIFT, Plan, assemble
from reconciler.core.planner import TypePlan
from reconciler.core.reasons import Reason
from reconciler.render.json import plan_from_dict, plan_to_dict
from reconciler.render.text import NO_CHANGES, NOTHING_TO_APPLY, render_text

KEPT = Reason.of("action.replaced_kept", name="a", trigger="post-login")


def _plan(*parts: TypePlan) -> Plan:
    return assemble(list(parts))


def test_a_type_that_says_drift_makes_a_plan_without_steps_drift() -> None:
    plan = _plan(TypePlan("hook"), TypePlan("action"), TypePlan("bindings", warnings=(KEPT,), extras=((DRIFT, True),)))
    assert not plan.has_changes and plan.has_drift
    assert click.unstyle(render_text(plan)).rstrip().endswith(NOTHING_TO_APPLY)


def test_warnings_alone_are_no_drift_unless_their_type_says_so() -> None:
    """The core reads no reason code: a hooks warning (its type sets no ``drift``) keeps a
    plan without steps at 'No changes', as before."""
    secrets_kept = Reason.of("hook.secrets_kept", name="a", keys=["OLD"])
    plan = _plan(TypePlan("hook", warnings=(secrets_kept,)))
    assert not plan.has_drift
    assert click.unstyle(render_text(plan)).rstrip().endswith(NO_CHANGES)
    assert not _plan(TypePlan("action", extras=((DRIFT, "yes"),))).has_drift  # only True counts


def test_drift_survives_a_plan_file() -> None:
    plan = _plan(TypePlan("action"), TypePlan("bindings", warnings=(KEPT,), extras=((DRIFT, True),)))
    data = plan_to_dict(plan)
    assert data["has_drift"] is True and data["has_changes"] is False
    assert plan_from_dict(data).has_drift
    data["has_drift"] = "true"  # a hostile file: only a JSON true counts
    assert not plan_from_dict(data).has_drift
