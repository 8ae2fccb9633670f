// `require` for scripts: a few of Node's modules rebuilt in the script's realm (crypto, url,
// querystring, util, events, path, assert, buffer, string_decoder, timers), everything else a
// recording stub (network and process modules, the file system, npm packages, pinned or not).
// Evaluated in the script's realm (see realm.js); adds `require` and `process` to the kit.
(function installModules(kit) {
  'use strict';
  const { Buffer, emit, digest, parseUrl, ObjectCreate, StringCtor } = kit;
  const BUILTINS = new Set(kit.job.builtins || []);
  const NETWORK = new Set(['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns']);
  // What decides whether a require is recorded uses only functions captured now.
  const SetHas = kit.uncurry(Set.prototype.has);
  const RegExpExec = kit.uncurry(RegExp.prototype.exec);
  const StringSlice = kit.uncurry(String.prototype.slice);
  const hasOwn = kit.ObjectPrototypeHasOwnProperty;
  const PINNED = /^(@[^/@]+\/[^/@]+|[^/@][^@]*)@(.+)$/;

  function bytes(data, encoding) { return typeof data === 'string' ? Buffer.from(data, encoding) : Buffer.from(data); }

  // ---------------------------------------------------------------- crypto

  function hasher(algorithm, key) {
    const chunks = [];
    const self = {
      update(data, encoding) { chunks.push(bytes(data, encoding)); return self; },
      digest(encoding) { return digest(algorithm, key, Buffer.concat(chunks), encoding); },
      copy() { const other = hasher(algorithm, key); chunks.forEach((c) => other.update(c)); return other; },
    };
    return self;
  }
  const crypto = {
    createHash: (algorithm) => hasher(algorithm, null),
    createHmac: (algorithm, key) => hasher(algorithm, bytes(key)),
    randomBytes: kit.randomBytes,
    randomUUID: kit.randomUUID,
    randomInt(min, max) { if (max === undefined) { max = min; min = 0; } return min + Math.floor(kit.random() * (max - min)); },
    getRandomValues(array) { const b = kit.randomBytes(array.byteLength); new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(b); return array; },
    timingSafeEqual(a, b) {
      if (a.length !== b.length) throw new RangeError('Input buffers must have the same byte length');
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
      return diff === 0;
    },
  };

  // ---------------------------------------------------------------- url, querystring

  class URLSearchParams {
    constructor(init) {
      this._pairs = [];
      if (typeof init === 'string') {
        const text = init[0] === '?' ? init.slice(1) : init;
        for (const part of text.split('&')) {
          if (!part) continue;
          const at = part.indexOf('=');
          const decode = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } };
          this._pairs.push(at < 0 ? [decode(part), ''] : [decode(part.slice(0, at)), decode(part.slice(at + 1))]);
        }
      } else if (init && typeof init === 'object') {
        for (const [k, v] of (typeof init[Symbol.iterator] === 'function' ? init : Object.entries(init))) this._pairs.push([String(k), String(v)]);
      }
    }
    get(name) { const found = this._pairs.find((p) => p[0] === name); return found ? found[1] : null; }
    getAll(name) { return this._pairs.filter((p) => p[0] === name).map((p) => p[1]); }
    has(name) { return this._pairs.some((p) => p[0] === name); }
    append(name, value) { this._pairs.push([String(name), String(value)]); }
    set(name, value) { this.delete(name); this.append(name, value); }
    delete(name) { this._pairs = this._pairs.filter((p) => p[0] !== name); }
    forEach(fn) { this._pairs.forEach((p) => fn(p[1], p[0], this)); }
    keys() { return this._pairs.map((p) => p[0])[Symbol.iterator](); }
    values() { return this._pairs.map((p) => p[1])[Symbol.iterator](); }
    entries() { return this._pairs.map((p) => [p[0], p[1]])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    toString() {
      const encode = (s) => encodeURIComponent(s).replace(/%20/g, '+');
      return this._pairs.map((p) => `${encode(p[0])}=${encode(p[1])}`).join('&');
    }
  }

  class URL {
    constructor(input, base) { Object.assign(this, parseUrl(input, base)); this.searchParams = new URLSearchParams(this.search); }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }

  const url = {
    URL, URLSearchParams,
    parse(text) {
      const parsed = parseUrl(text);
      return Object.assign({}, parsed, { query: parsed.search ? parsed.search.slice(1) : null, path: parsed.pathname + parsed.search, auth: parsed.username ? `${parsed.username}${parsed.password ? ':' + parsed.password : ''}` : null });
    },
    format(value) { return typeof value === 'string' ? value : value instanceof URL ? value.href : `${value.protocol ? value.protocol + '//' : ''}${value.host || value.hostname || ''}${value.pathname || ''}${value.search || ''}${value.hash || ''}`; },
  };

  const querystring = {
    parse(text, sep = '&', eq = '=') {
      const out = {};
      for (const part of String(text || '').split(sep)) {
        if (!part) continue;
        const at = part.indexOf(eq);
        const decode = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } };
        const key = decode(at < 0 ? part : part.slice(0, at));
        const value = at < 0 ? '' : decode(part.slice(at + eq.length));
        out[key] = key in out ? [].concat(out[key], value) : value;
      }
      return out;
    },
    stringify(value, sep = '&', eq = '=') {
      return Object.keys(value || {}).map((k) => [].concat(value[k]).map((v) => `${encodeURIComponent(k)}${eq}${encodeURIComponent(v === undefined || v === null ? '' : v)}`).join(sep)).join(sep);
    },
    escape: encodeURIComponent,
    unescape: decodeURIComponent,
  };
  querystring.decode = querystring.parse;
  querystring.encode = querystring.stringify;

  // ---------------------------------------------------------------- util, events, path, assert

  function inspect(value) { return typeof value === 'string' ? value : JSON.parse(kit.serialize(value)) === null && value !== null && value !== undefined ? String(value) : kit.serialize(value); }
  const util = {
    format(first, ...rest) {
      if (typeof first !== 'string') return [first, ...rest].map(inspect).join(' ');
      let i = 0;
      const text = first.replace(/%[sdifjoO%]/g, (m) => {
        if (m === '%%') return '%';
        if (i >= rest.length) return m;
        const v = rest[i++];
        if (m === '%d' || m === '%i') return String(parseInt(v, 10));
        if (m === '%f') return String(parseFloat(v));
        if (m === '%s') return typeof v === 'string' ? v : inspect(v);
        return kit.serialize(v);
      });
      return [text, ...rest.slice(i).map(inspect)].join(' ');
    },
    inspect,
    promisify(fn) {
      return (...args) => new Promise((resolve, reject) => fn(...args, (error, value) => (error ? reject(error) : resolve(value))));
    },
    inherits(ctor, superCtor) { Object.setPrototypeOf(ctor.prototype, superCtor.prototype); Object.setPrototypeOf(ctor, superCtor); },
    isDeepStrictEqual(a, b) { return kit.serialize(a) === kit.serialize(b); },
    types: { isDate: (v) => v instanceof Date, isRegExp: (v) => v instanceof RegExp, isPromise: (v) => v instanceof Promise },
    TextEncoder: kit.TextEncoder,
    TextDecoder: kit.TextDecoder,
  };

  class EventEmitter {
    constructor() { this._events = new Map(); }
    on(name, listener) { if (!this._events.has(name)) this._events.set(name, []); this._events.get(name).push(listener); return this; }
    once(name, listener) { const wrapped = (...args) => { this.off(name, wrapped); listener.apply(this, args); }; return this.on(name, wrapped); }
    off(name, listener) { const list = this._events.get(name) || []; const at = list.indexOf(listener); if (at >= 0) list.splice(at, 1); return this; }
    emit(name, ...args) {
      const list = (this._events.get(name) || []).slice();
      if (name === 'error' && !list.length) throw args[0];
      list.forEach((listener) => listener.apply(this, args));
      return list.length > 0;
    }
    listeners(name) { return (this._events.get(name) || []).slice(); }
    listenerCount(name) { return (this._events.get(name) || []).length; }
    removeAllListeners(name) { if (name === undefined) this._events.clear(); else this._events.delete(name); return this; }
  }
  EventEmitter.prototype.addListener = EventEmitter.prototype.on;
  EventEmitter.prototype.removeListener = EventEmitter.prototype.off;
  EventEmitter.EventEmitter = EventEmitter;

  function normalize(p) {
    const absolute = p.startsWith('/');
    const out = [];
    for (const part of p.split('/')) {
      if (!part || part === '.') continue;
      if (part === '..') { if (out.length && out[out.length - 1] !== '..') out.pop(); else if (!absolute) out.push('..'); } else out.push(part);
    }
    return (absolute ? '/' : '') + out.join('/') || (absolute ? '/' : '.');
  }
  const path = {
    sep: '/', delimiter: ':',
    normalize,
    join: (...parts) => normalize(parts.filter((p) => p !== '').join('/')),
    resolve: (...parts) => { let p = ''; for (const part of parts) p = part.startsWith('/') ? part : `${p}/${part}`; return normalize(p.startsWith('/') ? p : `/${p}`); },
    basename(p, ext) { const base = p.replace(/\/+$/, '').split('/').pop(); return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base; },
    dirname(p) { const parts = p.replace(/\/+$/, '').split('/'); parts.pop(); return parts.join('/') || (p.startsWith('/') ? '/' : '.'); },
    extname(p) { const base = path.basename(p); const at = base.lastIndexOf('.'); return at > 0 ? base.slice(at) : ''; },
    isAbsolute: (p) => p.startsWith('/'),
  };
  path.posix = path;

  class AssertionError extends Error { constructor(message) { super(message); this.name = 'AssertionError'; this.code = 'ERR_ASSERTION'; } }
  function assert(value, message) { if (!value) throw new AssertionError(message || 'The expression evaluated to a falsy value'); }
  Object.assign(assert, {
    AssertionError, ok: assert,
    equal(a, b, m) { if (a != b) throw new AssertionError(m || `${a} == ${b}`); }, // eslint-disable-line eqeqeq
    notEqual(a, b, m) { if (a == b) throw new AssertionError(m || `${a} != ${b}`); }, // eslint-disable-line eqeqeq
    strictEqual(a, b, m) { if (!Object.is(a, b)) throw new AssertionError(m || `${a} === ${b}`); },
    notStrictEqual(a, b, m) { if (Object.is(a, b)) throw new AssertionError(m || `${a} !== ${b}`); },
    deepStrictEqual(a, b, m) { if (!util.isDeepStrictEqual(a, b)) throw new AssertionError(m || 'values are not deeply equal'); },
    deepEqual(a, b, m) { if (!util.isDeepStrictEqual(a, b)) throw new AssertionError(m || 'values are not deeply equal'); },
    fail(m) { throw new AssertionError(m || 'Failed'); },
  });
  assert.strict = assert;

  class StringDecoder {
    constructor(encoding) { this.encoding = encoding || 'utf8'; this.pending = Buffer.alloc(0); }
    write(chunk) { const all = Buffer.concat([this.pending, bytes(chunk)]); let end = all.length; let back = 0; while (back < 3 && end - back - 1 >= 0 && (all[end - back - 1] & 0xc0) === 0x80) back++; if (end - back - 1 >= 0 && all[end - back - 1] >= 0xc0) { const need = all[end - back - 1] >= 0xf0 ? 3 : all[end - back - 1] >= 0xe0 ? 2 : 1; if (need > back) end = end - back - 1; } this.pending = all.subarray(end); return all.subarray(0, end).toString(this.encoding); }
    end(chunk) { const text = chunk ? this.write(chunk) : ''; const rest = this.pending.toString(this.encoding); this.pending = Buffer.alloc(0); return text + rest; }
  }

  // ---------------------------------------------------------------- process, require

  const process = {
    env: kit.env, argv: ['node'], execArgv: [], platform: 'linux', arch: 'x64', pid: 1, version: kit.job.node_version || 'v20.0.0',
    versions: { node: String(kit.job.node_version || 'v20.0.0').replace(/^v/, '') },
    nextTick: (fn, ...args) => kit.queueMicrotask(() => fn(...args)),
    cwd: () => '/', uptime: () => kit.now / 1000,
    hrtime: Object.assign((previous) => { const ns = kit.now * 1e6; const t = [Math.floor(ns / 1e9), ns % 1e9]; return previous ? [t[0] - previous[0], t[1] - previous[1]] : t; }, { bigint: () => BigInt(kit.now) * 1000000n }),
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    emitWarning() {}, on() { return process; }, once() { return process; }, off() { return process; },
  };

  const SHIMS = {
    crypto, url, querystring, util, events: EventEmitter, path, assert, process,
    buffer: { Buffer, constants: { MAX_LENGTH: 2 ** 31 - 1 } },
    string_decoder: { StringDecoder },
    timers: kit.timers,
    async_hooks: kit.asyncHooks, // outbound.js: outbound calls as resources
    'assert/strict': assert,
    'path/posix': path,
  };

  function require(request) {
    const spec = StringCtor(request);
    const bare = StringSlice(spec, 0, 5) === 'node:' ? StringSlice(spec, 5) : spec;
    // Hooks may pin versions inline: require('axios@1.6.8').
    const pinned = RegExpExec(PINNED, bare);
    const name = pinned ? pinned[1] : bare;
    if (SetHas(BUILTINS, name)) {
      if (hasOwn(SHIMS, name) && !SetHas(NETWORK, name)) return SHIMS[name];
      emit('module', { name, stubbed: true });
      return kit.stub(name, name === 'http' || name === 'https' ? 'node-http' : 'callback');
    }
    emit('module', { name, version: pinned ? pinned[2] : null, stubbed: true });
    return kit.stub(name, 'callback');
  }
  require.resolve = (request) => StringCtor(request);
  require.cache = ObjectCreate(null);

  kit.require = require;
  kit.process = process;
  Object.defineProperty(globalThis, 'process', { value: process, writable: true, configurable: true });
  globalThis.URL = URL;
  globalThis.URLSearchParams = URLSearchParams;
});
