"""The Actions exporter on frozen live state: deploy-cli's files and key order, keywords for
secrets, masked keyword values, safe file names, no overwrite without force, the skips."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ReconcilerError
from reconciler.keywords import Keywords
from reconciler.resources.actions.export import export_actions, keyword_names
from reconciler.resources.actions.live import LiveAction, LiveActions, LiveBinding, LiveBindings
from reconciler.resources.actions.rules import check_config
from reconciler.resources.actions.triggers import TriggerVersion
from reconciler.resources.common.secrets import MARKER_PREFIX

PL, CTE = "post-login", "custom-token-exchange"
OFFERED = (
    TriggerVersion(PL, "v3", "CURRENT", ("node22",), "node22", "trigger-bound"),
    TriggerVersion("credentials-exchange", "v2", "CURRENT", ("node22",), "node22", "trigger-bound"),
    TriggerVersion(CTE, "v1", "CURRENT", ("node22",), "node22", "entity-bound"),
)
CANARY = "canary-export-keyword-value-71c3"


def act(name: str, *, id: str | None = None, trigger: str = PL, code: str = "exports.x = 1;\n", secrets: Iterable[str] = (),
        deployed: bool = True, **more: Any) -> LiveAction:
    return LiveAction(
        id=id or f"id-{name}", name=name, supported_triggers=((trigger, "v3" if trigger == PL else "v1"),), code=code,
        runtime="node22", dependencies=(("axios", "1.7.9"),), secret_names=frozenset(secrets), status="built",
        deployed_version_id="v" if deployed else None, deployed_live=deployed, all_changes_deployed=deployed,
        draft_is_deployed=True if deployed else None, **more,
    )


def live(*actions: LiveAction, bound: dict[str, list[str]] | None = None) -> LiveActions:
    by_name = {a.name: a for a in actions}
    lists: dict[str, tuple[LiveBinding, ...]] = {t: () for t in (PL, "credentials-exchange")}
    for trigger, names in (bound or {}).items():
        lists[trigger] = tuple(LiveBinding(by_name[n].id, n, n.title()) for n in names)
    return LiveActions(actions=actions, bindings=LiveBindings(lists), triggers=OFFERED)


def test_files_match_deploy_cli_layout_and_key_order(tmp_path: Path) -> None:
    result = export_actions(live(act("add-claims", secrets={"API_KEY", MARKER_PREFIX + "AB"}), bound={PL: ["add-claims"]}),
                            tmp_path)
    text = (tmp_path / "actions" / "add-claims.json").read_text()
    doc = json.loads(text)
    assert list(doc) == ["name", "code", "runtime", "status", "dependencies", "secrets", "supported_triggers", "deployed"]
    assert doc == {
        "name": "add-claims", "code": "./actions/add-claims/code.js", "runtime": "node22", "status": "built",
        "dependencies": [{"name": "axios", "version": "1.7.9"}],
        "secrets": [{"name": "API_KEY", "value": "##API_KEY##"}],  # the HMAC marker is tooling, not a secret
        "supported_triggers": [{"id": PL, "version": "v3"}], "deployed": True,
    }
    assert text.endswith("}\n") and text.startswith('{\n  "name"')
    assert (tmp_path / "actions" / "add-claims" / "code.js").read_text() == "exports.x = 1;\n"
    triggers = json.loads((tmp_path / "triggers" / "triggers.json").read_text())
    # Every trigger bound through this API, in the tenant's order, [] included; entity-bound ones not.
    assert list(triggers) == [PL, "credentials-exchange"]
    assert triggers == {PL: [{"action_name": "add-claims", "display_name": "Add-Claims"}], "credentials-exchange": []}
    assert result.actions == 1 and result.triggers == 2 and result.keywords == ("API_KEY",)


def test_the_export_validates_with_the_keyword_values_set(tmp_path: Path) -> None:
    export_actions(live(act("a", secrets={"TOKEN"}), act("b"), bound={PL: ["b", "a"]}), tmp_path)
    desired, problems = check_config(tmp_path, Keywords({"TOKEN": "t"}))
    assert not [p for p in problems if p.severity == "error"], problems
    assert desired is not None and [a.name for a in desired.actions] == ["a", "b"]
    assert desired.actions[0].secrets == {"TOKEN": "t"} and desired.bindings.get(PL) == (("b", "B"), ("a", "A"))


def test_deployed_follows_deploy_cli_and_a_bound_action_is_deployed(tmp_path: Path) -> None:
    pending = act("pending", deployed=False)
    drafted = LiveAction(**{**act("drafted").__dict__, "all_changes_deployed": False, "draft_is_deployed": False})
    bound = LiveAction(**{**act("bound").__dict__, "all_changes_deployed": False, "draft_is_deployed": False})
    result = export_actions(live(pending, drafted, bound, bound={PL: ["bound"]}), tmp_path)
    flags = {n: json.loads((tmp_path / "actions" / f"{n}.json").read_text())["deployed"]
             for n in ("pending", "drafted", "bound")}
    assert flags == {"pending": False, "drafted": False, "bound": True}
    assert result.undeployed_drafts == ("bound",)


def test_known_keyword_values_are_masked_in_code(tmp_path: Path) -> None:
    export_actions(live(act("a", code=f"const u = '{CANARY}';\n")), tmp_path, {"URL": CANARY})
    code = (tmp_path / "actions" / "a" / "code.js").read_text()
    assert code == "const u = '##URL##';\n"
    assert not any(CANARY in p.read_text() for p in tmp_path.rglob("*") if p.is_file())


def test_secret_names_that_are_not_keyword_names_get_one(tmp_path: Path) -> None:
    assert keyword_names(["api-key", "api_key", "9lives", "OK"]) == {
        "OK": "OK", "api_key": "api_key", "api-key": "api_key_2", "9lives": "_9lives"}
    result = export_actions(live(act("a", secrets={"api-key"})), tmp_path)
    doc = json.loads((tmp_path / "actions" / "a.json").read_text())
    assert doc["secrets"] == [{"name": "api-key", "value": "##api_key##"}]
    assert result.renamed_secrets == {"a": {"api-key": "api_key"}}


def test_shared_keywords_marketplace_and_duplicates_are_reported(tmp_path: Path) -> None:
    market = LiveAction(**{**act("market").__dict__, "marketplace": True})
    twins = (act("twin", id="1"), act("twin", id="2"))
    result = export_actions(live(act("a", secrets={"K"}), act("b", secrets={"K"}), market, *twins,
                                 bound={PL: ["twin"], "credentials-exchange": []}), tmp_path)
    assert result.shared_keywords == {"K": ("a", "b")}
    assert result.marketplace == ("market",) and result.duplicates == ("twin",)
    assert sorted(p.name for p in (tmp_path / "actions").glob("*.json")) == ["a.json", "b.json"]
    # The list binding a duplicate name is left out (unmanaged), never written half.
    assert json.loads((tmp_path / "triggers" / "triggers.json").read_text()) == {"credentials-exchange": []}
    assert result.held_triggers == (PL,)


def test_entity_bound_trigger_actions_are_exported_without_bindings(tmp_path: Path) -> None:
    result = export_actions(live(act("exchange", trigger=CTE)), tmp_path)
    assert (tmp_path / "actions" / "exchange.json").exists() and result.entity_bound == (CTE,)
    assert CTE not in json.loads((tmp_path / "triggers" / "triggers.json").read_text())


HOSTILE = ["../../x", "a/b", "a\\b", ".hidden", "..", "CON", "nul\x00byte", "new\nline", "é", "x" * 300, "A", "a",
           "bad\ud800surrogate"]


def test_hostile_names_stay_inside_and_keep_their_name(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    result = export_actions(live(*(act(n, id=f"id{i}") for i, n in enumerate(HOSTILE))), out)
    files = [p.relative_to(out) for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.parts[0] in ("actions", "triggers") for p in files), files
    assert len([p for p in files if p.name == "code.js"]) == len(HOSTILE)
    names = {json.loads(p.read_text())["name"] for p in (out / "actions").glob("*.json")}
    assert names == set(HOSTILE)
    for name, stem in result.encoded.items():
        doc = json.loads((out / "actions" / f"{stem}.json").read_text())
        assert doc["name"] == name and doc["code"] == f"./actions/{stem}/code.js"


def test_never_overwrites_without_force_and_never_writes_through_a_link(tmp_path: Path) -> None:
    export_actions(live(act("a")), tmp_path)
    (tmp_path / "actions" / "a" / "code.js").write_text("// my edit\n")
    with pytest.raises(ReconcilerError, match="--force"):
        export_actions(live(act("a"), act("b")), tmp_path)
    assert (tmp_path / "actions" / "a" / "code.js").read_text() == "// my edit\n"
    assert not (tmp_path / "actions" / "b.json").exists()  # nothing written when refused
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "actions" / "b").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ReconcilerError, match="actions/b"):
        export_actions(live(act("b")), tmp_path / ".")
    export_actions(live(act("a"), act("b")), tmp_path, force=True)
    assert list(outside.iterdir()) == [] and not (tmp_path / "actions" / "b").is_symlink()
    assert (tmp_path / "actions" / "a" / "code.js").read_text() == "exports.x = 1;\n"


def test_another_json_in_triggers_is_never_left_beside_triggers_json(tmp_path: Path) -> None:
    (tmp_path / "triggers").mkdir()
    (tmp_path / "triggers" / "a-bindings.json").write_text("{}")
    for force in (False, True):
        with pytest.raises(ReconcilerError, match="a-bindings.json"):
            export_actions(live(act("a")), tmp_path, force=force)
    assert not os.path.exists(tmp_path / "actions")
