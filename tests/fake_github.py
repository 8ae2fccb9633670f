"""A small fake of GitHub's REST API for issue comments, on loopback, over real HTTP.

A ``ThreadingHTTPServer`` in a thread. It records every request (method, path, query,
headers, body) and answers like GitHub does for:

    GET   /repos/{owner}/{name}/issues/{number}/comments?per_page=&page=   (Link: rel="next")
    POST  /repos/{owner}/{name}/issues/{number}/comments                   201
    PATCH /repos/{owner}/{name}/issues/comments/{id}                       200
    GET   /repos/{owner}/{name}/commits/{sha}/pulls                       the pull requests merged as it
    GET   /user   200 with ``login`` for a user's token (``login`` set); 403 "Resource not
                  accessible by integration" for an installation token (the default), whose
                  comments are written by github-actions[bot]

with GitHub's errors: 401 "Bad credentials" for a wrong token, 404 "Not Found" for an
unknown repository or pull request, 422 "Validation Failed" for a body over 65,536
characters. Faults are queued with :meth:`FakeGitHub.fail`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BODY_LIMIT = 65536

# status, extra headers, JSON body
Answer = tuple[int, dict[str, str], Any]

_LIST = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments$")
_PULLS_OF = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/commits/(?P<sha>[0-9a-f]{7,64})/pulls$")
_ONE = re.compile(r"^/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)$")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str


@dataclass
class Fault:
    method: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    count: int = 1
    path_contains: str = ""
    after_processing: bool = False  # do the work, then answer with the fault (unknown result)


class FakeGitHub:
    def __init__(self, token: str = "ghs_fakeTOKEN0123456789", per_page_max: int = 100,
                 login: str | None = None) -> None:
        self.token = token
        self.login = login  # None: an installation token (GitHub Actions' GITHUB_TOKEN)
        self.per_page_max = per_page_max
        self.requests: list[Recorded] = []
        self.issues: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.merges: dict[tuple[str, str], int] = {}  # (repo, merge commit) -> pull request
        self._next_id = 1000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ set-up and checks

    def add_pull_request(self, repo: str, number: int, bodies: Sequence[str] = (), *, user: str = "someone") -> None:
        with self._lock:
            comments = self.issues.setdefault((repo, number), [])
            for body in bodies:
                comments.append(self._comment(repo, number, body, user=user))

    def merge(self, repo: str, number: int, commit: str) -> None:
        """Pull request ``number`` was merged as ``commit`` (what GitHub then lists for the commit)."""
        with self._lock:
            self.merges[(repo, commit)] = number

    @property
    def writer(self) -> str:
        """Who this token's comments are written by."""
        return self.login or "github-actions[bot]"

    def fail(self, method: str, status: int, **kwargs: Any) -> None:
        with self._lock:
            self.faults.append(Fault(method, status, **kwargs))

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.issues.get((repo, number), [])]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # ------------------------------------------------------------------ internals

    def _comment(self, repo: str, number: int, body: str, user: str) -> dict[str, Any]:
        self._next_id += 1
        cid = self._next_id
        return {
            "id": cid,
            "body": body,
            "user": {"login": user, "type": "Bot" if user.endswith("[bot]") else "User"},
            "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{cid}",
            "url": f"{self.url}/repos/{repo}/issues/comments/{cid}",
        }

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.path_contains in path and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], body: str, host: str) -> Answer:
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        with self._lock:
            self.requests.append(Recorded(method, path, query, headers, body))
            if headers.get("authorization") != f"Bearer {self.token}":
                return 401, {}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
            fault = self._take_fault(method, path)
            if fault is not None and not fault.after_processing:
                return fault.status, fault.headers, fault.body or {"message": "fault"}
            status, extra, data = self._route(method, path, query, body, host)
            if fault is not None:
                return fault.status, fault.headers, fault.body or {"message": "fault"}
            return status, extra, data

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: str, host: str) -> Answer:
        not_found: Answer = (404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if path == "/user" and method == "GET":
            if self.login is None:
                return 403, {}, {"message": "Resource not accessible by integration"}
            return 200, {}, {"login": self.login, "type": "User"}
        match = _PULLS_OF.match(path)
        if match and method == "GET":
            number = self.merges.get((match["repo"], match["sha"]))
            return 200, {}, [] if number is None else [{"number": number, "merge_commit_sha": match["sha"]}]
        match = _LIST.match(path)
        if match:
            key = (match["repo"], int(match["number"]))
            if key not in self.issues:
                return not_found
            comments = self.issues[key]
            if method == "GET":
                per_page = min(int(query.get("per_page", ["30"])[0]), self.per_page_max)
                page = int(query.get("page", ["1"])[0])
                chunk = comments[(page - 1) * per_page : page * per_page]
                last = max(1, -(-len(comments) // per_page))
                links = []
                base = f"http://{host}{path}?per_page={per_page}"
                if page < last:
                    links.append(f'<{base}&page={page + 1}>; rel="next"')
                    links.append(f'<{base}&page={last}>; rel="last"')
                extra = {"Link": ", ".join(links)} if links else {}
                return 200, extra, chunk
            if method == "POST":
                text = _body_of(body)
                if text is None:
                    return 422, {}, {"message": "Invalid request.\n\n\"body\" wasn't supplied."}
                if len(text) > BODY_LIMIT:
                    return 422, {}, _too_long()
                comment = self._comment(key[0], key[1], text, user=self.writer)
                comments.append(comment)
                return 201, {}, comment
            return 404, {}, {"message": "Not Found"}
        match = _ONE.match(path)
        if match and method == "PATCH":
            for (repo, _), comments in self.issues.items():
                if repo != match["repo"]:
                    continue
                for comment in comments:
                    if comment["id"] == int(match["id"]):
                        text = _body_of(body)
                        if text is None:
                            return 422, {}, {"message": "Invalid request."}
                        if len(text) > BODY_LIMIT:
                            return 422, {}, _too_long()
                        comment["body"] = text
                        return 200, {}, comment
            return not_found
        return not_found

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, data = fake._handle(
                    self.command, self.path, headers, body, self.headers.get("host", "")
                )
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return Handler


def _body_of(raw: str) -> str | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    text = data.get("body") if isinstance(data, dict) else None
    return text if isinstance(text, str) else None


def _too_long() -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "IssueComment",
                "code": "custom",
                "field": "body",
                "message": "body is too long (maximum is 65536 characters)",
            }
        ],
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    }
