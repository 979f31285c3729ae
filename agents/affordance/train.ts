/**
 * Training affordance models in TypeScript from episodic memory: logistic regression or a small
 * ReLU MLP, minibatch Adam with L2, early stopping on a validation split, Platt calibration of the
 * output on the same split, all seeded. Metrics come from a held-out test split that neither
 * training nor calibration saw, next to a constant predictor (the training success rate).
 *
 * Splits are by episode when attempts carry episode ids (steps of one episode are correlated, so
 * mixing them across splits would flatter the test metrics), by attempt otherwise.
 *
 * @example
 * ```ts
 * const set = memory.trainingSet({ env: 'kitchen' });
 * const result = await trainAffordance(set, { kind: 'mlp', hidden: [32], seed: 7 });
 * console.log(result.metrics.test.auc, 'vs constant', result.metrics.baseline.auc);
 * await exportAffordanceModel(result, 'models/kitchen.onnx');   // see onnx-model.ts
 * ```
 */
import { SkillforgeError } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { SkillCall } from '../../core/types.js';
import type { Embedder } from '../../skills/embedder.js';
import { FeatureEncoder, designLayout, type FeatureLayout } from './features.js';
import { evaluate, type Metrics } from './metrics.js';
import { forward, type NetKind, type NetParams } from './net.js';

/** What training needs from a training set (memory/episodic's TrainingSet satisfies it). */
export interface TrainingData {
  layout: string;
  featureNames: readonly string[];
  features: readonly Float32Array[];
  calls: readonly SkillCall[];
  labels: ArrayLike<number>;
  episodes?: readonly (string | null)[];
}

export interface FitOptions {
  kind?: NetKind;
  /** Hidden layer widths for 'mlp' (default [32]); ignored for 'logreg'. */
  hidden?: readonly number[];
  /** Maximum epochs (default 200 for mlp, 300 for logreg). */
  epochs?: number;
  batchSize?: number;
  /** Adam step size (default 0.01 logreg, 0.003 mlp). */
  learningRate?: number;
  /** L2 penalty on weights (default 1e-4). */
  l2?: number;
  /** Stop after this many epochs without validation improvement (default 15). */
  patience?: number;
  seed?: number;
  /** Platt-scale the output on the validation split (default true). */
  calibrate?: boolean;
  onEpoch?: (epoch: number, trainLoss: number, valLoss: number) => void;
}

export interface TrainOptions extends FitOptions {
  valFraction?: number;
  testFraction?: number;
  /** Encode skill names with this embedder (default: hashed tokens). */
  embedder?: Embedder;
  skillBuckets?: number;
  argBuckets?: number;
  maxBindings?: number;
  maxSkillBindings?: number;
}

export interface FitResult {
  params: NetParams;
  epochs: number;
  bestEpoch: number;
  /** Platt parameters folded into the output layer: p = sigmoid(a * logit + c). */
  calibration: { a: number; c: number } | null;
}

export interface TrainResult extends FitResult {
  layout: FeatureLayout;
  /**
   * `baseline`: the constant predictor (training success rate). `skillBaseline`: each skill's
   * training success rate, a stronger yardstick (what the model adds beyond "find usually works").
   */
  metrics: { test: Metrics; validation: Metrics; baseline: Metrics; skillBaseline: Metrics; train: Metrics };
  split: { train: number; validation: number; test: number; by: 'episode' | 'attempt' };
  baseRate: number;
  trainMs: number;
}

interface Layer64 {
  inDim: number;
  outDim: number;
  W: Float64Array;
  b: Float64Array;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function standardiser(x: Float32Array, n: number, d: number): { mean: Float32Array; invStd: Float32Array } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) mean[c]! += x[r * d + c]!;
  for (let c = 0; c < d; c++) mean[c]! /= Math.max(1, n);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) sq[c]! += (x[r * d + c]! - mean[c]!) ** 2;
  const invStd = new Float32Array(d);
  for (let c = 0; c < d; c++) {
    const sd = Math.sqrt(sq[c]! / Math.max(1, n));
    invStd[c] = sd > 1e-6 ? 1 / sd : 1;
  }
  return { mean: Float32Array.from(mean), invStd };
}

function standardise(x: Float32Array, n: number, d: number, s: { mean: Float32Array; invStd: Float32Array }): Float32Array {
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) out[r * d + c] = Math.fround(x[r * d + c]! - s.mean[c]!) * s.invStd[c]!;
  return out;
}

