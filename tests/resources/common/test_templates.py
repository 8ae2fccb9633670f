"""Scripts as templates: filling, matching with unknown keywords, showing a live script
without its values."""

from __future__ import annotations

import json

from reconciler.resources.common.templates import fill, masked, matches, shown_live
from reconciler.resources.hooks.diff import content_changes, script_change_diff, script_differs
from reconciler.resources.hooks.model import Hook, LiveHook

CANARY = "canary-script-value-93d1"
TEMPLATE = "const url = '##API_URL##';\nconst cfg = @@CFG@@;\nrun(url + '.*(');\n"
VALUES = {"API_URL": CANARY, "CFG": {"a": [1, "two"]}}


def test_fill_and_template_round_trip() -> None:
    filled = fill(TEMPLATE, VALUES)
    assert CANARY in filled and '{"a": [1, "two"]}' in filled
    assert masked(filled, VALUES) != filled and fill(masked(filled, VALUES), VALUES) == filled
    assert fill("no keywords", VALUES) == "no keywords"
    assert fill("left ##UNSET## as written", {}) == "left ##UNSET## as written"


def test_unknown_keywords_match_whatever_the_live_script_holds() -> None:
    live = fill(TEMPLATE, {"API_URL": "https://any.example/x?y=1", "CFG": [1]})
    assert matches(TEMPLATE, {}, {"API_URL", "CFG"}, live)
    # Literals are escaped: regex characters in the template match only themselves.
    assert not matches(TEMPLATE, {}, {"API_URL", "CFG"}, live.replace(".*(", "XYZ"))
    # A real change of the literal text is still a change.
    assert not matches(TEMPLATE, {}, {"API_URL", "CFG"}, live.replace("const url", "let url"))
    # Known values are compared exactly, next to unknown ones.
    assert matches(TEMPLATE, {"CFG": [1]}, {"API_URL"}, live)
    assert not matches(TEMPLATE, {"CFG": [2]}, {"API_URL"}, live)


def test_a_repeated_unknown_keyword_must_hold_one_value() -> None:
    template = "a('##K##'); b('##K##');"
    assert matches(template, {}, {"K"}, "a('x'); b('x');")
    assert not matches(template, {}, {"K"}, "a('x'); b('y');")


def test_a_changed_value_is_named_never_shown() -> None:
    old = fill(TEMPLATE, {**VALUES, "API_URL": "old-" + CANARY})
    shown, differ = shown_live(TEMPLATE, VALUES, old)
    assert shown == TEMPLATE and differ == ("API_URL",)
    hook = Hook("h", "credentials-exchange", TEMPLATE, script_values=VALUES)
    (change,) = content_changes(hook, LiveHook("1", "h", "credentials-exchange", old, False))
    assert "keyword API_URL: value changed" in change.diff
    assert CANARY not in change.diff and "old-" not in change.diff


def test_a_changed_script_shows_keywords_in_place_of_known_values() -> None:
    live = fill(TEMPLATE, VALUES).replace("run(", "runOld(")
    hook = Hook("h", "credentials-exchange", TEMPLATE, script_values=VALUES)
    assert script_differs(hook, live)
    diff = script_change_diff(hook, live)
    assert "-runOld(" in diff and "+run(" in diff
    assert CANARY not in diff and "two" not in diff


def test_an_old_value_on_an_unchanged_line_is_shown_as_its_keyword() -> None:
    live = fill(TEMPLATE, {**VALUES, "API_URL": "old-" + CANARY}).replace("run(", "runOld(")
    hook = Hook("h", "credentials-exchange", TEMPLATE, script_values=VALUES)
    diff = script_change_diff(hook, live)
    assert "-runOld(" in diff and CANARY not in diff


def test_no_change_when_the_filled_template_is_live() -> None:
    hook = Hook("h", "credentials-exchange", TEMPLATE, script_values=VALUES)
    assert not script_differs(hook, fill(TEMPLATE, VALUES))
    assert CANARY not in repr(hook)


def test_masked_is_one_pass_so_keywords_are_never_masked_inside() -> None:
    values = {"A": "A", "AB": "xAx"}
    text = "A xAx"
    out = masked(text, values)
    assert fill(out, values) == text


def test_known_mapping_values_are_masked_in_every_spelling_even_when_the_template_dropped_them() -> None:
    from reconciler.resources.common.templates import LiveView, shown_live

    secret = 'canary "quoted" /x?y=1'
    live = f"a('{secret}');\nb({json.dumps(secret)});\nc('Y2FuYXJ5ICJxdW90ZWQiIC94P3k9MQ==');\n"
    shown, _ = shown_live("a('x');\n", {}, live, LiveView((("TOKEN", secret),)))
    assert "canary" not in shown and "Y2FuYXJ5" not in shown and shown.count("TOKEN") == 3


def test_with_values_missing_only_lines_of_the_template_are_shown() -> None:
    from reconciler.resources.common.templates import HIDDEN_LINE, LiveView, shown_live

    template = "const u = '##URL##/v2';\nkeep();\n"
    live = "const u = 'https://secret.example';\nkeep();\n\nother();\n"
    shown, _ = shown_live(template, {}, live, LiveView(complete=False))
    assert shown == f"{HIDDEN_LINE}\nkeep();\n\n{HIDDEN_LINE}\n"
    # With every value known, the drift is shown as it is.
    assert shown_live(template, {}, "other();\n")[0] == "other();\n"
