'use strict';
// Runs hooks and actions, offline and deterministically, each in a realm of its own, and
// streams what they do as it happens.
//
// Protocol. stdin: newline-delimited JSON. The first line is the header {"nonce": "<hex>"};
// every further line is one run: {"id", "kind": "hook"|"action", "trigger", "code", "secrets",
// "event", "timeout_ms", "now"?}. stdout: one line per event, "<nonce> <json>\n", where json is
// {"run": id, "event": type, "data": ...}; first {"run": null, "event": "ready"} once the input
// is read (the first run's clock starts then); types are "module", "request", "api_call", "log"
// (as they happen) and "end" (once per run: {"callback": ...} | {"completed": bool} |
// {"thrown": {name, message}} | {"timed_out": true}); after the last run {"run": null,
// "event": "done"}. Runs are taken one after the other in the same process.
//
// The script never runs in this realm: realm.js, stubs.js, modules.js and runtime.js are
// evaluated inside a fresh vm context, build everything the script sees there, and call back
// here only through the three functions below, with strings, which answer with strings and
// never throw. Node's permission model, the network namespace and the rlimits (set by the
// Python side) are the walls behind this one.

const fs = require('fs');
const path = require('path');
const vm = require('vm');
const crypto = require('crypto');
const { builtinModules } = require('module');

const HERE = __dirname;
const REALM_FILES = ['realm.js', 'stubs.js', 'outbound.js', 'modules.js', 'runtime.js'];
// The Hooks runtime model: one function declaration, compiled into each realm as kit.model.
const MODEL = fs.readFileSync(path.join(HERE, 'hooks_model.js'), 'utf8');
const SOURCES = REALM_FILES.map((name) => [name, fs.readFileSync(path.join(HERE, name), 'utf8')]);
const LIMITS = { module: 1000, request: 1000, api_call: 1000, log: 1000, read: 1000 }; // events per run and type

const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const exit = process.exit.bind(process);
const setImmediateHost = setImmediate;

const lines = fs.readFileSync(0, 'utf8').split('\n').filter((line) => line.trim() !== '');
const header = JSON.parse(lines[0]);
const NONCE = String(header.nonce);
const jobs = lines.slice(1).map((line) => JSON.parse(line));

function write(text) {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') exit(70); // the reader is gone: nothing left to report to
    }
  }
}

function send(run, type, dataJson) {
  write(`${NONCE} {"run":${stringify(run)},"event":${stringify(type)},"data":${dataJson}}\n`);
}

// ------------------------------------------------------------------ host functions for the realm

let current = null; // {id, counts, kit}

function hostEmit(type, dataJson) {
  try {
    if (current === null || typeof type !== 'string' || typeof dataJson !== 'string') return '';
    if (!Object.prototype.hasOwnProperty.call(LIMITS, type) && type !== 'end') return '';
    if (type !== 'end') {
      const seen = current.counts[type] || 0;
      if (seen >= LIMITS[type]) return '';
      current.counts[type] = seen + 1;
    }
    JSON.parse(dataJson); // the realm's serializer is trusted, but a malformed line would cost the whole record
    send(current.id, type, dataJson);
  } catch (error) {
    send(current ? current.id : null, 'host_error', stringify(String(error && error.message)));
  }
  return '';
}

const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
function hostCrypto(algorithm, keyBase64, dataBase64, mode) {
  try {
    const name = String(algorithm).toLowerCase().replace(/-/g, '');
    if (!HASHES.has(name)) return `-Digest method not supported: ${String(algorithm).slice(0, 40)}`;
    const data = Buffer.from(String(dataBase64), 'base64');
    const digest = mode === 'hmac'
      ? crypto.createHmac(name, Buffer.from(String(keyBase64), 'base64')).update(data).digest('base64')
      : crypto.createHash(name).update(data).digest('base64');
    return `+${digest}`;
  } catch (error) {
    return '-digest failed';
  }
}

const URL_FIELDS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
function hostUrl(input, base) {
  try {
    const parsed = base ? new URL(String(input), String(base)) : new URL(String(input));
    const out = {};
    for (const field of URL_FIELDS) out[field] = String(parsed[field]);
    return stringify(out);
  } catch (error) {
    return '';
  }
}

// ------------------------------------------------------------------ one run

