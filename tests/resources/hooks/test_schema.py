"""The hook JSON Schema (reconciler.resources.hooks.schema): the shipped file, the `schema`
command, and one problem per field through ``schema_problems``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.resources.common.documents import Source
from reconciler.resources.hooks.schema import schema, schema_problems, schema_text

REPO = Path(__file__).resolve().parents[3]
BASE = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def source(data: object, raw: object = None, unresolved: frozenset[str] = frozenset(), prefix: str = "") -> Source:
    return Source("hooks/h.json", prefix, Path("."), ".", "/", data, data if raw is None else raw, unresolved)


def test_schema_command_prints_the_schema_file() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed == json.loads((REPO / "schemas" / "hook.schema.json").read_text())
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema" and "$id" in printed
    assert schema_text() == (REPO / "schemas" / "hook.schema.json").read_text()


def test_packaged_schema_is_a_relative_symlink_to_the_repo_schema() -> None:
    link = REPO / "reconciler" / "resources" / "hooks" / "hook.schema.json"
    assert link.is_symlink() and os.readlink(link) == "../../../schemas/hook.schema.json"


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(schema_text()))


def test_a_valid_hook_has_no_problems() -> None:
    assert list(schema_problems(source(BASE))) == []
    assert schema() == json.loads(schema_text())


def test_one_error_per_field_in_the_users_terms() -> None:
    problems = list(schema_problems(source({**BASE, "triggerId": "nope", "enabld": True, "dependencies": {"a": 1}})))
    assert sorted(p.field for p in problems) == ["dependencies.a", "enabld", "triggerId"]
    assert all(p.is_error and p.path == "hooks/h.json" for p in problems)
    by_field = {p.field: p.message for p in problems}
    assert by_field["enabld"] == "unknown field; did you mean 'enabled'?"
    assert by_field["triggerId"].startswith("must be one of: credentials-exchange") and by_field["triggerId"].endswith(', got "nope"')
    assert by_field["dependencies.a"] == "must be a string, got a number"


def test_fields_are_prefixed_in_the_yaml_layout_and_unresolved_keywords_are_not_repeated() -> None:
    data = {**BASE, "triggerId": "", "name": 5}
    problems = list(schema_problems(source(data, raw={**BASE, "triggerId": "##T##", "name": 5}, unresolved=frozenset({"triggerId"}), prefix="hooks[2].")))
    assert [p.field for p in problems] == ["hooks[2].name"]


def test_a_value_from_a_keyword_is_never_quoted() -> None:
    secret = "sk_live_from_keyword"
    problems = list(schema_problems(source({**BASE, "triggerId": secret}, raw={**BASE, "triggerId": "##TRIGGER##"})))
    (problem,) = problems
    assert problem.field == "triggerId" and secret not in str(problem)
