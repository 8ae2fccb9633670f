"""Rules a schema can't express (reconciler.resources.hooks.rules), on hook sources directly:
secrets of one hook, then names and enabled hooks across hooks."""

from __future__ import annotations

from pathlib import Path

from reconciler.problems import ERROR, WARNING
from reconciler.resources.common.documents import Source
from reconciler.resources.common.secrets import MASKED_SECRET
from reconciler.resources.hooks.rules import duplicate_names, enabled_per_trigger, secret_problems
from reconciler.variables import MAPPINGS_VAR

BASE = {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}


def source(path: str = "hooks/h.json", prefix: str = "", raw: object = None, unresolved: frozenset[str] = frozenset(), **fields: object) -> Source:
    data = {**BASE, **fields}
    return Source(path, prefix, Path("."), ".", "/", data, data if raw is None else raw, unresolved)


# --- secrets of one hook -----------------------------------------------------------------------


def test_the_deploy_cli_placeholder_is_an_error_that_says_what_to_write() -> None:
    (problem,) = secret_problems(source(secrets={"API_KEY": MASKED_SECRET}))
    assert (problem.path, problem.field, problem.severity) == ("hooks/h.json", "secrets.API_KEY", ERROR)
    assert MASKED_SECRET in problem.message and '"##API_KEY##"' in problem.message and MAPPINGS_VAR in problem.message


def test_a_literal_value_is_a_warning_that_never_quotes_it() -> None:
    literal = "sk_live_written_in_git"
    (problem,) = secret_problems(source(secrets={"K": literal}))
    assert (problem.field, problem.severity) == ("secrets.K", WARNING)
    assert literal not in str(problem) and "written literally" in problem.message


def test_empty_after_keyword_replacement_is_an_error_but_a_literal_empty_value_only_warns() -> None:
    from_keyword = source(secrets={"K": ""}, raw={**BASE, "secrets": {"K": "##K##"}})
    (problem,) = secret_problems(from_keyword)
    assert problem.severity == ERROR and problem.message == "is empty after keyword replacement (is the variable set?)"
    (literal,) = secret_problems(source(secrets={"K": ""}))
    assert literal.severity == WARNING


def test_keyword_values_unresolved_fields_and_non_strings_are_left_to_other_rules() -> None:
    raw = {**BASE, "secrets": {"A": "##A##", "B": "##B##", "C": 5}}
    assert list(secret_problems(source(secrets={"A": "value", "B": "", "C": 5}, raw=raw, unresolved=frozenset({"secrets.B"})))) == []
    assert list(secret_problems(source(secrets=["not", "a", "map"]))) == []


def test_fields_carry_the_yaml_prefix() -> None:
    (problem,) = secret_problems(source("tenant.yaml", "hooks[1].", secrets={"K": MASKED_SECRET}))
    assert problem.field == "hooks[1].secrets.K"


# --- across hooks --------------------------------------------------------------------------------


def test_a_duplicate_name_is_reported_on_each_later_copy_naming_the_first() -> None:
    first = source("hooks/a.json")
    second = source("tenant.yaml", "hooks[0].")
    third = source("hooks/c.json")
    other = source("hooks/d.json", name="other")
    problems = list(duplicate_names([first, other, second, third]))
    assert [(p.path, p.field) for p in problems] == [("tenant.yaml", "hooks[0].name"), ("hooks/c.json", "name")]
    assert all("duplicate hook name 'h': also in hooks/a.json;" in p.message for p in problems)
    (back,) = duplicate_names([second, first])
    assert "also in tenant.yaml, hooks[0];" in back.message


def test_hooks_without_a_string_name_are_skipped() -> None:
    assert list(duplicate_names([source(name=5), source(name=5), source(name=None)])) == []


def test_two_enabled_hooks_on_a_trigger_is_one_error_on_the_first_listing_all() -> None:
    a = source("hooks/a.json", name="a")
    b = source("tenant.yaml", "hooks[2].", name="b")
    off = source("hooks/c.json", name="c", enabled=False)
    truthy = source("hooks/d.json", name="d", enabled=1)  # only `true` counts; the schema rejects 1
    other = source("hooks/e.json", name="e", triggerId="pre-user-registration")
    unknown = source("hooks/f.json", name="f", triggerId="nope")
    unknown2 = source("hooks/g.json", name="g", triggerId="nope")
    (problem,) = enabled_per_trigger([a, off, truthy, other, b, unknown, unknown2])
    assert (problem.path, problem.field) == ("hooks/a.json", "enabled")
    assert problem.message == (
        "2 hooks are enabled on trigger credentials-exchange: 'a' (hooks/a.json), 'b' (tenant.yaml, hooks[2]); "
        "Auth0 allows only one enabled hook per trigger"
    )


def test_one_error_per_trigger_in_the_order_triggers_first_appear() -> None:
    hooks = [source(name=n, triggerId=t) for n, t in
             [("a", "post-change-password"), ("b", "credentials-exchange"), ("c", "post-change-password"), ("d", "credentials-exchange")]]
    assert [p.message.split(":")[0] for p in enabled_per_trigger(hooks)] == [
        "2 hooks are enabled on trigger post-change-password", "2 hooks are enabled on trigger credentials-exchange"]
