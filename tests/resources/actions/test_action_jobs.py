"""How Actions steps are scheduled: a create or update that sends npm dependencies (its build
installs them, the longest) is sent before the other ready steps; nothing else changes."""

from __future__ import annotations

from pathlib import Path

from reconciler.resources.actions.ops import action_jobs
from tests.resources.actions.actions_testlib import action
from tests.resources.actions.fake_actions import FakeClient
from tests.resources.actions.harness import desired, steps

DEP = [{"name": "lodash", "version": "4.17.21"}]


def test_a_build_that_installs_dependencies_is_sent_first(tmp_path: Path) -> None:
    want = desired(tmp_path / "c", [action("a"), action("b", dependencies=DEP), action("c")])
    planned = steps(want, FakeClient())
    jobs = action_jobs(tuple(s for s in planned if s.type == "action"))
    first = sorted((s.operation, s.key) for s in planned if s.type == "action" and jobs[s.index].first)
    assert first == [("create", "b")]
    for s in planned:
        if s.type == "action":
            job = jobs[s.index]
            assert (job.index, job.after, job.wait) == (s.index, s.job().after, s.job().wait)


def test_the_action_type_declares_its_jobs() -> None:
    from reconciler.resources.builtin import registry

    assert registry().get("action").jobs is not None
