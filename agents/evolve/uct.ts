/**
 * UCT (UCB1 applied to skill choice): a skill's value is its success rate plus an exploration bonus
 * that shrinks as it is tried, so a new skill gets tried, a reliable one keeps being chosen and a
 * failing one is left alone but still retried now and then.
 *
 *   value(i) = successes_i / attempts_i + c * sqrt(ln(total) / attempts_i),   untried: +Infinity
 *
 * @example
 *   uctValue({ successes: 3, attempts: 4 }, 10);          // 0.75 + 1.414 * sqrt(ln 10 / 4) ≈ 1.82
 *   selectUct([{ successes: 9, attempts: 10 }, { successes: 0, attempts: 0 }]).index; // 1 (untried)
 */
export interface ArmStats {
  successes: number;
  attempts: number;
}

/** Exploration constant of UCB1 (√2 for rewards in [0, 1]). */
export const DEFAULT_UCT_C = Math.SQRT2;

/** The UCT value of one arm among arms tried `total` times in all. */
export function uctValue(arm: ArmStats, total: number, c: number = DEFAULT_UCT_C): number {
  if (!(arm.attempts > 0)) return Number.POSITIVE_INFINITY;
  const mean = arm.successes / arm.attempts;
  const n = Math.max(total, arm.attempts, 1);
  return mean + c * Math.sqrt(Math.log(n) / arm.attempts);
}

/**
 * The arm with the highest UCT value; ties go to the higher `priority` (e.g. a longer composite),
 * then to the earlier arm. `total` defaults to the sum of the arms' attempts.
 */
export function selectUct<T extends ArmStats & { priority?: number }>(arms: readonly T[], options: { c?: number; total?: number } = {}): { index: number; values: number[] } {
  if (arms.length === 0) throw new RangeError('selectUct needs at least one arm');
  const total = options.total ?? arms.reduce((n, a) => n + a.attempts, 0);
  const values = arms.map((a) => uctValue(a, total, options.c));
  let best = 0;
  for (let i = 1; i < arms.length; i++) {
    const a = values[i]!;
    const b = values[best]!;
    const tie = a === b || Math.abs(a - b) <= 1e-12;
    if ((!tie && a > b) || (tie && (arms[i]!.priority ?? 0) > (arms[best]!.priority ?? 0))) best = i;
  }
  return { index: best, values };
}

/** Success rate with a uniform prior (Laplace): the fitness reported for a skill. */
export function fitness(arm: ArmStats): number {
  return (arm.successes + 1) / (arm.attempts + 2);
}