/** Logits of standardised rows, keeping hidden activations when `keep` is given (for backprop). */
function logits(layers: readonly Layer64[], z: Float32Array, rows: ArrayLike<number>, d: number, keep?: Float64Array[]): Float64Array {
  const m = rows.length;
  let cur = new Float64Array(m * d);
  for (let r = 0; r < m; r++) {
    const src = rows[r]! * d;
    for (let c = 0; c < d; c++) cur[r * d + c] = z[src + c]!;
  }
  if (keep) keep[0] = cur;
  let width = d;
  layers.forEach((L, li) => {
    const out = new Float64Array(m * L.outDim);
    for (let r = 0; r < m; r++) {
      const o = r * L.outDim;
      for (let j = 0; j < L.outDim; j++) out[o + j] = L.b[j]!;
      const row = r * width;
      for (let i = 0; i < width; i++) {
        const v = cur[row + i]!;
        if (v === 0) continue;
        const w = i * L.outDim;
        for (let j = 0; j < L.outDim; j++) out[o + j]! += v * L.W[w + j]!;
      }
      if (li < layers.length - 1) for (let j = 0; j < L.outDim; j++) if (out[o + j]! < 0) out[o + j] = 0;
    }
    cur = out;
    width = L.outDim;
    if (keep) keep[li + 1] = cur;
  });
  return cur;
}

function logLoss(zs: Float64Array, y: ArrayLike<number>, rows: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < zs.length; i++) {
    const z = zs[i]!;
    const t = y[rows[i]!] ? 1 : 0;
    // log(1 + e^-|z|) formulation avoids overflow.
    s += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return s / Math.max(1, zs.length);
}

/** Fit p = sigmoid(a z + c) by Newton's method on (logit, label) pairs. */
function platt(z: Float64Array, y: ArrayLike<number>, rows: ArrayLike<number>): { a: number; c: number } {
  let a = 1;
  let c = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0, gc = 0, haa = 1e-9, hac = 0, hcc = 1e-9;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + c);
      const e = p - (y[rows[i]!] ? 1 : 0);
      const w = p * (1 - p);
      ga += e * z[i]!;
      gc += e;
      haa += w * z[i]! * z[i]!;
      hac += w * z[i]!;
      hcc += w;
    }
    // Light ridge keeps the step finite on separable validation sets.
    haa += 1e-3;
    hcc += 1e-3;
    const det = haa * hcc - hac * hac;
    const da = (hcc * ga - hac * gc) / det;
    const dc = (haa * gc - hac * ga) / det;
    a -= Math.max(-5, Math.min(5, da));
    c -= Math.max(-5, Math.min(5, dc));
    if (Math.abs(da) + Math.abs(dc) < 1e-9) break;
  }
  return { a, c };
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/**
 * Fit a network on rows `x` (n × d, row-major) with labels `y`, early-stopping on (xVal, yVal).
 * Exposed for tests and benchmarks; `trainAffordance` is the usual entry point.
 */
