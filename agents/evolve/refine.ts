/**
 * Refinement: turn a composite that keeps failing into a new version that handles the failure.
 *
 * 1. Provoke: run the skill on fresh episodes with uniformly drawn arguments and collect failures
 *    whose error names an entity of the environment (any enum value of a primitive argument that is
 *    not one of the skill's own arguments), e.g. "find the apple failed: the apple is inside the
 *    closed top drawer" names 'top drawer'.
 * 2. Propose: recoveries for the failing step, shortest first: sequences of one or two primitive
 *    calls whose arguments are that entity or the skill's parameters, run instead of the step or
 *    before retrying it ("go to the {drawer}, open the {drawer}, instead of find").
 * 3. Test: replay every collected failure (same episode, same arguments) with the recovery compiled
 *    in, plus a few episodes that already worked; the first recovery that fixes all of them becomes
 *    the skill's next version (provenance.parent = the failing version), verified.
 *
 * Environment-generic: it reads only primitives' schemas, error text and outcomes.
 *
 * @example
 *   const r = await refineComposite(skill, { runSkill, makeEnv, primitives: env.primitives(), library });
 *   if (r.repaired) console.log(`${r.skill} v${r.from} -> v${r.to}: ${r.reason}`);
 */
import { Random } from '../../core/random.js';
import type { JsonSchema, JsonValue } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import type { SkillLibrary } from '../../skills/library.js';
import type { Skill } from '../../skills/skill.js';
import {
  compileComposite,
  compositeOf,
  draftSkill,
  type ArgRef,
  type CallStyle,
  type CompositeCall,
  type CompositeSpec,
  type Recovery,
} from './composite.js';
import { chooseArgs, runTrial, type TrialOptions, type TrialResult } from './verify.js';

export interface RefineOptions extends TrialOptions {
  primitives: readonly Primitive[];
  /** Where the new version goes. Without it the refinement is only computed. */
  library?: Pick<SkillLibrary, 'add' | 'record'>;
  style?: CallStyle;
  /** Fresh episodes run to provoke failures (default 16). */
  probeTrials?: number;
  /** First trial index of the probes (default 1000: away from verification's). */
  firstTrial?: number;
  /** Longest recovery (default 2 calls). */
  maxRecovery?: number;
  /** Upper bound on sandbox runs spent testing recoveries (default 400). */
  budget?: number;
  agent?: string;
}

export interface Refinement {
  skill: string;
  from: number;
  /** The new version, when one was stored. */
  to?: number;
  repaired: boolean;
  /** Why (or why not). */
  reason: string;
  failures: TrialResult[];
  recovery?: Recovery;
  /** The refined spec (also when no library was given). */
  spec?: CompositeSpec;
  /** Recoveries tested. */
  tried: number;
}

const DEFAULT_BUDGET = 400;

/** Every string enum value of the primitives' arguments, with the argument schemas it belongs to. */
function entityValues(primitives: readonly Primitive[]): Set<string> {
  const out = new Set<string>();
  for (const p of primitives) {
    for (const prop of Object.values((p.params['properties'] ?? {}) as Record<string, JsonSchema>)) {
      for (const v of (prop['enum'] as unknown[] | undefined) ?? []) if (typeof v === 'string') out.add(v);
    }
  }
  return out;
}

/** Entities an error names: longest matches first, none inside another match, none of `exclude`. */
export function entitiesIn(error: string, values: Iterable<string>, exclude: ReadonlySet<string> = new Set()): string[] {
  const found: string[] = [];
  const sorted = [...values].filter((v) => !exclude.has(v)).sort((a, b) => b.length - a.length);
  let rest = error;
  for (const v of sorted) {
    if (rest.includes(v)) {
      found.push(v);
      rest = rest.split(v).join(' ');
    }
  }
  return found;
}

const enumOf = (s: JsonSchema | undefined): unknown[] | null => (s && Array.isArray(s['enum']) ? (s['enum'] as unknown[]) : null);

