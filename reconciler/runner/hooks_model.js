// The Hooks runtime, as Auth0's Hooks documentation describes it: per trigger, the arguments a
// hook received and what Auth0 did with its callback's answer. Written from the Hooks pages
// ("Extensibility points": credentials-exchange, pre-user-registration, post-user-registration,
// post-change-password, send-phone-message) and "Migrate from Hooks to Actions", not from the
// action adapter. Where the documentation is silent the comment says so and what published
// hooks rely on instead.
//
// One source of truth: the `run`/`--check` harness evaluates this file to build a hook's
// arguments and to read its answer, and every generated adapter embeds this same text.
// It declares one function and nothing else, so it can be pasted into an action's code.js.
// The rules a translated action needs as well (claim names, metadata, user ids, errors) are the
// functions marked "Shared with translations": the translator embeds exactly those functions'
// text, found by name (reconciler/migrate/model_text.py), so each rule is written once, here.
function hooksModel() {
  'use strict';

  // Error classes the Hooks runtime provided as globals (an action has none of them).
  class PreUserRegistrationError extends Error {
    constructor(message, userMessage) { super(message); this.name = 'PreUserRegistrationError'; this.userMessage = userMessage; }
  }
  class InvalidScopeError extends Error { constructor(m) { super(m); this.name = 'InvalidScopeError'; this.code = 'invalid_scope'; } }
  class InvalidRequestError extends Error { constructor(m) { super(m); this.name = 'InvalidRequestError'; this.code = 'invalid_request'; } }
  class ServerError extends Error { constructor(m) { super(m); this.name = 'ServerError'; this.code = 'server_error'; } }
  const errorClasses = { PreUserRegistrationError, InvalidScopeError, InvalidRequestError, ServerError };

  function get(object, path) {
    let value = object;
    for (const key of path.split('.')) {
      if (value === null || value === undefined || typeof value !== 'object') return undefined;
      value = value[key];
    }
    return value;
  }

  function set(object, path, value) {
    const keys = path.split('.');
    let node = object;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key];
    }
    node[keys[keys.length - 1]] = value;
  }

  // The hook gets its own copy: what it changes in its arguments never reaches the event.
  function copy(value) {
    if (value === undefined || value === null || typeof value !== 'object') return value;
    return JSON.parse(JSON.stringify(value));
  }

  // Shared with translations. Hooks' user.id is the id without the connection prefix ("user GUID
  // without 'auth0|' database prefix", post-user-registration page); published hooks build
  // 'auth0|' + user.id.
  function hookIdWithoutPrefix(id) {
    return typeof id === 'string' && id.indexOf('|') >= 0 ? id.slice(id.indexOf('|') + 1) : id;
  }

  const SECRETS = [
    ['context.webtask.secrets', 'secrets'],
    // Webtask's context.data held the same secrets (plus query parameters, which a hook never
    // had); the Hooks pages do not list it, published hooks read secrets from it.
    ['context.webtask.data', 'secrets'],
  ];
  // The Hooks pages list no context.request; published hooks read ip, language and geoip
  // from it, which the Actions event keeps under event.request.
  const REQUEST = [['context.request', 'request']];
  // The user fields the pre- and post-user-registration pages list, and the request's language.
  const REGISTERING_USER = [
        ['user.tenant', 'tenant.id'],
        ['user.username', 'user.username'],
        ['user.email', 'user.email'],
        ['user.emailVerified', 'user.email_verified'],
        ['user.phoneNumber', 'user.phone_number'],
        ['user.phoneNumberVerified', 'user.phone_verified'],
        ['user.user_metadata', 'user.user_metadata', (v) => v || {}],
        ['user.app_metadata', 'user.app_metadata', (v) => v || {}],
        ['context.requestLanguage', 'request.language'],
  ];
  const CONNECTION = [
    ['context.connection.id', 'connection.id'],
    ['context.connection.name', 'connection.name'],
    ['context.connection.tenant', 'tenant.id'],
  ];

  // Per trigger: the parameters (callback last) and where each documented argument comes from
  // in the Actions event: [argument path, event path, transform]. Below a listed path the hook
  // reads the same sub-paths the event has (user.user_metadata.plan <- user.user_metadata.plan).
  const TRIGGERS = {
    'credentials-exchange': {
      params: ['client', 'scope', 'audience', 'context', 'callback'],
      sources: [
        ['client.id', 'client.client_id'],
        ['client.name', 'client.name'],
        ['client.tenant', 'tenant.id'],
        ['client.metadata', 'client.metadata', (v) => v || {}],
        // "either an array of strings representing the token's scope claim, or undefined"
        ['scope', 'accessToken.scope'],
        ['audience', 'resource_server.identifier'],
        ...SECRETS,
        ...REQUEST,
        // Not on the Hooks pages; published hooks read the token request's body from it
        // (context.body.userId): the Actions event has it as event.request.body.
        ['context.body', 'request.body', (v) => v || {}],
        ['context.ip', 'request.ip'],
        ['context.hostname', 'request.hostname'],
      ],
    },
    'pre-user-registration': {
      params: ['user', 'context', 'callback'],
      // The user is not created yet: no id.
      sources: [
        ...REGISTERING_USER,
        // "language of the signup flow"; the Actions event has one language, event.request.language.
        ['context.renderLanguage', 'request.language'],
        ...CONNECTION,
        ...SECRETS,
        ...REQUEST,
      ],
    },
    'post-user-registration': {
      params: ['user', 'context', 'callback'],
      sources: [
        ['user.id', 'user.user_id', hookIdWithoutPrefix],
        ...REGISTERING_USER,
        ...CONNECTION,
        ...SECRETS,
        ...REQUEST,
      ],
    },
    'post-change-password': {
      params: ['user', 'context', 'callback'],
      sources: [
        // The page's example id is "abc123": the same unprefixed id as post-user-registration.
        ['user.id', 'user.user_id', hookIdWithoutPrefix],
        ['user.username', 'user.username'],
        ['user.email', 'user.email'],
        ['user.last_password_reset', 'user.last_password_reset'],
        ...CONNECTION,
        ...SECRETS,
        ...REQUEST,
      ],
    },
    'send-phone-message': {
      params: ['recipient', 'text', 'context', 'callback'],
      sources: [
        ['recipient', 'message_options.recipient'],
        ['text', 'message_options.text'],
        ['context.message_type', 'message_options.message_type'],
        // Not on the page; published SMS hooks read factor_type for the same value.
        ['context.factor_type', 'message_options.message_type'],
        ['context.action', 'message_options.action'],
        ['context.language', 'message_options.language'],
        ['context.code', 'message_options.code'],
        ['context.ip', 'request.ip'],
        ['context.user_agent', 'request.user_agent'],
        ['context.client.client_id', 'client.client_id'],
        ['context.client.name', 'client.name'],
        ['context.client.client_metadata', 'client.metadata', (v) => v || {}],
        // Here the documented user_id keeps its prefix ("auth0|test12345" in the page's example).
        ['context.user.user_id', 'user.user_id'],
        ['context.user.name', 'user.name'],
        ['context.user.email', 'user.email'],
        ['context.user.app_metadata', 'user.app_metadata', (v) => v || {}],
        ['context.user.user_metadata', 'user.user_metadata', (v) => v || {}],
        ...SECRETS,
      ],
    },
  };

  function trigger(name) {
    const shape = TRIGGERS[name];
    if (!shape) throw new Error(`hooks do not run on trigger ${name}`);
    return shape;
  }

  // The hook's arguments (without the callback) for an Actions event; event.secrets holds the secrets.
  function hookArguments(name, event) {
    const shape = trigger(name);
    const holder = {};
    for (const [argument, source, transform] of shape.sources) {
      const value = copy(get(event, source));
      set(holder, argument, transform ? transform(value) : value);
    }
    return shape.params.slice(0, -1).map((param) => holder[param]);
  }

  // The event path a read of the hook's arguments comes from, e.g. "user.id" -> "user.user_id",
  // "context.connection.name" -> "connection.name"; null for what no event field feeds.
  function eventPathOf(name, argumentPath) {
    let best = null;
    for (const [argument, source] of trigger(name).sources) {
      if (argumentPath === argument || argumentPath.startsWith(argument + '.')) {
        if (!best || argument.length > best[0].length) best = [argument, source];
      }
    }
    return best ? best[1] + argumentPath.slice(best[0].length) : null;
  }

  // Shared with translations. Namespaced claim names: "URLs with HTTP or HTTPS schemes",
  // hostnames other than auth0.com, webtask.io, webtask.run and their subdomains. "The
  // extensibility point will ignore all other response object properties."
  // (Parsed by hand: an action's runtime and the runner's realm need no URL global for it.)
  function hookClaimIsNamespaced(claim) {
    const match = /^https?:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]+)/i.exec(String(claim));
    if (!match) return false;
    const host = match[1].toLowerCase();
    return !['auth0.com', 'webtask.io', 'webtask.run'].some((d) => host === d || host.endsWith('.' + d));
  }

  // Shared with translations. The claims a credentials-exchange answer issues: its namespaced
  // properties with a value; `scope` is the token's scopes, not a claim.
  function hookClaimNames(result) {
    if (!result || typeof result !== 'object') return [];
    return Object.keys(result).filter((claim) => claim !== 'scope' && hookClaimIsNamespaced(claim) && result[claim] !== undefined);
  }

  // Shared with translations. "If you specify app_metadata and user_metadata in the response
  // object, Auth0 adds this information to the new user": [key, value] pairs of each kind.
  function hookRegistrationMetadata(result) {
    const out = { user_metadata: [], app_metadata: [] };
    // The page is silent on an answer that is no object: nothing is added.
    if (!result || typeof result !== 'object' || !result.user || typeof result.user !== 'object') return out;
    for (const kind of ['user_metadata', 'app_metadata']) {
      const given = result.user[kind];
      if (given && typeof given === 'object') {
        // By index, not push: this runs after the hook, which may have replaced Array.prototype.push.
        for (const key of Object.keys(given)) if (given[key] !== undefined) out[kind][out[kind].length] = [key, given[key]];
      }
    }
    return out;
  }

  // Shared with translations. Duck-typed: an error made in another realm (a sandbox's vm
  // context) is no `instanceof Error` here.
  function hookIsError(value) {
    return value !== null && typeof value === 'object' && 'message' in value;
  }

  // Shared with translations.
  function hookErrorMessage(error) {
    return error && error.message !== undefined ? String(error.message) : String(error);
  }

  // Shared with translations. A credentials-exchange error refuses the token: InvalidScopeError
  // -> 400 invalid_scope, InvalidRequestError -> 400 invalid_request; ServerError and a plain
  // Error -> server_error ("the behavior of the built-in Error and ServerError is identical").
  // The page is silent on a non-Error value: read as an Error.
  function hookTokenDenial(error) {
    const code = hookIsError(error) && (error.code === 'invalid_scope' || error.code === 'invalid_request')
      ? error.code : 'server_error';
    return { code, reason: hookErrorMessage(error) };
  }

  // Shared with translations. A pre-user-registration error refuses the sign-up; only a
  // PreUserRegistrationError carries a message for the user.
  function hookSignupDenial(error) {
    const userMessage = hookIsError(error) && error.name === 'PreUserRegistrationError' && error.userMessage !== undefined
      ? String(error.userMessage) : null;
    return { reason: hookErrorMessage(error), user_message: userMessage };
  }

  // Shared with translations. Where Hooks only logged a callback error, an action reports it by
  // throwing: the error itself, or an Error made of it.
  function hookError(error) {
    return hookIsError(error) ? error : new Error(String(error));
  }

  function plainData(value) {
    try { return copy(value); } catch (error) { return String(value); }
  }

  // What Auth0 did with the hook's callback(error, result), as effects:
  // {denied: {code?, reason, user_message?}} | {error: {name, message}} | {claims, scopes, user_metadata, app_metadata}.
  function answer(name, error, result, event) {
    trigger(name);
    if (error) {
      if (name === 'credentials-exchange') return { denied: hookTokenDenial(error) };
      if (name === 'pre-user-registration') return { denied: hookSignupDenial(error) };
      // post-user-registration, post-change-password: "a tenant log entry is created, but this does
      // not affect the Auth0 transaction"; send-phone-message: the message is not sent.
      return { error: { name: (error && error.name) || 'Error', message: hookErrorMessage(error) } };
    }
    const out = { claims: {}, scopes: null, user_metadata: {}, app_metadata: {} };
    if (name === 'credentials-exchange' && result && typeof result === 'object') {
      for (const claim of hookClaimNames(result)) out.claims[claim] = plainData(result[claim]);
      // "Removing [access_token.scope = scope] will reset all scopes, and the token will include only
      // any scopes you might add": an answer without `scope` issues a token without scopes.
      const requested = get(event, 'accessToken.scope');
      const answered = Array.isArray(result.scope) ? result.scope.map(String) : [];
      const before = Array.isArray(requested) ? requested.map(String) : [];
      if (answered.length !== before.length || answered.some((s, i) => s !== before[i])) out.scopes = answered;
    }
    // The page is silent on an answer that is no object: the token is issued as requested.
    if (name === 'pre-user-registration') {
      const metadata = hookRegistrationMetadata(result);
      for (const kind of ['user_metadata', 'app_metadata']) {
        for (const [key, value] of metadata[kind]) out[kind][key] = plainData(value);
      }
    }
    // post-*: "ignore any response object"; send-phone-message: the answer is not used.
    return out;
  }

  return {
    errorClasses, hookArguments, eventPathOf, answer, thrownError: hookError, params: (name) => trigger(name).params.slice(),
  };
}
