"""The sticky comment is found only among comments written by the token's own identity (issue
18): a comment carrying the marker at its top but written by anyone else is never edited, for
GitHub Actions' installation token (writes as github-actions[bot], cannot read GET /user) and
for a user's token (GET /user names it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.github.client import marker_for
from tests.fake_github import FakeGitHub
from tests.github.test_github import PR, REPO, event, plan_file, run  # noqa: F401  (fixtures)

HOSTILE = "evil text: Plan: No changes. ![x](https://evil.example/x.png)"


@pytest.fixture(params=[None, "reconciler-bot"], ids=["installation token", "user token"])
def gh(request: pytest.FixtureRequest) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(login=request.param).start()
    fake.add_pull_request(REPO, PR)
    yield fake
    fake.stop()


@pytest.mark.parametrize("author", ["mallory", "github-actions", "reconciler-bot-2", "dependabot[bot]"])
def test_a_marked_comment_by_someone_else_is_never_edited(gh: FakeGitHub, event: Path, tmp_path: Path, author: str) -> None:
    if author == gh.writer:
        pytest.skip("that is the token's own identity")
    hostile_body = f"{marker_for('dev')}\n{HOSTILE}"
    gh.add_pull_request(REPO, PR, [hostile_body], user=author)
    [hostile] = gh.comments(REPO, PR)
    path = plan_file(tmp_path)

    first = run(gh, event, "--plan", str(path), "--tenant", "dev")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("created comment")
    again = run(gh, event, "--plan", str(plan_file(tmp_path, "two.json", script_version=2)), "--tenant", "dev")
    assert again.exit_code == 0 and again.output.startswith("updated comment"), again.output

    comments = gh.comments(REPO, PR)
    assert comments[0] == hostile  # untouched
    assert [c["user"]["login"] for c in comments] == [author, gh.writer]
    assert not any(r.path.endswith(f"/comments/{hostile['id']}") for r in gh.writes())


def test_our_own_earlier_comment_is_edited_in_place(gh: FakeGitHub, event: Path, tmp_path: Path) -> None:
    gh.add_pull_request(REPO, PR, [f"{marker_for('dev')}\nold plan"], user=gh.writer.upper())  # logins ignore case
    result = run(gh, event, "--plan", str(plan_file(tmp_path)), "--tenant", "dev")
    assert result.exit_code == 0 and result.output.startswith("updated comment"), result.output
    assert len(gh.comments(REPO, PR)) == 1
