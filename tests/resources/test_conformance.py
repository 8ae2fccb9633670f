"""The conformance suite, one module for every resource type (as Alembic's suite is for
dialects): each registered type, and each type the tests register themselves, takes its
sample (``conformance.py`` says where it lives) through load, plan against an empty tenant,
plan file, apply, verify, re-plan, render and export. A new type inherits all of it by
adding its sample."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import PlanFileError
from reconciler.planfile import canonical, check_matches, read_plan, step_dicts
from reconciler.render.json import UNTYPED, plan_from_dict, render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.resources.builtin import registry
from tests.resources.conformance import World, reasons_of, samples, type_names, world_for

TYPES = type_names()


@pytest.fixture(scope="module", params=TYPES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    sample = samples().get(request.param)
    if sample is None:
        pytest.fail(f"type {request.param!r} has no conformance sample: add tests/resources/<package>/sample/{request.param}/")
    with world_for(sample, tmp_path_factory.mktemp(request.param)) as made:
        yield made


def test_every_registered_type_has_a_sample() -> None:
    missing = [name for name in registry().names() if name not in samples()]
    assert not missing, f"no conformance sample for {missing}"


def test_loads_its_sample(world: World) -> None:
    assert world.state(world.loaded) is not None, "the type selects nothing from its own sample"


def test_plans_against_an_empty_tenant(world: World) -> None:
    name = world.resource.name
    assert world.first.steps_of(name), "no requests planned for the sample on an empty tenant"
    assert world.first.changes_of(name), "no changes shown for the sample on an empty tenant"
    assert {c.key for c in world.first.changes_of(name)} >= {s.key for s in world.first.steps_of(name)}
    assert world.first.config_digest and world.first.live_fingerprint


def test_applies_and_verifies_clean(world: World) -> None:
    outcome = world.applied
    assert outcome.report.ok, [f.message for f in outcome.report.failed]
    assert not outcome.report.interrupted and outcome.lease_lost is None and outcome.lease_problem is None
    assert outcome.differences == ()
    assert {s.index for s in outcome.report.done} == {s.index for s in world.first.steps}


def test_replans_to_no_change(world: World) -> None:
    assert not world.second.has_changes, render_text(world.second)
    assert not world.second.changes_of(world.resource.name)


def test_plan_file_round_trips(world: World) -> None:
    saved = read_plan(world.plan_file)
    assert canonical(step_dicts(saved.plan)) == canonical(step_dicts(world.first))
    assert canonical(json.loads(render_json(saved.plan))) == canonical(json.loads(render_json(world.first)))
    assert render_text(saved.plan) == render_text(world.first)
    check_matches(saved, world.first)  # the plan it was made from: accepted


def _other_values(value: Any) -> list[Any]:
    """Values a tampered file could hold instead of ``value``: a wrong type, and a different
    value of the same type."""
    if isinstance(value, bool):
        return ["yes", not value]
    if isinstance(value, int):
        return ["7", value + 1]
    if isinstance(value, str):
        return [7, value + "-x"]
    if isinstance(value, list):
        return ["x", value + value[:1] if value else ["x"]]
    if isinstance(value, dict):
        return [[7]]
    return [7]


def _hostile_edits(plan: dict[str, Any], type_name: str) -> Iterator[tuple[str, Callable[[dict[str, Any]], None]]]:
    """(what, edit) pairs, each changing one field this type's first step or change holds
    (one level into nested objects: a payload's fields), or the whole entry."""
    def put(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], None]:
        def edit(data: dict[str, Any]) -> None:
            target: Any = data
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value

        return edit

    for kind in ("steps", "changes"):
        i = next(i for i, e in enumerate(plan[kind]) if e.get("type", UNTYPED) == type_name)
        for key, value in plan[kind][i].items():
            for other in _other_values(value):
                yield f"{kind}[{i}].{key} = {other!r}", put((kind, i, key), other)
            for sub, inner in (value.items() if isinstance(value, dict) else ()):
                for other in _other_values(inner):
                    yield f"{kind}[{i}].{key}.{sub} = {other!r}", put((kind, i, key, sub), other)
        for whole in ("text", None):
            yield f"{kind}[{i}] = {whole!r}", put((kind, i), whole)


