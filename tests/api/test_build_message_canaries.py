"""A failed build's own words come from the server and reach the error line, the job summary
and the pull-request comment: a build that echoes a value this run sent (the code with its
keyword values filled in, a secret) in any spelling shows none of it."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from reconciler.errors import BuildFailedError
from reconciler.escape import terminal
from reconciler.secret_forms import forms
from tests.actions_fakes import Router, action, json_response
from tests.api.api_helpers import all_text, one_line

ACTIONS = "/api/v2/actions/actions"
CANARY = "canary-build-echo-5e7f1c9a"
ECHOES = {
    "as is": f"SyntaxError: const url = '{CANARY}';",
    "JSON-escaped": json.dumps({"code": f"x = \"{CANARY}\"\n"}),
    "URL-encoded": f"GET https://h.example/?k={quote(CANARY, safe='')}",
    "base64": f"Authorization: Basic {base64.b64encode(f'u:{CANARY}'.encode()).decode()}",
    "split by a newline": f"{CANARY[:13]}\n{CANARY[13:]}",
    "after 400 characters": "x" * 400 + CANARY,
    "control codes around": f"\x1b[2J{CANARY}\x07",
}


@pytest.mark.parametrize("how", ECHOES)
def test_a_build_message_echoing_a_value_sent_shows_none_of_it(how: str) -> None:
    failed = action(2, status="failed", errors=[{"id": "e1", "msg": ECHOES[how]}])
    server = Router({f"GET {ACTIONS}/act-2": json_response(200, failed)}).server()
    with server.client() as client, pytest.raises(BuildFailedError) as info:
        client.hide([CANARY])
        client.actions.wait_built("act-2")
    text = all_text(info.value) + info.value.build_message
    line = one_line(info.value)
    for form in forms(CANARY):
        assert form not in text, form
    if how != "split by a newline":  # a split secret's halves are shorter than what is searched
        shown = terminal(line)  # as the CLI prints an error line
        assert "the build of action" in shown and "\x1b" not in shown and "\x07" not in shown
