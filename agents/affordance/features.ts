/**
 * The explicit, versioned feature encoding of affordance models: one float32 row per
 * (observation, skill call) pair. (A little over 500 lines: the layout, its validation and the two
 * encoders, dense and factored, that must agree column for column, kept side by side.) A `FeatureLayout` (saved in every model manifest) records exactly
 * how rows are built, so a model is never fed a row of another layout.
 *
 * Row = [ observation features                      (layout.observation.names, as observed)
 *       | skill encoding                            (embedder vector of the skill name, or hashed name tokens)
 *       | argument encoding                         (hashed `key`, `key=value` and value-word tokens, L2-normalised)
 *       | bound observation features                (one per binding template, see below) ]
 *
 * Bindings connect a call's arguments to the observation. A template such as `visible={object}`
 * says: read the observation feature named `visible=<the call's object argument>` (0 if there is
 * none). Templates are discovered from training data (`discoverBindings`): every observation feature
 * name in which an argument value appears as a whole segment (segments split on `:`, `=`, `/`, `@`,
 * `|`) becomes a template with that segment replaced by `{argName}`, unless another of its segments
 * is itself an argument value (`place=apple@{location}` is too specific to generalise).
 * Each template appears twice: once for every call that can fill it (`bindings`), and once gated
 * by skill (`skillBindings`: the value for calls of that skill, 0 for others), so that even a linear
 * model can learn "pick up X succeeds when X is visible" without "find X" inheriting it.
 *
 * @example
 * ```ts
 * const layout = designLayout({ observationLayout: set.layout, observationNames: set.featureNames,
 *   calls: set.calls });                                  // hashed skill encoding, bindings discovered
 * const encoder = new FeatureEncoder(layout);            // or new FeatureEncoder(layout, embedder)
 * const rows = await encoder.encode(observation, calls); // Float32Array, calls.length × layout.dim
 * ```
 */
import { SkillforgeError } from '../../core/errors.js';
import { hashString } from '../../core/random.js';
import type { JsonValue, Observation, SkillCall } from '../../core/types.js';
import type { Embedder } from '../../skills/embedder.js';
import type { FactoredRows, RowBlocks } from './net.js';

/** Bumped whenever the meaning of a row changes for the same layout fields. */
export const FEATURE_ENCODING_VERSION = 1;

export type SkillEncoding = { kind: 'embedder'; id: string; dim: number } | { kind: 'hashed'; dim: number };

export interface FeatureLayout {
  encoding: 'skillforge-affordance-features';
  version: number;
  observation: { layout: string; names: string[] };
  skill: SkillEncoding;
  args: { buckets: number };
  bindings: string[];
  /** Skill-gated bindings (absent in older layouts = none). */
  skillBindings?: { skill: string; template: string }[];
  /** Total row width. */
  dim: number;
}

export interface DesignOptions {
  observationLayout: string;
  observationNames: readonly string[];
  /** Calls seen in training, used to discover bindings (omit to use `bindings`). */
  calls?: readonly SkillCall[];
  bindings?: readonly string[];
  /** Encode skill names with this embedder; default: hashed name tokens. */
  embedder?: Pick<Embedder, 'id' | 'dim'>;
  /** Width of the hashed skill encoding (default 32; ignored with an embedder). */
  skillBuckets?: number;
  /** Width of the hashed argument encoding (default 32). */
  argBuckets?: number;
  /** At most this many binding templates (most frequent first; default 256). */
  maxBindings?: number;
  /** Explicit skill-gated bindings (default: discovered from `calls`). */
  skillBindings?: readonly { skill: string; template: string }[];
  /** At most this many skill-gated bindings (default 256; 0 = none). */
  maxSkillBindings?: number;
}

const SEGMENT = /[:=/@|]/;

