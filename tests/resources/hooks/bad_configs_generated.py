"""The hooks' bad-config cases built at run time: what a committed directory cannot hold
(symlinks, FIFOs, a sparse 50 MB script, binary and over-size files). The committed cases
are in ``bad_configs/`` beside this file; ``tests/bad_config_corpus.py`` runs both."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bad_config_case import BadConfig

JS = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, {});\n};\n"
GOOD = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def _hook_dir(root: Path, meta: dict[str, Any] | None = None, js: bytes | str | None = JS) -> Path:
    hooks = root / "config" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "h.json").write_text(json.dumps(meta or GOOD))
    if js is not None:
        (hooks / "h.js").write_bytes(js.encode() if isinstance(js, str) else js)
    return root / "config"


def _script_symlink_outside(root: Path) -> BadConfig:
    config = _hook_dir(root, js=None)
    (root / "outside.js").write_text(JS)
    (config / "hooks" / "h.js").symlink_to(root / "outside.js")
    return BadConfig("", config, ("hooks/h.json: script: './h.js' is a symlink that resolves outside",))


def _script_dir_symlink_outside(root: Path) -> BadConfig:
    config = _hook_dir(root, {**GOOD, "script": "./lib/h.js"}, js=None)
    (root / "lib").mkdir()
    (root / "lib" / "h.js").write_text(JS)
    (config / "hooks" / "lib").symlink_to(root / "lib", target_is_directory=True)
    return BadConfig("", config, ("hooks/h.json: script: './lib/h.js' is a symlink that resolves outside",))


def _metadata_symlink_outside(root: Path) -> BadConfig:
    config = _hook_dir(root)
    (root / "elsewhere.json").write_text(json.dumps({**GOOD, "name": "other"}))
    (config / "hooks" / "other.json").symlink_to(root / "elsewhere.json")
    return BadConfig("", config, ("hooks/other.json: (file): is a symlink that resolves outside",))


def _metadata_broken_symlink(root: Path) -> BadConfig:
    config = _hook_dir(root)
    (config / "hooks" / "gone.json").symlink_to(root / "missing.json")
    return BadConfig("", config, ("hooks/gone.json: (file): is a broken symlink",))


def _script_too_large(root: Path) -> BadConfig:
    config = _hook_dir(root, js="//" + "x" * (100 * 1024 - 2) + "\n")
    return BadConfig("", config, ("hooks/h.js: script: is 102401 bytes; the limit is 102400 bytes",))


def _script_too_large_after_keywords(root: Path) -> BadConfig:
    config = _hook_dir(root, js="var table = @@LOOKUP_TABLE@@;\n" + JS)
    env = {"AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"LOOKUP_TABLE": ["y" * 64] * 2000})}
    return BadConfig("", config, ("hooks/h.js: script: is", "after keyword replacement; the limit is 102400"), env)


def _script_huge(root: Path) -> BadConfig:
    config = _hook_dir(root, js=None)
    with open(config / "hooks" / "h.js", "wb") as f:  # sparse: 50 MB that costs no disk
        f.truncate(50 * 1024 * 1024)
    return BadConfig("", config, ("hooks/h.js: script: is 52428800 bytes",))


def _script_binary(root: Path) -> BadConfig:
    config = _hook_dir(root, js=b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    return BadConfig("", config, ("hooks/h.js: script: is a binary file",))


def _script_not_utf8(root: Path) -> BadConfig:
    config = _hook_dir(root, js="// caf\u00e9 hook\n".encode("latin-1") + JS.encode())
    return BadConfig("", config, ("hooks/h.js: script: is not valid UTF-8",))


def _script_fifo(root: Path) -> BadConfig:
    config = _hook_dir(root, js=None)
    os.mkfifo(config / "hooks" / "h.js")  # reading it would hang: must be refused unread
    return BadConfig("", config, ("hooks/h.json: script: script", "is not a regular file"))


def _metadata_fifo(root: Path) -> BadConfig:
    config = _hook_dir(root)
    os.mkfifo(config / "hooks" / "other.json")  # skipped before: the hook counted as removed
    return BadConfig("", config, ("hooks/other.json: (file): is a FIFO, not a metadata file",))


def _metadata_symlink_to_fifo(root: Path) -> BadConfig:
    config = _hook_dir(root)
    os.mkfifo(config / "pipe")
    (config / "hooks" / "other.yaml").symlink_to(config / "pipe")
    return BadConfig("", config, ("hooks/other.yaml: (file): is a FIFO, not a metadata file",))


def _metadata_device_symlink(root: Path) -> BadConfig:
    config = _hook_dir(root)
    (config / "hooks" / "other.json").symlink_to("/dev/null")
    return BadConfig("", config, ("hooks/other.json: (file): is a symlink that resolves outside",))


def _metadata_not_utf8(root: Path) -> BadConfig:
    config = _hook_dir(root)
    (config / "hooks" / "h.json").write_bytes(json.dumps({**GOOD, "name": "caf\u00e9"}, ensure_ascii=False).encode("latin-1"))
    return BadConfig("", config, ("hooks/h.json: (file): is not valid UTF-8",))


def _metadata_too_large(root: Path) -> BadConfig:
    config = _hook_dir(root)
    (config / "hooks" / "h.json").write_text(json.dumps(GOOD) + " " * (1024 * 1024))
    return BadConfig("", config, ("hooks/h.json: (file): is 1048", "metadata over 1048576 bytes is refused"))


GENERATED: dict[str, Callable[[Path], BadConfig]] = {
    "gen-script-symlink-outside": _script_symlink_outside,
    "gen-script-dir-symlink-outside": _script_dir_symlink_outside,
    "gen-metadata-symlink-outside": _metadata_symlink_outside,
    "gen-metadata-broken-symlink": _metadata_broken_symlink,
    "gen-script-too-large": _script_too_large,
    "gen-script-too-large-after-keywords": _script_too_large_after_keywords,
    "gen-script-huge-sparse": _script_huge,
    "gen-script-binary": _script_binary,
    "gen-script-not-utf8": _script_not_utf8,
    "gen-metadata-not-utf8": _metadata_not_utf8,
    "gen-metadata-too-large": _metadata_too_large,
}
if os.path.exists("/dev/null"):
    GENERATED["gen-metadata-device-symlink"] = _metadata_device_symlink
if hasattr(os, "mkfifo"):
    GENERATED["gen-script-fifo"] = _script_fifo
    GENERATED["gen-metadata-fifo"] = _metadata_fifo
    GENERATED["gen-metadata-symlink-to-fifo"] = _metadata_symlink_to_fifo
