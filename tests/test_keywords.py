"""Keyword replacement, as auth0-deploy-cli does it (plus JSON-safe escaping inside strings)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.keywords import KeywordError, Keywords, has_keyword, keywords_in, mask
from reconciler.variables import MAPPINGS_VAR


def kw(values: dict[str, Any], **env: str) -> Keywords:
    return Keywords.from_env({MAPPINGS_VAR: json.dumps(values), **env})


def test_hash_form_is_replaced_by_the_text() -> None:
    assert kw({"NAME": "world"}).replace("hello ##NAME##!").text == "hello world!"


def test_hash_form_of_a_non_string_is_its_json_text() -> None:
    k = kw({"N": 5, "B": True, "L": [1, 2]})
    assert k.replace("##N## ##B## ##L##").text == "5 true [1, 2]"


def test_at_form_is_replaced_by_the_json_encoding() -> None:
    k = kw({"ORIGINS": ["https://a.example", "https://b.example"], "S": "x"})
    assert k.replace("origins = @@ORIGINS@@; s = @@S@@").text == 'origins = ["https://a.example", "https://b.example"]; s = "x"'


def test_quotes_around_the_at_form_are_swallowed() -> None:
    text = '{"secrets": "@@MAP@@", "enabled": "@@ON@@"}'
    out = kw({"MAP": {"A": "1"}, "ON": True}).replace(text).text
    assert json.loads(out) == {"secrets": {"A": "1"}, "enabled": True}


def test_quote_swallowing_in_yaml() -> None:
    import yaml

    out = kw({"DEPS": {"axios": "1.6.8"}}).replace('dependencies: "@@DEPS@@"\n').text
    assert yaml.safe_load(out) == {"dependencies": {"axios": "1.6.8"}}


def test_the_mapping_wins_over_the_environment() -> None:
    k = kw({"TOKEN": "from-mapping"}, TOKEN="from-env", OTHER="env-only")
    assert k.replace("##TOKEN## ##OTHER##").text == "from-mapping env-only"


def test_the_environment_alone_is_enough() -> None:
    assert Keywords.from_env({"SLACK_WEBHOOK_URL": "https://hooks.slack.test/x"}).replace(
        "##SLACK_WEBHOOK_URL##"
    ).text == "https://hooks.slack.test/x"


def test_unresolved_keywords_are_reported_and_left_in_place() -> None:
    result = kw({}).replace("a ##MISSING## b ##MISSING## c @@ALSO@@")
    assert result.unresolved == ("ALSO", "MISSING")
    assert "##MISSING##" in result.text
    assert '"@@ALSO@@"' in result.text  # a string placeholder, so the file still parses


def test_fill_missing_fills_and_records() -> None:
    k = Keywords.from_env({}, fill_missing=lambda key: f"dummy-{key}")
    result = k.replace('x = "##A##"; y = @@B@@')
    assert result.text == 'x = "dummy-A"; y = "dummy-B"'
    assert result.unresolved == ()
    assert result.filled == ("A", "B")
    assert k.filled == ("A", "B")


def test_invalid_mapping_names_the_variable_not_the_value() -> None:
    with pytest.raises(KeywordError) as exc:
        Keywords.from_env({MAPPINGS_VAR: "{'TOKEN': 'hunter2-secret'}"})
    assert MAPPINGS_VAR in str(exc.value)
    assert "hunter2" not in str(exc.value)


def test_mapping_must_be_an_object() -> None:
    with pytest.raises(KeywordError, match="must be a JSON object"):
        Keywords.from_env({MAPPINGS_VAR: '["a"]'})


def test_empty_mapping_variable_is_no_mapping() -> None:
    assert Keywords.from_env({MAPPINGS_VAR: ""}).replace("##X##").unresolved == ("X",)


def test_json_aware_mode_escapes_values_inside_strings() -> None:
    # deploy-cli would produce broken JSON here; the value keeps its quote and backslash.
    secret = 'pa"ss\\word\nline2'
    out = kw({"PW": secret}).replace('{"secrets": {"PW": "##PW##"}, "note": "x @@PW@@"}', json_aware=True).text
    data = json.loads(out)
    assert data["secrets"]["PW"] == secret
    assert data["note"] == "x " + json.dumps(secret)


def test_json_aware_mode_matches_deploy_cli_for_plain_values() -> None:
    text = '{"name": "##ENV##-hook", "secrets": "@@MAP@@", "deps": @@DEPS@@}'
    k = kw({"ENV": "prod", "MAP": {"K": "v"}, "DEPS": {"axios": "1.6.8"}})
    assert json.loads(k.replace(text, json_aware=True).text) == json.loads(k.replace(text).text)


def test_only_identifier_like_names_are_keywords() -> None:
    assert not has_keyword("## heading ## and @@ x @@ and ##a-b##")
    assert has_keyword("##A_1##")
    assert keywords_in("x ##A## y @@B@@") == ["##A##", "@@B@@"]


def test_mask_turns_at_forms_into_strings() -> None:
    raw = mask('{"secrets": @@MAP@@, "k": "##K##", "q": "@@Q@@"}', json_aware=True)
    assert json.loads(raw) == {"secrets": "@@MAP@@", "k": "##K##", "q": "@@Q@@"}


def test_text_without_keywords_is_returned_untouched() -> None:
    text = "module.exports = function (user, context, cb) { cb(); };"
    assert kw({"X": "y"}).replace(text).text is text
