"""The not-managed notice names what a hostile server says runs there: hook names from a
malicious emulator or proxy (markdown break-outs, control codes, a huge name, thousands of
names) are escaped and bounded in text, markdown, JSON and the pull-request comment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.github.comment import comment_body
from reconciler.planfile import read_plan
from reconciler.render.markdown import GITHUB_COMMENT_LIMIT
from tests.e2e.helpers import run_cli
from tests.e2e.test_not_managed_notice import ACTIONS_ONLY, env_of
from tests.render.test_hostile_names import NAMES, markdown_attacks, terminal_attacks

HUGE = "H" * 200_000
MANY = [f"bulk-{i:05d}" for i in range(3000)]


def _hook(name: str) -> dict[str, Any]:
    return {"name": name, "triggerId": "post-user-registration", "enabled": True,
            "script": "module.exports = function (user, context, cb) { cb(); };"}


def test_hostile_hook_names_in_the_not_managed_notice(emulator_factory: Any, tmp_path: Path) -> None:
    tenant = emulator_factory()
    tenant.seed([_hook(n) for n in [*NAMES, HUGE, *MANY]], validate=False)
    env = env_of(tenant)
    assert run_cli(["apply", "-c", str(ACTIONS_ONLY), "--yes"], env).exit_code == 0
    out = {fmt: run_cli(["plan", "-c", str(ACTIONS_ONLY), "--format", fmt], env) for fmt in ("text", "markdown", "json")}
    saved = tmp_path / "plan.json"
    made = run_cli(["plan", "-c", str(ACTIONS_ONLY), "--out", str(saved)], env)
    for result in (*out.values(), made):
        assert result.exit_code == 0, result.output[:500]
    assert "hooks are not managed" in out["text"].output
    assert terminal_attacks(out["text"].output) == [] and terminal_attacks(out["json"].output) == []
    body = comment_body(read_plan(str(saved)).plan, "dev")
    for markdown in (out["markdown"].output, body):
        assert markdown_attacks(markdown) == []
    assert len(body) <= GITHUB_COMMENT_LIMIT
    # Bounded: the notice names some names, not a 200 kB one whole nor 3,000 of them.
    for fmt in ("text", "markdown"):
        assert len(out[fmt].output) < 50_000, (fmt, len(out[fmt].output))
    json.loads(out["json"].output)
