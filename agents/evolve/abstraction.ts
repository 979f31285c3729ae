/**
 * Statistical reflection: find contiguous runs of successful primitive calls that recur across
 * episodes, with the varying arguments lifted into parameters, and turn the most useful into
 * composite skill specs. No language model.
 *
 * A window of calls is canonicalised by replacing each distinct argument value with a variable
 * numbered by first appearance, so "find apple, pick up apple" and "find coke, pick up coke" share
 * the signature `find(object=$0) pick up(object=$0)`. A signature's support is the number of
 * episodes it occurs in. Variables whose value differed between occurrences become parameters
 * (their schema copied from the primitive argument they fill); the others stay constants (e.g. the
 * trash can in "put the {object} in the trash can").
 *
 * @example
 *   const specs = minePatterns(trajectories, kitchen.primitives(), { env: 'kitchen', minSupport: 3 });
 *   // [{ name: 'findPickUpBringToUserPutDown', params: [{ name: 'object', ... }], steps: [...], support: 9 }]
 */
import type { JsonSchema, JsonValue } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import { camelName, type ArgRef, type CompositeSpec, type CompositeStep } from './composite.js';
import type { Trajectory } from './trajectory.js';

export interface MineOptions {
  env: string;
  /** Shortest sequence worth a skill (default 2). */
  minLength?: number;
  /** Longest sequence considered (default 6). */
  maxLength?: number;
  /** Episodes a signature must occur in (default 3). */
  minSupport?: number;
  /** Only count episodes that reached their goal (default false: any successful run counts). */
  solvedOnly?: boolean;
  /** How many specs to return, best first (default 5). */
  limit?: number;
  /**
   * A shorter pattern contained in a chosen longer one is dropped unless its support exceeds the
   * longer one's by this factor (default 1.5): it would mostly duplicate it.
   */
  subsumeRatio?: number;
  /** Signatures to leave out (those already in the library). */
  exclude?: ReadonlySet<string>;
  /**
   * Values a lifted parameter may take: 'schema' (default) the primitive argument's own (its enum),
   * 'observed' only the values seen in the occurrences (within that enum, if any). 'observed' suits
   * worlds whose argument domains are large and mostly infeasible at a given moment (Minecraft item
   * names and counts): verification then draws arguments the agent has actually seen work.
   */
  domain?: 'schema' | 'observed';
}

export interface MinedPattern {
  spec: CompositeSpec;
  /** Canonical form, stable across runs: used to recognise a pattern already turned into a skill. */
  signature: string;
  support: number;
  /** Calls saved per use: length - 1. */
  saving: number;
  score: number;
}

interface Occurrence {
  episode: string;
  values: JsonValue[];
}

interface Window {
  skills: string[];
  /** Per step: arg name -> variable index. */
  slots: Record<string, number>[];
  occurrences: Occurrence[];
  episodes: Set<string>;
}

const key = (v: JsonValue) => JSON.stringify(v);

function canonical(calls: readonly { skill: string; args: Record<string, JsonValue> }[]): { signature: string; slots: Record<string, number>[]; values: JsonValue[] } {
  const ids = new Map<string, number>();
  const values: JsonValue[] = [];
  const slots: Record<string, number>[] = [];
  const parts: string[] = [];
  for (const c of calls) {
    const s: Record<string, number> = {};
    const names = Object.keys(c.args).sort();
    for (const name of names) {
      const k = key(c.args[name]!);
      let id = ids.get(k);
      if (id === undefined) {
        id = values.length;
        ids.set(k, id);
        values.push(c.args[name]!);
      }
      s[name] = id;
    }
    slots.push(s);
    parts.push(`${c.skill}(${names.map((n) => `${n}=$${s[n]}`).join(',')})`);
  }
  return { signature: parts.join(' '), slots, values };
}

/** The signature of a spec's nominal steps (with constants as values), comparable to mined ones. */
export function specSignature(spec: Pick<CompositeSpec, 'steps'>): string {
  return spec.steps
    .map((s) => {
      const names = Object.keys(s.args).sort();
      return `${s.skill}(${names.map((n) => {
        const r = s.args[n]!;
        return `${n}=${'param' in r ? `$${r.param}` : 'entity' in r ? '@' : key(r.value)}`;
      }).join(',')})`;
    })
    .join(' ');
}

