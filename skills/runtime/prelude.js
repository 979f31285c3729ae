// The sandbox side of the skill runtime's membrane. This file is evaluated INSIDE a fresh vm context
// (no Node globals, code generation from strings disabled) before any skill code, and captures every
// intrinsic it relies on first, so skill code that later tampers with Array.prototype, JSON or Promise
// cannot subvert it. It is an expression: a strict function that receives the worker's bridge.
//
// Why the care: the bridge functions belong to the worker's realm, where `process` and `require`
// exist. Skill code must never hold a worker-realm object, so (1) the bridge stays in this closure,
// (2) only strings and numbers cross it, and (3) anything the bridge throws is replaced by a fresh
// error of this realm carrying only its message.
(function skillforgePrelude(bridge) {
  'use strict';

  const G = globalThis;
  const ObjectCtor = Object;
  const { create, defineProperty, freeze, getPrototypeOf, keys: objectKeys } = Object;
  const { isArray } = Array;
  const { apply, ownKeys } = Reflect;
  const ProxyCtor = Proxy;
  const MapCtor = Map;
  const WeakMapCtor = WeakMap;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const StringCtor = String;
  const NumberCtor = Number;
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  const weakGet = WeakMap.prototype.get;
  const weakSet = WeakMap.prototype.set;
  const promiseThen = Promise.prototype.then;
  const arrayPush = Array.prototype.push;
  const functionProto = Function.prototype;
  const objectProto = Object.prototype;
  const hasOwn = Object.prototype.hasOwnProperty;
  const bridgeRequest = bridge.request;
  const bridgeLog = bridge.log;
  const bridgeDone = bridge.done;
  const bridgeSettleHost = bridge.settleHost;
  const bridgeSetTimer = bridge.setTimer;
  const bridgeClearTimer = bridge.clearTimer;

  const MAX_DEPTH = 8;

  // Off-heap allocations escape the worker's heap limit (a memory bomb could take the whole process),
  // and skills have no use for them; the host console would bypass our log capture.
  for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'ArrayBuffer', 'DataView',
    'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array',
    'Float64Array', 'Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array', 'FinalizationRegistry',
    'WeakRef', 'console', 'eval']) {
    delete G[name];
  }

  function safeCall(fn, args) {
    try {
      return apply(fn, undefined, args);
    } catch (e) {
      // Never rethrow the worker-realm object itself.
      let message = 'host bridge failure';
      try { message = StringCtor(e && e.message); } catch { /* keep the generic message */ }
      throw new ErrorCtor(message);
    }
  }

  // ---- Vec3: skill code builds and offsets positions constantly, so it is a real class here and travels
  // by value (the host side rebuilds its own vec3 instance).
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
    abs() { return new Vec3(Math.abs(this.x), Math.abs(this.y), Math.abs(this.z)); }
    floored() { return new Vec3(Math.floor(this.x), Math.floor(this.y), Math.floor(this.z)); }
    floor() { this.x = Math.floor(this.x); this.y = Math.floor(this.y); this.z = Math.floor(this.z); return this; }
    rounded() { return new Vec3(Math.round(this.x), Math.round(this.y), Math.round(this.z)); }
    clone() { return new Vec3(this.x, this.y, this.z); }
    distanceTo(o) { return Math.sqrt(this.distanceSquared(o)); }
    distanceSquared(o) { const dx = o.x - this.x, dy = o.y - this.y, dz = o.z - this.z; return dx * dx + dy * dy + dz * dz; }
    manhattanDistanceTo(o) { return Math.abs(o.x - this.x) + Math.abs(o.y - this.y) + Math.abs(o.z - this.z); }
    equals(o, error = 0) { return Math.abs(this.x - o.x) <= error && Math.abs(this.y - o.y) <= error && Math.abs(this.z - o.z) <= error; }
    norm() { return Math.sqrt(this.x * this.x + this.y * this.y + this.z * this.z); }
    normalize() { const n = this.norm(); return n === 0 ? this.clone() : this.scaled(1 / n); }
    dot(o) { return this.x * o.x + this.y * o.y + this.z * o.z; }
    cross(o) { return new Vec3(this.y * o.z - this.z * o.y, this.z * o.x - this.x * o.z, this.x * o.y - this.y * o.x); }
    toArray() { return [this.x, this.y, this.z]; }
    toString() { return `(${this.x}, ${this.y}, ${this.z})`; }
  }
  function vec3(x, y, z) { return new Vec3(x, y, z); }
  vec3.Vec3 = Vec3;

  // ---- identity tables
  const proxies = new MapCtor(); // host handle id -> proxy
  const proxyIds = new WeakMapCtor(); // proxy -> host handle id
  const callbacks = new MapCtor(); // callback id -> sandbox function
  const callbackIds = new WeakMapCtor();
  const pending = new MapCtor(); // host promise id -> {resolve, reject}
  const timers = new MapCtor();
  let nextCallback = 1;
  let nextTimer = 1;
  let nextSandboxPromise = 1;

  function callbackId(fn) {
    let id = apply(weakGet, callbackIds, [fn]);
    if (id === undefined) {
      id = nextCallback++;
      apply(weakSet, callbackIds, [fn, id]);
      apply(mapSet, callbacks, [id, fn]);
    }
    return id;
  }

  function isPlain(value) {
    const proto = getPrototypeOf(value);
    return proto === objectProto || proto === null;
  }

  // ---- encoding sandbox values for the host
  function encode(value, depth, seen) {
    switch (typeof value) {
      case 'undefined': return { t: 'u' };
      case 'boolean': case 'string': return value;
      case 'number': return NumberCtor.isFinite(value) ? value : { t: 'num', v: StringCtor(value) };
      case 'bigint': return { t: 'big', v: StringCtor(value) };
      case 'symbol': return { t: 'u' };
      case 'function': {
        const id = apply(weakGet, proxyIds, [value]);
        if (id !== undefined) return { t: 'h', id };
        if (value === Vec3 || value === vec3) return { t: 'vec3class' };
        return { t: 'cb', id: callbackId(value) };
      }
      default: break;
    }
    if (value === null) return null;
    const hostId = apply(weakGet, proxyIds, [value]);
    if (hostId !== undefined) return { t: 'h', id: hostId };
    if (value instanceof Vec3) return { t: 'v3', x: value.x, y: value.y, z: value.z };
    if (value instanceof ErrorCtor) return { t: 'err', name: StringCtor(value.name), message: StringCtor(value.message) };
    if (value instanceof PromiseCtor) {
      const id = nextSandboxPromise++;
      apply(promiseThen, value, [
        (v) => safeCall(bridgeSettleHost, [jsonStringify({ id, ok: true, v: encodeTop(v) })]),
        (e) => safeCall(bridgeSettleHost, [jsonStringify({ id, ok: false, err: describe(e) })]),
      ]);
      return { t: 'sp', id };
    }
    if (depth >= MAX_DEPTH) throw new TypeErrorCtor('value nested too deeply to pass to the host');
    if (apply(weakGet, seen, [value])) throw new TypeErrorCtor('cannot pass a cyclic value to the host');
    apply(weakSet, seen, [value, true]);
    if (isArray(value)) {
      const items = [];
      for (let i = 0; i < value.length; i++) apply(arrayPush, items, [encode(value[i], depth + 1, seen)]);
      return { t: 'a', v: items };
    }
    const props = {};
    for (const key of objectKeys(value)) {
      defineProperty(props, key, { value: encode(value[key], depth + 1, seen), enumerable: true, writable: true, configurable: true });
    }
    return { t: 'o', v: props };
  }
  function encodeTop(value) { return encode(value, 0, new WeakMapCtor()); }

  // ---- decoding host values
  function decode(enc) {
    if (enc === null || typeof enc !== 'object') return enc;
    switch (enc.t) {
      case 'u': return undefined;
      case 'num': return NumberCtor(enc.v);
      case 'big': return BigInt(enc.v);
      case 'v3': return new Vec3(enc.x, enc.y, enc.z);
      case 'vec3class': return vec3;
      case 'h': return hostProxy(enc.id, enc.f === 1);
      case 'cb': return apply(mapGet, callbacks, [enc.id]);
      case 'p': return new PromiseCtor((resolve, reject) => apply(mapSet, pending, [enc.id, { resolve, reject }]));
      case 'err': { const e = new ErrorCtor(StringCtor(enc.message)); e.name = StringCtor(enc.name); return e; }
      case 'a': { const out = []; for (const x of enc.v) apply(arrayPush, out, [decode(x)]); return out; }
      case 'o': {
        const out = {};
        for (const key of objectKeys(enc.v)) defineProperty(out, key, { value: decode(enc.v[key]), enumerable: true, writable: true, configurable: true });
        return out;
      }
      default: throw new TypeErrorCtor('unknown value from host');
    }
  }

  function request(message) {
    const answer = jsonParse(safeCall(bridgeRequest, [jsonStringify(message)]));
    if (!answer.ok) {
      const e = new ErrorCtor(StringCtor(answer.err));
      throw e;
    }
    return decode(answer.v);
  }

  // ---- proxies for host objects: reads and calls go to the host; writes are refused, so skill code
  // cannot pollute host objects or their prototypes.
  function readOnly() {
    throw new TypeErrorCtor('objects of the environment are read-only inside skills');
  }
  function hostProxy(id, isFunction) {
    const known = apply(mapGet, proxies, [id]);
    if (known !== undefined) return known;
    const target = isFunction ? function hostFunction() {} : {};
    const handler = {
      get(t, prop) {
        if (typeof prop === 'symbol') return undefined;
        if (prop === 'then') return undefined; // a host object is never a thenable to `await`
        if (isFunction && (prop === 'call' || prop === 'apply' || prop === 'bind' || prop === 'toString')) return t[prop];
        return request({ op: 'get', id, prop });
      },
      has(t, prop) { return typeof prop === 'string' && request({ op: 'has', id, prop }) === true; },
      ownKeys() {
        const names = request({ op: 'keys', id });
        const out = isFunction ? ['prototype'] : [];
        for (const n of names) if (!(isFunction && n === 'prototype')) apply(arrayPush, out, [n]);
        return out;
      },
      getOwnPropertyDescriptor(t, prop) {
        if (isFunction && prop === 'prototype') return { value: undefined, writable: true, enumerable: false, configurable: false };
        if (typeof prop !== 'string') return undefined;
        return { value: request({ op: 'get', id, prop }), writable: false, enumerable: true, configurable: true };
      },
      apply(t, thisArg, args) {
        return request({ op: 'call', id, self: encodeTop(thisArg), args: encodeTop(args).v });
      },
      construct(t, args) { return request({ op: 'new', id, args: encodeTop(args).v }); },
      getPrototypeOf() { return isFunction ? functionProto : objectProto; },
      set: readOnly,
      defineProperty: readOnly,
      deleteProperty: readOnly,
      setPrototypeOf: readOnly,
      preventExtensions() { return false; },
    };
    // A null prototype keeps skill code from adding traps through Object.prototype.
    const proxy = new ProxyCtor(target, ObjectCtor.assign(create(null), handler));
    apply(mapSet, proxies, [id, proxy]);
    apply(weakSet, proxyIds, [proxy, id]);
    return proxy;
  }

  function describe(err) {
    try {
      if (err instanceof ErrorCtor) return StringCtor(err.stack || `${err.name}: ${err.message}`);
      if (typeof err === 'string') return err;
      return `non-Error thrown: ${jsonStringify(err) ?? StringCtor(err)}`;
    } catch {
      return 'non-Error thrown (unprintable)';
    }
  }

  function format(args) {
    let line = '';
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      let s;
      if (typeof a === 'string') s = a;
      else if (a instanceof Vec3) s = a.toString();
      else { try { s = jsonStringify(a) ?? StringCtor(a); } catch { s = StringCtor(a); } }
      line += (i ? ' ' : '') + s;
    }
    return line.length > 2000 ? line.slice(0, 2000) + '…' : line;
  }

  const consoleObject = freeze({
    log: (...a) => safeCall(bridgeLog, ['log', format(a)]),
    info: (...a) => safeCall(bridgeLog, ['log', format(a)]),
    warn: (...a) => safeCall(bridgeLog, ['warn', format(a)]),
    error: (...a) => safeCall(bridgeLog, ['error', format(a)]),
  });

  function setTimeoutSandbox(fn, ms, ...args) {
    if (typeof fn !== 'function') throw new TypeErrorCtor('setTimeout needs a function');
    const id = nextTimer++;
    apply(mapSet, timers, [id, () => apply(fn, undefined, args)]);
    safeCall(bridgeSetTimer, [id, NumberCtor(ms) || 0]);
    return id;
  }
  function clearTimeoutSandbox(id) {
    if (apply(mapDelete, timers, [id])) safeCall(bridgeClearTimer, [id]);
  }

  defineProperty(G, 'console', { value: consoleObject, writable: true, configurable: true });
  defineProperty(G, 'setTimeout', { value: setTimeoutSandbox, writable: true, configurable: true });
  defineProperty(G, 'clearTimeout', { value: clearTimeoutSandbox, writable: true, configurable: true });
  defineProperty(G, 'Vec3', { value: vec3, writable: true, configurable: true });

  // ---- the worker's handle on this context. Frozen, null-prototype: nothing skill code can reach or redefine.
  return freeze(ObjectCtor.assign(create(null), {
    // Install the endowments as globals.
    install(json) {
      const endowments = jsonParse(json);
      for (const name of objectKeys(endowments)) {
        defineProperty(G, name, { value: decode(endowments[name]), writable: true, configurable: true });
      }
    },
    // Report how the skill's promise settles, through the bridge.
    track(promise) {
      const report = (ok, payload) => safeCall(bridgeDone, [jsonStringify(ok ? { ok, v: payload } : { ok, err: payload })]);
      apply(promiseThen, PromiseCtor.resolve(promise), [
        (v) => { let enc; try { enc = encodeTop(v); } catch (e) { report(false, describe(e)); return; } report(true, enc); },
        (e) => report(false, describe(e)),
      ]);
    },
    describe,
    // The host calls a sandbox function (a callback skill code passed to the environment).
    callback(json) {
      const { id, self, args } = jsonParse(json);
      const fn = apply(mapGet, callbacks, [id]);
      if (fn === undefined) return jsonStringify({ ok: false, err: 'callback no longer exists' });
      try {
        const decodedArgs = [];
        for (const a of args) apply(arrayPush, decodedArgs, [decode(a)]);
        return jsonStringify({ ok: true, v: encodeTop(apply(fn, decode(self), decodedArgs)) });
      } catch (e) {
        return jsonStringify({ ok: false, err: describe(e) });
      }
    },
    // A host promise handed to the sandbox has settled.
    settle(json) {
      const { id, ok, v, err } = jsonParse(json);
      const waiter = apply(mapGet, pending, [id]);
      if (waiter === undefined) return;
      apply(mapDelete, pending, [id]);
      if (ok) waiter.resolve(decode(v));
      else waiter.reject(new ErrorCtor(StringCtor(err)));
    },
    fireTimer(id) {
      const fn = apply(mapGet, timers, [id]);
      if (fn === undefined) return;
      apply(mapDelete, timers, [id]);
      fn();
    },
    hasOwn(o, k) { return apply(hasOwn, o, [k]); },
  }));
})
