/**
 * Verification of a composite before it is stored: run it in the sandbox on fresh episodes (new
 * environments the skill has never seen) and keep it only when it works there.
 *
 * Arguments are drawn from the skill's params schema (every required parameter has an enum). By
 * default a trial takes the first shuffled grounding whose first step the environment's exact
 * preconditions call feasible, so a skill is judged where it is meant to start; `anyArgs` draws
 * uniformly instead (what refinement uses to provoke failures).
 *
 * @example
 *   const v = await verifyComposite(draftSkill(input), { runSkill, makeEnv: (i) => new KitchenEnvironment({ seed: `verify:${i}` }) });
 *   if (v.passed) await library.add({ ...input, status: 'verified' });
 */
import { Random } from '../../core/random.js';
import type { JsonValue } from '../../core/types.js';
import type { Environment } from '../../envs/environment.js';
import type { Skill } from '../../skills/skill.js';
import type { SkillRunner } from '../act/skill-runner.js';
import { groundArguments } from '../act/grounding.js';
import { bindCall, compositeOf } from './composite.js';

export type EnvFactory = (trial: number) => Environment | Promise<Environment>;

export interface TrialOptions {
  runSkill: SkillRunner;
  /** A fresh environment for trial i (the same i must give the same start: refinement replays cases). */
  makeEnv: EnvFactory;
  /** Seed of the argument draws (default 1). */
  seed?: number;
  signal?: AbortSignal;
}

export interface VerifyOptions extends TrialOptions {
  /** Fresh episodes to run (default 3). */
  trials?: number;
  /** First trial index (default 0): lets successive verifications use different episodes. */
  firstTrial?: number;
  /** Fraction of trials that must succeed (default 1). */
  minRate?: number;
  /** Draw arguments uniformly instead of where the first step is feasible. */
  anyArgs?: boolean;
}

export interface TrialResult {
  trial: number;
  args: Record<string, JsonValue>;
  success: boolean;
  error?: string;
  /** 1-based step of a composite that failed (read from its error), when known. */
  step?: number;
  durationMs: number;
}

export interface Verification {
  passed: boolean;
  rate: number;
  trials: TrialResult[];
}

/** The step number in a composite's failure message ("[step 2/4] pick up ... failed: ..."). */
export function failedStep(error: string | undefined): number | undefined {
  const m = error ? /\[step (\d+)\/\d+\](?! recovery)/.exec(error) : null;
  return m ? Number(m[1]) : undefined;
}

/** Choose arguments for one trial, or null when none is feasible (with `anyArgs` false). */
export async function chooseArgs(skill: Skill, env: Environment, rng: Random, anyArgs: boolean): Promise<Record<string, JsonValue> | null> {
  const combos = groundArguments(skill.params ?? {}) ?? [{}];
  if (combos.length === 0) return null;
  rng.shuffle(combos);
  if (anyArgs || !env.preconditions) return combos[0]!;
  const spec = compositeOf(skill);
  if (!spec) return combos[0]!;
  const observation = await env.observe();
  const ok = env.preconditions(observation, combos.map((a) => bindCall(spec.steps[0]!, a)));
  const i = ok.findIndex((v) => v !== false);
  return i < 0 ? null : combos[i]!;
}

/** Run a skill once on a fresh environment with given arguments. */
export async function runTrial(skill: Skill, trial: number, args: Record<string, JsonValue>, options: TrialOptions): Promise<TrialResult> {
  const env = await options.makeEnv(trial);
  try {
    const outcome = await options.runSkill(skill, args, { env, signal: options.signal });
    return {
      trial,
      args,
      success: outcome.success,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(failedStep(outcome.error) ? { step: failedStep(outcome.error)! } : {}),
      durationMs: outcome.durationMs,
    };
  } finally {
    await env.close();
  }
}

/** Run the skill on `trials` fresh episodes; it passes when at least `minRate` of them succeed. */
export async function verifyComposite(skill: Skill, options: VerifyOptions): Promise<Verification> {
  const n = options.trials ?? 3;
  const first = options.firstTrial ?? 0;
  const results: TrialResult[] = [];
  for (let t = first; t < first + n; t++) {
    options.signal?.throwIfAborted();
    const rng = new Random(`verify:${options.seed ?? 1}:${skill.name}:${t}`);
    const probe = await options.makeEnv(t);
    let args: Record<string, JsonValue> | null;
    try {
      args = await chooseArgs(skill, probe, rng, options.anyArgs === true);
    } finally {
      await probe.close();
    }
    if (!args) {
      results.push({ trial: t, args: {}, success: false, error: 'no arguments make the first step feasible in this episode', durationMs: 0 });
      continue;
    }
    results.push(await runTrial(skill, t, args, options));
  }
  const rate = results.length ? results.filter((r) => r.success).length / results.length : 0;
  return { passed: results.length > 0 && rate >= (options.minRate ?? 1), rate, trials: results };
}