/** Mine frequent successful subsequences and turn the best into composite specs. */
export function minePatterns(trajectories: readonly Trajectory[], primitives: readonly Primitive[], options: MineOptions): MinedPattern[] {
  const minLength = Math.max(2, options.minLength ?? 2);
  const maxLength = Math.max(minLength, options.maxLength ?? 6);
  const minSupport = Math.max(1, options.minSupport ?? 3);
  const primitiveNames = new Set(primitives.map((p) => p.name));
  const byName = new Map(primitives.map((p) => [p.name, p]));
  const windows = new Map<string, Window>();

  for (const t of trajectories) {
    if (options.solvedOnly && t.solved !== true) continue;
    // Maximal runs of successful primitive calls ('done' and learned skills end a run).
    const runs: Trajectory['steps'][] = [];
    let run: Trajectory['steps'] = [];
    for (const s of t.steps) {
      const usable = s.success && primitiveNames.has(s.call.skill) && s.call.skill !== 'done';
      if (usable) run.push(s);
      else {
        if (run.length) runs.push(run);
        run = [];
      }
    }
    if (run.length) runs.push(run);
    for (const r of runs) {
      for (let len = minLength; len <= Math.min(maxLength, r.length); len++) {
        for (let i = 0; i + len <= r.length; i++) {
          const calls = r.slice(i, i + len).map((s) => s.call);
          const c = canonical(calls);
          let w = windows.get(c.signature);
          if (!w) windows.set(c.signature, (w = { skills: calls.map((x) => x.skill), slots: c.slots, occurrences: [], episodes: new Set() }));
          w.occurrences.push({ episode: t.episode, values: c.values });
          w.episodes.add(t.episode);
        }
      }
    }
  }

  const candidates: MinedPattern[] = [];
  for (const w of windows.values()) {
    const support = w.episodes.size;
    if (support < minSupport) continue;
    const spec = toSpec(w, byName, options.env, support, options.domain ?? 'schema');
    if (!spec) continue;
    const signature = specSignature(spec);
    if (options.exclude?.has(signature)) continue;
    const saving = w.skills.length - 1;
    candidates.push({ spec, signature, support, saving, score: support * saving });
  }
  candidates.sort((a, b) => b.score - a.score || b.saving - a.saving || (a.signature < b.signature ? -1 : 1));

  const ratio = options.subsumeRatio ?? 1.5;
  const chosen: MinedPattern[] = [];
  for (const c of candidates) {
    const inner = ` ${c.signature.replace(/\$[A-Za-z_$][\w$]*/g, '$')} `;
    const subsumed = chosen.some((k) => ` ${k.signature.replace(/\$[A-Za-z_$][\w$]*/g, '$')} `.includes(inner) && c.support < k.support * ratio);
    if (subsumed) continue;
    chosen.push(c);
    if (chosen.length >= (options.limit ?? 5)) break;
  }
  return chosen;
}

function toSpec(w: Window, byName: Map<string, Primitive>, env: string, support: number, domain: 'schema' | 'observed'): CompositeSpec | null {
  const nVars = Math.max(0, ...w.slots.flatMap((s) => Object.values(s).map((v) => v + 1)));
  const varies = new Array<boolean>(nVars).fill(false);
  const first = w.occurrences[0]!.values;
  for (const o of w.occurrences) for (let v = 0; v < nVars; v++) if (key(o.values[v]!) !== key(first[v]!)) varies[v] = true;
  // Name each parameter after the first argument it fills ('object', 'location'), numbered on clashes.
  const names = new Array<string | null>(nVars).fill(null);
  const schemas = new Array<JsonSchema | null>(nVars).fill(null);
  const used = new Set<string>();
  w.slots.forEach((s, i) => {
    const p = byName.get(w.skills[i]!)!;
    const props = (p.params['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const [arg, v] of Object.entries(s)) {
      if (!varies[v] || names[v] !== null) continue;
      let name = camelName(arg);
      for (let k = 2; used.has(name); k++) name = `${camelName(arg)}${k}`;
      used.add(name);
      names[v] = name;
      const schema = structuredClone(props[arg] ?? {});
      delete (schema as Record<string, unknown>)['x-phrases'];
      schemas[v] = schema;
    }
  });
  // A parameter filling several arguments may only take values all of them accept.
  w.slots.forEach((s, i) => {
    const props = (byName.get(w.skills[i]!)!.params['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const [arg, v] of Object.entries(s)) {
      const schema = schemas[v];
      const allowed = props[arg]?.['enum'] as unknown[] | undefined;
      if (!schema || !allowed || !Array.isArray(schema['enum'])) continue;
      schema['enum'] = (schema['enum'] as unknown[]).filter((x) => allowed.some((a) => key(a as JsonValue) === key(x as JsonValue)));
    }
  });
  if (domain === 'observed') {
    schemas.forEach((schema, v) => {
      if (!schema) return;
      const seen: JsonValue[] = [];
      for (const o of w.occurrences) if (!seen.some((x) => key(x) === key(o.values[v]!))) seen.push(o.values[v]!);
      const allowed = schema['enum'] as unknown[] | undefined;
      schema['enum'] = allowed ? seen.filter((x) => allowed.some((a) => key(a as JsonValue) === key(x))) : seen;
    });
  }
  if (schemas.some((s) => s && Array.isArray(s['enum']) && (s['enum'] as unknown[]).length === 0)) return null;
  const steps: CompositeStep[] = w.skills.map((skill, i) => {
    const args: Record<string, ArgRef> = {};
    for (const [arg, v] of Object.entries(w.slots[i]!)) args[arg] = varies[v] ? { param: names[v]! } : { value: first[v]! };
    return { skill, args };
  });
  const params = names.flatMap((n, v) => (n === null ? [] : [{ name: n, schema: schemas[v]! }]));
  const constants = steps.flatMap((s) => Object.values(s.args).flatMap((r) => ('value' in r && typeof r.value === 'string' ? [r.value] : [])));
  const name = camelName([...w.skills, ...[...new Set(constants)].map((c) => `at ${c}`)].join(' '));
  const desc = `${w.skills.join(', then ')}${constants.length ? ` (with ${[...new Set(constants)].join(', ')})` : ''}: a sequence seen succeeding in ${support} episodes.`;
  return { name, description: desc[0]!.toUpperCase() + desc.slice(1), env, params, steps, support, source: 'evolve:statistical' };
}
