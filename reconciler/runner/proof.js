'use strict';
// The proof of one hook and its action, all runs in this one process (the harness's walls
// around it): find which event fields the hook reads, generate cases that vary each of them
// and every outbound call's answer, run hook and action on every case, and measure the hook's
// block coverage with V8's precise coverage. Python compares the effects (outcome.py).
//
// Called by harness.js for a job of kind "proof":
//   {trigger, code (the hook), action (its code), secrets, samples: [{name, event}],
//    scripted: [{name, answers}], max_runs, run_ms}
// and prints {runs: [{case, mode, hook, action}], coverage, reads, literals}.

const inspector = require('inspector');
const Module = require('module');
const path = require('path');

const MODES = ['ok', '4xx', '5xx', 'network-error', 'timeout'];
const MAX_LITERALS = 16;
const MAX_WORDS = 28;

module.exports = async function prove(h) {
  const { job, model } = h;
  const hookFile = path.join(process.cwd(), 'hook.js');
  const coverage = await startCoverage();
  let current = null; // the run under way: errors thrown from its callbacks end it
  process.on('uncaughtException', (error) => current && current.fail(error));
  process.on('unhandledRejection', (error) => current && current.fail(error));
  const runMs = Math.max(50, job.run_ms | 0 || 1000);

  function resetTrace() {
    for (const key of ['requests', 'modules', 'logs', 'api_calls']) h.trace[key] = [];
    h.reseed();
  }

  function snapshot(extra) {
    return Object.assign({ kind: extra.kind, trigger: job.trigger }, extra, {
      requests: h.trace.requests.slice(), modules: h.trace.modules.slice(), logs: h.trace.logs.slice(),
      api_calls: h.trace.api_calls.slice(),
    });
  }

  // Waits until the calls in flight are answered (or a few turns went by): the next run starts clean.
  async function drain() {
    for (let i = 0; i < 20 && h.inFlight.size > 0; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  function settleWithin(start) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ timed_out: true }), runMs);
      current = { fail: (error) => { clearTimeout(timer); resolve({ thrown: { name: (error && error.name) || 'Error', message: String((error && error.message) || error) } }); } };
      start((outcome) => { clearTimeout(timer); resolve(outcome); }, current.fail);
    });
  }

  async function runHook(event, secrets, record) {
    resetTrace();
    Object.assign(globalThis, model.errorClasses); // only hooks see them
    const withSecrets = Object.assign({}, event, { secrets });
    let leftRunning = 0;
    const outcome = await settleWithin((done, fail) => {
      try {
        const exported = h.load(job.code, hookFile);
        if (typeof exported !== 'function') throw new TypeError('the hook must export a function');
        let args = model.hookArguments(job.trigger, withSecrets);
        if (record) args = args.map((arg, i) => recorder(arg, model.params(job.trigger)[i], record));
        let called = false;
        exported(...args, (error, result) => {
          if (called) return;
          called = true;
          leftRunning = h.inFlight.size;
          const shown = error ? h.plain(typeof error === 'object' ? { name: error.name, message: error.message, userMessage: error.userMessage, code: error.code } : error) : null;
          done({ callback: { error: shown, result: h.plain(result) }, answer: model.answer(job.trigger, error, result, withSecrets) });
        });
      } catch (error) { fail(error); }
    });
    current = null;
    // The webtask went on after the callback: what the hook left running still happened.
    await drain();
    for (const name of Object.keys(model.errorClasses)) delete globalThis[name];
    // No answer within the run's limit: the hook never answered (the stubs answer at once).
    if (outcome.timed_out || (!outcome.callback && !outcome.thrown)) { outcome.callback = null; delete outcome.timed_out; }
    return snapshot(Object.assign({ kind: 'hook', left_running: leftRunning }, outcome));
  }

  async function runAction(event, secrets) {
    resetTrace();
    const handlerName = h.HANDLERS[job.trigger];
    const outcome = await settleWithin((done, fail) => {
      try {
        const exported = h.load(job.action, path.join(process.cwd(), 'code.js'));
        if (typeof exported[handlerName] !== 'function') throw new TypeError(`the action must export ${handlerName}`);
        const withSecrets = Object.assign({}, event, { secrets });
        Promise.resolve(exported[handlerName](withSecrets, h.buildApi(job.trigger))).then(() => done({ completed: true }), fail);
      } catch (error) { fail(error); }
    });
    current = null;
    // An action's pending work ends when its handler returns: calls still in flight never happened.
    const answered = h.trace.requests.filter((entry) => !h.inFlight.has(entry));
    const cutOff = h.trace.requests.length - answered.length;
    if (outcome.timed_out) { outcome.completed = false; delete outcome.timed_out; }
    const record = snapshot(Object.assign({ kind: 'action', cut_off: cutOff }, outcome));
    record.requests = answered;
    await drain();
    return record;
  }

  // ---- phase 1: which event fields the hook reads, and whether it calls out
  const reads = new Set();
  let callsOut = false;
  for (const sample of job.samples) {
    outbound(h, 'ok', []);
    const run = await runHook(clone(sample.event), clone(job.secrets), reads);
    if (run.requests.length > 0) callsOut = true;
  }

  // ---- phase 2: the cases, hook and action side by side
  const cases = generate(job, model, reads, callsOut);
  const runs = [];
  for (const one of cases) {
    outbound(h, one.mode, one.answers);
    const secrets = one.secrets || job.secrets;
    const hook = await runHook(clone(one.event), clone(secrets), null);
    outbound(h, one.mode, one.answers);
    const action = await runAction(clone(one.event), clone(secrets));
    runs.push({ case: one.name, mode: one.mode, hook, action });
  }
  const measured = await coverage.take(hookFile, job.code);
  const eventReads = [...reads].map((p) => model.eventPathOf(job.trigger, p)).filter((p) => p && !p.startsWith('secrets.'));
  return { runs, coverage: measured, reads: [...new Set(eventReads)].sort() };
};

