// The script's realm: everything a hook or an action sees, built inside its own vm context.
//
// This file is evaluated inside a fresh context (see harness.js) and evaluates to a function
// that the harness calls once, before the script runs, with three host functions. Those take
// and return strings only and never throw, and they stay in this file's closures: the script
// never holds a host object, so `constructor.constructor('return process')` finds nothing.
// Every global the script sees (console, timers, Buffer, URL, fetch, require's modules) is made
// here, from this realm's own built-ins, which are captured ("primordials") before the script
// can patch them. Whatever reaches the record goes through `kit.emit` at the moment it
// happens, serialized with those primordials: patching JSON, toJSON or Array.prototype after
// the fact changes nothing already sent.
(function installRealm(hostEmit, hostCrypto, hostUrl, envText, jobText) {
  'use strict';

  // ---------------------------------------------------------------- primordials
  const FunctionPrototypeCall = Function.prototype.call;
  const uncurry = (fn) => FunctionPrototypeCall.bind(fn);
  const { apply: ReflectApply, ownKeys: ReflectOwnKeys, getPrototypeOf: ReflectGetPrototypeOf } = Reflect;
  const { keys: ObjectKeys, freeze: ObjectFreeze, create: ObjectCreate, defineProperty: ObjectDefineProperty,
    getOwnPropertyDescriptor: ObjectGetOwnPropertyDescriptor } = Object;
  const ObjectPrototypeHasOwnProperty = uncurry(Object.prototype.hasOwnProperty);
  const { isArray: ArrayIsArray } = Array;
  const JSONStringify = JSON.stringify;
  const JSONParse = JSON.parse;
  const StringCtor = String;
  const StringFromCharCode = String.fromCharCode;
  const StringPrototypeSlice = uncurry(String.prototype.slice);
  const StringPrototypeCharCodeAt = uncurry(String.prototype.charCodeAt);
  const NumberIsFinite = Number.isFinite;
  const MathFloor = Math.floor;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const PromiseCtor = Promise;
  const PromiseResolve = Promise.resolve.bind(Promise);
  const PromisePrototypeThen = uncurry(Promise.prototype.then);
  const SetCtor = Set;
  const SetPrototypeHas = uncurry(Set.prototype.has);
  const SetPrototypeAdd = uncurry(Set.prototype.add);
  const SetPrototypeDelete = uncurry(Set.prototype.delete);
  const MapCtor = Map;
  const MapPrototypeGet = uncurry(Map.prototype.get);
  const MapPrototypeSet = uncurry(Map.prototype.set);
  const MapPrototypeHas = uncurry(Map.prototype.has);
  const MapPrototypeDelete = uncurry(Map.prototype.delete);
  const MapPrototypeForEach = uncurry(Map.prototype.forEach);
  const Uint8ArrayCtor = Uint8Array;
  const TypedArray = ReflectGetPrototypeOf(Uint8Array);
  const TypedArrayPrototypeGetTag = uncurry(ObjectGetOwnPropertyDescriptor(TypedArray.prototype, Symbol.toStringTag).get);
  const TypedArrayPrototypeGetLength = uncurry(ObjectGetOwnPropertyDescriptor(TypedArray.prototype, 'length').get);
  const TypedArrayPrototypeGetBuffer = uncurry(ObjectGetOwnPropertyDescriptor(TypedArray.prototype, 'buffer').get);
  const TypedArrayPrototypeGetByteOffset = uncurry(ObjectGetOwnPropertyDescriptor(TypedArray.prototype, 'byteOffset').get);
  const TypedArrayPrototypeGetByteLength = uncurry(ObjectGetOwnPropertyDescriptor(TypedArray.prototype, 'byteLength').get);
  const ArrayBufferPrototypeGetByteLength = uncurry(ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get);
  const DatePrototypeToISOString = uncurry(Date.prototype.toISOString);
  const DatePrototypeGetTime = uncurry(Date.prototype.getTime);
  const ProxyCtor = Proxy;
  const SymbolIterator = Symbol.iterator;
  const SymbolToPrimitive = Symbol.toPrimitive;

  const job = JSONParse(jobText);
  const MAX_EVENT_CHARS = 16 * 1024; // one serialized event; the rest is cut, not kept
  const MAX_DEPTH = 24;

  // ---------------------------------------------------------------- the record

  let open = true; // false once the run has ended: late callbacks of a finished run are not recorded

  // Sends one event now. `data` is serialized here with primordials; the host adds the run id.
  function emit(type, data) {
    if (!open) return;
    let text;
    try { text = serialize(data); } catch (error) { text = '"[unserializable]"'; }
    callHost(hostEmit, type, text);
  }

  // Host functions never throw on their own; an error here (a stack overflow on entry) may be
  // a host object, so it is replaced by one of this realm before the script can see it.
  function callHost(fn, a, b, c, d) {
    try { return fn(a, b, c, d); } catch (error) { throw new ErrorCtor('the runner could not complete this call'); }
  }

  // JSON text for a value the script handed us, built without JSON.stringify on objects (so no
  // toJSON), without array methods, and bounded in depth and size. Buffers become their text.
  function serialize(value) {
    const seen = new SetCtor();
    let size = 0;
    function text(v, depth) {
      const out = one(v, depth);
      size += out.length;
      if (size > MAX_EVENT_CHARS) throw new RangeError('too large');
      return out;
    }
    function one(v, depth) {
      switch (typeof v) {
        case 'string': return JSONStringify(v);
        case 'number': return NumberIsFinite(v) ? JSONStringify(v) : 'null';
        case 'boolean': return v ? 'true' : 'false';
        case 'undefined': return 'null';
        case 'bigint': return JSONStringify(StringCtor(v));
        case 'symbol': return '"[symbol]"';
        case 'function': return '"[function]"';
        default: break;
      }
      if (v === null) return 'null';
      if (depth > MAX_DEPTH) return '"[too deep]"';
      if (SetPrototypeHas(seen, v)) return '"[cycle]"';
      SetPrototypeAdd(seen, v);
      try {
        const bytes = bytesOf(v);
        if (bytes !== null) return bytesJson(bytes);
        const time = dateTime(v);
        if (time !== null) return time;
        if (v instanceof ErrorCtor) return '{"error":' + JSONStringify(StringCtor(v.name)) + ',"message":' + JSONStringify(StringCtor(v.message)) + '}';
        if (ArrayIsArray(v)) {
          let out = '[';
          const length = v.length;
          for (let i = 0; i < length; i++) out += (i ? ',' : '') + text(v[i], depth + 1);
          return out + ']';
        }
        const keys = ObjectKeys(v);
        let out = '{';
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          let item;
          try { item = v[key]; } catch (error) { item = '[unreadable]'; }
          out += (i ? ',' : '') + JSONStringify(StringCtor(key)) + ':' + text(item, depth + 1);
        }
        return out + '}';
      } finally {
        SetPrototypeDelete(seen, v);
      }
    }
    try {
      return text(value, 0);
    } catch (error) {
      return '"[too large to record]"';
    }
  }

  function dateTime(v) {
    try { DatePrototypeGetTime(v); } catch (error) { return null; }
    try { return JSONStringify(DatePrototypeToISOString(v)); } catch (error) { return 'null'; }
  }

  // The bytes of a Buffer, typed array or ArrayBuffer (as a fresh Uint8Array), else null.
  function bytesOf(v) {
    try {
      if (TypedArrayPrototypeGetTag(v) !== undefined) {
        return new Uint8ArrayCtor(TypedArrayPrototypeGetBuffer(v), TypedArrayPrototypeGetByteOffset(v), TypedArrayPrototypeGetByteLength(v));
      }
    } catch (error) { /* not a typed array */ }
    try {
      ArrayBufferPrototypeGetByteLength(v);
      return new Uint8ArrayCtor(v);
    } catch (error) { return null; }
  }

  function bytesJson(bytes) {
    const decoded = utf8Decode(bytes, true);
    if (decoded !== null) return '{"buffer":' + JSONStringify(decoded) + '}';
    return '{"buffer_base64":' + JSONStringify(base64Encode(bytes)) + '}';
  }

  // ---------------------------------------------------------------- bytes and text

  function utf8Encode(string) {
    const s = StringCtor(string);
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = StringPrototypeCharCodeAt(s, i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = StringPrototypeCharCodeAt(s, i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } else { c = 0xfffd; }
      } else if (c >= 0xd800 && c <= 0xdfff) {
        c = 0xfffd;
      }
      if (c < 0x80) out[out.length] = c;
      else if (c < 0x800) { out[out.length] = 0xc0 | (c >> 6); out[out.length] = 0x80 | (c & 63); }
      else if (c < 0x10000) { out[out.length] = 0xe0 | (c >> 12); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
      else { out[out.length] = 0xf0 | (c >> 18); out[out.length] = 0x80 | ((c >> 12) & 63); out[out.length] = 0x80 | ((c >> 6) & 63); out[out.length] = 0x80 | (c & 63); }
    }
    return new Uint8ArrayCtor(out);
  }

  // Text from UTF-8; invalid sequences become U+FFFD, or (strict) make the result null.
  function utf8Decode(bytes, strict) {
    let out = '';
    const n = TypedArrayPrototypeGetLength(bytes);
    for (let i = 0; i < n;) {
      const b = bytes[i];
      let c = -1;
      let extra = 0;
      if (b < 0x80) { c = b; } else if (b >= 0xc2 && b < 0xe0) { c = b & 31; extra = 1; } else if (b >= 0xe0 && b < 0xf0) { c = b & 15; extra = 2; } else if (b >= 0xf0 && b < 0xf5) { c = b & 7; extra = 3; }
      let ok = c >= 0 && i + extra < n;
      for (let k = 1; ok && k <= extra; k++) {
        const next = bytes[i + k];
        if ((next & 0xc0) !== 0x80) ok = false; else c = (c << 6) | (next & 63);
      }
      if (ok && ((extra === 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (extra === 3 && (c < 0x10000 || c > 0x10ffff)))) ok = false;
      if (!ok) {
        if (strict) return null;
        out += '\ufffd';
        i += 1;
        continue;
      }
      if (c >= 0x10000) { c -= 0x10000; out += StringFromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else { out += StringFromCharCode(c); }
      i += extra + 1;
    }
    return out;
  }

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function base64Encode(bytes, url) {
    const n = TypedArrayPrototypeGetLength(bytes);
    let out = '';
    for (let i = 0; i < n; i += 3) {
      const a = bytes[i];
      const b = i + 1 < n ? bytes[i + 1] : 0;
      const c = i + 2 < n ? bytes[i + 2] : 0;
      out += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)];
      out += i + 1 < n ? B64[((b & 15) << 2) | (c >> 6)] : (url ? '' : '=');
      out += i + 2 < n ? B64[c & 63] : (url ? '' : '=');
    }
    if (url) {
      let converted = '';
      for (let i = 0; i < out.length; i++) converted += out[i] === '+' ? '-' : out[i] === '/' ? '_' : out[i];
      return converted;
    }
    return out;
  }

  function base64Decode(text) {
    const out = [];
    let bits = 0;
    let value = 0;
    const s = StringCtor(text);
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      const v = ch === '-' ? 62 : ch === '_' ? 63 : B64.indexOf(ch);
      if (v < 0) continue;
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) { bits -= 8; out[out.length] = (value >> bits) & 255; }
    }
    return new Uint8ArrayCtor(out);
  }

  function hexEncode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  function hexDecode(text) {
    const out = [];
    for (let i = 0; i + 1 < text.length; i += 2) {
      const v = parseInt(text.slice(i, i + 2), 16);
      if (Number.isNaN(v)) break;
      out.push(v);
    }
    return new Uint8ArrayCtor(out);
  }

  function latin1Encode(text) {
    const out = new Uint8ArrayCtor(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
    return out;
  }

  function latin1Decode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += StringFromCharCode(bytes[i]);
    return out;
  }

  function encodeText(text, encoding) {
    switch (StringCtor(encoding || 'utf8').toLowerCase()) {
      case 'hex': return hexDecode(StringCtor(text));
      case 'base64': case 'base64url': return base64Decode(text);
      case 'latin1': case 'binary': case 'ascii': return latin1Encode(StringCtor(text));
      default: return utf8Encode(text);
    }
  }

  function decodeBytes(bytes, encoding) {
    switch (StringCtor(encoding || 'utf8').toLowerCase()) {
      case 'hex': return hexEncode(bytes);
      case 'base64': return base64Encode(bytes, false);
      case 'base64url': return base64Encode(bytes, true);
      case 'latin1': case 'binary': return latin1Decode(bytes);
      case 'ascii': { let out = ''; for (let i = 0; i < bytes.length; i++) out += StringFromCharCode(bytes[i] & 127); return out; }
      default: return utf8Decode(bytes, false);
    }
  }

  // Node's Buffer, as far as hooks use it: a Uint8Array with encodings.
  class Buffer extends Uint8ArrayCtor {
    static from(value, encodingOrOffset, length) {
      if (typeof value === 'string') return toBuffer(encodeText(value, encodingOrOffset));
      if (value instanceof ArrayBuffer) return new Buffer(value, encodingOrOffset || 0, length === undefined ? value.byteLength - (encodingOrOffset || 0) : length);
      const bytes = bytesOf(value);
      if (bytes !== null) return toBuffer(new Uint8ArrayCtor(bytes));
      if (value && typeof value === 'object' && value.type === 'Buffer' && ArrayIsArray(value.data)) return toBuffer(new Uint8ArrayCtor(value.data));
      if (value && typeof value === 'object' && typeof value.length === 'number') return toBuffer(new Uint8ArrayCtor(Array.from(value)));
      throw new TypeErrorCtor('The first argument must be of type string, Buffer, ArrayBuffer or Array');
    }
    static alloc(size, fill) { const b = new Buffer(size); if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill); return b; }
    static allocUnsafe(size) { return new Buffer(size); }
    static isBuffer(value) { return value instanceof Buffer; }
    static isEncoding(e) { return ['utf8', 'utf-8', 'hex', 'base64', 'base64url', 'latin1', 'binary', 'ascii'].includes(StringCtor(e).toLowerCase()); }
    static byteLength(value, encoding) { return typeof value === 'string' ? encodeText(value, encoding).length : bytesOf(value).length; }
    static concat(list, total) {
      const size = total === undefined ? list.reduce((sum, b) => sum + b.length, 0) : total;
      const out = new Buffer(size);
      let at = 0;
      for (const b of list) { out.set(b.subarray(0, Math.max(0, size - at)), at); at += b.length; if (at >= size) break; }
      return out;
    }
    static compare(a, b) { return a.compare(b); }
    toString(encoding, start, end) { return decodeBytes(this.subarray(start || 0, end === undefined ? this.length : end), encoding); }
    toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
    equals(other) { return this.compare(other) === 0; }
    compare(other) {
      for (let i = 0; i < Math.min(this.length, other.length); i++) if (this[i] !== other[i]) return this[i] < other[i] ? -1 : 1;
      return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
    }
    write(text, offset, length, encoding) { const bytes = encodeText(text, encoding); const n = Math.min(bytes.length, length === undefined ? this.length : length, this.length - (offset || 0)); this.set(bytes.subarray(0, n), offset || 0); return n; }
    slice(start, end) { return this.subarray(start, end); }
    readUInt8(o) { return this[o || 0]; }
    readUInt32BE(o) { o = o || 0; return ((this[o] << 24) >>> 0) + (this[o + 1] << 16) + (this[o + 2] << 8) + this[o + 3]; }
    writeUInt32BE(v, o) { o = o || 0; this[o] = v >>> 24; this[o + 1] = v >>> 16; this[o + 2] = v >>> 8; this[o + 3] = v; return o + 4; }
  }
  function toBuffer(bytes) { return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length); }

  class TextEncoder { get encoding() { return 'utf-8'; } encode(text) { return utf8Encode(text === undefined ? '' : text); } }
  class TextDecoder {
    constructor(label) { this.encoding = StringCtor(label || 'utf-8').toLowerCase(); }
    decode(input) { return input === undefined ? '' : decodeBytes(bytesOf(input), this.encoding === 'utf-8' ? 'utf8' : this.encoding); }
  }

  // ---------------------------------------------------------------- the host's helpers

  // Hash and HMAC are computed by the host on base64 text; only strings cross.
  function digest(algorithm, key, data, encoding) {
    const answer = callHost(hostCrypto, StringCtor(algorithm), key === null ? '' : base64Encode(key), base64Encode(data), key === null ? 'hash' : 'hmac');
    if (typeof answer !== 'string' || answer[0] !== '+') throw new ErrorCtor(typeof answer === 'string' ? StringPrototypeSlice(answer, 1) : 'digest failed');
    const bytes = toBuffer(base64Decode(StringPrototypeSlice(answer, 1)));
    return encoding === undefined || encoding === 'buffer' ? bytes : bytes.toString(encoding);
  }

  function parseUrl(input, base) {
    const answer = callHost(hostUrl, StringCtor(input), base === undefined ? '' : StringCtor(base));
    if (typeof answer !== 'string' || answer === '') throw new TypeErrorCtor('Invalid URL');
    return JSONParse(answer);
  }

  // ---------------------------------------------------------------- determinism

  const FIXED_NOW = Date.parse(job.now || '2026-01-01T00:00:00.000Z');
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args) { if (args.length === 0) { super(FIXED_NOW); } else { super(...args); } }
    static now() { return FIXED_NOW; }
  }
  let seed = 0x2545f491;
  function random() { // xorshift32: the same "random" numbers on every run
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return ((seed >>> 0) % 1e9) / 1e9;
  }
  function randomBytes(size, callback) {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = MathFloor(random() * 256);
    if (typeof callback === 'function') { setImmediate(() => callback(null, out)); return undefined; }
    return out;
  }
  function randomUUID() {
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---------------------------------------------------------------- timers: virtual time

  // A timer runs when everything before it has run; time advances to it. Nothing waits for
  // the wall clock, so runs are fast and the same every time; the run's time limit is virtual
  // time (the harness stops a script that spins on the CPU by the wall clock instead).
  let now = 0;
  let sequence = 0;
  const tasks = new MapCtor(); // id -> {at, seq, fn, args, every}

  function schedule(fn, delay, args, every) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('The "callback" argument must be of type function');
    const wait = NumberIsFinite(+delay) && +delay > 0 ? +delay : 0;
    const id = ++sequence;
    MapPrototypeSet(tasks, id, { at: now + (every === null ? 0 : wait), seq: id, fn, args, every });
    return timerHandle(id);
  }
  function timerHandle(id) {
    const handle = ObjectCreate(null);
    handle.ref = () => handle; handle.unref = () => handle; handle.hasRef = () => true;
    handle.refresh = () => handle;
    handle[SymbolToPrimitive] = () => id;
    ObjectDefineProperty(handle, 'id', { value: id });
    return ObjectFreeze(handle);
  }
  function cancel(handle) {
    if (handle === null || handle === undefined) return;
    const id = typeof handle === 'object' ? handle.id : +handle;
    MapPrototypeDelete(tasks, id);
  }

  // Runs the next task unless it is later than `limit` ms: 'ran', 'idle' or 'late'.
  function step(limit, sameTimeOnly) {
    let next = null;
    MapPrototypeForEach(tasks, (task) => { if (next === null || task.at < next.at || (task.at === next.at && task.seq < next.seq)) next = task; });
    if (next === null) return 'idle';
    if (next.at > limit || (sameTimeOnly && next.at > now)) return 'late';
    now = next.at > now ? next.at : now;
    MapPrototypeDelete(tasks, next.seq);
    if (next.every !== undefined && next.every !== null) {
      MapPrototypeSet(tasks, next.seq, { at: now + next.every, seq: next.seq, fn: next.fn, args: next.args, every: next.every });
    }
    ReflectApply(next.fn, undefined, next.args);
    return 'ran';
  }

  function setTimeout(fn, delay, ...args) { return schedule(fn, delay, args, undefined); }
  function setInterval(fn, delay, ...args) { const wait = NumberIsFinite(+delay) && +delay > 0 ? +delay : 1; return schedule(fn, wait, args, wait); }
  function setImmediate(fn, ...args) { return schedule(fn, 0, args, null); }
  function queueMicrotask(fn) { PromisePrototypeThen(PromiseResolve(), () => fn()); }

  // ---------------------------------------------------------------- console

  const console = ObjectCreate(null);
  function consoleLine(args) {
    let line = '';
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      line += (i ? ' ' : '') + (typeof a === 'string' ? a : serialize(a));
      if (line.length > MAX_EVENT_CHARS) { line = StringPrototypeSlice(line, 0, MAX_EVENT_CHARS); break; }
    }
    return line;
  }
  const LEVELS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'];
  for (let i = 0; i < LEVELS.length; i++) console[LEVELS[i]] = (...args) => { emit('log', consoleLine(args)); };
  console.table = console.log;
  console.time = () => {}; console.timeEnd = () => {}; console.assert = () => {};

  // ---------------------------------------------------------------- the kit shared with stubs.js and runtime.js

  const env = JSONParse(envText);
  const kit = {
    __proto__: null,
    job, emit, serialize, step, setTimeout, setImmediate, queueMicrotask, random, randomBytes, randomUUID,
    Buffer, TextEncoder, TextDecoder, console, digest, parseUrl, bytesOf, utf8Decode, base64Encode,
    FixedDate, env, uncurry, PromiseResolve, PromisePrototypeThen, ProxyCtor, ObjectCreate, ObjectFreeze,
    ObjectPrototypeHasOwnProperty, ArrayIsArray, ReflectApply, ReflectOwnKeys, StringCtor, ErrorCtor, TypeErrorCtor,
    SymbolIterator, SymbolToPrimitive, MapCtor, MapPrototypeGet, MapPrototypeSet, MapPrototypeHas, PromiseCtor,
    close() { open = false; },
    get now() { return now; },
    timers: { setTimeout, clearTimeout: cancel, setInterval, clearInterval: cancel, setImmediate, clearImmediate: cancel },
    // An error made in this realm, for the host to throw at the script (a host error would carry the host's constructors).
    makeError(message) { return new ErrorCtor(StringCtor(message)); },
  };

  // The globals the script sees. Built-ins of this realm are already there.
  const performance = { now: () => now, timeOrigin: FIXED_NOW };
  const btoa = (text) => base64Encode(latin1Encode(StringCtor(text)), false);
  const atob = (text) => latin1Decode(base64Decode(StringCtor(text)));
  const structuredClone = (value) => JSONParse(serialize(value));
  const globals = {
    console, setTimeout, clearTimeout: cancel, setInterval, clearInterval: cancel, setImmediate, clearImmediate: cancel,
    queueMicrotask, Buffer, TextEncoder, TextDecoder, Date: FixedDate, performance, atob, btoa, structuredClone,
  };
  const names = ObjectKeys(globals);
  for (let i = 0; i < names.length; i++) {
    ObjectDefineProperty(globalThis, names[i], { value: globals[names[i]], writable: true, configurable: true, enumerable: false });
  }
  Math.random = random;
  ObjectDefineProperty(globalThis, 'global', { value: globalThis, writable: true, configurable: true });
  return kit;
});
