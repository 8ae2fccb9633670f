"""The bad-config corpus: malformed configs that must fail cleanly (exit 1, the file and
field named, no traceback, no secret value echoed), kept beside each type's tests.

Each case is data: ``tests/resources/<kind>/bad_configs/<case>/`` (kind: ``hooks``,
``actions``, or ``common`` for what no type owns: a missing config, a file of the wrong
kind, no type's folder at all) holds the config (``hooks/...``, ``actions/...``,
``tenant.yaml``, or ``config.txt`` naming the path to pass), ``expect.txt`` (substrings the
output must contain, one per line), optionally ``env.json`` (environment for the run) and
``args.txt`` (extra flags). Cases that need symlinks, big or binary files are built at run
time (``GENERATED``, hook files). Each kind's test module runs its cases through
``assert_validate_rejects`` and ``assert_check_reports``; other tests reuse the table via
``case_names()`` and ``materialize()``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.usecases.validating import check

RESOURCES_TESTS = Path(__file__).resolve().parent / "resources"
JS = "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, {});\n};\n"
GOOD = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


@dataclass(frozen=True)
class BadConfig:
    name: str
    config: Path  # what to pass to -c
    expect: tuple[str, ...]  # substrings the output must contain
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()


def corpus(kind: str | None = None) -> list[Path]:
    """The committed case directories: one kind's (``hooks``, ``actions``, ``common``: the
    directory its ``bad_configs/`` sits in), or every kind's."""
    roots = [RESOURCES_TESTS / kind / "bad_configs"] if kind else sorted(RESOURCES_TESTS.glob("*/bad_configs"))
    return sorted((p for root in roots for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)


def case_dir(name: str) -> Path:
    found = [p for p in corpus() if p.name == name]
    if len(found) != 1:
        raise LookupError(f"bad-config case {name!r}: {len(found)} directories")
    return found[0]


# --- cases built at run time (symlinks, big and binary files) --------------------------------


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


def case_names(kind: str | None = None) -> list[str]:
    """Case names: one kind's committed cases (the hooks' with the generated ones, which
    build hook files), or every case."""
    generated = list(GENERATED) if kind in (None, "hooks") else []
    return [p.name for p in corpus(kind)] + generated


def materialize(name: str, tmp_path: Path) -> BadConfig:
    """Build case ``name`` under ``tmp_path`` (a copy: tests never touch the repo's files)."""
    if name in GENERATED:
        case = GENERATED[name](tmp_path)
        return BadConfig(name, case.config, case.expect, case.env, case.args)
    dest = tmp_path / name  # the case's own name, so messages show it
    shutil.copytree(case_dir(name), dest, symlinks=True)
    if (dest / "config.txt").exists():
        config = dest / (dest / "config.txt").read_text().strip()
    elif (dest / "tenant.yaml").exists():
        config = dest / "tenant.yaml"
    else:
        config = dest
    env = json.loads((dest / "env.json").read_text()) if (dest / "env.json").exists() else {}
    args = tuple((dest / "args.txt").read_text().split()) if (dest / "args.txt").exists() else ()
    expect = tuple(line for line in (dest / "expect.txt").read_text().splitlines() if line.strip())
    return BadConfig(name, config, expect, env, args)


def run_env(case: BadConfig) -> dict[str, str | None]:
    """The case's environment, with any outer keyword mapping removed."""
    return {"AUTH0_KEYWORD_REPLACE_MAPPINGS": None, **case.env}


def assert_validate_rejects(case: BadConfig) -> None:
    """`reconciler validate` exits 1 with the expected lines, no traceback, no value echoed."""
    result = CliRunner().invoke(cli, ["validate", "-c", str(case.config), *case.args], env=run_env(case))
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for expected in case.expect:
        assert expected in out, f"{expected!r} not in:\n{out}"
    for key, value in case.env.items():
        if key != "AUTH0_KEYWORD_REPLACE_MAPPINGS" and len(value) >= 8 and value != MASKED_SECRET:
            assert value not in out, f"the value of {key} leaked into the output"
    if "AUTH0_KEYWORD_REPLACE_MAPPINGS" in case.env:
        for secret in ("hooks.slack.com-secret-path", "a-secret-value-1234"):
            assert secret not in out


def assert_check_reports(case: BadConfig) -> None:
    """The loader reports the case without raising, and builds no state from it."""
    report = check(case.config, env=case.env)
    assert not report.ok(strict="--strict" in case.args)
    if report.errors:
        assert report.desired is None


def assert_well_formed(kind: str) -> None:
    for path in corpus(kind):
        assert (path / "expect.txt").is_file(), f"{path.name} has no expect.txt"


def corpus_tests(kind: str, minimum: int) -> tuple[Callable[[], None], Callable[..., None], Callable[..., None]]:
    """The three tests a kind's module runs on its cases (bind them to ``test_*`` names)."""
    import pytest

    def test_the_corpus_is_there() -> None:
        assert len(case_names(kind)) >= minimum
        assert_well_formed(kind)

    @pytest.mark.parametrize("name", case_names(kind))
    def test_validate_rejects(name: str, tmp_path: Path) -> None:
        assert_validate_rejects(materialize(name, tmp_path))

    @pytest.mark.parametrize("name", case_names(kind))
    def test_check_reports_without_raising(name: str, tmp_path: Path) -> None:
        assert_check_reports(materialize(name, tmp_path))

    return test_the_corpus_is_there, test_validate_rejects, test_check_reports_without_raising
