"""The shipped schemas are valid draft 2020-12, agree with triggers.py, and `reconciler schema` prints them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from reconciler.cli import cli
from reconciler.resources.actions import triggers as known
from reconciler.resources.actions.schema import schema_text
from tests.shared_api import RECORDINGS_DIR

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("kind", ["action", "triggers"])
def test_schema_is_valid_and_shipped_file_is_the_repo_file(kind: str) -> None:
    text = schema_text(kind)
    Draft202012Validator.check_schema(json.loads(text))
    assert text == (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_schemas_list_exactly_the_known_triggers_and_runtimes() -> None:
    action = json.loads(schema_text("action"))
    trigger = action["properties"]["supported_triggers"]["items"]["properties"]
    assert trigger["id"]["enum"] == list(known.TRIGGER_IDS)
    assert sorted(action["properties"]["runtime"]["enum"]) == sorted(known.RUNTIMES)
    bindings = json.loads(schema_text("triggers"))
    assert bindings["propertyNames"]["enum"] == list(known.TRIGGER_IDS)
    entity_bound = sorted(t for t in known.TRIGGER_IDS if not known.bindable(t))
    assert entity_bound == ["custom-token-exchange", "event-stream", "mcp-tool", "password-hash-migration"]
    assert all(t in bindings["description"] for t in entity_bound)


def test_trigger_data_matches_the_recorded_tenant() -> None:
    recording = RECORDINGS_DIR / "auth0-deploy-cli_e2e_actions-excerpt.json"
    if not recording.is_file():
        pytest.skip(f"{recording} not present (shared/ holds the Auth0 API recordings)")
    found: list[dict[str, Any]] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            items = x.get("triggers")
            if isinstance(items, list) and items and isinstance(items[0], dict) and "runtimes" in items[0] and not found:
                found.extend(items)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(json.loads(recording.read_text()))
    assert found
    live = {(t["id"], t["version"]): (t["status"], tuple(t["runtimes"]), t["default_runtime"], t["binding_policy"]) for t in found}
    ours = {(t.id, t.version): (t.status, t.runtimes, t.default_runtime, t.binding_policy) for t in known.KNOWN}
    assert ours == live


def test_limits_in_the_schema_are_auth0s() -> None:
    props = json.loads(schema_text("action"))["properties"]
    assert props["dependencies"]["maxItems"] == 10 and props["secrets"]["maxItems"] == 30
    secret = props["secrets"]["items"]["properties"]
    assert secret["name"]["maxLength"] == 128 and secret["value"]["maxLength"] == 4096
    assert json.loads(schema_text("triggers"))["additionalProperties"]["maxItems"] == 20


@pytest.mark.parametrize("args,kind", [([], "hook"), (["hook"], "hook"), (["action"], "action"), (["triggers"], "triggers")])
def test_schema_command_prints_each(args: list[str], kind: str) -> None:
    result = CliRunner().invoke(cli, ["schema", *args])
    assert result.exit_code == 0
    assert result.output == (REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_schema_command_rejects_unknown_kind() -> None:
    # A usage error exits 1 (2 is kept for "changes present" under --detailed-exitcode).
    result = CliRunner().invoke(cli, ["schema", "rule"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_wheel_ships_the_schemas() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"reconciler.resources.actions" = ["action.schema.json", "triggers.schema.json"]' in pyproject
    for kind in ("action", "triggers"):
        link = REPO / "reconciler" / "resources" / "actions" / f"{kind}.schema.json"
        assert link.is_file() and link.resolve() == (REPO / "schemas" / f"{kind}.schema.json").resolve()
