"""A hostile or careless AUTH0_DOMAIN: a password in it (``https://user:pass@host``) never
reaches an output in any spelling, and a value urllib cannot split is one line, exit 1, no
traceback, no request. The domain is named in plan headings, the apply prompt, comments and
connection errors, so each of those is tried."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from reconciler.secret_forms import forms
from tests.e2e.helpers import run_cli

CANARY = "CanaryDomainPassw0rd-5d1e"
CONFIG = Path(__file__).resolve().parents[1] / "examples" / "gitops-repo" / "tenant-config"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(domain: str) -> dict[str, str | None]:
    return {"AUTH0_DOMAIN": domain, "AUTH0_CLIENT_ID": "id", "AUTH0_CLIENT_SECRET": "client-secret-x",
            "SLACK_WEBHOOK_URL": "https://hooks.example/x", "AUTH0_TIMEOUT": "1", "GITHUB_TOKEN": None,
            "GITHUB_EVENT_PATH": None}


def _assert_no_canary(text: str) -> None:
    for form in forms(CANARY):
        assert form not in text, f"the password reached the output as {form!r}"


@pytest.mark.parametrize("scheme", ["https://", "http://", ""])
def test_a_password_in_the_domain_is_refused_unshown_by_plan(scheme: str) -> None:
    domain = f"{scheme}admin:{CANARY}@127.0.0.1:{_closed_port()}"
    result = run_cli(["plan", "-c", str(CONFIG), "--allow-missing-keywords"], _env(domain))
    assert result.exit_code == 1, result.output
    _assert_no_canary(result.output)
    assert "AUTH0_DOMAIN" in result.output and "password" in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize("failed_step", ["plan", "apply"])
def test_a_password_in_the_domain_never_reaches_a_comment(failed_step: str) -> None:
    env = _env(f"https://admin:{CANARY}@example.eu.auth0.com")
    for args in (["--failed", "--reason", "boom"], ["--unchanged"],
                 ["--applied", "--failed", "--failed-step", failed_step, "--reason", "boom"]):
        result = run_cli(["comment", *args, "--dry-run", "--repo", "o/r", "--pr", "1", "--tenant", "dev"], env)
        _assert_no_canary(result.output)
        assert "Traceback" not in result.output


@pytest.mark.parametrize("domain", ["ex]ample.eu.auth0.com", "[::1", "https://[zz]:80", "https://[::1]:99999",
                                    "https://host:port"])
def test_a_domain_urllib_cannot_split_is_one_line(domain: str) -> None:
    result = run_cli(["plan", "-c", str(CONFIG), "--allow-missing-keywords"], _env(domain))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: AUTH0_DOMAIN") and result.output.count("\n") == 1, result.output


@pytest.mark.parametrize("domain", ["ex]ample.eu.auth0.com", f"https://a:{CANARY}@x]y", "e\x1b]0;t\x07x\ncom"])
def test_a_comment_with_a_domain_that_does_not_parse_names_no_raw_value(domain: str) -> None:
    result = run_cli(["comment", "--failed", "--reason", "boom", "--dry-run", "--repo", "o/r", "--pr", "1"],
                     _env(domain))
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    _assert_no_canary(result.output)
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.parametrize("domain", ["a\x1b]0;x\x07b", "evil.com\nPlan: No changes.", "a" * 300, f"u:{CANARY}@host",
                                    5, ["x"], "e\u202evil.com"])
def test_show_refuses_a_hostile_domain_in_a_plan_file(tmp_path: Path, domain: object) -> None:
    from tests.core.test_planfile_scope import saved

    path = saved(tmp_path, lambda data: data.update(domain=domain))
    result = run_cli(["show", str(path)], {"NO_COLOR": "1"})
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "plan.domain" in result.output
    _assert_no_canary(result.output)
