"""``validate`` says what it checked, type by type: an Actions-only config counts its actions
and trigger lists (also without keyword values, validate's default) and says nothing of
hooks, which it does not manage."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def validate(config: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, ["validate", "-c", str(config), *args], env=env or {})
    assert result.exit_code == 0, result.output
    return result.output


def ok_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("ok:"))


def test_an_actions_only_config_counts_its_actions_without_keyword_values() -> None:
    out = validate(EXAMPLES / "gitops-repo" / "tenant-config")
    assert ok_line(out) == "ok: 2 actions and bindings on 2 triggers valid"
    assert "note: keywords not set (plan and apply need them): SLACK_WEBHOOK_URL" in out


def test_with_the_values_set_it_says_the_same() -> None:
    out = validate(EXAMPLES / "gitops-repo" / "tenant-config", "--require-keywords",
                   env={"AUTH0_KEYWORD_REPLACE_MAPPINGS": '{"SLACK_WEBHOOK_URL": "https://x.example/"}'})
    assert ok_line(out) == "ok: 2 actions and bindings on 2 triggers valid"


def test_a_hooks_config_counts_its_hooks_only() -> None:
    out = validate(EXAMPLES / "migrating-from-hooks" / "tenant-config")
    assert ok_line(out) == "ok: 2 hooks valid"
