/**
 * How good are predicted success probabilities: ranking (AUC), calibration (Brier score, log loss,
 * a reliability table and its expected calibration error), and accuracy at 0.5.
 */

export interface ReliabilityBin {
  /** [lo, hi) of predicted probability (the last bin includes 1). */
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number;
  /** Observed success rate in the bin (NaN when empty). */
  observed: number;
}

export interface Metrics {
  n: number;
  positives: number;
  /** Area under the ROC curve (ties count half); NaN when only one class is present. */
  auc: number;
  brier: number;
  logLoss: number;
  accuracy: number;
  /** Expected calibration error over the reliability bins. */
  ece: number;
  reliability: ReliabilityBin[];
}

/** AUC by the rank-sum (Mann-Whitney) formula with average ranks for ties. */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = p.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && p[idx[j + 1]!] === p[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k]!]) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function reliability(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, count: 0, meanPredicted: 0, observed: 0 }));
  for (let i = 0; i < p.length; i++) {
    const b = out[Math.min(bins - 1, Math.max(0, Math.floor(p[i]! * bins)))]!;
    b.count++;
    b.meanPredicted += p[i]!;
    b.observed += y[i]! ? 1 : 0;
  }
  for (const b of out) {
    b.meanPredicted = b.count ? b.meanPredicted / b.count : NaN;
    b.observed = b.count ? b.observed / b.count : NaN;
  }
  return out;
}

export function evaluate(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): Metrics {
  const n = p.length;
  let brier = 0;
  let ll = 0;
  let correct = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const t = y[i] ? 1 : 0;
    positives += t;
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]!));
    brier += (p[i]! - t) ** 2;
    ll -= t ? Math.log(q) : Math.log(1 - q);
    if ((p[i]! >= 0.5 ? 1 : 0) === t) correct++;
  }
  const rel = reliability(p, y, bins);
  const ece = n ? rel.reduce((s, b) => s + (b.count ? (b.count / n) * Math.abs(b.meanPredicted - b.observed) : 0), 0) : NaN;
  return { n, positives, auc: auc(p, y), brier: brier / n, logLoss: ll / n, accuracy: correct / n, ece, reliability: rel };
}

/** A fixed-width text table of the reliability bins, for terminals. */
export function formatReliability(bins: readonly ReliabilityBin[]): string {
  const lines = ['  bin          count  mean p  observed'];
  for (const b of bins) {
    const range = `[${b.lo.toFixed(1)}, ${b.hi.toFixed(1)}${b.hi >= 1 ? ']' : ')'}`;
    const mp = b.count ? b.meanPredicted.toFixed(3) : '    -';
    const ob = b.count ? b.observed.toFixed(3) : '    -';
    lines.push(`  ${range.padEnd(12)} ${String(b.count).padStart(5)}  ${mp.padStart(6)}  ${ob.padStart(8)}`);
  }
  return lines.join('\n');
}

/** One line: AUC, Brier, log loss, ECE, accuracy. */
export function formatMetrics(name: string, m: Metrics): string {
  const f = (x: number) => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));
  return `${name.padEnd(10)} AUC ${f(m.auc)}  Brier ${f(m.brier)}  log loss ${f(m.logLoss)}  ECE ${f(m.ece)}  accuracy ${f(m.accuracy)}  (n=${m.n}, ${m.positives} successes)`;
}
