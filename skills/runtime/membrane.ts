/**
 * The host side of the skill runtime's membrane: which host values skill code may see, and how they
 * cross to the worker. Plain data is copied; objects and functions travel as numbered handles whose
 * reads and calls come back here, one at a time, where this policy applies:
 *
 * - no property that reaches a realm's internals (constructor, __proto__, prototype, caller, ...) and no
 *   "private" underscore property (mineflayer's `bot._client` holds the raw socket);
 * - no value that is a code-generation or reflection intrinsic (Function, eval, Object, Reflect, Proxy),
 *   the process, the global object, or an I/O object (streams and sockets, child processes, workers);
 * - host objects are read-only from skill code (the worker-side proxy refuses writes).
 */
import { EventEmitter } from 'node:events';
import { Stream } from 'node:stream';
import { ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Socket, Server } from 'node:net';

/** The wire form of one value (see prelude.js for the sandbox side). */
export type Encoded =
  | null
  | boolean
  | number
  | string
  | { t: 'u' }
  | { t: 'num'; v: string }
  | { t: 'big'; v: string }
  | { t: 'v3'; x: number; y: number; z: number }
  | { t: 'vec3class' }
  | { t: 'h'; id: number; f?: 1 }
  | { t: 'cb'; id: number }
  | { t: 'p'; id: number }
  | { t: 'sp'; id: number }
  | { t: 'err'; name: string; message: string }
  | { t: 'a'; v: Encoded[] }
  | { t: 'o'; v: Record<string, Encoded> };

