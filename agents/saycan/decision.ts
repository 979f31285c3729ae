/**
 * The arithmetic of one SayCan decision, separate from any I/O so it can be tested and
 * benchmarked alone: score = Say × Can, the best candidate wins, and the top k are kept to explain
 * the choice. (Can itself is combined in agents/affordance/preconditions.ts.)
 */
import { SkillforgeError } from '../../core/errors.js';
import type { Candidate } from '../act/grounding.js';

export interface ScoredCandidate extends Candidate {
  /** The language model's probability that this is the useful next step. */
  say: number;
  /** Feasibility used in the product (1 when affordances are off). */
  can: number;
  /** say × can. */
  score: number;
  /** The environment's symbolic verdict (null: unknown or not asked). */
  precondition: boolean | null;
  /** The learned affordance value (null: no model). */
  learned: number | null;
}

/** Reject Say scores that cannot be trusted (wrong length, NaN, negative) before anything runs. */
export function checkSay(probabilities: readonly number[], n: number, model: string): void {
  if (!Array.isArray(probabilities) || probabilities.length !== n) {
    throw new SkillforgeError('E_SAYCAN_SAY', `language model ${model} returned ${Array.isArray(probabilities) ? probabilities.length : 'no'} Say scores for ${n} candidates`, {
      hint: 'the model output was malformed; nothing was executed. Retry, or use a model that follows the scoring format',
    });
  }
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0) {
      throw new SkillforgeError('E_SAYCAN_SAY', `language model ${model} returned an invalid Say score (${String(p)}) for candidate ${i + 1}`, {
        hint: 'the model output was malformed; nothing was executed',
      });
    }
  }
}

export interface Ranked {
  /** Index (into the candidates) of the best product. */
  best: number;
  /**
   * Best first by Say × Can (ties: higher Say, then candidate order): the top k by product, plus
   * the model's own top k by Say that the product pushed down, so a vetoed favourite is visible.
   */
  top: ScoredCandidate[];
}

/** Rank candidates by Say × Can. */
export function rankCandidates(
  candidates: readonly Candidate[],
  say: readonly number[],
  can: Float32Array,
  preconditions: readonly (boolean | null)[] | null,
  learned: Float32Array | null,
  k: number,
): Ranked {
  const n = candidates.length;
  if (n === 0) throw new SkillforgeError('E_SAYCAN_EMPTY', 'no candidate skills to choose from', { hint: 'the environment offered no groundable primitives' });
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) score[i] = say[i]! * can[i]!;
  const indices = Array.from({ length: n }, (_, i) => i);
  const byScore = (a: number, b: number) => score[b]! - score[a]! || say[b]! - say[a]! || a - b;
  const order = indices.slice().sort(byScore);
  const keep = Math.max(1, k);
  const shown = new Set(order.slice(0, keep));
  for (const i of indices.sort((a, b) => say[b]! - say[a]! || a - b).slice(0, keep)) shown.add(i);
  const top = [...shown].sort(byScore).map((i) => ({
    ...candidates[i]!,
    say: say[i]!,
    can: can[i]!,
    score: score[i]!,
    precondition: preconditions ? (preconditions[i] ?? null) : null,
    learned: learned ? learned[i]! : null,
  }));
  return { best: order[0]!, top };
}
