"""A small GitHub REST client: one sticky pull-request comment per tenant.

The comment is found by a hidden marker (``<!-- reconciler:plan tenant=NAME -->``) at the top
of its body, searched across every page of the pull request's comments, then edited in
place; a new comment is made only when none carries the marker, and nothing is written when
the body is unchanged.

Failures are one line (:class:`GitHubError`, exit status 1) built from the status and
GitHub's own message, never from the token or a request body. Server errors and secondary
rate limits are retried a bounded number of times with back-off. A create whose result is
unknown (a 5xx or a dropped connection) is not blindly re-sent: the comments are listed
again first, so a retry can never leave two sticky comments.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import httpx

from reconciler import __version__
from reconciler.api.transport import ATTEMPTS_EXT, NOT_SENT, RetryPolicy, RetryTransport, send_looking_first
from reconciler.errors import GitHubError, OutcomeUnknown, WaitTooLong

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100

MAX_ATTEMPTS = 5  # per request
MAX_WAIT = 90.0  # seconds; a rate limit that resets later than this is reported, not waited
MAX_PAGES = 1000  # 100,000 comments: a bound on pagination, not a limit anyone should meet

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TENANT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

Sleep = Callable[[float], None]


def _default_sleep(seconds: float) -> None:
    """How the client waits (a module attribute, so tests can replace it)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Outcome:
    action: str  # "created" | "updated" | "unchanged" | "absent" (nothing to update, none created)
    comment_id: int
    url: str


def marker_for(tenant: str) -> str:
    """The hidden HTML comment that identifies a tenant's plan comment."""
    if not _TENANT.match(tenant):
        raise GitHubError(
            f"tenant name {tenant!r} must be 1-64 letters, digits, '.', '_' or '-' (it goes in the comment marker)"
        )
    return f"<!-- reconciler:plan tenant={tenant} -->"


# The account GitHub Actions' own token (an installation token) writes comments as.
ACTIONS_BOT = "github-actions[bot]"


def check_repo(repo: str) -> str:
    if not _REPO.match(repo or ""):
        raise GitHubError(f"repository {repo!r} is not OWNER/NAME (--repo or GITHUB_REPOSITORY)")
    return repo