export function fitNet(
  x: Float32Array,
  y: ArrayLike<number>,
  n: number,
  d: number,
  xVal: Float32Array,
  yVal: ArrayLike<number>,
  nVal: number,
  options: FitOptions = {},
): FitResult {
  const kind = options.kind ?? 'mlp';
  const hidden = kind === 'mlp' ? [...(options.hidden ?? [32])] : [];
  const epochs = options.epochs ?? (kind === 'mlp' ? 200 : 300);
  const batch = Math.max(1, Math.min(options.batchSize ?? 64, n));
  const lr = options.learningRate ?? (kind === 'mlp' ? 0.003 : 0.01);
  const l2 = options.l2 ?? 1e-4;
  const patience = options.patience ?? 15;
  const rng = new Random(options.seed ?? 1);
  if (n === 0) throw new SkillforgeError('E_EMPTY', 'no training rows', { hint: 'record more attempts' });

  const stats = standardiser(x, n, d);
  const z = standardise(x, n, d, stats);
  const zVal = standardise(xVal, nVal, d, stats);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i] ? 1 : 0;
  const base = Math.min(1 - 1e-3, Math.max(1e-3, pos / n));

  const dims = [d, ...hidden, 1];
  const layers: Layer64[] = [];
  for (let l = 0; l < dims.length - 1; l++) {
    const inDim = dims[l]!;
    const outDim = dims[l + 1]!;
    const last = l === dims.length - 2;
    const scale = last ? Math.sqrt(1 / inDim) * (kind === 'logreg' ? 0 : 1) : Math.sqrt(2 / inDim);
    const W = new Float64Array(inDim * outDim);
    for (let i = 0; i < W.length; i++) W[i] = rng.normal() * scale;
    const b = new Float64Array(outDim);
    if (last) b[0] = Math.log(base / (1 - base));
    layers.push({ inDim, outDim, W, b });
  }
  const m1 = layers.map((L) => ({ W: new Float64Array(L.W.length), b: new Float64Array(L.b.length) }));
  const m2 = layers.map((L) => ({ W: new Float64Array(L.W.length), b: new Float64Array(L.b.length) }));
  const grads = layers.map((L) => ({ W: new Float64Array(L.W.length), b: new Float64Array(L.b.length) }));
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let step = 0;

  const order = range(n);
  const valRows = range(nVal);
  const snapshot = () => layers.map((L) => ({ ...L, W: Float64Array.from(L.W), b: Float64Array.from(L.b) }));
  let best = snapshot();
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let epoch = 0;
  const acts: Float64Array[] = [];

  for (epoch = 1; epoch <= epochs; epoch++) {
    rng.shuffle(order as unknown as number[]);
    let trainLoss = 0;
    for (let s = 0; s < n; s += batch) {
      const rows = order.subarray(s, Math.min(n, s + batch));
      const m = rows.length;
      const out = logits(layers, z, rows, d, acts);
      trainLoss += logLoss(out, y, rows) * m;
      // dL/dz at the output, averaged over the batch.
      let delta = new Float64Array(m);
      for (let r = 0; r < m; r++) delta[r] = (sigmoid(out[r]!) - (y[rows[r]!] ? 1 : 0)) / m;
      for (let l = layers.length - 1; l >= 0; l--) {
        const L = layers[l]!;
        const a = acts[l]!;
        const g = grads[l]!;
        g.W.fill(0);
        g.b.fill(0);
        for (let r = 0; r < m; r++) {
          const ar = r * L.inDim;
          const dr = r * L.outDim;
          for (let j = 0; j < L.outDim; j++) g.b[j]! += delta[dr + j]!;
          for (let i = 0; i < L.inDim; i++) {
            const v = a[ar + i]!;
            if (v === 0) continue;
            const w = i * L.outDim;
            for (let j = 0; j < L.outDim; j++) g.W[w + j]! += v * delta[dr + j]!;
          }
        }
        if (l > 0) {
          const prev = new Float64Array(m * L.inDim);
          for (let r = 0; r < m; r++) {
            const ar = r * L.inDim;
            const dr = r * L.outDim;
            for (let i = 0; i < L.inDim; i++) {
              if (a[ar + i]! <= 0) continue; // ReLU gate (a is the post-ReLU activation)
              const w = i * L.outDim;
              let s2 = 0;
              for (let j = 0; j < L.outDim; j++) s2 += L.W[w + j]! * delta[dr + j]!;
              prev[ar + i] = s2;
            }
          }
          delta = prev;
        }
      }
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      layers.forEach((L, l) => {
        for (const key of ['W', 'b'] as const) {
          const p = L[key], g = grads[l]![key], mm = m1[l]![key], vv = m2[l]![key];
          for (let i = 0; i < p.length; i++) {
            const gi = g[i]! + (key === 'W' ? l2 * p[i]! : 0);
            mm[i] = b1 * mm[i]! + (1 - b1) * gi;
            vv[i] = b2 * vv[i]! + (1 - b2) * gi * gi;
            p[i]! -= (lr * (mm[i]! / c1)) / (Math.sqrt(vv[i]! / c2) + eps);
          }
        }
      });
    }
    const valLoss = nVal ? logLoss(logits(layers, zVal, valRows, d), yVal, valRows) : trainLoss / n;
    options.onEpoch?.(epoch, trainLoss / n, valLoss);
    if (valLoss < bestLoss - 1e-6) {
      bestLoss = valLoss;
      best = snapshot();
      bestEpoch = epoch;
    } else if (epoch - bestEpoch >= patience) break;
  }

  let calibration: FitResult['calibration'] = null;
  if ((options.calibrate ?? true) && nVal >= 20) {
    const zv = logits(best, zVal, valRows, d);
    const cal = platt(zv, yVal, valRows);
    const before = logLoss(zv, yVal, valRows);
    const after = logLoss(zv.map((v) => cal.a * v + cal.c), yVal, valRows);
    if (after < before && cal.a > 0) {
      const out = best[best.length - 1]!;
      for (let i = 0; i < out.W.length; i++) out.W[i]! *= cal.a;
      out.b[0] = out.b[0]! * cal.a + cal.c;
      calibration = cal;
    }
  }

  return {
    params: {
      kind,
      inDim: d,
      mean: stats.mean,
      invStd: stats.invStd,
      layers: best.map((L) => ({ inDim: L.inDim, outDim: L.outDim, W: Float32Array.from(L.W), b: Float32Array.from(L.b) })),
    },
    epochs: Math.min(epoch, epochs),
    bestEpoch,
    calibration,
  };
}

