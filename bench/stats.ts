/**
 * Summary statistics shared by the benchmarks.
 *
 * @example
 *   median([3, 1, 2, 10]);      // 2.5
 *   percentile([5, 1, 9], 50);  // 5
 */

/** The median: the middle value, or the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in [0, 100]): the value at floor(p% of n) in sorted order, clamped to the last. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
