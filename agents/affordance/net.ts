/**
 * The networks affordance models are made of, as plain parameters: input standardisation, zero or
 * more ReLU hidden layers, one logit, a sigmoid. Logistic regression is the zero-hidden-layer case.
 * `forward` is the reference TypeScript pass; `toOnnxModel` writes the same function (by default with
 * the standardisation folded into the first layer), so onnxruntime-node and TypeScript agree to
 * float32 rounding (tests hold them within 1e-5).
 *
 * Rows scored together share observations and calls, so the exported graph takes them factored
 * (`FactoredRows`: distinct observations and calls, indexed per row) and multiplies each distinct
 * block once: `toFactoredOnnxModel`, with `forwardFactored` as its TypeScript twin.
 *
 * @example
 * ```ts
 * const p = forward(params, rows, n);                                    // dense reference
 * const q = forwardFactored(params, factorRows(rows, n, blocks), blocks); // same values
 * writeFileSync('m.onnx', toFactoredOnnxBytes(params, blocks));
 * ```
 */
import { OnnxGraphBuilder, attr, encodeModel, type OnnxModel } from '../../core/onnx.js';

export type NetKind = 'logreg' | 'mlp';

export interface DenseLayer {
  inDim: number;
  outDim: number;
  /** Row-major [inDim, outDim]: W[i * outDim + j]. */
  W: Float32Array;
  b: Float32Array;
}

export interface NetParams {
  kind: NetKind;
  inDim: number;
  /** x' = (x - mean) * invStd, per column. */
  mean: Float32Array;
  invStd: Float32Array;
  /** Hidden layers (ReLU) then the output layer (outDim 1, sigmoid). */
  layers: DenseLayer[];
}

export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'p';

/**
 * Reference forward pass in float32 arithmetic order: P(success) per row of `x` (n × inDim).
 * Math.fround after each op keeps it close to onnxruntime's float32 kernels.
 */
export function forward(params: NetParams, x: Float32Array, n: number): Float32Array {
  const d = params.inDim;
  let cur = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < d; c++) cur[r * d + c] = Math.fround(x[r * d + c]! - params.mean[c]!) * params.invStd[c]!;
  }
  let width = d;
  params.layers.forEach((layer, li) => {
    const last = li === params.layers.length - 1;
    const out = new Float32Array(n * layer.outDim);
    const acc = new Float64Array(layer.outDim);
    for (let r = 0; r < n; r++) {
      acc.set(layer.b);
      const row = r * width;
      for (let i = 0; i < width; i++) {
        const v = cur[row + i]!;
        if (v === 0) continue;
        const w = i * layer.outDim;
        for (let j = 0; j < layer.outDim; j++) acc[j]! += v * layer.W[w + j]!;
      }
      for (let j = 0; j < layer.outDim; j++) {
        const z = acc[j]!;
        out[r * layer.outDim + j] = last ? 1 / (1 + Math.exp(-z)) : z > 0 ? z : 0;
      }
    }
    cur = out;
    width = layer.outDim;
  });
  return cur;
}

/**
 * The same function with the input standardisation folded into the first layer:
 * W'[i,j] = W[i,j] * invStd[i], b'[j] = b[j] - sum_i mean[i] * invStd[i] * W[i,j] (in float64, then
 * rounded to float32); mean becomes 0 and invStd 1. Saves two elementwise passes over the whole
 * input matrix, which cost more than the first Gemm itself in onnxruntime (see bench/affordance).
 */
export function foldStandardisation(params: NetParams): NetParams {
  const first = params.layers[0]!;
  const W = new Float32Array(first.W.length);
  const b = new Float64Array(first.b);
  for (let i = 0; i < first.inDim; i++) {
    const s = params.invStd[i]!;
    const m = params.mean[i]! * s;
    for (let j = 0; j < first.outDim; j++) {
      const w = first.W[i * first.outDim + j]!;
      W[i * first.outDim + j] = w * s;
      b[j]! -= m * w;
    }
  }
  return {
    ...params,
    mean: new Float32Array(params.inDim),
    invStd: new Float32Array(params.inDim).fill(1),
    layers: [{ ...first, W, b: Float32Array.from(b) }, ...params.layers.slice(1)],
  };
}

/**
 * The ONNX graph of `forward`: input `features` [N, inDim] float32, output `p` [N, 1].
 * With `fold` (default) the standardisation is folded into the first Gemm.
 */