function outbound(h, mode, answers) { h.outbound.script(mode, answers); }

function clone(value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)); }

// A view of `value` that records every path read through it ("user.email", "scope").
function recorder(value, name, reads) {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const got = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || Array.isArray(target)) { reads.add(name); return got; }
      reads.add(`${name}.${key}`);
      return typeof got === 'function' ? got : recorder(got, `${name}.${key}`, reads);
    },
    has(target, key) { reads.add(typeof key === 'string' ? `${name}.${key}` : name); return Reflect.has(target, key); },
    ownKeys(target) { reads.add(name); return Reflect.ownKeys(target); },
  });
}

// The string literals of the hook's source (comments skipped): the values its conditions compare against.
function literals(code) {
  const found = new Set();
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') { i = code.indexOf('\n', i); if (i < 0) break; continue; }
    if (c === '/' && code[i + 1] === '*') { i = code.indexOf('*/', i + 2); if (i < 0) break; i += 1; continue; }
    if (c !== "'" && c !== '"' && c !== '`') continue;
    let j = i + 1;
    let text = '';
    while (j < code.length && code[j] !== c && !(c !== '`' && code[j] === '\n')) {
      if (code[j] === '\\') { text += code[j + 1] || ''; j += 2; continue; }
      if (c === '`' && code[j] === '$' && code[j + 1] === '{') text = null;
      if (text !== null) text += code[j];
      j += 1;
    }
    if (text && text.length <= 60 && !/^(\.{0,2}\/|node:)/.test(text) && !/^[a-z0-9@/._-]+@[\d.^~x*]+$/i.test(text)) found.add(text);
    i = j;
  }
  // Object keys too: a lookup table's keys are the values a field is compared with (MESSAGES[lang]).
  for (const match of code.matchAll(/[{,]\s*([A-Za-z_][\w-]{0,30})\s*:(?!:)/g)) found.add(match[1]);
  return [...found].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, MAX_LITERALS);
}

// The names the hook reads as properties (`.score`, `.allowed`): a response body made of them
// reaches the branches that read an answer.
function propertyNames(code) {
  return [...new Set([...code.matchAll(/\.\s*([A-Za-z_$][\w$]*)/g)].map((m) => m[1]))].slice(0, 40);
}

