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
  let cutOff = [];

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

  // The Hooks runtime model (hooks_model.js, compiled into this realm by the harness as
  // kit.model): the hook's arguments and what Auth0 did with its answer. The generated
  // adapters embed the same file. Only hooks see its error classes: an action that uses one
  // fails here as in Auth0.
  const model = kit.model;
  if (job.kind === 'hook') Object.assign(globalThis, model.errorClasses);

  // A view of an argument that reports every path the hook reads ("user.email", "scope"): a
  // proof varies those event fields (job.record_reads).
  const reads = new kit.MapCtor();
  function recorder(value, name) {
    if (value === null || typeof value !== 'object') return value;
    // Reported as the event field it comes from ("user.id" -> "user.user_id"; a secret: "secrets.X").
    const note = (path) => {
      const field = model.eventPathOf(job.trigger, path);
      if (field && !kit.MapPrototypeHas(reads, field)) { kit.MapPrototypeSet(reads, field, true); emit('read', field); }
    };
    return new kit.ProxyCtor(value, {
      get(target, key, receiver) {
        const got = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || kit.ArrayIsArray(target)) { note(name); return got; }
        note(`${name}.${key}`);
        return typeof got === 'function' ? got : recorder(got, `${name}.${key}`);
      },
      has(target, key) { note(typeof key === 'string' && !kit.ArrayIsArray(target) ? `${name}.${key}` : name); return Reflect.has(target, key); },
      ownKeys(target) { note(name); return kit.ReflectOwnKeys(target); },
    });
  }

  function runHook(exported) {
    if (typeof exported !== 'function') throw new TypeError('the hook must export a function (module.exports = function (...) {...})');
    const event = Object.assign({}, job.event, { secrets: job.secrets });
    let args = model.hookArguments(job.trigger, event);
    if (job.record_reads) {
      const params = model.params(job.trigger);
      args = args.map((arg, i) => recorder(arg, params[i]));
    }
    const cb = (error, result) => {
      if (ended) return;
      const shown = error
        ? (typeof error === 'object' ? { name: error.name, message: error.message, userMessage: error.userMessage, code: error.code } : error)
        : null;
      // Outbound calls still in flight went on: Hooks let the webtask run after the callback.
      const leftRunning = kit.inFlight ? kit.inFlight().length : 0;
      end({ callback: { error: shown, result }, answer: model.answer(job.trigger, error, result, event), left_running: leftRunning });
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
        // A value of undefined is no value (a token or profile, as JSON, drops it): recorded without it.
        emit('api_call', { call: `api.${dotted}`, args: args.length === 2 && args[1] === undefined ? [args[0]] : args });
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
    // An action's pending work ends when its handler returns: calls still in flight then never happened.
    PromisePrototypeThen(PromiseResolve(returned), () => { settled = true; grace = 2; cutOff = kit.inFlight ? kit.inFlight() : []; }, fail);
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
        end({ completed: true, cut_off: cutOff });
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
  kit.buildApi = buildApi;
  return ObjectCreate(null);
});
