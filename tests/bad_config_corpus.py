"""The bad-config corpus: malformed configs that must fail cleanly (exit 1, the file and
field named, no traceback, no secret value echoed), kept beside each type's tests.

Each case is data: ``tests/resources/<kind>/bad_configs/<case>/`` (kind: ``hooks``,
``actions``, or ``common`` for what no type owns: a missing config, a file of the wrong
kind, no type's folder at all) holds the config (``hooks/...``, ``actions/...``,
``tenant.yaml``, or ``config.txt`` naming the path to pass), ``expect.txt`` (substrings the
output must contain, one per line), optionally ``env.json`` (environment for the run) and
``args.txt`` (extra flags). Cases that need symlinks, big or binary files are built at run
time, in the kind's ``bad_configs_generated.py`` beside its ``bad_configs/`` (``GENERATED``:
the hooks' today). Each kind's test module runs its cases through ``assert_validate_rejects``
and ``assert_check_reports``; other tests reuse the table via ``case_names()`` and
``materialize()``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.usecases.validating import check
from tests.bad_config_case import BadConfig
from tests.resources.hooks.bad_configs_generated import GENERATED as HOOKS_GENERATED

RESOURCES_TESTS = Path(__file__).resolve().parent / "resources"


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


# --- cases a kind builds at run time (symlinks, FIFOs, big and binary files), beside its tests

GENERATED_BY_KIND: dict[str, dict[str, Callable[[Path], BadConfig]]] = {"hooks": HOOKS_GENERATED}
GENERATED = {name: build for cases in GENERATED_BY_KIND.values() for name, build in cases.items()}


def case_names(kind: str | None = None) -> list[str]:
    """Case names: one kind's committed and generated cases, or every case."""
    generated = [name for k, cases in GENERATED_BY_KIND.items() if kind in (None, k) for name in cases]
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
