// What an outbound call answers in a run, so a proof reaches a hook's deny and error branches:
// a success with a body, a 4xx, a 5xx, a network error or a timeout, or an answer the config
// scripted (tests/answers/<trigger>/*.json); the run's job says which ({"outbound": {mode,
// scripted}}; none: 200 with an empty body). Each library answers the way it does for real:
// axios and got reject on a 4xx/5xx, fetch resolves with ok === false, request-style callbacks
// get (null, response, body), Node's http(s) calls back with the response. A call is in flight
// until its answer is delivered (`kit.inFlight()` lists them by their place in the run).
// Evaluated in the script's realm (see realm.js), after stubs.js; adds `outboundCall` and
// `inFlight` to the kit.
(function installOutbound(kit) {
  'use strict';
  const { job, ProxyCtor, PromiseCtor, ReflectApply, ReflectOwnKeys, ErrorCtor, StringCtor, ArrayIsArray, ObjectCreate } = kit;

  const STATUS = { ok: 200, '4xx': 404, '5xx': 500 };
  const REJECTING = /^(axios|got|superagent|ky)\b/; // promise libraries that reject on >= 400
  // Methods of a request object (req.on('error'), req.write(body), req.end(body)): recorded, but
  // not requests of their own.
  const REQUEST_METHODS = ['on', 'once', 'write', 'end', 'setTimeout', 'setHeader', 'abort', 'destroy'];
  const spec = (job && job.outbound) || {};
  const mode = StringCtor(spec.mode || 'ok');
  const scripted = ArrayIsArray(spec.scripted) ? spec.scripted : [];
  const pending = ObjectCreate(null); // place in the run's requests -> true while in flight
  let placed = 0;

  function urlOf(args) {
    const first = args[0];
    if (typeof first === 'string') return first;
    if (first && typeof first === 'object') return StringCtor(first.url || first.uri || first.href || first.hostname || '');
    return '';
  }

  // {status, body} for a response, or {error: {code, message}} for a call that never got one.
  function decide(name, args) {
    const url = urlOf(args);
    for (let i = 0; i < scripted.length; i++) {
      const answer = scripted[i];
      if (answer && typeof answer.url === 'string' && (url.indexOf(answer.url) >= 0 || name.indexOf(answer.url) >= 0)) {
        if (answer.error) return { error: { code: StringCtor(answer.error), message: `${answer.error} (scripted)` } };
        return { status: Number(answer.status) || 200, body: answer.body === undefined ? {} : answer.body };
      }
    }
    if (mode === 'network-error') return { error: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED (${name})` } };
    if (mode === 'timeout') return { error: { code: 'ETIMEDOUT', message: `timeout of 10000ms exceeded (${name})` } };
    const status = STATUS[mode] || 200;
    return { status, body: status < 400 ? {} : { error: status === 404 ? 'not_found' : 'unavailable' } };
  }

  function response(status, body) {
    const text = JSON.stringify(body);
    const res = {
      status, statusCode: status, statusText: status < 400 ? 'OK' : 'Error', ok: status < 400, headers: {},
      data: body, body: text, json: async () => JSON.parse(text), text: async () => text,
      setEncoding() { return res; }, pipe() { return res; }, resume() { return res; },
      on(event, listener) {
        if (event === 'data') kit.setImmediate(() => listener(text));
        if (event === 'end') kit.setImmediate(() => kit.setImmediate(listener));
        return res;
      },
    };
    return res;
  }

  function failure(name, decided, res) {
    const error = new ErrorCtor(decided.error ? decided.error.message : `Request failed with status code ${res.status}`);
    if (decided.error) error.code = decided.error.code;
    if (res) error.response = res;
    if (/^fetch/.test(name)) error.name = 'TypeError';
    return error;
  }

  // One recorded call (stubs.js has emitted it): its answer, delivered the way `name` would.
  function outboundCall(name, args, style) {
    const place = placed++; // every recorded call has a place, as in the record's requests
    const method = name.slice(name.lastIndexOf('.') + 1);
    if (name.indexOf('().') >= 0 && REQUEST_METHODS.indexOf(method) >= 0) {
      const listener = args[1];
      if ((method === 'on' || method === 'once') && args[0] === 'error' && typeof listener === 'function') {
        const decided = decide(name, []);
        if (decided.error) kit.setImmediate(() => listener(failure(name, decided, null)));
      }
      return kit.stub(name.slice(0, name.lastIndexOf('.')), style);
    }
    pending[place] = true;
    for (let i = 0; i < hooks.length; i++) hooks[i].init(place + 1, 'HTTPCLIENTREQUEST');
    const decided = decide(name, args);
    const res = decided.error ? null : response(decided.status, decided.body);
    const last = args.length ? args[args.length - 1] : undefined;
    const promise = new PromiseCtor((resolve, reject) => {
      kit.setImmediate(() => {
        delete pending[place];
        for (let i = 0; i < hooks.length; i++) hooks[i].destroy(place + 1);
        if (typeof last === 'function') {
          if (style === 'node-http') { if (res) last(res); } // a failed http.request only emits 'error'
          else if (res) last(null, res, res.body);
          else last(failure(name, decided, null));
        }
        if (!res) reject(failure(name, decided, null));
        else if (res.status >= 400 && REJECTING.test(name)) reject(failure(name, decided, res));
        else resolve(res);
      });
    });
    promise.then(undefined, () => {}); // a call whose promise nobody reads must not end the run
    return new ProxyCtor(kit.stub(`${name}()`, style), {
      get(target, prop) {
        if (prop === 'then' || prop === 'catch' || prop === 'finally') {
          const bound = promise[prop];
          return (...callbacks) => ReflectApply(bound, promise, callbacks);
        }
        // got(url).json() / .text(): the answer's body, not another request.
        if (prop === 'json' || prop === 'text') return () => promise.then((r) => r[prop]());
        return target[prop];
      },
    });
  }

  // async_hooks as far as outbound calls go: a request is a resource from its call to its answer
  // (an adapter follows the work a hook leaves running with it; timers are not followed here).
  const hooks = [];
  const asyncHooks = {
    createHook(callbacks) {
      const listener = { init: (callbacks && callbacks.init) || (() => {}), destroy: (callbacks && callbacks.destroy) || (() => {}) };
      const handle = {
        enable() { if (hooks.indexOf(listener) < 0) hooks[hooks.length] = listener; return handle; },
        disable() { const at = hooks.indexOf(listener); if (at >= 0) hooks.splice(at, 1); return handle; },
      };
      return handle;
    },
    executionAsyncId: () => 1,
    triggerAsyncId: () => 0,
  };
  kit.asyncHooks = asyncHooks;

  // Only requests count: a request object's methods are not placed (see REQUEST_METHODS).
  kit.outboundCall = outboundCall;
  kit.inFlight = () => ReflectOwnKeys(pending).map(Number);
});
