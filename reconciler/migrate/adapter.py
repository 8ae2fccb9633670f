"""An action that runs the original hook function unchanged: for shapes the translation cannot map.

The hook's arguments are rebuilt from ``event`` (the same map the runner's harness uses), its
callback's answer becomes ``api`` calls, and a ``TODO(reconciler migrate)`` says why a person
should rewrite it. Only pinned requires are changed (Actions resolve plain names only).
"""

from __future__ import annotations

import re
import textwrap

from reconciler.migrate.model_text import hooks_model_source
from reconciler.migrate.requires import rewrite_requires
from reconciler.migrate.shapes import SHAPES

_ERROR_CLASSES = ("PreUserRegistrationError", "InvalidScopeError", "InvalidRequestError", "ServerError")

# The hook's answer, as the Hooks model reads it, turned into the api calls each trigger has.
_APPLY = {
    "credentials-exchange": """  if (effects.denied) {
    api.access.deny(effects.denied.code, effects.denied.reason);
    return;
  }
  if (effects.scopes !== null) {
    // An action cannot change a token's scopes. Granting what the hook would not have granted (or
    // less) is never done silently: the request is refused, and a person must decide.
    console.log('reconciler migrate: the hook changed the scopes of the token; the request is refused');
    api.access.deny('invalid_scope', 'reconciler migrate: this hook changes the scopes of the token, which an action cannot do');
    return;
  }
  for (const [claim, value] of Object.entries(effects.claims)) api.accessToken.setCustomClaim(claim, value);""",
    "pre-user-registration": """  if (effects.denied) {
    api.access.deny(effects.denied.reason, effects.denied.user_message === null ? undefined : effects.denied.user_message);
    return;
  }
  for (const [key, value] of Object.entries(effects.user_metadata)) api.user.setUserMetadata(key, value);
  for (const [key, value] of Object.entries(effects.app_metadata)) api.user.setAppMetadata(key, value);""",
}
_THROW = """  // Hooks on this trigger only logged an error; an action reports one by throwing.
  if (effects.error) throw hooks.thrownError(error);"""


# Timers, immediates, DNS look-ups, connects and outgoing requests the hook started, followed with
# async_hooks until each is done (sockets a keep-alive agent holds open are not waited for).
_PENDING_WORK = """const PENDING_WORK_LIMIT_MS = 5000;
function pendingWork() {
  const KINDS = new Set(['Immediate', 'Timeout', 'HTTPCLIENTREQUEST', 'GETADDRINFOREQWRAP', 'TCPCONNECTWRAP', 'FSREQCALLBACK']);
  const live = new Set();
  let ours = false;
  const tracker = require('async_hooks').createHook({
    init(id, type) { if (!ours && KINDS.has(type)) live.add(id); },
    destroy(id) { live.delete(id); },
  }).enable();
  return {
    async settle(limitMs) {
      const started = Date.now();
      while (live.size > 0 && Date.now() - started < limitMs) {
        ours = true;
        const tick = new Promise((resolve) => setTimeout(resolve, 2));
        ours = false;
        await tick;
      }
      tracker.disable();
      return { waited: live.size === 0 && Date.now() === started ? 0 : Date.now() - started, left: live.size };
    },
  };
}
"""


def adapter(name: str, trigger: str, source: str, why: str) -> str:
    """The action's code.js that runs the hook ``name`` unchanged; ``why`` goes into the TODO."""
    shape = SHAPES[trigger]
    code, _ = rewrite_requires(source)
    used = [cls for cls in _ERROR_CLASSES if re.search(rf"\b{cls}\b", source)]
    errors = f"const {{ {', '.join(used)} }} = hooks.errorClasses;\n" if used else ""
    apply = _APPLY.get(trigger, _THROW)
    todo = "\n".join(f" * {line}" for line in textwrap.wrap(f"TODO(reconciler migrate): {why}.", 96))
    return f"""/**
 * Migrated from the hook {name!r} by `reconciler migrate`: an ADAPTER, not a translation.
 *
{todo}
 *
 * The hook's function runs unchanged below (only `require('pkg@version')` became `require('pkg')`),
 * with the arguments Hooks gave it rebuilt from `event` and its callback's answer turned into `api`
 * calls, both by the Hooks model that `reconciler migrate --check` proves it with. Rewrite it as an
 * Actions handler, then delete the adapter.
 */

// ---------------------------------------------------------------- the Hooks model
{hooks_model_source().rstrip()}
const hooks = hooksModel();
{errors}
// ---------------------------------------------------------------- the hook, unchanged
const hook = {{ exports: {{}} }};
(function (module, exports) {{
{code.rstrip()}
}})(hook, hook.exports);
// ---------------------------------------------------------------- end of the hook

{_PENDING_WORK}
exports.{shape.handler} = async (event, api) => {{
  const work = pendingWork();
  const [error, result] = await new Promise((resolve) => {{
    hook.exports(...hooks.hookArguments('{trigger}', event), (error, result) => resolve([error, result]));
  }});
  // Hooks let work the hook left running after its callback finish (its webtask went on); an
  // action's pending work ends when the handler returns, so the handler waits for it first.
  const left = await work.settle(PENDING_WORK_LIMIT_MS);
  if (left.waited) console.log(`reconciler migrate: waited for work the hook left running (${{left.waited}} ms)`);
  const effects = hooks.answer('{trigger}', error, result, event);
{apply}
}};
"""