export function toOnnxModel(params: NetParams, metadata: Record<string, string> = {}, options: { fold?: boolean } = {}): OnnxModel {
  const fold = options.fold ?? true;
  const net = fold ? foldStandardisation(params) : params;
  const g = new OnnxGraphBuilder(`skillforge-affordance-${params.kind}`);
  let h = g.input(INPUT_NAME, 'float32', ['N', params.inDim]);
  if (!fold) {
    const centred = g.op('Sub', [h, g.init('mean', 'float32', [params.inDim], params.mean)]);
    h = g.op('Mul', [centred, g.init('inv_std', 'float32', [params.inDim], params.invStd)]);
  }
  net.layers.forEach((layer, i) => {
    const W = g.init(`W${i}`, 'float32', [layer.inDim, layer.outDim], layer.W);
    const b = g.init(`b${i}`, 'float32', [layer.outDim], layer.b);
    const z = g.op('Gemm', [h, W, b]);
    h = i === net.layers.length - 1 ? g.op('Sigmoid', [z], {}, OUTPUT_NAME) : g.op('Relu', [z]);
  });
  g.output(h, 'float32', ['N', 1]);
  return g.model({ producerName: 'skillforge', doc: `affordance ${params.kind}`, metadata });
}

export function toOnnxBytes(params: NetParams, metadata: Record<string, string> = {}, options: { fold?: boolean } = {}): Uint8Array {
  return encodeModel(toOnnxModel(params, metadata, options));
}

/**
 * Column blocks of a feature row, in row order: observation features, the per-call part (skill and
 * argument encodings) and the bound observation features. Widths add up to `inDim`.
 */
export interface RowBlocks {
  obs: number;
  call: number;
  bound: number;
}

/**
 * Rows in factored form. Rows scored together share few observations (SayCan scores every
 * candidate call of ONE observation) and few distinct calls, so the observation and call blocks are
 * sent once per distinct value and indexed per row; only the narrow bound block is per row.
 * Row r = [obs[obsIndex[r]] | call[callIndex[r]] | bound[r]].
 */
export interface FactoredRows {
  n: number;
  /** Distinct observations, m × blocks.obs. */
  obs: Float32Array;
  m: number;
  obsIndex: BigInt64Array;
  /** Distinct call encodings, c × blocks.call. */
  call: Float32Array;
  c: number;
  callIndex: BigInt64Array;
  /** n × blocks.bound. */
  bound: Float32Array;
}

export const FACTORED_INPUTS = { obs: 'obs', obsIndex: 'obs_index', call: 'call', callIndex: 'call_index', bound: 'bound' } as const;

function checkBlocks(params: NetParams, blocks: RowBlocks): void {
  if (blocks.obs + blocks.call + blocks.bound !== params.inDim || blocks.obs < 1) {
    throw new RangeError(`row blocks ${blocks.obs}+${blocks.call}+${blocks.bound} do not split a ${params.inDim}-wide input (the observation block must be non-empty)`);
  }
}

/** Factor dense rows (n × sum of blocks) by deduplicating observation and call blocks by content. */
export function factorRows(rows: Float32Array, n: number, blocks: RowBlocks): FactoredRows {
  const d = blocks.obs + blocks.call + blocks.bound;
  if (rows.length !== n * d) throw new RangeError(`expected ${n * d} values for ${n} rows, got ${rows.length}`);
  const bytes = new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
  const dedupe = (start: number, width: number) => {
    const seen = new Map<string, number>();
    const index = new BigInt64Array(n);
    const picked: number[] = [];
    for (let r = 0; r < n; r++) {
      const off = (r * d + start) * 4;
      const key = Buffer.from(bytes.buffer, bytes.byteOffset + off, width * 4).toString('latin1');
      let i = seen.get(key);
      if (i === undefined) {
        seen.set(key, (i = picked.length));
        picked.push(r);
      }
      index[r] = BigInt(i);
    }
    const table = new Float32Array(picked.length * width);
    picked.forEach((r, i) => table.set(rows.subarray(r * d + start, r * d + start + width), i * width));
    return { table, count: picked.length, index };
  };
  const o = dedupe(0, blocks.obs);
  const c = dedupe(blocks.obs, blocks.call);
  const bound = new Float32Array(n * blocks.bound);
  const b0 = blocks.obs + blocks.call;
  for (let r = 0; r < n; r++) bound.set(rows.subarray(r * d + b0, r * d + d), r * blocks.bound);
  return { n, obs: o.table, m: o.count, obsIndex: o.index, call: c.table, c: c.count, callIndex: c.index, bound };
}

