// The skill-side half of the runtime, evaluated INSIDE each fresh V8 isolate context (isolated-vm)
// before any skill code. It is the only code that holds the two host handles (`__host`, a Reference
// to the host's dispatcher, and `__log`, an ignored-mode callback): it captures them and every
// intrinsic it relies on, then deletes them from the global object, so skill code that later
// tampers with JSON, Array.prototype or Promise cannot subvert it, and can never reach a Reference
// (a Reference to a host function is a springboard to the host's Function constructor).
//
// Only strings and numbers ever cross to the host: arguments are encoded to JSON here (bounded in
// depth and size), answers come back as JSON strings. Host values never exist in this isolate.
//
// Example (what the engine does with this file):
//   context.global.set('__host', new ivm.Reference(dispatch)); script(this file).run(context)
//   -> globalThis.__skillforge = { bootstrap, track } (taken by the engine and deleted)
(function skillforgePrelude(G) {
  'use strict';
  const hostRef = G.__host;
  const logCallback = G.__log;
  const doneCallback = G.__done;
  const limits = G.__limits;
  delete G.__host;
  delete G.__log;
  delete G.__done;
  delete G.__limits;

  const { apply } = Reflect;
  const { defineProperty, freeze, keys: objectKeys, getPrototypeOf, create } = Object;
  const { isArray } = Array;
  const ObjectCtor = Object;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const StringCtor = String;
  const NumberCtor = Number;
  const isFinite = Number.isFinite;
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const mathFloor = Math.floor;
  const mathAbs = Math.abs;
  const mathSqrt = Math.sqrt;
  const mathRound = Math.round;
  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseReject = Promise.reject.bind(Promise);
  const arrayPush = Array.prototype.push;
  const arrayJoin = Array.prototype.join;
  const stringSlice = String.prototype.slice;
  const hasOwn = Object.prototype.hasOwnProperty;
  const syncPromise = hostRef.applySyncPromise;
  const asyncApply = hostRef.apply;
  const objectProto = Object.prototype;

  const MAX_LOG_LINES = limits.maxLogLines;
  const MAX_LINE = 2000;
  const MAX_ARG_BYTES = limits.maxArgBytes;
  const MAX_RETURN_BYTES = limits.maxReturnBytes;
  const MAX_DEPTH = limits.maxDepth;

  // Off-heap memory escapes the isolate's limit accounting, and shared memory or compiled modules are
  // nothing skills need: remove them before any skill code runs.
  for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'FinalizationRegistry', 'WeakRef']) delete G[name];

  // ---- encoding values for the host: plain data only, bounded. Getters and proxies run here, in the
  // isolate, under the run's deadline; nothing the skill defines ever runs on the host.
  function encodeValue(value, depth, budget) {
    switch (typeof value) {
      case 'undefined': case 'function': case 'symbol': return undefined;
      case 'boolean': case 'number':
        budget.n += 6;
        if (budget.n > budget.max) throw new TypeErrorCtor(`value too large to pass to the host (over ${budget.max} bytes)`);
        return typeof value === 'boolean' || isFinite(value) ? value : null;
      case 'bigint': return StringCtor(value);
      case 'string':
        budget.n += value.length;
        if (budget.n > budget.max) throw new TypeErrorCtor(`value too large to pass to the host (over ${budget.max} bytes)`);
        return value;
      default: break;
    }
    if (value === null) return null;
    if (depth >= MAX_DEPTH) throw new TypeErrorCtor(`value nested deeper than ${MAX_DEPTH} levels`);
    budget.n += 2;
    if (budget.n > budget.max) throw new TypeErrorCtor(`value too large to pass to the host (over ${budget.max} bytes)`);
    if (isArray(value)) {
      const out = [];
      const n = value.length;
      if (n > budget.max) throw new TypeErrorCtor(`value too large to pass to the host (over ${budget.max} bytes)`);
      for (let i = 0; i < n; i++) {
        const v = encodeValue(value[i], depth + 1, budget);
        apply(arrayPush, out, [v === undefined ? null : v]);
      }
      return out;
    }
    if (value instanceof ErrorCtor) return { name: StringCtor(value.name), message: StringCtor(value.message) };
    const out = {};
    for (const key of objectKeys(value)) {
      budget.n += key.length + 1;
      const v = encodeValue(value[key], depth + 1, budget);
      if (v !== undefined) defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  const arrayProto = Array.prototype;
  function toJson(value, max) {
    // JSON.stringify consults toJSON through the prototypes: refuse rather than run skill code in it.
    if ('toJSON' in arrayProto) throw new TypeErrorCtor('JSON intrinsics were tampered with (a toJSON on Object.prototype or Array.prototype)');
    const encoded = encodeValue(value, 0, { n: 0, max });
    const text = jsonStringify(encoded === undefined ? null : encoded);
    return text === undefined ? 'null' : text;
  }

  function describe(err) {
    try {
      if (err instanceof ErrorCtor) {
        const stack = err.stack;
        const text = typeof stack === 'string' && stack ? stack : `${StringCtor(err.name)}: ${StringCtor(err.message)}`;
        return apply(stringSlice, text, [0, 4000]);
      }
      if (typeof err === 'string') return apply(stringSlice, err, [0, 4000]);
      return `non-Error thrown: ${apply(stringSlice, toJson(err, 4000), [0, 4000])}`;
    } catch {
      return 'non-Error thrown (unprintable)';
    }
  }

  // ---- the host channel
  function decodeAnswer(text) {
    const answer = jsonParse(text);
    if (answer.s !== undefined) snapshot = answer.s;
    return answer;
  }
  function hostSync(name, args) {
    const text = apply(syncPromise, hostRef, [undefined, ['s', StringCtor(name), toJson(args, MAX_ARG_BYTES)]]);
    const answer = decodeAnswer(text);
    if (!answer.ok) throw new ErrorCtor(StringCtor(answer.err));
    return answer.v;
  }
  // A primitive: the host starts it and the skill gets a promise; other skill code keeps running.
  function hostAsync(name, args) {
    let json;
    try { json = toJson(args, MAX_ARG_BYTES); } catch (e) { return promiseReject(e); }
    const pending = apply(asyncApply, hostRef, [undefined, ['a', StringCtor(name), json], { result: { promise: true } }]);
    return new PromiseCtor((resolve, reject) => {
      apply(promiseThen, pending, [
        (text) => {
          let answer;
          try { answer = decodeAnswer(text); } catch (e) { reject(new ErrorCtor('malformed answer from the host')); return; }
          if (answer.ok) resolve(answer.v);
          else reject(new ErrorCtor(StringCtor(answer.err)));
        },
        () => reject(new ErrorCtor('the skill run has ended')),
      ]);
    });
  }

  let snapshot = null;
  const tables = create(null);
  function table(key) {
    if (!apply(hasOwn, tables, [key])) tables[key] = hostSync('$table', [key]);
    return tables[key];
  }

  // ---- console: lines are capped here, inside the sandbox; lines past the cap are only counted.
  let logLines = 0;
  let droppedLogs = 0;
  function format(args) {
    const parts = [];
    for (let i = 0; i < args.length && i < 32; i++) {
      const a = args[i];
      let s;
      if (typeof a === 'string') s = a;
      else if (a instanceof Vec3) s = `(${a.x}, ${a.y}, ${a.z})`;
      else { try { s = toJson(a, MAX_LINE); } catch { s = '[unprintable]'; } }
      apply(arrayPush, parts, [s]);
    }
    const line = apply(arrayJoin, parts, [' ']);
    return line.length > MAX_LINE ? apply(stringSlice, line, [0, MAX_LINE]) + '…' : line;
  }
  function logger(level) {
    return function log(...args) {
      if (logLines >= MAX_LOG_LINES) { droppedLogs++; return; }
      logLines++;
      logCallback(level, format(args));
    };
  }
  const consoleObject = freeze({ log: logger('log'), info: logger('log'), debug: logger('log'), warn: logger('warn'), error: logger('error') });

  // ---- timers: the host sleeps, the isolate's continuation runs when the sleep ends.
  let nextTimer = 1;
  const liveTimers = create(null);
  function setTimeoutSandbox(fn, ms, ...args) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('setTimeout needs a function');
    const id = nextTimer++;
    liveTimers[id] = true;
    const wait = NumberCtor(ms);
    apply(promiseThen, hostAsync('$sleep', [isFinite(wait) && wait > 0 ? wait : 0]), [() => {
      if (!liveTimers[id]) return;
      delete liveTimers[id];
      apply(fn, undefined, args);
    }, () => undefined]);
    return id;
  }
  function clearTimeoutSandbox(id) { delete liveTimers[id]; }

  // ---- Vec3: a real class here; values cross as {x, y, z}.
  class Vec3 {
    constructor(x, y, z) {
      if (x !== null && typeof x === 'object') { z = x.z; y = x.y; x = x.x; }
      this.x = NumberCtor(x); this.y = NumberCtor(y); this.z = NumberCtor(z);
    }
    set(x, y, z) { this.x = x; this.y = y; this.z = z; return this; }
    update(o) { this.x = o.x; this.y = o.y; this.z = o.z; return this; }
    offset(dx, dy, dz) { return new Vec3(this.x + dx, this.y + dy, this.z + dz); }
    translate(dx, dy, dz) { this.x += dx; this.y += dy; this.z += dz; return this; }
    plus(o) { return new Vec3(this.x + o.x, this.y + o.y, this.z + o.z); }
    add(o) { return this.translate(o.x, o.y, o.z); }
    minus(o) { return new Vec3(this.x - o.x, this.y - o.y, this.z - o.z); }
    subtract(o) { return this.translate(-o.x, -o.y, -o.z); }
    scaled(s) { return new Vec3(this.x * s, this.y * s, this.z * s); }
    multiply(o) { this.x *= o.x; this.y *= o.y; this.z *= o.z; return this; }
    divide(o) { this.x /= o.x; this.y /= o.y; this.z /= o.z; return this; }
    abs() { return new Vec3(mathAbs(this.x), mathAbs(this.y), mathAbs(this.z)); }
    floored() { return new Vec3(mathFloor(this.x), mathFloor(this.y), mathFloor(this.z)); }
    floor() { this.x = mathFloor(this.x); this.y = mathFloor(this.y); this.z = mathFloor(this.z); return this; }
    rounded() { return new Vec3(mathRound(this.x), mathRound(this.y), mathRound(this.z)); }
    clone() { return new Vec3(this.x, this.y, this.z); }
    distanceTo(o) { return mathSqrt(this.distanceSquared(o)); }
    distanceSquared(o) { const dx = o.x - this.x, dy = o.y - this.y, dz = o.z - this.z; return dx * dx + dy * dy + dz * dz; }
    xzDistanceTo(o) { const dx = o.x - this.x, dz = o.z - this.z; return mathSqrt(dx * dx + dz * dz); }
    manhattanDistanceTo(o) { return mathAbs(o.x - this.x) + mathAbs(o.y - this.y) + mathAbs(o.z - this.z); }
    equals(o, error = 0) { return mathAbs(this.x - o.x) <= error && mathAbs(this.y - o.y) <= error && mathAbs(this.z - o.z) <= error; }
    norm() { return mathSqrt(this.x * this.x + this.y * this.y + this.z * this.z); }
    normalize() { const n = this.norm(); return n === 0 ? this.clone() : this.scaled(1 / n); }
    dot(o) { return this.x * o.x + this.y * o.y + this.z * o.z; }
    cross(o) { return new Vec3(this.y * o.z - this.z * o.y, this.z * o.x - this.x * o.z, this.x * o.y - this.y * o.x); }
    toArray() { return [this.x, this.y, this.z]; }
    toString() { return `(${this.x}, ${this.y}, ${this.z})`; }
  }
  function vec3(x, y, z) { return new Vec3(x, y, z); }
  vec3.Vec3 = Vec3;

  const define = (name, value) => defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  define('console', consoleObject);
  define('setTimeout', setTimeoutSandbox);
  define('clearTimeout', clearTimeoutSandbox);
  define('Vec3', vec3);

  // What an environment's bootstrap (trusted source from the host) gets to build the skill's globals.
  const host = freeze({
    sync: hostSync,
    async: hostAsync,
    snapshot: () => snapshot,
    refresh: () => { hostSync('$snapshot', []); return snapshot; },
    table,
    Vec3,
    vec3,
    define,
    isPlain: (v) => v !== null && typeof v === 'object' && (getPrototypeOf(v) === objectProto || getPrototypeOf(v) === null),
  });

  defineProperty(G, '__skillforge', {
    configurable: true,
    value: freeze(ObjectCtor.assign(create(null), {
      // Evaluate an environment's bootstrap: `(function (host, G) {...})` source.
      bootstrap(fn) { fn(host, G); },
      // Run the skill's main function and report how it settles, as one JSON string, through the
      // done callback. Handlers attach before anything can reject, so no rejection goes unhandled;
      // the report is assembled by concatenation because JSON.stringify would consult a toJSON the
      // skill may have planted on Object.prototype.
      track(main) {
        let reported = false;
        const report = (ok, payload) => {
          if (reported) return;
          reported = true;
          doneCallback('{"ok":' + (ok ? 'true' : 'false') + ',"p":' + jsonStringify(StringCtor(payload)) + ',"dropped":' + droppedLogs + '}');
        };
        let promise;
        try { promise = main(); } catch (e) { report(false, describe(e)); return; }
        apply(promiseThen, promiseResolve(promise), [
          (v) => {
            let text;
            try { text = toJson(v, MAX_RETURN_BYTES); } catch (e) { report(false, `the skill's return value was refused: ${describe(e)}`); return; }
            report(true, text);
          },
          (e) => report(false, describe(e)),
        ]);
      },
      describe,
    })),
  });
})(globalThis);
