/**
 * The networks affordance models are made of, as plain parameters: input standardisation, zero or
 * more ReLU hidden layers, one logit, a sigmoid. Logistic regression is the zero-hidden-layer case.
 * `forward` is the reference TypeScript pass; `toOnnxModel` writes the same function (by default with
 * the standardisation folded into the first layer), so onnxruntime-node and TypeScript agree to
 * float32 rounding (tests hold them within 1e-5).
 */
import { OnnxGraphBuilder, encodeModel, type OnnxModel } from '../../core/onnx.js';

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