/**
 * The same rows with each repeated (observation, call) pair kept once, and for every original row
 * the pair it repeats: score the pairs, then `spreadPairs` the scores back. Only for rows whose bound
 * block is a function of the pair, as FeatureEncoder makes them (bound features are read from the
 * observation through the call's bindings); not for arbitrary dense rows (factorRows).
 * Null when no pair repeats. Batches of attempts from episodic memory repeat pairs often (the
 * kitchen revisits states, most random calls fail and change nothing); SayCan's per-observation
 * batch never does, and pays only the check.
 */
export function distinctPairs(rows: FactoredRows, blocks: RowBlocks): { rows: FactoredRows; rowPair: Int32Array } | null {
  const { n, m, c } = rows;
  if (n < 2 || m * c >= 2 ** 31) return null;
  // Indices are small and non-negative: read the low 32 bits of each int64 (no BigInt per row); on a
  // big-endian machine, convert instead.
  const low = (a: BigInt64Array) =>
    LITTLE_ENDIAN ? new Int32Array(a.buffer, a.byteOffset, 2 * n) : Int32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0 : Number(a[i / 2]!)));
  const oi = low(rows.obsIndex);
  const ci = low(rows.callIndex);
  const rowPair = new Int32Array(n);
  const first: number[] = [];
  if (m * c <= 4 * n + 4096) {
    const table = new Int32Array(m * c).fill(-1);
    for (let r = 0; r < n; r++) {
      const key = oi[2 * r]! * c + ci[2 * r]!;
      let p = table[key]!;
      if (p < 0) {
        table[key] = p = first.length;
        first.push(r);
      }
      rowPair[r] = p;
    }
  } else {
    const seen = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      const key = oi[2 * r]! * c + ci[2 * r]!;
      let p = seen.get(key);
      if (p === undefined) {
        seen.set(key, (p = first.length));
        first.push(r);
      }
      rowPair[r] = p;
    }
  }
  const P = first.length;
  if (P === n) return null;
  const B = blocks.bound;
  const obsIndex = new BigInt64Array(P);
  const callIndex = new BigInt64Array(P);
  const bound = new Float32Array(P * B);
  for (let p = 0; p < P; p++) {
    const r = first[p]!;
    obsIndex[p] = rows.obsIndex[r]!;
    callIndex[p] = rows.callIndex[r]!;
    if (B > 0) bound.set(rows.bound.subarray(r * B, (r + 1) * B), p * B);
  }
  return { rows: { ...rows, n: P, obsIndex, callIndex, bound }, rowPair };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Each original row's score from its pair's (see distinctPairs). */
export function spreadPairs(scores: Float32Array, rowPair: Int32Array): Float32Array {
  const out = new Float32Array(rowPair.length);
  for (let r = 0; r < rowPair.length; r++) out[r] = scores[rowPair[r]!]!;
  return out;
}

/** Σ_i x[i] · W[i, :] over the non-zero x[i] of one table row, added into `acc`. */
function addProduct(acc: Float64Array, x: Float32Array, xOff: number, width: number, W: Float32Array, wRow0: number, outDim: number): void {
  for (let i = 0; i < width; i++) {
    const v = x[xOff + i]!;
    if (v === 0) continue;
    const w = (wRow0 + i) * outDim;
    for (let j = 0; j < outDim; j++) acc[j]! += v * W[w + j]!;
  }
}

/**
 * The TypeScript forward pass on factored rows: the same function as `forward` (standardisation
 * folded in), with the first layer's observation and call products computed once per distinct
 * observation and call, as the factored ONNX graph does. This is the fair TypeScript baseline of
 * that graph; `forward` on dense rows is the other one.
 */