const BLOCKED_PROPERTIES = new Set([
  'constructor', '__proto__', 'prototype', 'caller', 'callee', 'arguments',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

const FORBIDDEN_VALUES = new Set<unknown>([
  Function, AsyncFunction, GeneratorFunction, AsyncGeneratorFunction, eval, Object, Reflect, Proxy,
  globalThis, process, Function.prototype, Object.prototype, Array.prototype,
  ...Object.values(Object.getOwnPropertyDescriptors(Object)).map((d) => d.value),
  ...Object.values(Object.getOwnPropertyDescriptors(Reflect)).map((d) => d.value),
  setTimeout, setInterval, setImmediate, queueMicrotask, structuredClone, fetch,
].filter((v) => typeof v === 'function' || (typeof v === 'object' && v !== null)));

const FORBIDDEN_CLASSES: Array<abstract new (...args: never[]) => unknown> = [Stream, Socket, Server, ChildProcess, Worker];

const COPY_MAX_KEYS = 64;
const COPY_MAX_ITEMS = 4096;
const COPY_MAX_DEPTH = 3;

/** Why a read was refused; the message reaches the skill as an ordinary Error. */
export class ForbiddenError extends Error {}

export function checkProperty(prop: string): void {
  if (BLOCKED_PROPERTIES.has(prop) || prop.startsWith('_')) {
    throw new ForbiddenError(`property '${prop}' is not available to skills`);
  }
}

function checkValue(value: unknown): void {
  if (FORBIDDEN_VALUES.has(value)) throw new ForbiddenError('that value is not available to skills');
  if (typeof value === 'object' && value !== null) {
    for (const cls of FORBIDDEN_CLASSES) {
      if (value instanceof cls) throw new ForbiddenError(`${cls.name} objects are not available to skills`);
    }
  }
}

function isVec3Like(value: object): value is { x: number; y: number; z: number } {
  const v = value as Record<string, unknown>;
  return value.constructor?.name === 'Vec3' && typeof v.x === 'number' && typeof v.y === 'number' && typeof v.z === 'number';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Per-run tables: handles for host objects, wrappers for sandbox callbacks, promises in flight.
 * Dropped at the end of the run, so nothing a skill touched stays reachable.
 */
export class Membrane {
  private readonly objects = new Map<number, unknown>();
  private readonly ids = new Map<unknown, number>();
  private readonly callbackWrappers = new Map<number, (...args: unknown[]) => unknown>();
  private readonly wrapperIds = new WeakMap<object, number>();
  private nextId = 1;
  private readonly listeners: Array<{ emitter: EventEmitter; event: string | symbol; fn: (...a: unknown[]) => void }> = [];

  constructor(
    private readonly hooks: {
      /** Call a sandbox function synchronously (blocking until the worker answers). */
      callSandbox(id: number, self: Encoded, args: Encoded[]): unknown;
      /** A host promise was handed to the sandbox: report its settlement later. */
      trackPromise(id: number, promise: Promise<unknown>): void;
      /** A sandbox promise was handed to the host: give the host a promise for it. */
      sandboxPromise(id: number): Promise<unknown>;
      /** Host vec3 constructor, so values from skills arrive as the real class. */
      makeVec3(x: number, y: number, z: number): unknown;
      vec3Class: unknown;
    },
  ) {}

  handle(value: unknown): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(value, id);
      this.objects.set(id, value);
    }
    return id;
  }

  resolve(id: number): unknown {
    if (!this.objects.has(id)) throw new ForbiddenError('unknown host object');
    return this.objects.get(id);
  }

  encode(value: unknown, depth = 0): Encoded {
    switch (typeof value) {
      case 'undefined':
      case 'symbol':
        return { t: 'u' };
      case 'boolean':
      case 'string':
        return value;
      case 'number':
        return Number.isFinite(value) ? value : { t: 'num', v: String(value) };
      case 'bigint':
        return { t: 'big', v: String(value) };
      case 'function': {
        if (value === this.hooks.vec3Class) return { t: 'vec3class' };
        const cb = this.wrapperIds.get(value);
        if (cb !== undefined) return { t: 'cb', id: cb };
        checkValue(value);
        return { t: 'h', id: this.handle(value), f: 1 };
      }
      default:
        break;
    }
    if (value === null) return null;
    const obj = value as object;
    checkValue(obj);
    if (isVec3Like(obj)) return { t: 'v3', x: obj.x, y: obj.y, z: obj.z };
    if (obj instanceof Promise) {
      const id = this.handle(obj);
      this.hooks.trackPromise(id, obj);
      return { t: 'p', id };
    }
    if (obj instanceof Error) return { t: 'err', name: obj.name, message: obj.message };
    if (depth < COPY_MAX_DEPTH && Array.isArray(obj) && obj.length <= COPY_MAX_ITEMS) {
      return { t: 'a', v: obj.map((x) => this.encode(x, depth + 1)) };
    }
    if (depth < COPY_MAX_DEPTH && isPlainObject(obj)) {
      const keys = Object.keys(obj).filter((k) => !BLOCKED_PROPERTIES.has(k) && !k.startsWith('_'));
      if (keys.length <= COPY_MAX_KEYS) {
        const out: Record<string, Encoded> = {};
        for (const k of keys) out[k] = this.encode((obj as Record<string, unknown>)[k], depth + 1);
        return { t: 'o', v: out };
      }
    }
    return { t: 'h', id: this.handle(obj) };
  }

  decode(enc: Encoded): unknown {
    if (enc === null || typeof enc !== 'object') return enc;
    switch (enc.t) {
      case 'u':
        return undefined;
      case 'num':
        return Number(enc.v);
      case 'big':
        return BigInt(enc.v);
      case 'v3':
        return this.hooks.makeVec3(enc.x, enc.y, enc.z);
      case 'vec3class':
        return this.hooks.vec3Class;
      case 'h':
        return this.resolve(enc.id);
      case 'cb':
        return this.callbackWrapper(enc.id);
      case 'sp':
        return this.hooks.sandboxPromise(enc.id);
      case 'err': {
        const e = new Error(String(enc.message));
        e.name = String(enc.name);
        return e;
      }
      case 'a':
        return enc.v.map((x) => this.decode(x));
      case 'o': {
        // defineProperty, not assignment: a key named __proto__ must stay data, never a prototype.
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(enc.v)) {
          Object.defineProperty(out, k, { value: this.decode(v), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      default:
        throw new ForbiddenError('malformed value from the sandbox');
    }
  }

  private callbackWrapper(id: number): (...args: unknown[]) => unknown {
    let fn = this.callbackWrappers.get(id);
    if (!fn) {
      const hooks = this.hooks;
      const membrane = this;
      fn = function sandboxCallback(this: unknown, ...args: unknown[]) {
        return hooks.callSandbox(id, membrane.encodeSafe(this), args.map((a) => membrane.encodeSafe(a)));
      };
      this.callbackWrappers.set(id, fn);
      this.wrapperIds.set(fn, id);
    }
    return fn;
  }

  /** Encode for a callback argument: a forbidden value becomes undefined rather than failing the host. */
  encodeSafe(value: unknown): Encoded {
    try {
      return this.encode(value);
    } catch {
      return { t: 'u' };
    }
  }

  /** Serve one request from the sandbox: get, has, keys, call, new. */
  serve(req: { op: string; id: number; prop?: string; self?: Encoded; args?: Encoded[] }): Encoded {
    const target = this.resolve(req.id);
    switch (req.op) {
      case 'get': {
        const prop = String(req.prop);
        checkProperty(prop);
        return this.encode(Reflect.get(target as object, prop));
      }
      case 'has': {
        const prop = String(req.prop);
        if (BLOCKED_PROPERTIES.has(prop) || prop.startsWith('_')) return false;
        return prop in (target as object);
      }
      case 'keys':
        return {
          t: 'a',
          v: Object.keys(target as object).filter((k) => !BLOCKED_PROPERTIES.has(k) && !k.startsWith('_')),
        };
      case 'call': {
        if (typeof target !== 'function') throw new ForbiddenError('not a function');
        const self = this.decode(req.self ?? { t: 'u' });
        const args = (req.args ?? []).map((a) => this.decode(a));
        this.noteListener(target, self, args);
        return this.encode(Reflect.apply(target, self, args));
      }
      case 'new': {
        if (typeof target !== 'function') throw new ForbiddenError('not a constructor');
        return this.encode(Reflect.construct(target, (req.args ?? []).map((a) => this.decode(a))));
      }
      default:
        throw new ForbiddenError(`unknown operation ${req.op}`);
    }
  }

  // Listeners a skill adds to host emitters (bot.on('chat', ...)) are removed when the run ends, so a
  // finished skill leaves nothing behind that calls into a dead sandbox.
  private noteListener(fn: unknown, self: unknown, args: unknown[]): void {
    if (!(self instanceof EventEmitter)) return;
    const proto = EventEmitter.prototype;
    if (fn !== proto.on && fn !== proto.addListener && fn !== proto.once && fn !== proto.prependListener && fn !== proto.prependOnceListener) return;
    const [event, listener] = args;
    if (typeof listener === 'function' && this.wrapperIds.has(listener)) {
      this.listeners.push({ emitter: self, event: event as string | symbol, fn: listener as (...a: unknown[]) => void });
    }
  }

  dispose(): void {
    for (const { emitter, event, fn } of this.listeners) emitter.removeListener(event, fn);
    this.listeners.length = 0;
    this.objects.clear();
    this.ids.clear();
    this.callbackWrappers.clear();
  }
}
