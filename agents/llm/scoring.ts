/**
 * Turning answers into Say scores when the provider cannot give log-likelihoods of given text.
 * All return log-scores; the model softmaxes them into probabilities.
 *
 * - choice:  numbered options; the log-probabilities of the option numbers as the first answer
 *            token (chat top-logprobs). Numbers missing from the top-k get the least likely
 *            observed log-probability minus ln 10.
 * - ranking: the model ranks option numbers; rank r (0 = best) scores -r·ln 2 (each place halves
 *            the weight); unranked options score one place below the last ranked.
 * - votes:   k sampled choices; log((count + 0.5) / (k + 0.5·n)).
 */

export function softmax(logScores: number[]): number[] {
  if (logScores.length === 0) return [];
  const max = Math.max(...logScores);
  const exps = logScores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function numberedOptions(options: string[]): string {
  return options.map((o, i) => `${i + 1}. ${o.trim()}`).join('\n');
}

/** The option index (0-based) named by the first integer in range in the answer, or -1. */
export function parseChoice(text: string, n: number): number {
  for (const m of text.matchAll(/\d+/g)) {
    const k = Number(m[0]);
    if (k >= 1 && k <= n) return k - 1;
  }
  return -1;
}

/** Scores from the first generated token's alternatives; undefined if no option number appears. */
export function choiceScores(top: Record<string, number> | undefined, n: number): number[] | undefined {
  if (!top) return undefined;
  const byOption = new Array<number | undefined>(n).fill(undefined);
  for (const [token, logprob] of Object.entries(top)) {
    const t = token.trim().replace(/[.):]$/, '');
    if (!/^\d+$/.test(t)) continue;
    const k = Number(t);
    if (k >= 1 && k <= n) byOption[k - 1] = Math.max(byOption[k - 1] ?? -Infinity, logprob);
  }
  const seen = byOption.filter((v): v is number => v !== undefined);
  if (seen.length === 0) return undefined;
  const floor = Math.min(...seen) - Math.log(10);
  return byOption.map((v) => v ?? floor);
}

export function rankingScores(ranking: number[], n: number): number[] {
  const scores = new Array<number>(n).fill(Number.NaN);
  const seen = new Set<number>();
  let place = 0;
  for (const k of ranking) {
    const i = k - 1;
    if (i < 0 || i >= n || seen.has(i)) continue;
    seen.add(i);
    scores[i] = 0 - place * Math.LN2;
    place++;
  }
  return scores.map((s) => (Number.isNaN(s) ? 0 - place * Math.LN2 : s));
}

export function voteScores(choices: number[], n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (const c of choices) if (c >= 0 && c < n) counts[c]!++;
  const k = choices.length;
  return counts.map((c) => Math.log((c + 0.5) / (k + 0.5 * n)));
}
