/**
 * HostBinding: the host side of a skill run's API. It turns an environment's SandboxApi (or a plain
 * endowments record, for callers that hand over a few functions and values) into the one dispatcher
 * the isolate calls with strings: `dispatch(kind, name, argsJson)` -> answer JSON. Every argument is
 * parsed here with the host's own JSON.parse (skill code cannot touch it), checked against the
 * call's ajv schema, and every result is copied to plain data, bounded, before it goes back.
 *
 * @example
 * const binding = bindHostApi(env.sandboxApi(signal), { callsPerSecond: 500 });
 * binding.dispatch('a', 'mineBlock', '["oak_log",1]') // -> Promise<'{"ok":true,"v":null,"s":{...}}'>
 */
import type { ValidateFunction } from 'ajv';
import { ajv, describeErrors } from '../../core/validate.js';
import { errorMessage } from '../../core/errors.js';
import type { JsonValue } from '../../core/types.js';
import { SANDBOX_API, type SandboxApi, type SandboxCall } from '../../envs/environment.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Vec3 } = require('vec3') as { Vec3: new (x: number, y: number, z: number) => unknown };

export interface HostLimits {
  /** Host calls (primitives and reads) allowed in any one second of a run. */
  callsPerSecond: number;
  /** Largest argument JSON the host will parse. */
  maxArgBytes: number;
  /** Longest a `setTimeout` may sleep. */
  maxSleepMs: number;
}

export interface HostBinding {
  bootstrap: string;
  dispatch(kind: string, name: string, json: string): string | Promise<string>;
  /** Set when the skill broke a limit: the runtime stops the run with this message. */
  onLimit?: (message: string) => void;
}

const FN = '\u0000fn';
const V3 = '\u0000v3';

/** Copy a host value to bounded plain data (Vec3s marked so the sandbox rebuilds its own class). */
export function toPlain(value: unknown, depth = 0, budget = { n: 0 }): JsonValue {
  if (++budget.n > 200_000) throw new Error('value too large to hand to a skill');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return String(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  if (value === null) return null;
  const obj = value as Record<string, unknown>;
  if (value instanceof Vec3 || (obj.constructor?.name === 'Vec3' && typeof obj.x === 'number')) {
    return { [V3]: [obj.x as number, obj.y as number, obj.z as number] };
  }
  if (depth >= 8) return null;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.slice(0, 10_000).map((v) => toPlain(v, depth + 1, budget));
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(obj).slice(0, 2000)) {
    if (key.startsWith('_')) continue;
    const v = obj[key];
    if (typeof v === 'function') continue;
    Object.defineProperty(out, key, { value: toPlain(v, depth + 1, budget), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function reviveVec3(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveVec3);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 3 && typeof o.x === 'number' && typeof o.y === 'number' && typeof o.z === 'number') return new Vec3(o.x, o.y, o.z);
    for (const k of keys) o[k] = reviveVec3(o[k]);
  }
  return value;
}

// For plain endowments: rebuild the record inside the isolate, functions as host calls by path.
const GENERIC_BOOTSTRAP = `(function genericEndowments(host, G) {
  'use strict';
  const FN = '\\u0000fn', V3 = '\\u0000v3';
  function revive(v) {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(revive);
    if (Object.prototype.hasOwnProperty.call(v, V3)) return new host.Vec3(v[V3][0], v[V3][1], v[V3][2]);
    if (Object.prototype.hasOwnProperty.call(v, FN)) {
      const path = v[FN];
      return function hostFunction(...args) {
        // Trailing undefined arguments are left out so the host function's defaults apply.
        while (args.length && args[args.length - 1] === undefined) args.pop();
        const r = host.sync('call', [path, args]);
        if (r && r.async) return r.ok ? Promise.resolve(revive(r.v)) : Promise.reject(new Error(r.err));
        if (!r.ok) throw new Error(r.err);
        return revive(r.v);
      };
    }
    const out = {};
    for (const k of Object.keys(v)) out[k] = revive(v[k]);
    return out;
  }
  const shape = host.sync('$shape', []);
  for (const k of Object.keys(shape)) host.define(k, revive(shape[k]));
})`;

function answer(ok: boolean, v?: unknown, err?: string, snapshot?: JsonValue): string {
  return JSON.stringify(ok ? { ok, v: v === undefined ? null : v, s: snapshot } : { ok, err, s: snapshot });
}

class RateLimiter {
  private windowStart = 0;
  private count = 0;
  constructor(private readonly perSecond: number) {}
  /** false when this call would exceed the limit. */
  take(now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    return ++this.count <= this.perSecond;
  }
}

function overLimit(binding: HostBinding, limits: HostLimits): string {
  binding.onLimit?.(`skill made more than ${limits.callsPerSecond} host calls in one second and was stopped`);
  return answer(false, undefined, 'call rate limit exceeded');
}

function common(name: string, limits: HostLimits, parsed: unknown[], signal: AbortSignal): Promise<string> | null {
  if (name === '$sleep') {
    const ms = Math.min(Math.max(0, Number(parsed[0]) || 0), limits.maxSleepMs);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(answer(true)), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve(answer(false, undefined, 'the skill run has ended'));
      }, { once: true });
    });
  }
  return null;
}

function parseArgs(json: string, limits: HostLimits): unknown[] {
  if (json.length > limits.maxArgBytes) throw new Error(`arguments larger than ${limits.maxArgBytes} bytes were refused`);
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed)) throw new Error('arguments must be an array');
  return parsed;
}

