"""Plans name the tenant and the keywords (names only): what merging a pull request needs set,
which tenant a saved plan is for, and why ``apply FILE`` refuses when only the keyword values
differ between the plan's environment and the apply's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.core.keyword_report import KeywordReport, differing_values
from reconciler.emulator.process import EmulatorProcess

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "migrating-from-hooks" / "tenant-config"
CANARY = "https://canary-7c1e-keyword-value.example/hook"


def _env(emulator: EmulatorProcess, **extra: str) -> dict[str, str]:
    return {"AUTH0_DOMAIN": emulator.base_url, "AUTH0_CLIENT_ID": emulator.client_id,
            "AUTH0_CLIENT_SECRET": emulator.client_secret, **extra}


def _config_adding_a_keyword(tmp_path: Path) -> tuple[Path, Path]:
    """(base, head): the head's hook reads ##CLAIM_NAMESPACE##, which the base never used."""
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(EXAMPLE, base)
    shutil.copytree(EXAMPLE, head)
    script = head / "hooks" / "block-disposable-emails.js"
    script.write_text(script.read_text() + "\n// claims go under ##CLAIM_NAMESPACE##\n")
    return base, head


def test_a_review_plan_lists_the_keywords_and_flags_the_new_one(emulator: EmulatorProcess, tmp_path: Path) -> None:
    base, head = _config_adding_a_keyword(tmp_path)
    args = ["plan", "-c", str(head), "--allow-missing-keywords", "--keywords-base", str(base)]
    text = CliRunner().invoke(cli, args, env=_env(emulator))
    assert text.exit_code == 0, text.output
    assert "Keywords this config uses: CLAIM_NAMESPACE, SLACK_WEBHOOK_URL." in text.stdout
    assert "New keyword CLAIM_NAMESPACE: set it in the apply environments before merging." in text.stdout
    assert "New keyword SLACK_WEBHOOK_URL" not in text.stdout
    assert text.stdout.startswith(f"Tenant: {emulator.base_url.split('://')[1]}\n")
    markdown = CliRunner().invoke(cli, [*args, "--format", "markdown", "--tenant", "dev"], env=_env(emulator))
    assert "> [!IMPORTANT]" in markdown.stdout
    assert "New keyword `CLAIM_NAMESPACE`: set it in the apply environments before merging." in markdown.stdout
    assert f"plan for tenant `dev` (`{emulator.base_url.split('://')[1]}`)" in markdown.stdout
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"], env=_env(emulator)).stdout)
    assert data["domain"] == emulator.base_url.split("://")[1]
    assert data["keywords"]["added"] == ["CLAIM_NAMESPACE"] and data["keywords"]["removed"] == []


def test_a_keyword_the_pull_request_drops_is_named(emulator: EmulatorProcess, tmp_path: Path) -> None:
    base, head = _config_adding_a_keyword(tmp_path)
    args = ["plan", "-c", str(base), "--allow-missing-keywords", "--keywords-base", str(head)]
    result = CliRunner().invoke(cli, args, env=_env(emulator))
    assert "Keyword CLAIM_NAMESPACE is no longer used" in result.stdout


def test_a_base_without_the_config_makes_every_keyword_new(emulator: EmulatorProcess, tmp_path: Path) -> None:
    args = ["plan", "-c", str(EXAMPLE), "--allow-missing-keywords", "--keywords-base", str(tmp_path / "absent")]
    result = CliRunner().invoke(cli, args, env=_env(emulator))
    assert "New keyword SLACK_WEBHOOK_URL" in result.stdout


def test_a_plan_without_a_base_or_placeholders_stays_as_it_was(emulator: EmulatorProcess) -> None:
    result = CliRunner().invoke(cli, ["plan", "-c", str(EXAMPLE)], env=_env(emulator, SLACK_WEBHOOK_URL=CANARY))
    assert result.exit_code == 0 and "Keywords this config uses" not in result.stdout