function statuses(code) {
  const found = [...code.matchAll(/(?:[=!]==?|[<>]=?)\s*([1-5]\d\d)\b|\b([1-5]\d\d)\s*(?:[=!]==?|[<>]=?)/g)].map((m) => Number(m[1] || m[2]));
  return [...new Set(found)].filter((n) => n >= 100 && n <= 599 && n !== 200 && n !== 404 && n !== 500).slice(0, 6);
}

// Every string value in the samples and the secrets: a field is often compared with another
// (a client id in a secret's list, an audience among allowed ones).
function strings(values) {
  const out = new Set();
  const walk = (value) => {
    if (typeof value === 'string' && value.length <= 80) out.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  values.forEach(walk);
  return [...out];
}

function getPath(object, dotted) {
  let node = object;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

function setPath(object, dotted, value) {
  const keys = dotted.split('.');
  let node = object;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
}

// Values to try at one event field: absent, empty, and built from the hook's own literals.
function valuesFor(base, words, email) {
  const out = [undefined];
  if (Array.isArray(base)) {
    out.push([]);
    for (const word of words) if (!base.includes(word)) out.push(base.concat([word]));
    for (const item of base) out.push(base.filter((x) => x !== item));
  } else if (typeof base === 'boolean') {
    out.push(!base);
  } else if (typeof base === 'number') {
    out.push(0, base + 1, -1);
  } else if (base !== null && typeof base === 'object') {
    out.push({});
  } else {
    out.push('');
    out.push('x');
    for (const word of words) {
      out.push(word);
      if (email || /^[\w-]+(\.[\w-]+)+$/.test(word)) out.push(`someone@${word}`); // a domain: also as an address
    }
    if (typeof base === 'string') out.push(base.toUpperCase());
  }
  return out;
}

function generate(job, model, reads, callsOut) {
  const maxRuns = Math.max(1, job.max_runs | 0 || 96);
  const cases = [];
  for (const sample of job.samples) cases.push({ name: sample.name, mode: 'ok', answers: [], event: sample.event });
  if (callsOut) {
    for (const sample of job.samples) {
      for (const mode of MODES.slice(1)) cases.push({ name: `${sample.name} [outbound ${mode}]`, mode, answers: [], event: sample.event });
    }
    // Every status the hook compares an answer with (=== 409, >= 500), as the answer to every call.
    for (const status of statuses(job.code)) {
      for (const sample of job.samples) {
        cases.push({ name: `${sample.name} [outbound ${status}]`, mode: 'ok', answers: [{ url: '', status, body: {} }], event: sample.event });
      }
    }
    // Successes whose body has every property the hook reads, all true, then all 100.
    const names = propertyNames(job.code);
    for (const [label, value] of [['true', true], ['100', 100]]) {
      const body = Object.fromEntries(names.map((n) => [n, value]));
      for (const sample of job.samples) {
        cases.push({ name: `${sample.name} [outbound 200, every field ${label}]`, mode: 'ok', answers: [{ url: '', status: 200, body }], event: sample.event });
      }
    }
  }
  for (const scripted of job.scripted || []) {
    for (const sample of job.samples) {
      cases.push({ name: `${sample.name} [answers ${scripted.name}]`, mode: 'ok', answers: scripted.answers, event: sample.event });
    }
  }
  // One field changed at a time, the fields taking turns, on the samples in turn.
  const words = [...new Set([...literals(job.code), ...strings([job.secrets]), ...strings(job.samples.map((x) => x.event))])].slice(0, MAX_WORDS);
  // Secrets too: a hook may branch on a flag it keeps there (secrets.ADD_CLAIM === 'on').
  const fields = [...new Set([...reads].map((p) => model.eventPathOf(job.trigger, p)).filter((p) => p && p !== 'secrets'))].sort();
  const queues = fields.map((field) => {
    const list = [];
    const base = { secrets: job.secrets };
    job.samples.forEach((sample) => {
      const holder = field.startsWith('secrets.') ? base : sample.event;
      for (const value of valuesFor(getPath(holder, field), words, /email/i.test(field))) list.push({ sample, field, value });
    });
    return list;
  });
  const seen = new Set(cases.map((c) => JSON.stringify({ secrets: job.secrets, event: c.event })));
  while (cases.length < maxRuns && queues.some((q) => q.length > 0)) {
    for (const queue of queues) {
      if (cases.length >= maxRuns || queue.length === 0) continue;
      const { sample, field, value } = queue.shift();
      const holder = { secrets: clone(job.secrets), event: clone(sample.event) };
      setPath(holder, field.startsWith('secrets.') ? field : `event.${field}`, clone(value));
      const key = JSON.stringify(holder);
      if (seen.has(key)) continue;
      seen.add(key);
      const { event, secrets } = holder;
      // A secret's value is never shown: only which one was varied.
      const shown = field.startsWith('secrets.') ? 'varied' : value === undefined ? 'absent' : JSON.stringify(value).slice(0, 40);
      cases.push({ name: `${sample.name} [${field} = ${shown}]`, mode: 'ok', answers: [], event, secrets });
      if (callsOut && cases.length < maxRuns) {
        cases.push({ name: `${sample.name} [${field} = ${shown}, outbound 5xx]`, mode: '5xx', answers: [], event, secrets });
      }
    }
  }
  return cases.slice(0, maxRuns);
}

// V8's precise block coverage through the inspector (the harness's permission model must allow
// it: Node's --allow-inspector). Unavailable: {error}.
async function startCoverage() {
  let session;
  try {
    session = new inspector.Session();
    session.connect();
  } catch (error) {
    return { take: async () => ({ error: `V8 coverage is not available here (${error.code || error.message})` }) };
  }
  const post = (method, params) => new Promise((resolve, reject) => {
    session.post(method, params || {}, (error, result) => (error ? reject(error) : resolve(result)));
  });
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  // --allow-inspector is for this one session: a script that reaches the module another way
  // (process.getBuiltinModule) can open no session of its own, nor a debugging port.
  const refuse = () => { throw new Error('the inspector is not available to scripts'); };
  inspector.Session.prototype.connect = refuse;
  inspector.Session.prototype.connectToMainThread = refuse;
  inspector.open = refuse;
  inspector.waitForDebugger = refuse;
  return {
    async take(file, code) {
      const { result } = await post('Profiler.takePreciseCoverage');
      const scripts = result.filter((s) => s.url === file || s.url === `file://${file}`);
      return blocks(scripts, Module.wrap(code).indexOf(code), code);
    },
  };
}

// The hook's blocks (functions and branches V8 reports) and which ran in any run; for those that
// never ran, their lines. Blocks are keyed by position, so scripts compiled anew merge.
function blocks(scripts, prefix, code) {
  const inside = (r) => r.startOffset >= prefix && r.endOffset <= prefix + code.length + 1 && !(r.startOffset === prefix && r.endOffset >= prefix + code.length);
  const all = new Map();
  for (const script of scripts) {
    for (const fn of script.functions) for (const range of fn.ranges) if (inside(range)) all.set(`${range.startOffset}:${range.endOffset}`, range);
  }
  if (scripts.length === 0) return { error: 'the hook never ran' };
  const ran = (range) => scripts.some((script) => innermost(script, range) > 0);
  const missed = [...all.values()].filter((range) => !ran(range));
  // Report the outermost missed blocks only.
  const outer = missed.filter((r) => !missed.some((o) => o !== r && o.startOffset <= r.startOffset && o.endOffset >= r.endOffset));
  const lineOf = (offset) => code.slice(0, Math.max(0, offset - prefix)).split('\n').length;
  const lines = outer.map((r) => [lineOf(r.startOffset), lineOf(Math.max(r.startOffset, r.endOffset - 1))]).sort((a, b) => a[0] - b[0]);
  return { total: all.size, covered: all.size - missed.length, missed_lines: lines };
}

// The count V8 gives the smallest range of `script` that holds `range`.
function innermost(script, range) {
  let best = null;
  for (const fn of script.functions) {
    for (const r of fn.ranges) {
      if (r.startOffset <= range.startOffset && r.endOffset >= range.endOffset) {
        if (!best || r.endOffset - r.startOffset < best.endOffset - best.startOffset) best = r;
      }
    }
  }
  return best ? best.count : 0;
}
