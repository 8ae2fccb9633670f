"""A plan file is JSON, and JSON may spell a lone surrogate (``"\\ud800"``) that no terminal,
file or request body can take: a tampered plan file holding one anywhere is refused in one
line naming the field, by ``show`` (every format), ``apply FILE`` and ``comment --plan``,
not a traceback when the plan is printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_planfile_scope import saved
from tests.e2e.helpers import run_cli

LONE = "\ud800"
EDITS: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "a scope name": (lambda d: d["scope"]["needed"].append(f"hooks:x{LONE}"), "plan.scope.needed[1]"),
    "a warning": (lambda d: d.update(warnings=[f"w{LONE}"]), "plan.warnings[0]"),
    "the config": (lambda d: d.update(config=f"cfg{LONE}"), "plan.config"),
    "a key": (lambda d: d.update({f"k{LONE}": 1}), "plan (a key)"),
    "deep": (lambda d: d["steps"][0].update(key=f"new{LONE}"), "plan.steps[0].key"),
}


@pytest.mark.parametrize("case", EDITS)
def test_a_lone_surrogate_anywhere_is_one_line_naming_the_field(tmp_path: Path, case: str) -> None:
    edit, field = EDITS[case]
    path = saved(tmp_path, edit)
    for args in (["show", str(path)], ["show", str(path), "--format", "json"],
                 ["show", str(path), "--format", "markdown"], ["apply", str(path), "-c", str(tmp_path)],
                 ["comment", "--plan", str(path), "--dry-run", "--repo", "o/r", "--pr", "1"]):
        result = run_cli(args, {"NO_COLOR": "1", "AUTH0_DOMAIN": "example.eu.auth0.com", "AUTH0_ACCESS_TOKEN": "t"})
        assert result.exit_code == 1, (args, result.output)
        assert result.output.count("\n") == 1 and f"{field} is not Unicode text" in result.output, result.output


def test_a_path_through_a_bad_key_never_holds_the_key() -> None:
    from reconciler.text import lone_surrogate_at

    assert lone_surrogate_at({f"k{LONE}": {"x": LONE}}, "plan") == "plan (a key)"
    assert lone_surrogate_at({"a": [{"b": "ok"}, {"c": f"x{LONE}"}]}, "plan") == "plan.a[1].c"
    assert lone_surrogate_at({"a": ["ok", 1, None]}, "plan") is None
