// Recording stubs: whatever would leave the machine (network modules, npm packages, fetch) is
// replaced by a stand-in that records the call and answers 200. Evaluated in the script's realm
// (see realm.js); adds `stub`, `recordCall` and `respond` to the kit.
//
// `kit.respond(call, args)` decides the answer to an outbound call; replace it (before the
// script runs) to script answers.
(function installStubs(kit) {
  'use strict';
  const { emit, ProxyCtor, PromiseResolve, ReflectApply, SymbolIterator, SymbolToPrimitive } = kit;

  function fakeResponse() {
    const body = '{}';
    const response = {
      status: 200, statusCode: 200, statusText: 'OK', ok: true, headers: {}, data: {}, body,
      json: async () => ({}), text: async () => body,
      setEncoding() { return response; }, pipe() { return response; },
      on(event, listener) {
        if (event === 'data') kit.setImmediate(() => listener(body));
        if (event === 'end') kit.setImmediate(() => kit.setImmediate(listener));
        return response;
      },
    };
    return response;
  }

  // A stand-in for anything not available offline: every call is recorded and answers 200.
  // It is callable, constructible, chainable, iterable (empty) and awaitable after a call.
  function stub(name, style) {
    return new ProxyCtor(function offline() {}, {
      get(target, prop) {
        if (prop === SymbolIterator) return function* empty() {};
        if (prop === SymbolToPrimitive) return () => `[offline ${name}]`;
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        if (prop === '__esModule') return false;
        if (prop === 'default') return stub(name, style);
        return stub(`${name}.${prop}`, style);
      },
      apply(target, self, args) { return recordCall(name, args, style); },
      construct(target, args) { recordCall(`new ${name}`, args, style); return stub(`${name}()`, style); },
    });
  }

  // The call is on the record before anything else happens: a script cannot take it back.
  function recordCall(name, args, style) {
    emit('request', { call: name, args });
    if (kit.outboundCall) return kit.outboundCall(name, args, style); // outbound.js: scripted answers
    const response = kit.respond(name, args);
    const last = args.length ? args[args.length - 1] : undefined;
    if (typeof last === 'function') {
      // Node's http(s).request calls back with the response; request-style libraries with (err, res, body).
      if (style === 'node-http') kit.setImmediate(() => last(response));
      else kit.setImmediate(() => last(null, response, response.body));
    }
    const promise = PromiseResolve(response);
    return new ProxyCtor(stub(`${name}()`, style), {
      get(target, prop) {
        if (prop === 'then' || prop === 'catch' || prop === 'finally') {
          const method = promise[prop];
          return (...callbacks) => ReflectApply(method, promise, callbacks);
        }
        return target[prop];
      },
    });
  }

  kit.respond = () => fakeResponse();
  kit.stub = stub;
  kit.recordCall = recordCall;
  globalThis.fetch = (...args) => recordCall('fetch', args, 'fetch');
});
