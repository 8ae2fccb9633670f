"""The failed-plan path quotes the error line in the job summary, the step outputs and the
pull-request comment (before the merge, and after it with ``result-of: apply``). A hostile
tenant host on loopback answers every request 400 echoing what it was sent (the client
secret in the token request's body, headers) in every spelling: no canary reaches the log,
the summary, the outputs, the comment or any request to GitHub."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from reconciler.secret_forms import forms
from tests.action_runner import ActionResult, run_action
from tests.fake_github import FakeGitHub
from tests.test_action import GH_REPO, PR, RECONCILER, gh, github_env, needs_reconciler, repo  # noqa: F401  (fixtures)

CLIENT_SECRET = "canary-client-secret-9b7e2d41"
KEYWORD_VALUE = "https://hooks.slack.example/canary-kw-3c8a"
CANARIES = (CLIENT_SECRET, KEYWORD_VALUE)


class _Echo(BaseHTTPRequestHandler):
    """Answers 400 with everything it was sent, in each spelling a server might use."""

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        sent = self.rfile.read(int(self.headers.get("content-length") or 0)).decode("utf-8", "replace")
        echoed = f"{sent} {dict(self.headers)}"
        body = json.dumps({"statusCode": 400, "error": "Bad Request",
                           "message": f"invalid request: {echoed} {quote(echoed)} "
                                      f"{base64.b64encode(echoed.encode()).decode()}"}).encode()
        self.send_response(400)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer


@pytest.fixture
def echo_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            for form in forms(canary):
                assert form not in text, f"{form!r} in {text[:200]!r}"


@needs_reconciler
@pytest.mark.parametrize("after", ["plan", "apply"])
def test_a_failed_plan_quotes_no_echoed_secret(repo: Path, gh: FakeGitHub, echo_host: str,  # noqa: F811
                                              tmp_path: Path, after: str) -> None:
    runner_temp = tmp_path / "runner"  # one job: its steps share RUNNER_TEMP (the error line)
    runner_temp.mkdir()

    def act(inputs: dict[str, str], env: dict[str, str], **kwargs: Any) -> ActionResult:
        return run_action({"reconciler": str(RECONCILER), **inputs}, workspace=repo, runner_temp=runner_temp,
                          env=env, **kwargs)

    env = {"AUTH0_DOMAIN": echo_host, "AUTH0_CLIENT_ID": "client-id", "AUTH0_CLIENT_SECRET": CLIENT_SECRET,
           "SLACK_WEBHOOK_URL": KEYWORD_VALUE, **github_env(gh, tmp_path)}
    if after == "apply":  # the push of the merge commit: the comment goes to the PR it came from
        gh.merge(GH_REPO, PR, env["GITHUB_SHA"])
    planned = act({"command": "plan", "tenant": "dev"}, env)
    assert planned.code == 1, planned.log
    assert "token request failed: 400" in planned.summary  # the error line is quoted
    commented = act({"command": "comment", "tenant": "dev", "status": "failure", "result-of": after}, env,
                    github={"github.token": gh.token})
    assert commented.code == 0, commented.log
    [comment] = gh.comments(GH_REPO, PR)
    assert "token request failed: 400" in comment["body"]
    assert ("nothing was applied" in comment["body"]) == (after == "apply")
    _assert_clean(planned.log, planned.summary, json.dumps(planned.outputs), commented.log, commented.summary,
                  json.dumps(commented.outputs), comment["body"], *(r.body for r in gh.requests))