function argText(v: JsonValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Split a feature name into segments and the separators between them. */
function segments(name: string): { parts: string[]; seps: string[] } {
  const parts: string[] = [];
  const seps: string[] = [];
  let cur = '';
  for (const ch of name) {
    if (SEGMENT.test(ch)) {
      parts.push(cur);
      seps.push(ch);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return { parts, seps };
}

function join(parts: readonly string[], seps: readonly string[]): string {
  let s = parts[0]!;
  for (let i = 1; i < parts.length; i++) s += seps[i - 1]! + parts[i]!;
  return s;
}

/**
 * Templates like `at:{object}` or `obj_at:{object}:{location}` from observation names and calls:
 * every name in which some argument value is a whole segment, most frequent first.
 */
export function discoverBindings(observationNames: readonly string[], calls: readonly SkillCall[], max = 256): string[] {
  // Index feature names by segment so each distinct argument value is looked up, not scanned.
  const bySegment = new Map<string, number[]>();
  const split = observationNames.map(segments);
  split.forEach((s, i) => {
    for (const p of new Set(s.parts)) {
      let list = bySegment.get(p);
      if (!list) bySegment.set(p, (list = []));
      list.push(i);
    }
  });
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  const values = new Set<string>();
  for (const call of calls) for (const v of Object.values(call.args)) {
    const t = argText(v);
    if (t) values.add(t);
  }
  for (const call of calls) {
    const keyed = Object.entries(call.args)
      .map(([k, v]) => [k, argText(v)] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined && e[1] !== '');
    const sig = JSON.stringify(keyed);
    if (seen.has(sig)) continue;
    seen.add(sig);
    const templates = new Set<string>();
    for (const [, value] of keyed) {
      for (const i of bySegment.get(value) ?? []) {
        const { parts, seps } = split[i]!;
        const replaced = parts.map((p) => {
          const hit = keyed.find(([, v]) => v === p);
          return hit ? `{${hit[0]}}` : p;
        });
        templates.add(join(replaced, seps));
      }
    }
    for (const t of templates) {
      // Keep only fully abstracted templates: no literal segment may itself be an argument value.
      if (segments(t).parts.some((p) => values.has(p))) continue;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([t]) => t);
}

function placeholders(template: string): string[] {
  return segments(template)
    .parts.filter((p) => /^\{[^{}]+\}$/.test(p))
    .map((p) => p.slice(1, -1));
}

/**
 * Skill-gated bindings: for each skill seen in `calls`, the templates all of whose placeholders
 * are arguments that skill takes; most frequent skills first, at most `max`.
 */
export function discoverSkillBindings(templates: readonly string[], calls: readonly SkillCall[], max = 256): { skill: string; template: string }[] {
  const keys = new Map<string, { n: number; keys: Set<string> }>();
  for (const c of calls) {
    let e = keys.get(c.skill);
    if (!e) keys.set(c.skill, (e = { n: 0, keys: new Set() }));
    e.n++;
    for (const k of Object.keys(c.args)) e.keys.add(k);
  }
  const out: { skill: string; template: string; n: number }[] = [];
  for (const [skill, e] of keys) {
    for (const template of templates) {
      const need = placeholders(template);
      if (need.length && need.every((k) => e.keys.has(k))) out.push({ skill, template, n: e.n });
    }
  }
  return out
    .sort((a, b) => b.n - a.n || (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0))
    .slice(0, max)
    .map(({ skill, template }) => ({ skill, template }));
}

/** Build a layout: the caller's observation layout, the skill/argument encodings and the bindings. */
export function designLayout(options: DesignOptions): FeatureLayout {
  const skill: SkillEncoding = options.embedder
    ? { kind: 'embedder', id: options.embedder.id, dim: options.embedder.dim }
    : { kind: 'hashed', dim: options.skillBuckets ?? 32 };
  const buckets = options.argBuckets ?? 32;
  const bindings = options.bindings
    ? [...options.bindings]
    : options.calls
      ? discoverBindings(options.observationNames, options.calls, options.maxBindings)
      : [];
  const skillBindings = options.skillBindings
    ? options.skillBindings.map((b) => ({ ...b }))
    : options.calls
      ? discoverSkillBindings(bindings, options.calls, options.maxSkillBindings)
      : [];
  const layout: FeatureLayout = {
    encoding: 'skillforge-affordance-features',
    version: FEATURE_ENCODING_VERSION,
    observation: { layout: options.observationLayout, names: [...options.observationNames] },
    skill,
    args: { buckets },
    bindings,
    skillBindings,
    dim: 0,
  };
  layout.dim = layoutDim(layout);
  return layout;
}

/** Row width implied by a layout's parts. */
export function layoutDim(layout: Omit<FeatureLayout, 'dim'>): number {
  return layout.observation.names.length + layout.skill.dim + layout.args.buckets + layout.bindings.length + (layout.skillBindings?.length ?? 0);
}

/** Human-readable column names, in row order (for reports and model inspection). */
export function columnNames(layout: FeatureLayout): string[] {
  return [
    ...layout.observation.names.map((n) => `obs:${n}`),
    ...Array.from({ length: layout.skill.dim }, (_, i) => `skill:${i}`),
    ...Array.from({ length: layout.args.buckets }, (_, i) => `arg:${i}`),
    ...layout.bindings.map((b) => `bind:${b}`),
    ...(layout.skillBindings ?? []).map((b) => `bind:${b.skill}|${b.template}`),
  ];
}

/** Throw a clear error when a layout is not one this code can encode. */
export function checkLayout(layout: FeatureLayout): void {
  if (layout.encoding !== 'skillforge-affordance-features' || layout.version !== FEATURE_ENCODING_VERSION) {
    throw new SkillforgeError(
      'E_LAYOUT_MISMATCH',
      `feature layout is ${layout.encoding} v${layout.version}; this skillforge encodes skillforge-affordance-features v${FEATURE_ENCODING_VERSION}`,
      { hint: 'retrain the model with `skillforge affordance train`' },
    );
  }
  const dim = layoutDim(layout);
  if (dim !== layout.dim) {
    throw new SkillforgeError('E_LAYOUT_MISMATCH', `feature layout declares dim ${layout.dim} but its parts add up to ${dim}`);
  }
}

/** The column blocks of a layout's rows: observation, per-call (skill + arguments), bound features. */
export function rowBlocks(layout: FeatureLayout): RowBlocks {
  return {
    obs: layout.observation.names.length,
    call: layout.skill.dim + layout.args.buckets,
    bound: layout.bindings.length + (layout.skillBindings?.length ?? 0),
  };
}

function tokenWords(s: string): string[] {
  return s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** Hashed bag of tokens, L2-normalised, added into `out` at `offset`. */
function hashTokens(tokens: readonly string[], buckets: number, out: Float32Array, offset: number): void {
  if (!tokens.length || buckets === 0) return;
  const acc = new Float64Array(buckets);
  for (const t of tokens) acc[hashString(t) % buckets]! += 1;
  let norm = 0;
  for (let i = 0; i < buckets; i++) norm += acc[i]! * acc[i]!;
  norm = Math.sqrt(norm);
  for (let i = 0; i < buckets; i++) out[offset + i] = acc[i]! / norm;
}

function argTokens(args: Record<string, JsonValue>): string[] {
  const tokens: string[] = [];
  for (const key of Object.keys(args).sort()) {
    const v = args[key];
    const text = argText(v) ?? JSON.stringify(v);
    tokens.push(`k:${key}`, `kv:${key}=${text.toLowerCase()}`);
    for (const w of tokenWords(text)) tokens.push(`w:${w}`);
  }
  return tokens;
}

/** The text a skill name is embedded from: `pick_up` and `pickUp` read as "pick up". */
export function skillText(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .toLowerCase()
    .trim();
}

interface CallPlan {
  /** Skill + argument part of the row (without observation and bindings). */
  static: Float32Array;
  /** Observation index per binding, -1 when the concrete name does not exist. */
  bound: Int32Array;
}

/**
 * Encodes (observation, calls) into rows of a fixed layout. Per-call work (skill embedding, argument
 * hashing, binding resolution) is cached by call, so repeated scoring of the same candidates costs
 * a copy and a few indexed reads.
 */
export class FeatureEncoder {
  readonly layout: FeatureLayout;
  private readonly nameIndex: Map<string, number>;
  private readonly skillCache = new Map<string, Float32Array>();
  private readonly planCache = new Map<string, CallPlan>();
  private readonly bindingParts: { parts: string[]; seps: string[]; keys: (string | null)[]; skill: string | null }[];
  private lastNames: readonly string[] | null = null;

  constructor(
    layout: FeatureLayout,
    private readonly embedder?: Embedder,
  ) {
    checkLayout(layout);
    this.layout = layout;
    if (layout.skill.kind === 'embedder') {
      if (!embedder) {
        throw new SkillforgeError('E_LAYOUT_MISMATCH', `this model encodes skills with embedder '${layout.skill.id}', but none was given`, {
          hint: `pass the embedder with id '${layout.skill.id}' when loading the model`,
        });
      }
      if (embedder.id !== layout.skill.id || embedder.dim !== layout.skill.dim) {
        throw new SkillforgeError(
          'E_LAYOUT_MISMATCH',
          `this model was trained with embedder '${layout.skill.id}' (dim ${layout.skill.dim}), got '${embedder.id}' (dim ${embedder.dim})`,
          { hint: 'use the same embedder as in training, or retrain' },
        );
      }
    }
    this.nameIndex = new Map(layout.observation.names.map((n, i) => [n, i]));
    const parse = (t: string, skill: string | null) => {
      const { parts, seps } = segments(t);
      return { parts, seps, skill, keys: parts.map((p) => (/^\{[^{}]+\}$/.test(p) ? p.slice(1, -1) : null)) };
    };
    this.bindingParts = [...layout.bindings.map((t) => parse(t, null)), ...(layout.skillBindings ?? []).map((b) => parse(b.template, b.skill))];
  }

  /** Throw unless the observation has exactly the layout's features. */
  checkObservation(observation: Pick<Observation, 'features' | 'featureNames'>): void {
    const names = observation.featureNames;
    const want = this.layout.observation.names;
    if (observation.features.length !== want.length) {
      throw new SkillforgeError(
        'E_LAYOUT_MISMATCH',
        `observation has ${observation.features.length} features; the model's layout '${this.layout.observation.layout}' has ${want.length}`,
        { hint: 'the environment changed its observation features: retrain the affordance model on new attempts' },
      );
    }
    if (names === this.lastNames) return;
    if (names.length && (names.length !== want.length || names.some((n, i) => n !== want[i]))) {
      const i = names.findIndex((n, j) => n !== want[j]);
      throw new SkillforgeError(
        'E_LAYOUT_MISMATCH',
        `observation feature ${i} is '${names[i]}', the model's layout '${this.layout.observation.layout}' expects '${want[i]}'`,
        { hint: 'the environment changed its observation features: retrain the affordance model on new attempts' },
      );
    }
    this.lastNames = names;
  }

  private async skillVectors(names: readonly string[]): Promise<void> {
    const missing = [...new Set(names)].filter((n) => !this.skillCache.has(n));
    if (!missing.length) return;
    const s = this.layout.skill;
    if (s.kind === 'hashed') {
      for (const n of missing) {
        const v = new Float32Array(s.dim);
        hashTokens([`s:${n}`, ...tokenWords(skillText(n)).map((w) => `w:${w}`)], s.dim, v, 0);
        this.skillCache.set(n, v);
      }
      return;
    }
    const vectors = await this.embedder!.embed(missing.map(skillText));
    missing.forEach((n, i) => {
      const v = vectors[i];
      if (!v || v.length !== s.dim) {
        throw new SkillforgeError('E_LAYOUT_MISMATCH', `embedder '${s.id}' returned a vector of length ${v?.length} for '${n}', expected ${s.dim}`);
      }
      this.skillCache.set(n, Float32Array.from(v));
    });
  }

  private plan(call: SkillCall): CallPlan {
    return this.keyedPlan(call).plan;
  }

  private keyedPlan(call: SkillCall): { key: string; plan: CallPlan } {
    const key = `${call.skill}\u0000${JSON.stringify(call.args)}`;
    return { key, plan: this.planFor(call, key) };
  }

  private planFor(call: SkillCall, key: string): CallPlan {
    let p = this.planCache.get(key);
    if (p) return p;
    const L = this.layout;
    const width = L.skill.dim + L.args.buckets;
    const stat = new Float32Array(width);
    stat.set(this.skillCache.get(call.skill)!, 0);
    hashTokens(argTokens(call.args), L.args.buckets, stat, L.skill.dim);
    const bound = new Int32Array(this.bindingParts.length).fill(-1);
    this.bindingParts.forEach((b, j) => {
      if (b.skill !== null && b.skill !== call.skill) return;
      const parts: string[] = [];
      for (let i = 0; i < b.parts.length; i++) {
        const k = b.keys[i];
        if (k === null) parts.push(b.parts[i]!);
        else {
          const v = argText(call.args[k]);
          if (v === undefined) return;
          parts.push(v);
        }
      }
      bound[j] = this.nameIndex.get(join(parts, b.seps)) ?? -1;
    });
    p = { static: stat, bound };
    if (this.planCache.size > 50_000) this.planCache.clear();
    this.planCache.set(key, p);
    return p;
  }

  private fill(out: Float32Array, row: number, features: Float32Array, plan: CallPlan): void {
    const L = this.layout;
    const nObs = L.observation.names.length;
    const base = row * L.dim;
    out.set(features, base);
    out.set(plan.static, base + nObs);
    const b0 = base + nObs + plan.static.length;
    for (let j = 0; j < plan.bound.length; j++) {
      const idx = plan.bound[j]!;
      out[b0 + j] = idx >= 0 ? features[idx]! : 0;
    }
  }

  /** Rows for one observation and many calls: `calls.length × layout.dim`, row-major. */
  async encode(observation: Pick<Observation, 'features' | 'featureNames'>, calls: readonly SkillCall[]): Promise<Float32Array> {
    this.checkObservation(observation);
    await this.skillVectors(calls.map((c) => c.skill));
    const out = new Float32Array(calls.length * this.layout.dim);
    calls.forEach((c, i) => this.fill(out, i, observation.features, this.plan(c)));
    return out;
  }

  /** Rows for (features[i], calls[i]) pairs, e.g. a training set from episodic memory. */
  async encodePairs(features: readonly Float32Array[], calls: readonly SkillCall[]): Promise<Float32Array> {
    if (features.length !== calls.length) throw new RangeError('features and calls differ in length');
    const nObs = this.layout.observation.names.length;
    await this.skillVectors(calls.map((c) => c.skill));
    const out = new Float32Array(calls.length * this.layout.dim);
    calls.forEach((c, i) => {
      if (features[i]!.length !== nObs) {
        throw new SkillforgeError('E_LAYOUT_MISMATCH', `row ${i} has ${features[i]!.length} observation features, layout has ${nObs}`);
      }
      this.fill(out, i, features[i]!, this.plan(c));
    });
    return out;
  }

  /**
   * The rows of `encodePairs` in factored form (see net.ts `FactoredRows`): each distinct
   * observation (by content) and each distinct call is encoded once and indexed per row.
   */
  async encodePairsFactored(features: readonly Float32Array[], calls: readonly SkillCall[]): Promise<FactoredRows> {
    if (features.length !== calls.length) throw new RangeError('features and calls differ in length');
    const nObs = this.layout.observation.names.length;
    await this.skillVectors(calls.map((c) => c.skill));
    const n = calls.length;
    const obsIndex = new BigInt64Array(n);
    const obsRows: Float32Array[] = [];
    const obsSeen = new Map<Float32Array | string, number>();
    features.forEach((f, i) => {
      if (f.length !== nObs) {
        throw new SkillforgeError('E_LAYOUT_MISMATCH', `row ${i} has ${f.length} observation features, layout has ${nObs}`);
      }
      // Same array object first (cheap), then same content.
      let k = obsSeen.get(f);
      if (k === undefined) {
        const key = Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('latin1');
        k = obsSeen.get(key);
        if (k === undefined) {
          obsSeen.set(key, (k = obsRows.length));
          obsRows.push(f);
        }
        obsSeen.set(f, k);
      }
      obsIndex[i] = BigInt(k);
    });
    return this.factored(obsRows, obsIndex, features, calls);
  }

  /** The rows of `encode` in factored form: one observation, each distinct call once. */
  async encodeFactored(observation: Pick<Observation, 'features' | 'featureNames'>, calls: readonly SkillCall[]): Promise<FactoredRows> {
    this.checkObservation(observation);
    await this.skillVectors(calls.map((c) => c.skill));
    const f = Float32Array.from(observation.features);
    return this.factored([f], new BigInt64Array(calls.length), calls.map(() => f), calls);
  }

  private factored(obsRows: readonly Float32Array[], obsIndex: BigInt64Array, features: readonly Float32Array[], calls: readonly SkillCall[]): FactoredRows {
    const blocks = rowBlocks(this.layout);
    const n = calls.length;
    const obs = new Float32Array(obsRows.length * blocks.obs);
    obsRows.forEach((f, i) => obs.set(f, i * blocks.obs));
    const callIndex = new BigInt64Array(n);
    const callSeen = new Map<string, number>();
    const callPlans: CallPlan[] = [];
    const bound = new Float32Array(n * blocks.bound);
    calls.forEach((c, r) => {
      const { key, plan } = this.keyedPlan(c);
      let k = callSeen.get(key);
      if (k === undefined) {
        callSeen.set(key, (k = callPlans.length));
        callPlans.push(plan);
      }
      callIndex[r] = BigInt(k);
      const f = features[r]!;
      for (let j = 0; j < plan.bound.length; j++) {
        const idx = plan.bound[j]!;
        bound[r * blocks.bound + j] = idx >= 0 ? f[idx]! : 0;
      }
    });
    const call = new Float32Array(callPlans.length * blocks.call);
    callPlans.forEach((p, i) => call.set(p.static, i * blocks.call));
    return { n, obs, m: obsRows.length, obsIndex, call, c: callPlans.length, callIndex, bound };
  }
}
