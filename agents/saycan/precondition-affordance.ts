/**
 * PreconditionAffordance: a non-learned Can that needs no training. It reads the environment's
 * exact symbolic preconditions: 1 when they hold, 0 when they do not, `unknown` (default 0.5)
 * when the environment cannot say. It ignores noise (a feasible grasp that sometimes slips still
 * scores 1), which is exactly what a learned model trained on attempts adds.
 *
 * @example
 *   const can = new PreconditionAffordance(env);
 *   const p = await can.score(await env.observe(), [{ skill: 'pick up', args: { object: 'apple' } }]);
 */
import type { Environment } from '../../envs/environment.js';
import { PreconditionedAffordance } from '../affordance/preconditions.js';

export class PreconditionAffordance extends PreconditionedAffordance {
  override readonly id: string;
  constructor(env: Pick<Environment, 'preconditions'>, options: { unknown?: number } = {}) {
    // No learned model: every call starts at `unknown`; floor 1 lifts calls whose preconditions hold to 1.
    super(env, undefined, { prior: options.unknown ?? 0.5, floor: 1 });
    this.id = `preconditions(unknown=${options.unknown ?? 0.5})`;
  }
}
