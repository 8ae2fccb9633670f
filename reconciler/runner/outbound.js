'use strict';
// What an outbound call answers in a run, so a proof reaches a hook's deny and error branches:
// a success with a body, a 4xx, a 5xx, a network error or a timeout, or an answer the config
// scripted (tests/answers/<trigger>/*.json). Each library answers the way it does for real:
// axios and got reject on a 4xx/5xx, fetch resolves with ok === false, request-style callbacks
// get (null, response, body), Node's http(s) calls back with the response.

const MODES = ['ok', '4xx', '5xx', 'network-error', 'timeout'];
const STATUS = { ok: 200, '4xx': 404, '5xx': 500 };
const REJECTING = /^(axios|got|superagent|ky|node-fetch)\b/; // promise libraries that reject on >= 400

let current = { mode: 'ok', scripted: [] };

// The answers of the next run: a mode, and scripted answers [{url, status, body} | {url, error}].
function script(mode, scripted) {
  current = { mode: MODES.includes(mode) ? mode : 'ok', scripted: Array.isArray(scripted) ? scripted : [] };
}

function urlOf(args) {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object') return String(first.url || first.uri || first.href || first.hostname || '');
  return '';
}

// {status, body} for a response, or {error: {code, message}} for a call that never got one.
function decide(name, args) {
  const url = urlOf(args);
  for (const answer of current.scripted) {
    if (answer && typeof answer.url === 'string' && url.includes(answer.url)) {
      if (answer.error) return { error: { code: String(answer.error), message: `${answer.error} (scripted)` } };
      return { status: Number(answer.status) || 200, body: answer.body === undefined ? {} : answer.body };
    }
  }
  if (current.mode === 'network-error') return { error: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED (${name})` } };
  if (current.mode === 'timeout') return { error: { code: 'ETIMEDOUT', message: `timeout of 10000ms exceeded (${name})` } };
  const status = STATUS[current.mode];
  return { status, body: status < 400 ? {} : { error: status === 404 ? 'not_found' : 'unavailable' } };
}

function response(status, body) {
  const text = JSON.stringify(body);
  const res = {
    status, statusCode: status, statusText: status < 400 ? 'OK' : 'Error', ok: status < 400, headers: {},
    data: body, body: text, json: async () => JSON.parse(text), text: async () => text,
    setEncoding() { return res; }, pipe() { return res; }, resume() { return res; },
    on(event, listener) {
      if (event === 'data') setImmediate(() => listener(text));
      if (event === 'end') setImmediate(() => setImmediate(listener));
      return res;
    },
  };
  return res;
}

function failure(name, decided, res) {
  const error = new Error(decided.error ? decided.error.message : `Request failed with status code ${res.status}`);
  if (decided.error) error.code = decided.error.code;
  if (res) error.response = res;
  error.name = /^fetch/.test(name) ? 'TypeError' : 'Error';
  return error;
}

// Answers one recorded call: calls its callback and settles its promise the way `name` would.
// `done()` runs when the answer has been delivered (the call is then no longer in flight).
// A request object's 'error' listener: told when the run's calls fail (network error, timeout).
function onError(listener) {
  if (typeof listener !== 'function') return;
  const decided = decide('request', []);
  if (decided.error) setImmediate(() => listener(failure('request', decided, null)));
}

function answer(name, args, style, done) {
  const decided = decide(name, args);
  const res = decided.error ? null : response(decided.status, decided.body);
  const last = args[args.length - 1];
  const promise = new Promise((resolve, reject) => {
    setImmediate(() => {
      done();
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
  promise.catch(() => {}); // a call whose promise nobody reads must not end the run as unhandled
  return promise;
}

module.exports = { MODES, script, answer, onError };
