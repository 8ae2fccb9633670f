'use strict';
// Runs one hook or one action, offline and deterministically, and prints what it did.
//
// Input (stdin): {"kind": "hook"|"action", "trigger", "code", "secrets", "event", "timeout_ms"}.
// Output (stdout): one JSON object: the raw outcome (callback or api calls), the requests the
// code tried to send, the modules it required, and its console output. The Python side
// (reconciler/runner/outcome.py) turns that into comparable effects.
//
// Outbound network, child processes and the file system are never reached: those modules and
// every npm package that is not installed are replaced by recording stubs. Node's permission
// model (set by the caller) confines the process to its temporary directory as a second wall.

const Module = require('module');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
// Bound now, before any script runs: a script that patches process.stdout cannot forge the record.
const writeOut = process.stdout.write.bind(process.stdout);
const exit = process.exit.bind(process);
const trace = { requests: [], modules: [], logs: [], api_calls: [] };
const MAX_LOG = 256; // Auth0 keeps 256 characters of each console.log line
const MAX_TRACE = 1000; // entries per list: a runaway loop cannot flood the output

// ------------------------------------------------------------------ determinism

const FIXED_NOW = Date.parse(job.now || '2026-01-01T00:00:00.000Z');
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) { if (args.length === 0) { super(FIXED_NOW); } else { super(...args); } }
  static now() { return FIXED_NOW; }
}
globalThis.Date = FixedDate;
let seed = 0x2545f491;
Math.random = function () { // xorshift32: the same "random" numbers on every run
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return ((seed >>> 0) % 1e9) / 1e9;
};

function push(list, entry) { if (list.length < MAX_TRACE) list.push(entry); }

// Arguments as JSON: functions and cycles are named, not followed.
function plain(value, seen = new Set()) {
  if (typeof value === 'function') return '[function]';
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (value instanceof RealDate) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => plain(v, seen));
  if (value instanceof Error) return { error: value.name, message: value.message };
  const out = {};
  for (const key of Object.keys(value)) out[key] = plain(value[key], seen);
  return out;
}

for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => push(trace.logs, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(plain(a)))).join(' ').slice(0, MAX_LOG));
}

// ------------------------------------------------------------------ recording stubs

// What each outbound call answers (outbound.js): 200 with an empty body unless a proof scripts
// other answers for its run. In flight until answered; `inFlight` says which calls still are.
const outbound = require(path.join(__dirname, 'outbound.js'));
const inFlight = new Set();

// A stand-in for anything not available offline: every call is recorded and answers 200.
// It is callable, constructible, chainable, iterable (empty) and awaitable after a call.
function stub(name, style) {
  return new Proxy(function () {}, {
    get(target, prop) {
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => `[offline ${name}]`;
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      if (prop === '__esModule') return false;
      if (prop === 'default') return stub(name, style);
      return stub(`${name}.${prop}`, style);
    },
    apply(target, self, args) { return recordCall(name, args, style); },
    construct(target, args) { recordCall(`new ${name}`, args, style); return stub(`${name}()`, style); },
  });
}

// Methods of a request object (req.on('error'), req.write(body), req.end(body)): recorded, but
// not requests of their own; an 'error' listener hears of a failed call (outbound.js).
const REQUEST_METHODS = new Set(['on', 'once', 'write', 'end', 'setTimeout', 'setHeader', 'abort', 'destroy']);

function recordCall(name, args, style) {
  const entry = { call: name, args: plain(args) };
  push(trace.requests, entry);
  const method = name.slice(name.lastIndexOf('.') + 1);
  if (name.includes('().') && REQUEST_METHODS.has(method)) {
    if ((method === 'on' || method === 'once') && args[0] === 'error') outbound.onError(args[1]);
    return stub(name.slice(0, name.lastIndexOf('.')), style);
  }
  inFlight.add(entry);
  const promise = outbound.answer(name, args, style, () => inFlight.delete(entry));
  return new Proxy(stub(`${name}()`, style), {
    get(target, prop) {
      if (prop === 'then' || prop === 'catch' || prop === 'finally') return promise[prop].bind(promise);
      // got(url).json() / .text(): the answer's body, not another request.
      if (prop === 'json' || prop === 'text') return () => promise.then((res) => res[prop]());
      return Reflect.get(target, prop);
    },
  });
}

globalThis.fetch = (...args) => recordCall('fetch', args, 'fetch');

const NETWORK_CORE = new Set(['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns']);
const WALLED_CORE = new Set(['child_process', 'cluster', 'worker_threads', 'inspector', 'fs', 'fs/promises', 'vm', 'module', 'v8', 'repl']);

function sandboxRequire(request) {
  const spec = String(request);
  const bare = spec.replace(/^node:/, '');
  // Hooks may pin versions inline: require('axios@1.6.8').
  const pinned = /^(@[^/@]+\/[^/@]+|[^/@][^@]*)@(.+)$/.exec(bare);
  const name = pinned ? pinned[1] : bare;
  if (Module.builtinModules.includes(name)) {
    if (NETWORK_CORE.has(name) || WALLED_CORE.has(name)) {
      push(trace.modules, { name, stubbed: true });
      return stub(name, name === 'http' || name === 'https' ? 'node-http' : 'callback');
    }
    return require(name);
  }
  push(trace.modules, { name, version: pinned ? pinned[2] : null, stubbed: true });
  return stub(name, 'callback');
}

