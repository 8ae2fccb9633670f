"""The Hooks runtime model (hooks_model.js): the arguments Hooks gave and what Auth0 did with the answer."""

from __future__ import annotations

from typing import Any

from reconciler.migrate.adapter import adapter
from reconciler.runner.execute import run_script
from reconciler.runner.node import Node
from reconciler.runner.outcome import Outcome
from reconciler.runner.samples import Sample, builtin_samples

CE, PRE, POST = "credentials-exchange", "pre-user-registration", "post-user-registration"


def hook(node: Node, trigger: str, code: str, event: dict[str, Any] | None = None,
         secrets: dict[str, str] | None = None) -> Outcome:
    sample = Sample("e", event) if event is not None else builtin_samples(trigger)[0]
    return run_script(kind="hook", name="t", trigger=trigger, code=code, secrets=secrets or {}, sample=sample, node=node)


def test_user_id_has_no_connection_prefix(node: Node) -> None:
    code = "module.exports = function (user, context, cb) { require('axios').post('https://x/' + 'auth0|' + user.id); cb(); };"
    outcome = hook(node, POST, code)
    assert outcome.effects.requests[0]["args"] == ["https://x/auth0|6571f2c9a1b2c3d4e5f60718"]


def test_credentials_exchange_context_has_the_request_body_and_webtask_data(node: Node) -> None:
    event = dict(builtin_samples(CE)[0].event, request={"ip": "1.2.3.4", "body": {"userId": "u-7"}})
    code = """module.exports = function (client, scope, audience, context, cb) {
      cb(null, { scope: scope, 'https://x/user': context.body.userId, 'https://x/k': context.webtask.data.K, 'https://x/ip': context.request.ip });
    };"""
    effects = hook(node, CE, code, event, {"K": "v"}).effects
    assert effects.access_token_claims == {"https://x/user": "u-7", "https://x/k": "##K##", "https://x/ip": "1.2.3.4"}


def test_only_namespaced_claims_reach_the_token_and_no_scope_means_none(node: Node) -> None:
    code = """module.exports = function (client, scope, audience, context, cb) {
      cb(null, { plain: 1, 'https://auth0.com/x': 2, 'https://ok.example/x': 3 });
    };"""
    effects = hook(node, CE, code).effects
    assert effects.access_token_claims == {"https://ok.example/x": 3}
    assert effects.scopes == ()  # "Removing it will reset all scopes"


def test_error_classes_on_credentials_exchange(node: Node) -> None:
    for made, code in (("new Error('m')", "server_error"), ("new ServerError('m')", "server_error"),
                       ("new InvalidRequestError('m')", "invalid_request"), ("new InvalidScopeError('m')", "invalid_scope")):
        source = f"module.exports = function (client, scope, audience, context, cb) {{ cb({made}); }};"
        assert hook(node, CE, source).effects.denied == {"code": code, "reason": "m"}, made


def test_plain_error_on_pre_user_registration_denies_without_a_user_message(node: Node) -> None:
    code = "module.exports = function (user, context, cb) { cb(new Error('no ' + context.renderLanguage)); };"
    assert hook(node, PRE, code).effects.denied == {"reason": "no en", "user_message": None}


def test_the_adapter_embeds_the_same_model() -> None:
    from importlib import resources

    model = resources.files("reconciler.runner").joinpath("hooks_model.js").read_text("utf-8")
    assert model.rstrip() in adapter("x", POST, "module.exports = function (u, c, cb) { cb(); };", "why")
