"""A config directory holding hooks, written the way deploy-cli exports them."""

from __future__ import annotations

from pathlib import Path


def hook_config(root: Path, name: str, trigger: str, code: str, *, enabled: bool = True,
                secrets: dict[str, str] | None = None, dependencies: dict[str, str] | None = None) -> Path:
    """A config directory holding one hook (added to ``root``)."""
    import json

    hooks = root / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / f"{name}.js").write_text(code)
    meta = {"name": name, "triggerId": trigger, "enabled": enabled, "script": f"./{name}.js",
            "dependencies": dependencies or {}, "secrets": secrets or {}}
    (hooks / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
    return root