export function forwardFactored(params: NetParams, rows: FactoredRows, blocks: RowBlocks): Float32Array {
  checkBlocks(params, blocks);
  const net = foldStandardisation(params);
  const first = net.layers[0]!;
  const H = first.outDim;
  const obsZ = new Float64Array(rows.m * H);
  const acc = new Float64Array(H);
  for (let k = 0; k < rows.m; k++) {
    acc.set(first.b);
    addProduct(acc, rows.obs, k * blocks.obs, blocks.obs, first.W, 0, H);
    obsZ.set(acc, k * H);
  }
  const callZ = new Float64Array(rows.c * H);
  for (let k = 0; k < rows.c; k++) {
    acc.fill(0);
    addProduct(acc, rows.call, k * blocks.call, blocks.call, first.W, blocks.obs, H);
    callZ.set(acc, k * H);
  }
  const n = rows.n;
  const last = net.layers.length === 1;
  let cur = new Float32Array(n * H);
  for (let r = 0; r < n; r++) {
    const a = Number(rows.obsIndex[r]!) * H;
    const c = Number(rows.callIndex[r]!) * H;
    for (let j = 0; j < H; j++) acc[j] = obsZ[a + j]! + callZ[c + j]!;
    addProduct(acc, rows.bound, r * blocks.bound, blocks.bound, first.W, blocks.obs + blocks.call, H);
    for (let j = 0; j < H; j++) {
      const z = acc[j]!;
      cur[r * H + j] = last ? 1 / (1 + Math.exp(-z)) : z > 0 ? z : 0;
    }
  }
  if (last) return cur;
  // Later layers are dense and narrow: the reference pass over the hidden activations.
  return forward({ ...net, inDim: H, mean: new Float32Array(H), invStd: new Float32Array(H).fill(1), layers: net.layers.slice(1) }, cur, n);
}

/**
 * The ONNX graph of `forwardFactored`: inputs `obs` [M, obs] float32, `obs_index` [N] int64, `call`
 * [C, call] float32, `call_index` [N] int64, `bound` [N, bound] float32; output `p` [N, 1].
 * First layer: Gemm(bound, W_bound, Gather(Gemm(obs, W_obs, b), obs_index) + Gather(MatMul(call,
 * W_call), call_index)), so no row's observation or call block is multiplied more than once.
 * (A per-row EmbeddingBag, Gather of W rows by one-hot index then ReduceSum, was measured 7x
 * slower than the dense Gemm in onnxruntime 1.2x: it materialises an [N, nnz, hidden] tensor.)
 */
export function toFactoredOnnxModel(params: NetParams, blocks: RowBlocks, metadata: Record<string, string> = {}): OnnxModel {
  checkBlocks(params, blocks);
  const net = foldStandardisation(params);
  const first = net.layers[0]!;
  const H = first.outDim;
  const g = new OnnxGraphBuilder(`skillforge-affordance-${params.kind}-factored`);
  const I = FACTORED_INPUTS;
  const obs = g.input(I.obs, 'float32', ['M', blocks.obs]);
  const obsIndex = g.input(I.obsIndex, 'int64', ['N']);
  const call = g.input(I.call, 'float32', ['C', blocks.call]);
  const callIndex = g.input(I.callIndex, 'int64', ['N']);
  const bound = g.input(I.bound, 'float32', ['N', blocks.bound]);
  const slice = (from: number, width: number) => first.W.subarray(from * H, (from + width) * H);
  const obsZ = g.op('Gemm', [obs, g.init('W0_obs', 'float32', [blocks.obs, H], slice(0, blocks.obs)), g.init('b0', 'float32', [H], first.b)]);
  let z = g.op('Gather', [obsZ, obsIndex], { axis: attr.int(0) });
  if (blocks.call > 0) {
    const callZ = g.op('MatMul', [call, g.init('W0_call', 'float32', [blocks.call, H], slice(blocks.obs, blocks.call))]);
    z = g.op('Add', [z, g.op('Gather', [callZ, callIndex], { axis: attr.int(0) })]);
  }
  if (blocks.bound > 0) {
    // Gemm's C input takes the gathered sum: one pass over [N, hidden] fewer than MatMul + Add.
    z = g.op('Gemm', [bound, g.init('W0_bound', 'float32', [blocks.bound, H], slice(blocks.obs + blocks.call, blocks.bound)), z]);
  }
  let h = net.layers.length === 1 ? g.op('Sigmoid', [z], {}, OUTPUT_NAME) : g.op('Relu', [z]);
  net.layers.slice(1).forEach((layer, k) => {
    const i = k + 1;
    const W = g.init(`W${i}`, 'float32', [layer.inDim, layer.outDim], layer.W);
    const b = g.init(`b${i}`, 'float32', [layer.outDim], layer.b);
    const zi = g.op('Gemm', [h, W, b]);
    h = i === net.layers.length - 1 ? g.op('Sigmoid', [zi], {}, OUTPUT_NAME) : g.op('Relu', [zi]);
  });
  g.output(h, 'float32', ['N', 1]);
  return g.model({ producerName: 'skillforge', doc: `affordance ${params.kind} (factored rows)`, metadata });
}

export function toFactoredOnnxBytes(params: NetParams, blocks: RowBlocks, metadata: Record<string, string> = {}): Uint8Array {
  return encodeModel(toFactoredOnnxModel(params, blocks, metadata));
}