/** Split indices into train/validation/test, by episode when most attempts have one. */
export function splitIndices(
  n: number,
  episodes: readonly (string | null)[] | undefined,
  valFraction: number,
  testFraction: number,
  seed: number,
): { train: number[]; validation: number[]; test: number[]; by: 'episode' | 'attempt' } {
  const rng = new Random(`split:${seed}`);
  const groups = new Map<string, number[]>();
  const withEpisode = episodes ? episodes.filter((e) => e !== null).length : 0;
  const byEpisode = !!episodes && withEpisode >= n * 0.9 && new Set(episodes).size >= 20;
  for (let i = 0; i < n; i++) {
    const key = byEpisode ? (episodes![i] ?? `#${i}`) : `#${i}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const keys = rng.shuffle([...groups.keys()].sort());
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[], by: (byEpisode ? 'episode' : 'attempt') as 'episode' | 'attempt' };
  let seen = 0;
  for (const k of keys) {
    const g = groups.get(k)!;
    const at = seen / n;
    (at < testFraction ? out.test : at < testFraction + valFraction ? out.validation : out.train).push(...g);
    seen += g.length;
  }
  return out;
}

function gatherRows(x: Float32Array, d: number, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * d);
  idx.forEach((r, i) => out.set(x.subarray(r * d, r * d + d), i * d));
  return out;
}

/** Train an affordance model from a training set (e.g. `EpisodicMemory.trainingSet`). */
export async function trainAffordance(data: TrainingData, options: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const n = data.features.length;
  if (n < 30) {
    throw new SkillforgeError('E_EMPTY', `only ${n} attempts to train on`, {
      hint: 'record at least a few hundred attempts (e.g. `skillforge affordance train --env kitchen --collect 2000`)',
    });
  }
  const seed = options.seed ?? 1;
  const split = splitIndices(n, data.episodes, options.valFraction ?? 0.15, options.testFraction ?? 0.15, seed);
  const y = Uint8Array.from({ length: n }, (_, i) => (data.labels[i] ? 1 : 0));
  const positives = y.reduce((s, v) => s + v, 0);
  if (positives === 0 || positives === n) {
    throw new SkillforgeError('E_EMPTY', `all ${n} attempts ${positives ? 'succeeded' : 'failed'}: nothing to learn`, {
      hint: 'record attempts with both outcomes (random exploration gives both)',
    });
  }
  const layout = designLayout({
    observationLayout: data.layout,
    observationNames: data.featureNames,
    calls: split.train.map((i) => data.calls[i]!),
    embedder: options.embedder,
    skillBuckets: options.skillBuckets,
    argBuckets: options.argBuckets,
    maxBindings: options.maxBindings,
    maxSkillBindings: options.maxSkillBindings,
  });
  const encoder = new FeatureEncoder(layout, options.embedder);
  const x = await encoder.encodePairs(data.features, data.calls);
  const d = layout.dim;
  const pick = (idx: number[]) => ({ x: gatherRows(x, d, idx), y: Uint8Array.from(idx, (i) => y[i]!) });
  const tr = pick(split.train);
  const va = pick(split.validation);
  const te = pick(split.test);
  const fit = fitNet(tr.x, tr.y, split.train.length, d, va.x, va.y, split.validation.length, { ...options, seed });
  const baseRate = tr.y.reduce((s, v) => s + v, 0) / tr.y.length;
  const test = evaluate(forward(fit.params, te.x, split.test.length), te.y);
  const perSkill = new Map<string, [number, number]>();
  for (const i of split.train) {
    const c = perSkill.get(data.calls[i]!.skill) ?? [0, 0];
    c[0] += y[i]!;
    c[1]++;
    perSkill.set(data.calls[i]!.skill, c);
  }
  const skillRate = (i: number) => {
    const c = perSkill.get(data.calls[i]!.skill);
    return c ? c[0] / c[1] : baseRate;
  };
  return {
    ...fit,
    layout,
    metrics: {
      test,
      validation: evaluate(forward(fit.params, va.x, split.validation.length), va.y),
      train: evaluate(forward(fit.params, tr.x, split.train.length), tr.y),
      baseline: evaluate(new Float32Array(split.test.length).fill(baseRate), te.y),
      skillBaseline: evaluate(Float32Array.from(split.test, skillRate), te.y),
    },
    split: { train: split.train.length, validation: split.validation.length, test: split.test.length, by: split.by },
    baseRate,
    trainMs: performance.now() - t0,
  };
}