class GitHubClient:
    """Requests to one GitHub API base URL with one token."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        sleep: Sleep | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        max_wait: float = MAX_WAIT,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parts = urlsplit(api_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise GitHubError(f"GitHub API URL {api_url!r} is not an http(s) URL (--api-url or GITHUB_API_URL)")
        self.api_url = api_url.strip().rstrip("/")
        self._origin = (parts.scheme, parts.netloc)
        if not token or not all(0x21 <= ord(ch) <= 0x7E for ch in token):
            raise GitHubError("the GitHub token is empty or contains a space, a control character or a "
                              "non-ASCII character (its value is not shown)")
        self._token = token
        self._login: str | None = None  # who the token writes as, asked for once when needed
        self._sleep = sleep if sleep is not None else _default_sleep
        self.max_attempts = max(1, max_attempts)
        self.max_wait = max_wait
        # The tool's one retry policy, with GitHub's ways of saying "rate limited".
        self.policy = RetryPolicy(
            max_attempts=self.max_attempts, connect_attempts=self.max_attempts, cap=max_wait,
            fail_beyond=max_wait, unknown_rate_wait=60.0, is_rate_limited=_rate_limited, sleep=self._sleep,
        )
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"auth0-hooks-reconciler/{__version__}",
            },
            timeout=timeout,
            transport=RetryTransport(transport or httpx.HTTPTransport(), policy=self.policy, timeout=timeout),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ requests

    def request(self, method: str, url: str, *, what: str, json: Any = None) -> httpx.Response:
        """One request under the shared retry policy. ``what`` words the action for errors.

        Retried (by :class:`~reconciler.api.transport.RetryTransport`): 5xx and dropped
        connections for idempotent methods (a POST raises OutcomeUnknown so the caller can
        look before re-sending), and rate limits (403/429 with ``retry-after`` in seconds or
        as an HTTP date, or an exhausted ``x-ratelimit-remaining``), which GitHub guarantees
        were not processed.
        """
        if not url.startswith("http"):
            url = self.api_url + url
        self._check_origin(url)
        try:
            response = self._http.request(method, url, json=json)
        except OutcomeUnknown:
            raise
        except WaitTooLong as error:
            raise GitHubError(
                f"GitHub rate limit exceeded ({error.status}) while trying to {what}; it resets in "
                f"{int(error.wait)}s, longer than this command waits — run it again later",
                status=error.status,
            ) from None
        except httpx.TransportError as error:
            if isinstance(error, NOT_SENT):
                raise GitHubError(f"cannot reach GitHub at {self.api_url} to {what}: {self._reason(error)}") from None
            raise GitHubError(f"GitHub did not answer to {what}: {self._reason(error)}") from None
        status = response.status_code
        if status < 400:
            return response
        attempts = response.extensions.get(ATTEMPTS_EXT, 1)
        if self.policy.is_rate_limited(response):
            raise GitHubError(
                f"GitHub kept rate-limiting ({status}) after {attempts} attempts to {what}: {_message(response)}",
                status=status,
            )
        if status >= 500:
            raise GitHubError(
                f"GitHub failed ({status}) after {attempts} attempts to {what}: {_message(response)}", status=status
            )
        raise _refusal(response, what)

    def _check_origin(self, url: str) -> None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            # A Link header pointing elsewhere must not receive the token.
            raise GitHubError(f"GitHub pointed to another host ({parts.netloc}); not following it")

    def _reason(self, error: Exception) -> str:
        text = _reason(error).replace(self._token, "(sensitive)") if self._token else _reason(error)
        return " ".join(text.split())[:300]

    # ------------------------------------------------------------------ comments

    def issue_comments(self, repo: str, number: int) -> Iterator[dict[str, Any]]:
        """Every comment of an issue or pull request, following ``Link: rel="next"``."""
        url: str | None = f"{self.api_url}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}"
        pages = 0
        while url:
            pages += 1
            if pages > MAX_PAGES:
                raise GitHubError(f"more than {MAX_PAGES} pages of comments on {repo}#{number}; giving up")
            response = self.request("GET", url, what=f"list the comments of {repo}#{number}")
            data = _json(response)
            if not isinstance(data, list):
                raise GitHubError(f"GitHub answered the comment list of {repo}#{number} with something else than a list")
            yield from (item for item in data if isinstance(item, dict))
            url = response.links.get("next", {}).get("url")

    def find_comment(self, repo: str, number: int, marker: str) -> dict[str, Any] | None:
        """The first comment written by this token's own identity whose body starts with ``marker``.

        Only a marker at the top counts: a reply that quotes or mentions the marker is
        someone else's comment and is never edited. Nor is a comment anyone else wrote with
        the marker at its top (the marker is public text): who wrote it decides, as for
        sticky-comment actions. The identity is asked for only when a marked comment exists.
        """
        marked = [c for c in self.issue_comments(repo, number) if (c.get("body") or "").lstrip().startswith(marker)]
        if not marked:
            return None
        own = self.own_login().lower()
        for comment in marked:
            user = comment.get("user")
            login = user.get("login") if isinstance(user, dict) else None
            if isinstance(login, str) and login.lower() == own:
                return comment
        return None

    def own_login(self) -> str:
        """The login this token writes comments as. A user's token reads it from ``GET /user``;
        an installation token (GitHub Actions' GITHUB_TOKEN) may not read /user (403) and
        writes as ``github-actions[bot]``."""
        if self._login is None:
            try:
                response = self.request("GET", "/user", what="learn which account the token belongs to")
            except GitHubError as error:
                if error.status not in (403, 404):
                    raise
                self._login = ACTIONS_BOT
            else:
                data = _json(response)
                login = data.get("login") if isinstance(data, dict) else None
                if not isinstance(login, str) or not login:
                    raise GitHubError("GitHub answered GET /user without a login")
                self._login = login
        return self._login

    def pull_requests_of_commit(self, repo: str, sha: str) -> list[int]:
        """The pull requests a commit belongs to (after a merge: the one merged with it first)."""
        response = self.request("GET", f"/repos/{repo}/commits/{sha}/pulls?per_page=10",
                                what=f"find the pull request of commit {sha[:12]}")
        data = _json(response)
        if not isinstance(data, list):
            raise GitHubError(f"GitHub answered the pull requests of commit {sha[:12]} with something else than a list")
        merged = [p for p in data if isinstance(p, dict) and p.get("merge_commit_sha") == sha]
        return [n for p in merged + [p for p in data if p not in merged] if isinstance(p, dict)
                and isinstance(n := p.get("number"), int) and not isinstance(n, bool) and n > 0]

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        response = self.request(
            "POST", f"/repos/{repo}/issues/{number}/comments",
            what=f"create the comment on {repo}#{number}", json={"body": body},
        )
        return cast("dict[str, Any]", _json(response))

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        response = self.request(
            "PATCH", f"/repos/{repo}/issues/comments/{comment_id}",
            what="update the comment", json={"body": body},
        )
        return cast("dict[str, Any]", _json(response))


def with_marker(body: str, marker: str) -> str:
    """``body`` with ``marker`` as its first line (exactly once)."""
    text = body.replace(marker, "").lstrip("\n")
    return f"{marker}\n{text}"


# The part of a comment that changes on every run (the run link and the time) sits between
# these markers; a comment differing only there is "unchanged", so a re-run makes no edit.
STAMP_START = "<!-- reconciler:stamp -->"
STAMP_END = "<!-- /reconciler:stamp -->"
_STAMP = re.compile(re.escape(STAMP_START) + ".*?" + re.escape(STAMP_END), re.S)


def _same(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return _STAMP.sub("", text.replace("\r\n", "\n")).strip()

    return norm(a) == norm(b)


def upsert_sticky_comment(
    api_url: str,
    repo: str,
    pr: int,
    token: str,
    body: str,
    marker: str,
    *,
    sleep: Sleep | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    transport: httpx.BaseTransport | None = None,
    create_missing: bool = True,
) -> Outcome:
    """Create, update, or leave alone the one comment on ``repo``#``pr`` that holds ``marker``.
    ``create_missing=False``: only ever edit one (a note that matters only where a plan was shown)."""
    check_repo(repo)
    if not token:
        raise GitHubError("no GitHub token (set GITHUB_TOKEN, or name another variable with --token-env)")
    body = with_marker(body, marker)
    with GitHubClient(api_url, token, sleep=sleep, max_attempts=max_attempts, transport=transport) as client:

        def current(_: Exception | None = None) -> Outcome | None:
            existing = client.find_comment(repo, pr, marker)
            if existing is None:
                return None
            comment_id = int(existing["id"])
            url = str(existing.get("html_url", ""))
            if _same(existing.get("body") or "", body):
                return Outcome("unchanged", comment_id, url)
            updated = client.update_comment(repo, comment_id, body)
            return Outcome("updated", comment_id, str(updated.get("html_url", url)))

        def create() -> Outcome:
            created = client.create_comment(repo, pr, body)
            return Outcome("created", int(created["id"]), str(created.get("html_url", "")))

        found = current()
        if found is not None:
            return found
        if not create_missing:
            return Outcome("absent", 0, "")
        try:
            # A create whose result is unknown: look again before re-sending.
            return send_looking_first(create, current, client.policy)
        except OutcomeUnknown as error:
            raise GitHubError(
                f"GitHub failed to create the comment after {max_attempts} attempts ({error.reason})"
            ) from None


# ---------------------------------------------------------------------------- errors

_HINTS = {
    401: "check the token (GITHUB_TOKEN, or --token-env)",
    403: "the workflow needs `permissions: pull-requests: write` (pull requests from forks get a read-only token)",
    404: "check --repo/--pr (GITHUB_REPOSITORY, GITHUB_EVENT_PATH) and that the token can see the repository",
    422: "GitHub rejected the request's content",
}


def _refusal(response: httpx.Response, what: str) -> GitHubError:
    status = response.status_code
    hint = _HINTS.get(status, "")
    text = f"GitHub refused to {what} ({status}): {_message(response)}"
    if hint:
        text += f" — {hint}"
    return GitHubError(text, status=status)


def _message(response: httpx.Response) -> str:
    """GitHub's own error message (plus field errors for 422), on one line."""
    try:
        data = response.json()
    except ValueError:
        data = None
    message = ""
    if isinstance(data, dict):
        message = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list):
            details = []
            for item in errors[:5]:
                if isinstance(item, dict):
                    details.append(str(item.get("message") or item.get("code") or "").strip())
                elif isinstance(item, str):
                    details.append(item)
            details = [d for d in details if d]
            if details:
                message = f"{message} ({'; '.join(details)})" if message else "; ".join(details)
    if not message:
        message = response.reason_phrase or "no message"
    return " ".join(message.split())[:300]


def _rate_limited(response: httpx.Response) -> bool:
    """GitHub's rate limits: 429, or 403 with retry-after, an exhausted quota or the words."""
    if response.status_code not in (403, 429):
        return False
    headers = response.headers
    if response.status_code == 429 or "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in _message(response).lower()


def _reason(error: Exception) -> str:
    return error.__class__.__name__ + (f" ({error})" if str(error) else "")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise GitHubError(f"GitHub answered {response.status_code} with something that is not JSON") from None
