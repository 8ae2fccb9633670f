'use strict';
// V8's precise block coverage of a proof's hook, taken by the harness (host side, never in a
// script's realm): `start()` before the first run, `take(url, code)` after the last. The hook's
// blocks (the functions and branches V8 reports) are merged over every run's script by
// position; a block ran if any run ran it. Loaded by harness.js only when a proof asks.

const inspector = require('inspector');

const WRAPPER = '(function (exports, require, module, __filename, __dirname) { '; // harness.js compiles a script so

function start() {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => {
    session.post(method, params || {}, (error, result) => (error ? reject(error) : resolve(result)));
  });
  const ready = post('Profiler.enable').then(() => post('Profiler.startPreciseCoverage', { callCount: true, detailed: true }));
  // The one session: nothing else in this process opens another, nor a debugging port.
  const refuse = () => { throw new Error('the inspector is not available'); };
  inspector.Session.prototype.connect = refuse;
  inspector.open = refuse;
  return {
    async take(url, code) {
      try {
        await ready;
        const { result } = await post('Profiler.takePreciseCoverage');
        return blocks(result.filter((s) => s.url === url), WRAPPER.length, String(code));
      } catch (error) {
        return { error: `V8 coverage failed (${error && error.message})` };
      }
    },
  };
}

function blocks(scripts, prefix, code) {
  if (scripts.length === 0) return { error: 'the hook never ran' };
  const end = prefix + code.length;
  const inside = (r) => r.startOffset >= prefix && r.endOffset <= end + 1 && !(r.startOffset <= prefix && r.endOffset >= end);
  const all = new Map();
  for (const script of scripts) {
    for (const fn of script.functions) for (const range of fn.ranges) if (inside(range)) all.set(`${range.startOffset}:${range.endOffset}`, range);
  }
  const ran = (range) => scripts.some((script) => innermost(script, range) > 0);
  const missed = [...all.values()].filter((range) => !ran(range));
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

module.exports = { start };