/** Calls that could be part of a recovery: each argument filled by the entity or a parameter. */
function recoveryCalls(spec: CompositeSpec, primitives: readonly Primitive[], entities: readonly string[]): CompositeCall[] {
  const out: CompositeCall[] = [];
  for (const p of primitives) {
    if (p.name === 'done') continue;
    const props = (p.params['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = (p.params['required'] as string[] | undefined) ?? [];
    if (required.length === 0) continue;
    let combos: Record<string, ArgRef>[] = [{}];
    for (const arg of required) {
      const allowed = enumOf(props[arg]);
      const options: ArgRef[] = [];
      if (allowed && entities.every((e) => allowed.includes(e))) options.push({ entity: true });
      for (const param of spec.params) {
        const mine = enumOf(param.schema);
        if (allowed && mine && mine.every((v) => allowed.includes(v))) options.push({ param: param.name });
      }
      combos = combos.flatMap((c) => options.map((o) => ({ ...c, [arg]: o })));
    }
    for (const args of combos) out.push({ skill: p.name, args });
  }
  return out;
}

function usesEntity(calls: readonly CompositeCall[]): boolean {
  return calls.some((c) => Object.values(c.args).some((r) => 'entity' in r));
}

/** The domain of the entity in a recovery: values allowed by every argument it fills. */
function entityDomain(calls: readonly CompositeCall[], primitives: readonly Primitive[], fallback: readonly string[]): string[] {
  let domain: string[] | null = null;
  const byName = new Map(primitives.map((p) => [p.name, p]));
  for (const c of calls) {
    const props = (byName.get(c.skill)?.params['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const [arg, ref] of Object.entries(c.args)) {
      if (!('entity' in ref)) continue;
      const allowed = (enumOf(props[arg]) ?? []).filter((v): v is string => typeof v === 'string');
      domain = domain ? domain.filter((v) => allowed.includes(v)) : allowed;
    }
  }
  return domain && domain.length ? domain : [...fallback];
}

/** Refine a composite skill from its failures on fresh episodes (see the file comment). */
export async function refineComposite(skill: Skill, options: RefineOptions): Promise<Refinement> {
  const base = { skill: skill.name, from: skill.version, repaired: false, failures: [] as TrialResult[], tried: 0 };
  const spec = compositeOf(skill);
  if (!spec) return { ...base, reason: 'not a composite skill (no x-composite spec): only composites are refined statistically' };
  const values = entityValues(options.primitives);
  const probes = options.probeTrials ?? 16;
  const first = options.firstTrial ?? 1000;
  const failures: TrialResult[] = [];
  const passes: TrialResult[] = [];
  for (let t = first; t < first + probes; t++) {
    options.signal?.throwIfAborted();
    const probe = await options.makeEnv(t);
    let args: Record<string, JsonValue> | null;
    try {
      args = await chooseArgs(skill, probe, new Random(`refine:${options.seed ?? 1}:${skill.name}:${t}`), true);
    } finally {
      await probe.close();
    }
    if (!args) continue;
    const r = await runTrial(skill, t, args, options);
    (r.success ? passes : failures).push(r);
  }
  // The step that fails most often with an error naming an entity is the one to repair.
  const named = failures
    .map((f) => ({ f, entities: f.step ? entitiesIn(f.error ?? '', values, new Set(Object.values(f.args).filter((v): v is string => typeof v === 'string'))) : [] }))
    .filter((x) => x.entities.length > 0 && x.f.step !== undefined && !spec.steps[x.f.step - 1]?.recover);
  if (named.length === 0) {
    return { ...base, failures, reason: failures.length ? `failures name no entity to act on (${failures[0]!.error})` : `no failure in ${probes} fresh episodes` };
  }
  const counts = new Map<number, number>();
  for (const x of named) counts.set(x.f.step!, (counts.get(x.f.step!) ?? 0) + 1);
  const step = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  const cases = named.filter((x) => x.f.step === step);
  const seen = [...new Set(cases.map((x) => x.entities[0]!))];

  const calls = recoveryCalls(spec, options.primitives, seen);
  const proposals: CompositeCall[][] = calls.map((c) => [c]);
  if ((options.maxRecovery ?? 2) >= 2) for (const a of calls) for (const b of calls) proposals.push([a, b]);
  const budget = options.budget ?? DEFAULT_BUDGET;
  let runs = 0;
  let tried = 0;
  const regression = passes.slice(0, 3);
  for (const steps of proposals) {
    if (!usesEntity(steps)) continue;
    for (const mode of ['instead', 'retry'] as const) {
      if (runs >= budget) return { ...base, failures, tried, reason: `no recovery found within ${budget} sandbox runs` };
      tried++;
      const recovery: Recovery = { mode, entities: entityDomain(steps, options.primitives, seen), steps, learnedFrom: cases[0]!.f.error ?? '' };
      const refined: CompositeSpec = {
        ...spec,
        steps: spec.steps.map((s, i) => (i === step - 1 ? { ...s, recover: recovery } : s)),
        source: 'evolve:refine',
      };
      const input = compileComposite(refined, options.primitives, { style: options.style, status: 'verified', agent: options.agent, parent: skill.version });
      const candidate = draftSkill(input);
      let ok = true;
      const outcomes: TrialResult[] = [];
      for (const c of [...cases.map((x) => x.f), ...regression]) {
        runs++;
        const r = await runTrial(candidate, c.trial, c.args, options);
        outcomes.push(r);
        if (!r.success) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const what = `${mode === 'instead' ? 'instead of' : 'before retrying'} step ${step} (${spec.steps[step - 1]!.skill}) when it fails naming ${recovery.entities.length > 3 ? 'an entity' : recovery.entities.join('/')}: ${steps.map((s) => s.skill).join(', ')}`;
      if (!options.library) return { ...base, failures, tried, repaired: true, recovery, spec: refined, reason: what };
      const { skill: stored } = await options.library.add(input);
      for (const o of outcomes) await options.library.record(stored.name, { success: o.success, durationMs: o.durationMs, ...(o.error ? { error: o.error } : {}) }, stored.version);
      return { ...base, failures, tried, repaired: true, recovery, spec: refined, to: stored.version, reason: what };
    }
  }
  return { ...base, failures, tried, reason: `none of ${tried} recoveries fixed the ${cases.length} failures of step ${step}` };
}