def _saved(emulator: EmulatorProcess, tmp_path: Path, **env: str) -> Path:
    out = tmp_path / "plan.json"
    done = CliRunner().invoke(cli, ["plan", "-c", str(EXAMPLE), "--out", str(out)], env=_env(emulator, **env))
    assert done.exit_code == 0, done.output
    return out


def test_apply_names_the_keyword_whose_value_differs(emulator: EmulatorProcess, tmp_path: Path) -> None:
    out = _saved(emulator, tmp_path, SLACK_WEBHOOK_URL=CANARY, RECONCILER_SECRETS_HMAC_KEY="k-1")
    text = out.read_text()
    assert CANARY not in text and "canary-7c1e" not in text
    other = CliRunner().invoke(cli, ["apply", str(out), "-c", str(EXAMPLE)],
                               env=_env(emulator, SLACK_WEBHOOK_URL=CANARY + "2", RECONCILER_SECRETS_HMAC_KEY="k-1"))
    assert other.exit_code == 1
    assert ("error: stale plan: keyword values differ between the plan's environment and this one: "
            "SLACK_WEBHOOK_URL; set the same values as the plan's, or plan again") in other.output
    assert "the config changed" not in other.output and CANARY not in other.output


def test_apply_refuses_a_plan_made_for_another_tenant(emulator: EmulatorProcess, tmp_path: Path) -> None:
    out = _saved(emulator, tmp_path, SLACK_WEBHOOK_URL=CANARY)
    port = emulator.base_url.rsplit(":", 1)[1]
    elsewhere = CliRunner().invoke(cli, ["apply", str(out), "-c", str(EXAMPLE)],
                                   env=_env(emulator, SLACK_WEBHOOK_URL=CANARY, AUTH0_DOMAIN=f"http://localhost:{port}"))
    assert elsewhere.exit_code == 1
    assert f"this plan was made for tenant 127.0.0.1:{port}, not localhost:{port}" in elsewhere.output
    assert emulator.state()["hooks"] in ([], {})  # nothing written


def test_differing_values_without_a_shared_key_says_so_without_names() -> None:
    files = "sha256:" + "a" * 64
    saved = KeywordReport(("A", "B"), template_digest=files)
    assert differing_values(saved, KeywordReport(("A", "B"), template_digest=files)) == (
        "keyword values differ between the plan's environment and this one (the config files are the same; "
        "set RECONCILER_SECRETS_HMAC_KEY, the same in both, to learn which)")
    keyed = KeywordReport(("A", "B"), template_digest=files, key_mark="1" * 16, value_marks=(("A", "x"), ("B", "y")))
    assert differing_values(keyed, KeywordReport(("A", "B"), None, (), files, "1" * 16, (("A", "x"), ("B", "z")))) \
        == "keyword values differ between the plan's environment and this one: B"
    assert differing_values(saved, KeywordReport(("A",), template_digest="sha256:" + "b" * 64)) is None
    assert differing_values(None, saved) is None


@pytest.mark.parametrize("bad", [
    {"domain": "evil.example/\n"}, {"keywords": {"used": ["A B"]}}, {"keywords": {"used": [], "secret": "x"}},
    {"keywords": {"used": [], "value_marks": {"A": "not hex"}}}, {"keywords": {"used": [], "template_digest": "md5:1"}},
])
def test_a_plan_file_with_a_bad_domain_or_keyword_report_is_one_line(
    emulator: EmulatorProcess, tmp_path: Path, bad: dict[str, object]
) -> None:
    out = _saved(emulator, tmp_path, SLACK_WEBHOOK_URL=CANARY)
    data = json.loads(out.read_text())
    data.update(bad)
    out.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["apply", str(out), "-c", str(EXAMPLE)], env=_env(emulator, SLACK_WEBHOOK_URL=CANARY))
    assert result.exit_code == 1 and "plan file was altered or is malformed" in result.output
    assert "Traceback" not in result.output