def test_plan_file_refuses_hostile_fields(world: World, tmp_path: Path) -> None:
    original = json.loads(world.plan_file.read_text(encoding="utf-8"))
    accepted, escaped = [], []
    for what, edit in _hostile_edits(original, world.resource.name):
        data = json.loads(json.dumps(original))
        edit(data)
        path = tmp_path / "hostile.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            check_matches(read_plan(path), world.first)  # read, then held against a fresh plan
        except PlanFileError as refused:
            assert "\n" not in str(refused) and str(refused), what
            continue
        except Exception as error:  # noqa: BLE001 - any other exception is a traceback for the user
            escaped.append(f"{what}: {type(error).__name__}: {error}")
            continue
        accepted.append(what)
    assert not escaped, f"a traceback instead of one line: {escaped}"
    assert not accepted, f"hostile plan files accepted: {accepted}"


def test_words_every_reason_code_it_declares(world: World) -> None:
    name = world.resource.name
    declared = world.sample.declared()
    for reason in declared:
        assert reason.code.startswith(f"{name}."), f"{reason.code}: a {name} code starts with '{name}.'"
        text = registry().word(reason)
        assert text and text != reason.code, f"{reason.code} is not worded"
        assert "\n" not in text and "{" not in text and "None" not in text, f"{reason.code}: {text!r}"
    # Every reason of this type the suite's plans held is one the sample declares.
    world.second  # noqa: B018
    world.export_plan  # noqa: B018
    held = {r.code for p in world.plans for r in reasons_of(p) if r.code.startswith(f"{name}.")}
    assert held <= {r.code for r in declared}, f"undeclared reason codes: {sorted(held - {r.code for r in declared})}"


def test_renders_in_text_markdown_and_json(world: World) -> None:
    plan, name = world.first, world.resource.name
    text, markdown, as_json = render_text(plan), render_markdown(plan), render_json(plan)
    for change in plan.changes_of(name):
        assert change.key in text, f"text does not name {change.key}"
        assert html.escape(change.key, quote=False) in markdown, f"markdown does not name {change.key}"
    back = plan_from_dict(json.loads(as_json))
    assert [c.key for c in back.changes_of(name)] == [c.key for c in plan.changes_of(name)]
    assert [(s.key, s.operation) for s in back.steps_of(name)] == [(s.key, s.operation) for s in plan.steps_of(name)]
    saved = world.plan_file.read_text(encoding="utf-8")
    for canary in world.canaries():
        for what, output in (("text", text), ("markdown", markdown), ("JSON", as_json), ("plan file", saved)):
            assert canary not in output, f"a keyword value shows in the {what}"


def test_exports_to_a_config_that_plans_to_no_change(world: World) -> None:
    assert world.state(world.exported) is not None, "the export holds nothing of this type"
    assert not world.export_plan.has_changes, render_text(world.export_plan)
    for path in world.export.rglob("*"):
        if path.is_file():
            content = path.read_text(encoding="utf-8", errors="replace")
            for canary in world.canaries():
                assert canary not in content, f"a keyword value is in the export: {path.name}"


def test_a_test_only_type_leaves_no_trace(tmp_path: Path) -> None:
    test_only = [s for s in samples().values() if s.install]
    assert test_only, "the suite is shown with at least one type registered from the tests"
    for sample in test_only:
        before = registry().names()  # (another world of the module may hold it already)
        with world_for(sample, tmp_path / sample.type_name) as world:
            assert sample.type_name in registry().names()
            routes = dict(world.emu.app.resources)
        assert registry().names() == before
        assert set(routes) - set(world.emu.app.resources), "its routes were served while installed"
