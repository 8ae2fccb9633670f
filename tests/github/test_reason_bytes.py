"""The error line a failed step quotes reaches ``comment --reason`` from the action's shell,
which cuts it at 500 bytes in a C locale: a multi-byte character (a name with "é") cut in
half is an undecodable argument. The comment is still posted (a stale plan must not stay on
display), with a replacement character, not a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.github.test_comment_modes import REPO_NAME, gh  # noqa: F401  (a fixture)
from tests.test_action import RECONCILER, needs_reconciler


@needs_reconciler
@pytest.mark.parametrize("reason", [b"action 'caf\xc3\xa9' failed \xe2\x82", b"\xff\xfe bad bytes", b"ok \xed\xa0\x80"])
def test_a_reason_cut_inside_a_character_is_still_posted(gh: FakeGitHub, tmp_path: Path, reason: bytes) -> None:
    env = {**os.environ, "GITHUB_TOKEN": gh.token, "GITHUB_API_URL": gh.url, "AUTH0_DOMAIN": "example.eu.auth0.com"}
    done = subprocess.run([str(RECONCILER), "comment", "--failed", "--reason", reason, "--repo", REPO_NAME,
                           "--pr", "3", "--tenant", "dev"], env=env, capture_output=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-500:]
    [comment] = gh.comments(REPO_NAME, 3)
    assert "The plan failed" in comment["body"] and "\ufffd" in comment["body"]