/** Bind plain endowments (values and host functions) as a generic API. */
export function bindEndowments(endowments: Record<string, unknown>, limits: HostLimits, signal: AbortSignal): HostBinding {
  const functions = new Map<string, (...a: unknown[]) => unknown>();
  const owners = new Map<string, unknown>();
  const seen = new WeakSet<object>();
  const shapeOf = (value: unknown, path: string, depth: number, owner: unknown): JsonValue => {
    if (typeof value === 'function') {
      functions.set(path, value as (...a: unknown[]) => unknown);
      owners.set(path, owner);
      return { [FN]: path };
    }
    if (value && typeof value === 'object' && depth < 6 && !(value instanceof Vec3) && !seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) return value.slice(0, 10_000).map((v, i) => shapeOf(v, `${path}[${i}]`, depth + 1, value));
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(value).slice(0, 2000)) {
        if (key.startsWith('_')) continue;
        Object.defineProperty(out, key, { value: shapeOf((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return toPlain(value, depth);
  };
  const shape: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(endowments)) shape[k] = shapeOf(v, k, 0, undefined);
  const rate = new RateLimiter(limits.callsPerSecond);
  const binding: HostBinding = {
    bootstrap: GENERIC_BOOTSTRAP,
    dispatch(_kind, name, json) {
      try {
        if (!rate.take(Date.now())) return overLimit(binding, limits);
        const args = parseArgs(json, limits);
        if (name === '$shape') return answer(true, shape);
        const builtin = common(name, limits, args, signal);
        if (builtin) return builtin;
        if (name !== 'call') return answer(false, undefined, `unknown host call '${name}'`);
        const [path, callArgs] = args as [string, unknown[]];
        const fn = functions.get(String(path));
        if (!fn || !Array.isArray(callArgs)) return answer(false, undefined, `'${String(path)}' is not a function the skill was given`);
        const result = Reflect.apply(fn, owners.get(String(path)), reviveVec3(callArgs) as unknown[]);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          return Promise.resolve(result).then(
            (v) => answer(true, { ok: true, async: true, v: toPlain(v) }),
            (e) => answer(true, { ok: false, async: true, err: errorMessage(e) }),
          );
        }
        return answer(true, { ok: true, v: toPlain(result) });
      } catch (err) {
        return answer(true, { ok: false, err: errorMessage(err) });
      }
    },
  };
  return binding;
}

const validators = new WeakMap<SandboxCall, ValidateFunction>();
const tableAnswers = new WeakMap<object, string>();

/** Bind an environment's SandboxApi: named calls, schemas, snapshots after every call. */
export function bindSandboxApi(api: SandboxApi, limits: HostLimits, signal: AbortSignal): HostBinding {
  const rate = new RateLimiter(limits.callsPerSecond);
  const snap = (): JsonValue => {
    try {
      return api.snapshot();
    } catch {
      return null;
    }
  };
  const binding: HostBinding = {
    bootstrap: api.bootstrap,
    dispatch(kind, name, json) {
      try {
        if (!rate.take(Date.now())) return overLimit(binding, limits);
        const args = parseArgs(json, limits);
        if (name === '$snapshot') return answer(true, null, undefined, snap());
        if (name === '$table') {
          const key = String(args[0]);
          const load = api.tables && Object.hasOwn(api.tables, key) ? api.tables[key] : undefined;
          if (!load) return answer(false, undefined, `no table named '${key}'`);
          // Serialised once per table object (minecraft-data is shared by every run), not per run.
          const data = load();
          const cacheable = data !== null && typeof data === 'object';
          let text = cacheable ? tableAnswers.get(data) : undefined;
          if (text === undefined) {
            text = answer(true, data);
            if (cacheable) tableAnswers.set(data, text);
          }
          return text;
        }
        const builtin = common(name, limits, args, signal);
        if (builtin) return builtin;
        const call = Object.hasOwn(api.calls, name) ? api.calls[name] : undefined;
        if (!call) return answer(false, undefined, `unknown call '${name}'`);
        const wantKind = call.kind === 'sync' ? 's' : 'a';
        if (kind !== wantKind) return answer(false, undefined, `'${name}' is ${call.kind ?? 'async'} and cannot be called that way`);
        if (signal.aborted) return answer(false, undefined, 'the skill run has ended');
        let validate = validators.get(call);
        if (!validate) {
          validate = ajv.compile(call.params);
          validators.set(call, validate);
        }
        if (!validate(args)) return answer(false, undefined, `invalid arguments for ${name}: ${describeErrors(validate.errors).join('; ')}`);
        const result = call.run(args);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          return Promise.resolve(result).then(
            (v) => answer(true, toPlain(v), undefined, snap()),
            (e) => answer(false, undefined, errorMessage(e), snap()),
          );
        }
        return answer(true, toPlain(result), undefined, kind === 'a' ? snap() : undefined);
      } catch (err) {
        return answer(false, undefined, errorMessage(err));
      }
    },
  };
  return binding;
}

/** The API of a run: the environment's SandboxApi when the endowments carry one, else the record itself. */
export function bindHost(endowments: Record<string, unknown>, limits: HostLimits, signal: AbortSignal): HostBinding {
  const api = (endowments as { [SANDBOX_API]?: SandboxApi })[SANDBOX_API];
  return api ? bindSandboxApi(api, limits, signal) : bindEndowments(endowments, limits, signal);
}
