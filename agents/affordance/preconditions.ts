/**
 * Symbolic preconditions combined with learned affordance values. An environment that can state a
 * precondition exactly (the drawer is closed, so "pick up the apple in the drawer" cannot succeed)
 * says so through `Environment.preconditions()`: true, false, or null (unknown).
 *
 * The rule, per candidate call, given the learned score s in [0, 1]:
 *   - false -> 0                 an exact "cannot" overrides anything learned;
 *   - true  -> max(s, floor)     an exact "can" lifts the score to at least `floor` (default 0, i.e.
 *                                keep s: a feasible call can still fail, and the learned value knows
 *                                how often); set floor = 1 to trust the symbol fully;
 *   - null  -> s                 unknown: the learned value decides.
 * Without a learned model, s is `prior` (default 0.5), so true -> max(prior, floor), null -> prior.
 *
 * @example
 * ```ts
 * const can = new PreconditionedAffordance(env, await OnnxAffordanceModel.load('kitchen.onnx'), { floor: 0.5 });
 * const p = await can.score(observation, candidates);
 * ```
 */
import { SkillforgeError } from '../../core/errors.js';
import type { Observation, SkillCall } from '../../core/types.js';
import type { Environment } from '../../envs/environment.js';
import type { AffordanceModel } from './model.js';

export interface CombineOptions {
  /** Lower bound for calls whose preconditions hold (default 0: keep the learned score). */
  floor?: number;
}

/** Apply the rule above element-wise. `symbolic` may be undefined (no preconditions stated). */
export function combinePreconditions(
  symbolic: readonly (boolean | null | undefined)[] | undefined,
  learned: Float32Array,
  options: CombineOptions = {},
): Float32Array {
  const floor = options.floor ?? 0;
  if (!(floor >= 0 && floor <= 1)) throw new RangeError(`floor must be in [0, 1], got ${floor}`);
  if (symbolic && symbolic.length !== learned.length) {
    throw new SkillforgeError('E_INVALID', `preconditions returned ${symbolic.length} values for ${learned.length} calls`, {
      hint: 'Environment.preconditions must return one entry per call',
    });
  }
  const out = new Float32Array(learned.length);
  for (let i = 0; i < learned.length; i++) {
    const s = symbolic?.[i];
    const v = learned[i]!;
    out[i] = s === false ? 0 : s === true ? Math.max(v, floor) : v;
  }
  return out;
}

export interface PreconditionedOptions extends CombineOptions {
  /** Score used for every call when there is no learned model (default 0.5). */
  prior?: number;
}

/** An AffordanceModel that applies an environment's exact preconditions on top of a learned one. */
export class PreconditionedAffordance implements AffordanceModel {
  readonly id: string;
  constructor(
    private readonly env: Pick<Environment, 'preconditions'>,
    private readonly learned?: AffordanceModel,
    private readonly options: PreconditionedOptions = {},
  ) {
    this.id = `preconditions+${learned?.id ?? `prior(${options.prior ?? 0.5})`}`;
  }

  async score(observation: Observation, calls: readonly SkillCall[]): Promise<Float32Array> {
    const learned = this.learned
      ? await this.learned.score(observation, calls)
      : new Float32Array(calls.length).fill(this.options.prior ?? 0.5);
    const symbolic = this.env.preconditions?.(observation, calls);
    return combinePreconditions(symbolic, learned, this.options);
  }
}