// The realm's own files, compiled once per process and run in every realm: their code is
// shared, never their objects (each run evaluates them in its new context). Compiling them
// again for every run cost most of a run's time, more so under V8's block coverage.
const BOOTSTRAP = SOURCES.map(([name, source]) => [name, new vm.Script(source, {
  filename: name,
  // None of these files calls import(); were one reached, it fails in the running script's realm.
  importModuleDynamically: () => { throw current.kit.makeError('import() is not available in the runner'); },
})]);
const MODEL_SCRIPT = new vm.Script(`${MODEL}\nhooksModel`, {
  filename: 'hooks_model.js',
  importModuleDynamically: () => { throw current.kit.makeError('import() is not available in the runner'); },
});

function newRealm(job) {
  const context = vm.createContext(Object.create(null), {
    name: `run ${job.id}`,
    codeGeneration: { strings: true, wasm: false },
  });
  let kit = null;
  // A dynamic import() fails with an error of the script's realm (a host error would lead back here).
  const importModuleDynamically = () => { throw kit.makeError('import() is not available in the runner'); };
  const compile = (source, filename) => new vm.Script(source, { filename, importModuleDynamically }).runInContext(context);
  const env = stringify({ HOME: process.env.HOME || '/', LANG: process.env.LANG || 'C.UTF-8', TZ: process.env.TZ || 'UTC' });
  const jobText = stringify(Object.assign({}, job, { builtins: builtinModules, node_version: process.version }));
  for (const [name, script] of BOOTSTRAP) {
    const install = script.runInContext(context);
    kit = kit === null ? install(hostEmit, hostCrypto, hostUrl, env, jobText) : (install(kit), kit);
    if (name === 'realm.js') kit.model = MODEL_SCRIPT.runInContext(context)();
  }
  return { kit, compile };
}

function runOne(job, done) {
  current = { id: job.id, counts: {} };
  const filename = job.kind === 'hook' ? 'hook.js' : 'code.js';
  let realm;
  try {
    realm = newRealm(job);
  } catch (error) {
    send(job.id, 'end', stringify({ thrown: { name: 'Error', message: `the runner could not start: ${error && error.message}` } }));
    done();
    return;
  }
  const { kit, compile } = realm;
  const pump = kit.pump;
  current.kit = kit;
  current.promises = kit.PromiseCtor.prototype; // read before the script runs
  let state;
  try {
    const wrapper = compile(`(function (exports, require, module, __filename, __dirname) { ${job.code}\n});`, filename);
    state = kit.start(wrapper, `/${filename}`);
  } catch (error) {
    // A syntax error: raised while compiling, here, so described here (strings only go back).
    send(job.id, 'end', stringify({ thrown: { name: String(error && error.name), message: String(error && error.message) } }));
    done();
    return;
  }
  const next = () => {
    if (state === 'ended') { current = null; done(); return; }
    state = pump();
    setImmediateHost(next); // an empty stack between steps: the script's promise jobs run here
  };
  setImmediateHost(next);
}

// A rejection nobody handled, or an error thrown outside a step, ends the current run as a throw;
// a promise of an earlier run's realm (its script still busy after its end) cannot end this one.
process.on('unhandledRejection', (reason, promise) => {
  if (current && current.kit && Reflect.getPrototypeOf(promise) === current.promises) current.kit.fail(reason);
});
process.on('uncaughtException', (error) => {
  if (current && current.kit) current.kit.fail(error);
  else send(null, 'host_error', stringify(String(error && error.message)));
});

// ---- a proof's coverage (coverage.js): V8's block coverage of every hook.js, taken here,
// outside the scripts' realms, when the header asks for it (the process then runs without
// Node's permission model, which refuses the inspector; see node.py)
const coverage = header.coverage ? require(path.join(HERE, 'coverage.js')).start() : null;
// ---- end of a proof's coverage

send(null, 'ready', 'null');
let index = 0;
function nextJob() {
  if (index >= jobs.length) {
    if (coverage) {
      coverage.take('hook.js', (jobs.find((job) => job.kind === 'hook') || {}).code).then((result) => { send(null, 'coverage', stringify(result)); send(null, 'done', 'null'); exit(0); });
      return;
    }
    send(null, 'done', 'null');
    exit(0);
    return;
  }
  runOne(jobs[index++], nextJob);
}
nextJob();
