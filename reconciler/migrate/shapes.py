"""What each hook trigger looks like in Actions: handler, hook parameters, and where their data moved.

From Auth0's "Migrate from Hooks to Actions" guide and the Actions event-object references
(https://auth0.com/docs/customize/actions). The runner's harness builds a hook's arguments from an
event by the inverse of these maps, so a translation and its hook read the same data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Path = tuple[str, ...]

_SECRETS: Mapping[Path, str] = {("webtask", "secrets"): "event.secrets"}

_USER: Mapping[Path, str] = {
    # Hooks' user.id had no connection prefix (hooks build 'auth0|' + user.id themselves).
    ("id",): "hookUserId(event)",
    ("tenant",): "event.tenant.id",
    ("username",): "event.user.username",
    ("email",): "event.user.email",
    ("emailVerified",): "event.user.email_verified",
    ("phoneNumber",): "event.user.phone_number",
    ("user_metadata",): "event.user.user_metadata",
    ("app_metadata",): "event.user.app_metadata",
    ("last_password_reset",): "event.user.last_password_reset",
}
_USER_CONTEXT: Mapping[Path, str] = {
    **_SECRETS,
    ("requestLanguage",): "event.request.language",
    ("connection", "tenant"): "event.tenant.id",
    ("connection",): "event.connection",
    ("request",): "event.request",
}


@dataclass(frozen=True)
class Shape:
    trigger: str
    handler: str  # the named export of the action
    params: tuple[str, ...]  # the hook's parameters by role, the callback last
    fields: Mapping[str, Mapping[Path, str]]  # role -> member path -> event expression ((): the whole)
    denies: bool  # whether the hook's callback error refused the request

    @property
    def arity(self) -> int:
        return len(self.params)


SHAPES: Mapping[str, Shape] = {
    "credentials-exchange": Shape(
        "credentials-exchange", "onExecuteCredentialsExchange",
        ("client", "scope", "audience", "context", "callback"),
        {
            "client": {("id",): "event.client.client_id", ("name",): "event.client.name",
                       ("metadata",): "event.client.metadata", ("tenant",): "event.tenant.id"},
            "scope": {(): "event.accessToken.scope"},
            "audience": {(): "event.resource_server.identifier"},
            "context": {**_SECRETS, ("ip",): "event.request.ip", ("hostname",): "event.request.hostname",
                        ("body",): "event.request.body"},  # the token request's body
        },
        denies=True,
    ),
    "pre-user-registration": Shape(
        "pre-user-registration", "onExecutePreUserRegistration", ("user", "context", "callback"),
        {"user": _USER, "context": _USER_CONTEXT}, denies=True,
    ),
    "post-user-registration": Shape(
        "post-user-registration", "onExecutePostUserRegistration", ("user", "context", "callback"),
        {"user": _USER, "context": _USER_CONTEXT}, denies=False,
    ),
    "post-change-password": Shape(
        "post-change-password", "onExecutePostChangePassword", ("user", "context", "callback"),
        {"user": _USER, "context": _USER_CONTEXT}, denies=False,
    ),
    "send-phone-message": Shape(
        "send-phone-message", "onExecuteSendPhoneMessage", ("recipient", "text", "context", "callback"),
        {
            "recipient": {(): "event.message_options.recipient"},
            "text": {(): "event.message_options.text"},
            "context": {
                **_SECRETS,
                ("message_type",): "event.message_options.message_type",
                ("factor_type",): "event.message_options.message_type",
                ("action",): "event.message_options.action",
                ("language",): "event.message_options.language",
                ("code",): "event.message_options.code",
                ("ip",): "event.request.ip",
                ("user_agent",): "event.request.user_agent",
                ("client_id",): "event.client.client_id",
                ("name",): "event.client.name",
                ("client_metadata",): "event.client.metadata",
                ("user",): "event.user",
            },
        },
        denies=False,
    ),
}

# Error classes the Hooks runtime provided as globals, and the OAuth error code each meant.
HOOK_ERRORS: Mapping[str, str] = {
    "Error": "server_error",  # "the behavior of the built-in Error and ServerError is identical"
    "InvalidRequestError": "invalid_request",
    "InvalidScopeError": "invalid_scope",
    "ServerError": "server_error",
    "PreUserRegistrationError": "",
}

NO_PERSISTENCE = "Actions have no persistence across executions (context.webtask.storage has no equivalent)"
SCOPES = "changes the token's scopes, which a credentials-exchange action cannot do"