function load(code, filename) {
  const mod = { exports: {} };
  const wrapper = vm.runInThisContext(Module.wrap(code), { filename });
  wrapper.call(mod.exports, mod.exports, sandboxRequire, mod, filename, path.dirname(filename));
  return mod.exports;
}

// ------------------------------------------------------------------ hooks

// The Hooks runtime model (hooks_model.js, next to this file): the hook's arguments and what
// Auth0 did with its answer. The generated adapters embed the same file.
const model = vm.runInThisContext(`${fs.readFileSync(path.join(__dirname, 'hooks_model.js'), 'utf8')}\nhooksModel`)();
// Only hooks see the error classes: an action that uses one fails here as in Auth0.
if (job.kind === 'hook') Object.assign(globalThis, model.errorClasses);

function runHook(exported, finish) {
  if (typeof exported !== 'function') throw new TypeError('the hook must export a function (module.exports = function (...) {...})');
  const event = Object.assign({}, job.event, { secrets: job.secrets });
  const args = model.hookArguments(job.trigger, event);
  let called = false;
  const cb = (error, result) => {
    if (called) return;
    called = true;
    const shown = error ? plain(error instanceof Error ? { name: error.name, message: error.message, userMessage: error.userMessage, code: error.code } : error) : null;
    finish({ callback: { error: shown, result: plain(result) }, answer: model.answer(job.trigger, error, result, event) });
  };
  exported(...args, cb);
}

// ------------------------------------------------------------------ actions

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
  const cache = new Map();
  for (const dotted of API_METHODS[trigger] || []) {
    const [group, method] = dotted.split('.');
    api[group] = api[group] || {};
    api[group][method] = (...args) => {
      // A value of undefined is no value (a token or profile, as JSON, drops it): recorded without it.
      const given = args.length === 2 && args[1] === undefined ? args.slice(0, 1) : args;
      push(trace.api_calls, { call: `api.${dotted}`, args: plain(given) });
      if (group === 'cache') {
        if (method === 'get') return cache.has(args[0]) ? { value: cache.get(args[0]) } : undefined;
        if (method === 'set') { cache.set(args[0], args[1]); return { type: 'success' }; }
        cache.delete(args[0]);
        return { type: 'success' };
      }
      return api; // the real api methods chain
    };
  }
  return api;
}

async function runAction(exported) {
  const handler = HANDLERS[job.trigger];
  if (!handler || typeof exported[handler] !== 'function') {
    throw new TypeError(`the action must export ${handler || 'a handler for ' + job.trigger} (exports.${handler} = async (event, api) => {...})`);
  }
  const event = Object.assign({}, job.event, { secrets: job.secrets });
  await exported[handler](event, buildApi(job.trigger));
  return {};
}

// ------------------------------------------------------------------ main

// ---- a proof (proof.js): every run of one hook and its action in this process
if (job.kind === 'proof') {
  const reseed = () => { seed = 0x2545f491; };
  require(path.join(__dirname, 'proof.js'))({ job, model, load, buildApi, plain, trace, inFlight, outbound, reseed, HANDLERS })
    .then((result) => writeOut(`${job.nonce}${JSON.stringify(result)}\n`, () => exit(0)),
      (error) => writeOut(`${job.nonce}${JSON.stringify({ failed: String((error && error.stack) || error) })}\n`, () => exit(0)));
  setTimeout(() => writeOut(`${job.nonce}${JSON.stringify({ timed_out: true })}\n`, () => exit(0)), Math.max(1, job.timeout_ms | 0)).unref();
  return;
}
// ---- end of a proof

let done = false;
function finish(outcome) {
  if (done) return;
  done = true;
  const out = Object.assign({ kind: job.kind, trigger: job.trigger }, outcome, trace);
  writeOut(job.nonce + JSON.stringify(out) + '\n', () => exit(0));
}

function fail(error) {
  finish({ thrown: { name: (error && error.name) || 'Error', message: String((error && error.message) || error) } });
}

process.on('uncaughtException', fail);
// Nothing left to run and no answer yet: a hook that never called back, an action whose promise never settled.
process.on('beforeExit', () => finish(job.kind === 'hook' ? { callback: null } : { completed: false }));
process.on('unhandledRejection', fail);
setTimeout(() => finish({ timed_out: true }), Math.max(1, job.timeout_ms | 0)).unref();

try {
  const exported = load(job.code, path.join(process.cwd(), job.kind === 'hook' ? 'hook.js' : 'code.js'));
  if (job.kind === 'hook') {
    runHook(exported, finish);
  } else {
    runAction(exported).then(() => {
      // Let callbacks and promise chains the handler started (but did not await) settle.
      setImmediate(() => setImmediate(() => finish({ completed: true })));
    }, fail);
  }
} catch (error) {
  fail(error);
}
