"""Bad input never reaches the tenant: `plan` and `apply --yes` on every malformed config
of the corpus (tests/resources/*/bad_configs/ and the cases built at run time) exit 1 with the same
file-anchored messages `validate` gives, no traceback, and not one request (not even the
token request) arrives at a running emulator: validation happens before any network I/O.

Cases that are errors only under `validate --strict` (a warning otherwise, e.g. a literal
secret value) are valid input for plan/apply, so they are left out here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from tests.bad_config_corpus import GENERATED, case_dir, case_names, materialize, run_env
from tests.e2e.helpers import run_cli

COMMANDS = {"plan": ["plan"], "apply": ["apply", "--yes"]}


def _cases() -> list[str]:
    names = []
    for name in case_names():
        args_file = None if name in GENERATED else case_dir(name) / "args.txt"
        if args_file is not None and args_file.exists() and "--strict" in args_file.read_text().split():
            continue
        names.append(name)
    return names


def test_the_corpus_is_used() -> None:
    assert len(_cases()) >= 100


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", _cases())
def test_bad_config_makes_no_request(name: str, command: str, emulator: EmulatorProcess, tmp_path: Path) -> None:
    case = materialize(name, tmp_path)
    extra = [arg for arg in case.args if arg not in ("--strict", "--require-keywords")]  # validate-only flags
    env = {**run_env(case), **emulator.env(), "AUTH0_ACCESS_TOKEN": None, "AUTH0_ALLOW_DELETE": None}
    before = emulator.stats()["requests"]

    result = run_cli([*COMMANDS[command], "-c", str(case.config), *extra], env)

    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out, out
    for expected in case.expect:  # the same file-anchored messages validate gives
        assert expected in out, f"{expected!r} not in:\n{out}"
    assert emulator.stats()["requests"] == before, f"{command} sent requests for a bad config:\n{out}"
