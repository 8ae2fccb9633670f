"""The rules translated actions share with the Hooks model are the model's own text, written once."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from reconciler.migrate.jsparse import Source, field
from reconciler.migrate.model_text import hooks_model_source, model_functions, shared_functions
from reconciler.migrate.translate import translate

CX, PRE, POST = "credentials-exchange", "pre-user-registration", "post-user-registration"
MIGRATE = Path(__file__).resolve().parents[2] / "reconciler" / "migrate"
SHARED = ("hookIdWithoutPrefix", "hookClaimIsNamespaced", "hookClaimNames", "hookRegistrationMetadata",
          "hookIsError", "hookErrorMessage", "hookTokenDenial", "hookSignupDenial", "hookError")

CLAIMS_HOOK = """module.exports = function (client, scope, audience, context, cb) {
  if (client.metadata.blocked) return cb(context.webtask.secrets.REASON);
  cb(null, { scope: scope, 'https://example.com/tier': client.metadata.tier });
};"""
SIGNUP_HOOK = """module.exports = function (user, context, cb) {
  setTimeout(() => {
    const err = user.email.endsWith('@bad.test') ? { message: 'bad' } : null;
    cb(err, { user: { app_metadata: { id: 'auth0|' + user.id } } });
  }, 1);
};"""
POST_HOOK = """module.exports = function (user, context, cb) {
  const failure = user.email ? null : 'no email';
  cb(failure);
};"""


def declared_functions(code: str) -> list[str]:
    source = Source(code)
    return [source.of(field(n, "name")) for n in source.root.named_children  # type: ignore[arg-type]
            if n.type == "function_declaration"]


def test_the_model_marks_each_shared_rule_and_its_text_is_found_by_name() -> None:
    shared = shared_functions()
    assert set(shared) == set(SHARED)
    for name, text in shared.items():
        assert text.startswith(f"function {name}(") and text.endswith("}")
        # Exactly the model's function, only its indentation taken off.
        assert "\n".join("  " + line if line else line for line in text.split("\n")) in hooks_model_source()


def test_an_unmarked_or_unknown_function_is_refused() -> None:
    with pytest.raises(LookupError, match="hookArguments"):
        model_functions("hookArguments")


def test_a_claims_translation_carries_the_models_filter_and_no_other() -> None:
    code = translate("h", CX, CLAIMS_HOOK)
    for name in ("hookClaimIsNamespaced", "hookClaimNames", "hookTokenDenial"):
        assert shared_functions()[name] in code
    # The reserved hosts and the claim-name pattern occur once: in the model's function.
    assert code.count("webtask.run") == 1
    assert code.count("https?:") == 1
    assert "setCustomClaim(claim, claims[claim])" in code


def test_metadata_user_id_and_error_answers_come_from_the_model() -> None:
    signup = translate("h", PRE, SIGNUP_HOOK)
    for name in ("hookRegistrationMetadata", "hookSignupDenial", "hookIdWithoutPrefix"):
        assert shared_functions()[name] in signup
    shared = shared_functions()
    assert signup.count("indexOf('|')") == shared["hookIdWithoutPrefix"].count("indexOf('|')")
    assert signup.count("PreUserRegistrationError") == shared["hookSignupDenial"].count("PreUserRegistrationError")
    post = translate("h", POST, POST_HOOK)
    assert shared_functions()["hookError"] in post


@pytest.mark.parametrize(("trigger", "hook"), [(CX, CLAIMS_HOOK), (PRE, SIGNUP_HOOK), (POST, POST_HOOK)])
def test_no_function_is_declared_twice_in_a_translation(trigger: str, hook: str) -> None:
    names = declared_functions(translate("h", trigger, hook))
    assert names and not [n for n, count in Counter(names).items() if count > 1]


def test_the_translator_writes_none_of_the_rules_itself() -> None:
    # Text of each rule that lives only in hooks_model.js: the reserved hosts, the claim-name
    # pattern, the connection prefix cut, the user message of a sign-up denial, the OAuth codes.
    rules = [r"webtask\.run", r"https\?:", r"indexOf\('\|'\)", r"userMessage", r"'invalid_request'\s*[:)]"]
    for path in sorted(MIGRATE.glob("*.py")):
        text = path.read_text("utf-8")
        for rule in rules:
            assert not re.search(rule, text), f"{path.name} writes the rule {rule} itself"
