"""jsonschema errors in the user's terms (reconciler.resources.common.schema_messages): field
paths as written, and values quoted only when they were written in git as such."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from reconciler.resources.common.schema_messages import describe, dotted, hide_value
from reconciler.resources.hooks.schema import schema

BASE = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def messages(doc: Any, secret: bool = False) -> list[tuple[str, str]]:
    errors = Draft202012Validator(schema()).iter_errors(doc)
    return [pair for err in errors for pair in describe(err, secret)]


def test_paths_read_as_the_user_writes_fields() -> None:
    assert dotted([]) == ""
    assert dotted(["secrets", "API_KEY"]) == "secrets.API_KEY"
    assert dotted(["hooks", 3, "name"]) == "hooks[3].name"


def test_values_from_keywords_and_under_secrets_are_hidden() -> None:
    raw = {"name": "h", "triggerId": "##T##", "dependencies": {"x": "@@V@@", "y": "1.0.0"}, "secrets": {"K": "plain"}}
    assert hide_value(raw, ["triggerId"]) and hide_value(raw, ["dependencies", "x"])
    assert hide_value(raw, ["secrets", "K"])  # even a literal: it is a secret
    assert hide_value(raw, ["dependencies"])  # a keyword somewhere inside
    assert hide_value(raw, ["missing"])  # not in git as such: it came out of a keyword
    assert not hide_value(raw, ["name"]) and not hide_value(raw, ["dependencies", "y"])


def test_each_kind_of_error_in_plain_words() -> None:
    assert messages([]) == [("", "must be a JSON object of hook fields, got an array")]
    # jsonschema reports `required` once per missing name, each time with the whole list: the
    # pairs repeat, and schema_problems keeps one message per field.
    assert list(dict.fromkeys(messages({"triggerId": "x"}))) == [
        ("name", "is required"), ("script", "is required"),
        ("triggerId", "must be one of: credentials-exchange, pre-user-registration, post-user-registration, "
                      'post-change-password, send-phone-message, got "x"'),
    ]
    assert messages({**BASE, "scrpt": 1}) == [("scrpt", "unknown field; did you mean 'script'?")]
    assert messages({**BASE, "zzz": 1}) == [
        ("zzz", "unknown field (allowed: $schema, name, triggerId, enabled, script, dependencies, secrets)")]
    assert messages({**BASE, "name": "-bad"}) == [
        ("name", "'-bad' is not a valid hook name: use letters, digits, spaces and hyphens, starting and ending with a letter or digit")]
    assert messages({**BASE, "enabled": "yes"}) == [("enabled", "must be a boolean, got a string")]


def test_a_hidden_value_is_never_quoted() -> None:
    secret = "value-from-a-keyword"
    for doc in ({**BASE, "triggerId": secret}, {**BASE, "name": secret + " -"}, {**BASE, "dependencies": {secret + "!": "1"}}):
        shown = messages(doc, secret=True)
        assert shown and all(secret not in message for _, message in shown), shown
