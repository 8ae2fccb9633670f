// What Auth0 gives a hook or an action, and one run from start to end. Evaluated in the
// script's realm (see realm.js); adds `start`, `pump` and `fail` to the kit.
//
// A hook gets arguments derived from the Actions-style event (the inverse of Auth0's migration
// map) and answers through its callback; an action's handler gets `event` and `api`, whose
// calls are recorded. The run ends with exactly one `end` event: the callback, completion,
// an error, or the time limit.
(function installRuntime(kit) {
  'use strict';
  const { job, emit, ReflectApply, PromiseResolve, PromisePrototypeThen, ErrorCtor, StringCtor, ObjectCreate } = kit;

  let ended = false;
  let settled = false; // an action's handler has returned: let what it started settle, briefly
  let grace = 0;

  function end(outcome) {
    if (ended) return;
    ended = true;
    emit('end', outcome);
    kit.close();
  }

  function describe(error) {
    let name = 'Error';
    let message = '';
    try { name = StringCtor((error && error.name) || 'Error'); } catch (e) { /* a throwing getter */ }
    try { message = StringCtor((error && error.message) || error); } catch (e) { message = '[unprintable]'; }
    return { name, message };
  }

  function fail(error) { end({ thrown: describe(error) }); }

  // ---------------------------------------------------------------- hooks

  // Error types the Hooks runtime provided as globals.
  class PreUserRegistrationError extends ErrorCtor {
    constructor(message, userMessage) { super(message); this.name = 'PreUserRegistrationError'; this.userMessage = userMessage; }
  }
  class InvalidScopeError extends ErrorCtor { constructor(m) { super(m); this.name = 'InvalidScopeError'; this.code = 'invalid_scope'; } }
  class InvalidRequestError extends ErrorCtor { constructor(m) { super(m); this.name = 'InvalidRequestError'; this.code = 'invalid_request'; } }
  class ServerError extends ErrorCtor { constructor(m) { super(m); this.name = 'ServerError'; this.code = 'server_error'; } }
  // Only hooks see them: Actions have no such globals, so an action that uses one fails here as in Auth0.
  if (job.kind === 'hook') Object.assign(globalThis, { PreUserRegistrationError, InvalidScopeError, InvalidRequestError, ServerError });

  function hookArguments(trigger, event, secrets) {
    const webtask = { secrets };
    const connection = event.connection || {};
    const user = event.user || {};
    const request = event.request || {};
    const common = {
      webtask,
      requestLanguage: request.language,
      connection: { id: connection.id, name: connection.name, tenant: event.tenant && event.tenant.id },
      request: { ip: request.ip, hostname: request.hostname, user_agent: request.user_agent, language: request.language, geoip: request.geoip },
    };
    switch (trigger) {
      case 'credentials-exchange': {
        const client = event.client || {};
        const scope = (event.accessToken && event.accessToken.scope) || (event.transaction && event.transaction.requested_scopes);
        return [
          { id: client.client_id, name: client.name, tenant: event.tenant && event.tenant.id, metadata: client.metadata || {} },
          scope ? scope.slice() : undefined,
          event.resource_server && event.resource_server.identifier,
          { webtask, ip: request.ip, hostname: request.hostname },
        ];
      }
      case 'pre-user-registration':
      case 'post-user-registration':
      case 'post-change-password':
        return [{
          id: user.user_id, tenant: event.tenant && event.tenant.id, username: user.username, email: user.email,
          emailVerified: user.email_verified, phoneNumber: user.phone_number, user_metadata: user.user_metadata || {},
          app_metadata: user.app_metadata || {}, last_password_reset: user.last_password_reset,
        }, common];
      case 'send-phone-message': {
        const options = event.message_options || {};
        return [options.recipient, options.text, {
          webtask, factor_type: options.message_type, message_type: options.message_type, action: options.action,
          language: options.language, code: options.code, ip: request.ip, user_agent: request.user_agent,
          client_id: event.client && event.client.client_id, name: event.client && event.client.name,
          client_metadata: event.client && event.client.metadata, user,
        }];
      }
      default:
        throw new ErrorCtor(`hooks do not run on trigger ${trigger}`);
    }
  }

  function runHook(exported) {
    if (typeof exported !== 'function') throw new TypeError('the hook must export a function (module.exports = function (...) {...})');
    const args = hookArguments(job.trigger, job.event, job.secrets);
    const cb = (error, result) => {
      if (ended) return;
      const shown = error
        ? (error instanceof ErrorCtor ? { name: error.name, message: error.message, userMessage: error.userMessage, code: error.code } : error)
        : null;
      end({ callback: { error: shown, result } });
    };
    args[args.length] = cb;
    ReflectApply(exported, undefined, args);
  }

  // ---------------------------------------------------------------- actions

  const HANDLERS = {
    'post-login': 'onExecutePostLogin',
    'credentials-exchange': 'onExecuteCredentialsExchange',
    'pre-user-registration': 'onExecutePreUserRegistration',
    'post-user-registration': 'onExecutePostUserRegistration',
    'post-change-password': 'onExecutePostChangePassword',
    'send-phone-message': 'onExecuteSendPhoneMessage',
  };

  // The api object each trigger offers (Auth0's Actions reference); anything else is a TypeError, as there.
  const API_METHODS = {
    'post-login': ['accessToken.setCustomClaim', 'accessToken.addScope', 'accessToken.removeScope', 'idToken.setCustomClaim',
      'access.deny', 'user.setUserMetadata', 'user.setAppMetadata', 'multifactor.enable', 'redirect.sendUserTo',
      'redirect.encodeToken', 'authentication.recordMethod', 'authentication.challengeWith', 'samlResponse.setAttribute',
      'cache.get', 'cache.set', 'cache.delete'],
    'credentials-exchange': ['accessToken.setCustomClaim', 'access.deny', 'cache.get', 'cache.set', 'cache.delete'],
    'pre-user-registration': ['user.setUserMetadata', 'user.setAppMetadata', 'access.deny', 'validation.error', 'cache.get', 'cache.set', 'cache.delete'],
    'post-user-registration': ['cache.get', 'cache.set', 'cache.delete'],
    'post-change-password': ['cache.get', 'cache.set', 'cache.delete'],
    'send-phone-message': ['cache.get', 'cache.set', 'cache.delete'],
  };

  function buildApi(trigger) {
    const api = {};
    const cache = new kit.MapCtor();
    const methods = API_METHODS[trigger] || [];
    for (let i = 0; i < methods.length; i++) {
      const dotted = methods[i];
      const [group, method] = dotted.split('.');
      api[group] = api[group] || {};
      api[group][method] = (...args) => {
        emit('api_call', { call: `api.${dotted}`, args });
        if (group === 'cache') {
          if (method === 'get') return kit.MapPrototypeHas(cache, args[0]) ? { value: kit.MapPrototypeGet(cache, args[0]) } : undefined;
          if (method === 'set') { kit.MapPrototypeSet(cache, args[0], args[1]); return { type: 'success' }; }
          cache.delete(args[0]);
          return { type: 'success' };
        }
        return api; // the real api methods chain
      };
    }
    return api;
  }

  function runAction(exported) {
    const handler = HANDLERS[job.trigger];
    if (!handler || !exported || typeof exported[handler] !== 'function') {
      throw new TypeError(`the action must export ${handler || 'a handler for ' + job.trigger} (exports.${handler} = async (event, api) => {...})`);
    }
    const event = Object.assign({}, job.event, { secrets: job.secrets });
    const returned = ReflectApply(exported[handler], exported, [event, buildApi(job.trigger)]);
    PromisePrototypeThen(PromiseResolve(returned), () => { settled = true; grace = 2; }, fail);
  }

  // ---------------------------------------------------------------- a run

  // Runs the script's top level with the CommonJS arguments, then its hook or handler.
  function start(wrapper, filename) {
    try {
      const module = { exports: {} };
      ReflectApply(wrapper, module.exports, [module.exports, kit.require, module, filename, '/']);
      if (job.kind === 'hook') runHook(module.exports); else runAction(module.exports);
    } catch (error) {
      fail(error);
    }
    return ended ? 'ended' : 'more';
  }

  // One step of the run's event loop, called by the harness with an empty stack (so promise
  // jobs have run in between): 'more' or 'ended'.
  function pump() {
    if (ended) return 'ended';
    try {
      if (settled) {
        if (grace > 0) { grace -= 1; if (kit.step(Infinity, true) === 'ran') return ended ? 'ended' : 'more'; }
        end({ completed: true });
        return 'ended';
      }
      const stepped = kit.step(job.timeout_ms, false);
      if (stepped === 'late') end({ timed_out: true });
      else if (stepped === 'idle') end(job.kind === 'hook' ? { callback: null } : { completed: false });
    } catch (error) {
      fail(error);
    }
    return ended ? 'ended' : 'more';
  }

  kit.start = start;
  kit.pump = pump;
  kit.fail = fail;
  kit.isEnded = () => ended;
  kit.hookArguments = hookArguments;
  kit.buildApi = buildApi;
  return ObjectCreate(null);
});
