"""The forms a secret takes by accident (Basic-auth at every alignment, JSON in JSON), found and masked."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from reconciler.secret_forms import forms, leaked, mask

SECRET = 'Sx"q\\/+=&? %-' + "k" * 20  # characters every encoding changes


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        json.dumps(SECRET)[1:-1],
        json.dumps(json.dumps(SECRET))[1:-1],
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(f"user:{SECRET}".encode()).decode(),  # a Basic-auth header
        base64.b64encode(f"u:{SECRET}".encode()).decode(),
        base64.urlsafe_b64encode(f"ab{SECRET}".encode()).decode(),
    ],
)
def test_each_form_is_found_and_masked(form: str) -> None:
    text = f"before {form} after"
    assert leaked(text, {"KEY": SECRET}) == ["KEY"]
    assert leaked(mask(text, [SECRET]), {"KEY": SECRET}) == []


def test_nothing_is_found_where_there_is_nothing() -> None:
    assert leaked("nothing here", {"KEY": SECRET}) == []
    assert mask("nothing here", [SECRET]) == "nothing here"
    assert forms("") == () and leaked("x", {"EMPTY": ""}) == []


def test_the_longest_value_wins_and_each_form_names_its_key() -> None:
    values = {"SHORT": "abcdefgh", "LONG": "abcdefgh-and-more"}
    assert leaked("x abcdefgh-and-more y", values) == ["LONG"]
    assert leaked("x abcdefgh y", values) == ["SHORT"]
