"""A token without delete:hooks / delete:actions: the marker is marked expired instead, later
applies take it over, and markers do not accumulate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import run_cli
from tests.e2e.hostile_helpers import USER_CODE, actions_only, env_of, hooks_only, markers


@pytest.mark.parametrize("hooks", [True, False], ids=["hooks", "actions"])
def test_without_delete_scopes_markers_are_marked_expired_and_taken_over(
    emulator_factory: Any, tmp_path: Path, hooks: bool,
) -> None:
    scopes = "read:hooks create:hooks update:hooks read:actions create:actions update:actions"
    tenant = emulator_factory(hooks_enabled=hooks, scopes=scopes)
    for round_ in range(3):
        cfg = hooks_only(tmp_path, names=tuple(f"h{i}" for i in range(round_ + 1))) if hooks else actions_only(tmp_path)
        if not hooks:
            (cfg / "actions" / "add-profile-claims" / "code.js").write_text(USER_CODE + f"// round {round_}\n")
        applied = run_cli(["apply", "-c", str(cfg), "--yes"], env_of(tenant))
        assert applied.exit_code == 0, applied.output
        assert "marked it expired" in applied.output
        assert len(markers(tenant)) == 1
