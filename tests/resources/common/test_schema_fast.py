"""The fast yes/no check (reconciler.resources.common.schema_fast): compiled from a schema, only
for the keywords it knows, and never kinder than jsonschema."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.resources.common.schema_fast import compile_fast

REPO = Path(__file__).resolve().parents[3]
BASE = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def test_an_unknown_keyword_means_no_fast_check() -> None:
    """Unknown keywords would be ignored, so the check would accept too much: refuse instead."""
    assert compile_fast({"type": "object", "anyOf": [{"required": ["a"]}]}) is None
    assert compile_fast({"type": ["string", "null"]}) is None
    assert compile_fast({"properties": {"a": {"oneOf": []}}}) is None
    assert compile_fast({"items": {"const": 1}}) is None


def test_the_subset_it_knows() -> None:
    check = compile_fast({
        "type": "object", "required": ["a"], "maxProperties": 2, "additionalProperties": False,
        "properties": {"a": {"type": "string", "pattern": "^x", "minLength": 2, "maxLength": 3},
                       "b": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"enum": [1, True]}}},
    })
    assert check is not None
    assert check({"a": "xy"}) and check({"a": "xyz", "b": [1, True]})
    assert not check({}) and not check({"a": "y1"}) and not check({"a": "x"}) and not check({"a": "xyzw"})
    assert not check({"a": "xy", "c": 1}) and not check({"a": "xy", "b": []}) and not check({"a": "xy", "b": [1, 1, 1]})
    assert not check({"a": "xy", "b": [2]}) and not check({"a": "xy", "b": ["1"]}) and not check({"a": 5})
    assert not check([]) and not check("xy")
    assert compile_fast(True)(object()) and not compile_fast(False)(None)  # type: ignore[misc]


def test_fast_schema_path_agrees_with_jsonschema(tmp_path: Path) -> None:
    """The fast yes/no check is built from the schema; it must never accept what jsonschema rejects."""
    import yaml
    from jsonschema import Draft202012Validator

    from reconciler.resources.hooks.schema import schema

    fast = compile_fast(schema())
    assert fast is not None
    full = Draft202012Validator(schema())
    docs: list[object] = []
    for path in (p for corpus in (REPO / "tests" / "resources").glob("*/bad_configs") for p in corpus.rglob("*")):
        try:
            if path.suffix == ".json" and path.parent.name == "hooks":
                docs.append(json.loads(path.read_text()))
            elif path.suffix in (".yaml", ".yml"):
                data = yaml.safe_load(path.read_text())
                docs.extend(data["hooks"] if isinstance(data, dict) and isinstance(data.get("hooks"), list) else [data])
        except Exception:  # broken on purpose: nothing to compare
            continue
    docs += [json.loads(p.read_text()) for p in (REPO / "tenant-config" / "hooks").glob("*.json")]
    docs += [BASE, {**BASE, "enabled": 1}, {**BASE, "enabled": 0}, {**BASE, "triggerId": True}, {**BASE, "secrets": {}}]
    assert len(docs) > 80
    for doc in docs:
        assert fast(doc) == full.is_valid(doc), doc
