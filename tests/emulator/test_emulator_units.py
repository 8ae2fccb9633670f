"""Small pure pieces: ULIDs, fault specs, token bucket, package isolation."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from reconciler.emulator.limits import Faults, TokenBucket, parse_faults
from reconciler.emulator.ulid import ALPHABET, new_ulid, ulid_time_ms


def test_ulid_format_and_order() -> None:
    ids = [new_ulid() for _ in range(2000)]
    assert all(len(i) == 26 and set(i) <= set(ALPHABET) for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert abs(ulid_time_ms(ids[-1]) - time.time() * 1000) < 5000
    assert ids[0][0] in "01234567"  # 48-bit timestamp: first char <= 7


def test_parse_faults() -> None:
    assert parse_faults("429=0.2, 500=0.05,reset=0.02,500after=0.1") == {
        "429": 0.2, "500": 0.05, "reset": 0.02, "500after": 0.1}
    assert parse_faults(None) == {} and parse_faults("") == {}
    for bad in ("teapot=0.1", "500=2", "500", "200=0.1", "500=0.6,503=0.6"):
        with pytest.raises(ValueError):
            parse_faults(bad)


def test_faults_probabilities() -> None:
    f = Faults(parse_faults("500=0.25,reset=0.25,503after=0.5"), seed=3)
    picks = [f.pick_before() for _ in range(4000)]
    assert 800 < picks.count("500") < 1200 and 800 < picks.count("reset") < 1200
    assert 1700 < sum(f.pick_after() == "503" for _ in range(4000)) < 2300


def test_token_bucket() -> None:
    b = TokenBucket(rate=10, burst=3)
    d = [b.take() for _ in range(4)]
    assert [x.allowed for x in d] == [True, True, True, False]
    assert [x.remaining for x in d] == [2, 1, 0, 0]
    assert all(x.limit == 3 for x in d)
    assert d[3].retry_after == 1 and d[3].reset >= int(time.time())
    time.sleep(0.15)
    assert b.take().allowed
    unlimited = TokenBucket(rate=0, burst=5)
    assert all(unlimited.take().allowed for _ in range(100))


def test_package_is_self_contained() -> None:
    pkg = Path(__file__).resolve().parents[2] / "reconciler" / "emulator"
    for py in pkg.glob("*.py"):
        for node in ast.walk(ast.parse(py.read_text())):
            mods = []
            if isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            for m in mods:
                if m.startswith("reconciler"):
                    assert m.startswith("reconciler.emulator"), f"{py.name} imports {m}"


def test_api_rules_agree_with_the_reconciler() -> None:
    # The emulator keeps its own copy of the API's rules (it imports nothing else from
    # `reconciler`); the reconciler's copy is model.py, mirrored by the JSON Schema.
    from reconciler.emulator import store, validation
    from reconciler.resources.common.secrets import MASKED_SECRET
    from reconciler.resources.hooks import model
    from reconciler.resources.hooks.schema import schema

    assert validation.TRIGGERS == model.TRIGGERS
    assert validation.NAME_PATTERN == model.NAME_PATTERN
    assert validation.MAX_SECRETS == model.MAX_SECRETS
    assert store.MASK == MASKED_SECRET
    props = schema()["properties"]
    assert tuple(props["triggerId"]["enum"]) == model.TRIGGERS
    assert props["name"]["pattern"] == model.NAME_PATTERN
    assert props["secrets"]["maxProperties"] == model.MAX_SECRETS


def test_timeline_records_changes_per_trigger_with_request_seq() -> None:
    from reconciler.emulator.timeline import Timeline

    t = Timeline(("hooks", "actions"))
    t.tick()
    t.observe("hooks", {"pur": ["h"]})
    t.tick()
    t.observe("actions", {"pur": ["a"]})
    t.observe("actions", {"pur": ["a"]})  # no change: no entry
    t.tick()
    t.observe("hooks", {})  # the hook is gone from every trigger
    assert [(e["seq"], e["hooks"], e["actions"]) for e in t.history()["pur"]] == [
        (1, ["h"], []), (2, ["h"], ["a"]), (3, [], ["a"])]
    assert [e["actions"] for e in t.history("actions")["pur"]] == [["a"]]
    t.clear()
    assert t.history() == {} and t.seq == 0


def test_bad_dependencies_and_build_options() -> None:
    from reconciler.emulator.options import EmulatorOptions, parse_bad_dependencies

    assert parse_bad_dependencies("crypto@17.7.1, evil") == ("crypto@17.7.1", "evil")
    assert parse_bad_dependencies(["@scope/pkg@1.0"]) == ("@scope/pkg@1.0",)
    for bad in ("x@", [""], [3]):
        with pytest.raises(ValueError):
            parse_bad_dependencies(bad)
    with pytest.raises(ValueError):
        EmulatorOptions(build_time=-1)


def test_app_core_knows_no_resource_type() -> None:
    """The seam: app.py and server.py route by prefix; hook/action words live in resources/."""
    root = Path(__file__).resolve().parents[2] / "reconciler" / "emulator"
    for name in ("server.py", "app.py"):
        text = (root / name).read_text()
        assert '"/hooks' not in text and '"/actions' not in text and "Tenant" not in text, name
        assert "def _list" not in text and "create_hook" not in text, name
