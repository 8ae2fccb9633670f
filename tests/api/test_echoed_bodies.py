"""A 4xx answer that echoes the request body shows no secret in the error line, in any spelling
(issue 18): secret values, keyword values filled into a script or code, the client secret;
echoed as is, JSON-escaped (also twice), URL-encoded or base64."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest

from reconciler.errors import ApiError
from reconciler.resources.hooks.model import DesiredState, Hook
from reconciler.resources.hooks.ops import HookOperations
from reconciler.secret_forms import found_in
from tests.api.api_helpers import CANARY_SECRET, Server, all_text, error

# Quotes, a backslash, a newline, non-ASCII: their escaped spellings differ from the value.
VALUES = ['canary-ECHO "q" \\ back\nline-9f3e', 'canary-ECHO"q\\back\u00e9-77b1']
ECHOES: dict[str, Callable[[bytes], str]] = {
    "as is": lambda body: body.decode(),
    "json": lambda body: json.dumps(body.decode()),
    "json twice": lambda body: json.dumps(json.dumps(body.decode())),
    "json ascii": lambda body: json.dumps(json.loads(body), ensure_ascii=True),
    "url-encoded": lambda body: quote(body.decode(), safe=""),
    "base64": lambda body: " / ".join(base64.b64encode(v.encode()).decode() for v in VALUES
                                      if any(v in str(s) for s in json.loads(body).values())),
}


def echoing(echo: Callable[[bytes], str]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        return error(400, f"Payload validation error: invalid {echo(request.content)}", "invalid_body")
    return handle


def leaks(exc: BaseException) -> list[str]:
    return [f for secret in (*VALUES, CANARY_SECRET) for f in found_in(all_text(exc), secret)]


@pytest.mark.parametrize("VALUE", VALUES)
@pytest.mark.parametrize("echo", sorted(ECHOES))
def test_a_secret_value_echoed_back_is_not_shown(echo: str, VALUE: str) -> None:
    with Server(echoing(ECHOES[echo])).client() as client, pytest.raises(ApiError) as info:
        client.hooks.add_secrets("id-1", {"K": VALUE})
    assert leaks(info.value) == [] and "rejected (400" in str(info.value)


@pytest.mark.parametrize("VALUE", VALUES)
@pytest.mark.parametrize("echo", sorted(ECHOES))
def test_a_keyword_value_in_a_script_echoed_back_is_not_shown(echo: str, VALUE: str) -> None:
    template = "const k = '##K##';\nmodule.exports = function (c, s, a, x, cb) { cb(null, {}); };\n"
    hook = Hook(name="h", trigger_id="credentials-exchange", script=template, script_values={"K": VALUE})
    with Server(echoing(ECHOES[echo])).client() as client, pytest.raises(ApiError) as info:
        HookOperations(client, DesiredState((hook,)))  # registers what the run will send
        client.hooks.create("h", "credentials-exchange", template.replace("##K##", VALUE))
    assert leaks(info.value) == []
    assert "\n" not in str(info.value)
