"""Builders for Actions configs in deploy-cli's directory layout and YAML format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CODE = "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('https://example.com/x', 1);\n};\n"


def action(name: str = "a", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": name,
        "code": f"./actions/{name}/code.js",
        "runtime": "node22",
        "dependencies": [],
        "secrets": [],
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "deployed": True,
    }
    doc.update(extra)
    return {k: v for k, v in doc.items() if v is not None}


def write_dir(root: Path, actions: list[dict[str, Any]] | None = None, triggers: Any = None,
              code: Mapping[str, str | bytes | None] | None = None) -> Path:
    """A config directory with actions/<name>.json, actions/<name>/code.js and triggers.json."""
    root.mkdir(parents=True, exist_ok=True)
    if actions is not None:
        (root / "actions").mkdir(exist_ok=True)
        for doc in actions:
            name = doc["name"] if isinstance(doc.get("name"), str) and doc["name"] else "a"
            (root / "actions" / f"{name}.json").write_text(json.dumps(doc, indent=2))
            body = (code or {}).get(name, CODE)
            if body is not None:
                (root / "actions" / str(name)).mkdir(exist_ok=True)
                path = root / "actions" / str(name) / "code.js"
                path.write_bytes(body.encode() if isinstance(body, str) else body)
    if triggers is not None:
        (root / "triggers").mkdir(exist_ok=True)
        text = triggers if isinstance(triggers, str) else json.dumps(triggers, indent=2)
        (root / "triggers" / "triggers.json").write_text(text)
    return root
