"""An action that runs the original hook function unchanged: for shapes the translation cannot map.

The hook's arguments are rebuilt from ``event`` (the same map the runner's harness uses), its
callback's answer becomes ``api`` calls, and a ``TODO(reconciler migrate)`` says why a person
should rewrite it. Only pinned requires are changed (Actions resolve plain names only).
"""

from __future__ import annotations

import re
import textwrap

from reconciler.migrate.requires import rewrite_requires
from reconciler.migrate.shapes import SCOPES, SHAPES

_ERRORS = {
    "PreUserRegistrationError": "class PreUserRegistrationError extends Error {\n"
    "  constructor(message, userMessage) { super(message); this.name = 'PreUserRegistrationError'; this.userMessage = userMessage; }\n}",
    "InvalidScopeError": "class InvalidScopeError extends Error {\n"
    "  constructor(message) { super(message); this.name = 'InvalidScopeError'; this.code = 'invalid_scope'; }\n}",
    "InvalidRequestError": "class InvalidRequestError extends Error {\n"
    "  constructor(message) { super(message); this.name = 'InvalidRequestError'; this.code = 'invalid_request'; }\n}",
    "ServerError": "class ServerError extends Error {\n"
    "  constructor(message) { super(message); this.name = 'ServerError'; this.code = 'server_error'; }\n}",
}

_USER_ARGS = """  const user = event.user || {};
  const request = event.request || {};
  const connection = event.connection || {};
  const tenant = event.tenant && event.tenant.id;
  return [
    {
      id: user.user_id, tenant, username: user.username, email: user.email, emailVerified: user.email_verified,
      phoneNumber: user.phone_number, user_metadata: user.user_metadata || {}, app_metadata: user.app_metadata || {},
      last_password_reset: user.last_password_reset,
    },
    {
      webtask: { secrets: event.secrets }, requestLanguage: request.language,
      connection: { id: connection.id, name: connection.name, tenant },
      request: { ip: request.ip, hostname: request.hostname, user_agent: request.user_agent, language: request.language, geoip: request.geoip },
    },
  ];"""

_ARGS = {
    "credentials-exchange": """  const client = event.client || {};
  const request = event.request || {};
  const scope = (event.accessToken && event.accessToken.scope) || (event.transaction && event.transaction.requested_scopes);
  return [
    { id: client.client_id, name: client.name, tenant: event.tenant && event.tenant.id, metadata: client.metadata || {} },
    scope ? scope.slice() : undefined,
    event.resource_server && event.resource_server.identifier,
    { webtask: { secrets: event.secrets }, ip: request.ip, hostname: request.hostname },
  ];""",
    "pre-user-registration": _USER_ARGS,
    "post-user-registration": _USER_ARGS,
    "post-change-password": _USER_ARGS,
    "send-phone-message": """  const options = event.message_options || {};
  const request = event.request || {};
  const client = event.client || {};
  return [options.recipient, options.text, {
    webtask: { secrets: event.secrets }, factor_type: options.message_type, message_type: options.message_type,
    action: options.action, language: options.language, code: options.code, ip: request.ip,
    user_agent: request.user_agent, client_id: client.client_id, name: client.name, client_metadata: client.metadata,
    user: event.user,
  }];""",
}

_ANSWER = {
    "credentials-exchange": """  if (error) {
    api.access.deny(error.code || 'invalid_request', error.message === undefined ? String(error) : error.message);
    return;
  }
  for (const [claim, value] of Object.entries(result || {})) {
    if (claim !== 'scope') api.accessToken.setCustomClaim(claim, value);
  }""",
    "pre-user-registration": """  if (error) {
    api.access.deny(error.message === undefined ? String(error) : error.message, error.userMessage);
    return;
  }
  const user = (result && result.user) || {};
  for (const [key, value] of Object.entries(user.user_metadata || {})) api.user.setUserMetadata(key, value);
  for (const [key, value] of Object.entries(user.app_metadata || {})) api.user.setAppMetadata(key, value);""",
}
_THROW = """  // Hooks on this trigger only logged an error; an action reports one by throwing.
  if (error) throw error instanceof Error ? error : new Error(String(error));"""

_SCOPE_TODO = """  // TODO(reconciler migrate): the hook's answer changed the token's scopes (`scope` in its result);
  // a credentials-exchange action cannot, so that change is DROPPED here. Decide how the API should
  // enforce it (e.g. grant the client fewer scopes, or deny the request) before disabling the hook.
  if (result && Array.isArray(result.scope)) console.log('reconciler migrate: scope change dropped');
"""


def adapter(name: str, trigger: str, source: str, why: str) -> str:
    """The action's code.js that runs the hook ``name`` unchanged; ``why`` goes into the TODO."""
    shape = SHAPES[trigger]
    code, _ = rewrite_requires(source)
    errors = "\n".join(text for cls, text in _ERRORS.items() if re.search(rf"\b{cls}\b", source))
    answer = _ANSWER.get(trigger, _THROW)
    scope_todo = _SCOPE_TODO if trigger == "credentials-exchange" and (SCOPES in why or "`scope`" in why) else ""
    todo = "\n".join(f" * {line}" for line in textwrap.wrap(f"TODO(reconciler migrate): {why}.", 96))
    return f"""/**
 * Migrated from the hook {name!r} by `reconciler migrate`: an ADAPTER, not a translation.
 *
{todo}
 *
 * The hook's function runs unchanged below (only `require('pkg@version')` became `require('pkg')`),
 * with the arguments Hooks gave it rebuilt from `event` and its callback's answer turned into `api`
 * calls. Rewrite it as an Actions handler, then delete the adapter.
 */
{errors + chr(10) if errors else ""}
// ---------------------------------------------------------------- the hook, unchanged
const hook = {{ exports: {{}} }};
(function (module, exports) {{
{code.rstrip()}
}})(hook, hook.exports);
// ---------------------------------------------------------------- end of the hook

// The arguments the hook got in Hooks, rebuilt from the Actions event.
function hookArguments(event) {{
{_ARGS[trigger]}
}}

exports.{shape.handler} = async (event, api) => {{
  const [error, result] = await new Promise((resolve) => {{
    hook.exports(...hookArguments(event), (error, result) => resolve([error, result]));
  }});
{scope_todo}{answer}
}};
"""

