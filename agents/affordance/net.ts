/**
 * The networks affordance models are made of, as plain parameters: input standardisation, zero or
 * more ReLU hidden layers, one logit, a sigmoid. Logistic regression is the zero-hidden-layer case.
 * `forward` is the reference TypeScript pass; `toOnnx` writes the same computation, op for op, so
 * onnxruntime-node and TypeScript agree to float32 rounding.
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

/** The ONNX graph of `forward`: input `features` [N, inDim] float32, output `p` [N, 1]. */
export function toOnnxModel(params: NetParams, metadata: Record<string, string> = {}): OnnxModel {
  const g = new OnnxGraphBuilder(`skillforge-affordance-${params.kind}`);
  const x = g.input(INPUT_NAME, 'float32', ['N', params.inDim]);
  const centred = g.op('Sub', [x, g.init('mean', 'float32', [params.inDim], params.mean)]);
  let h = g.op('Mul', [centred, g.init('inv_std', 'float32', [params.inDim], params.invStd)]);
  params.layers.forEach((layer, i) => {
    const W = g.init(`W${i}`, 'float32', [layer.inDim, layer.outDim], layer.W);
    const b = g.init(`b${i}`, 'float32', [layer.outDim], layer.b);
    const z = g.op('Gemm', [h, W, b]);
    h = i === params.layers.length - 1 ? g.op('Sigmoid', [z], {}, OUTPUT_NAME) : g.op('Relu', [z]);
  });
  g.output(h, 'float32', ['N', 1]);
  return g.model({ producerName: 'skillforge', doc: `affordance ${params.kind}`, metadata });
}

export function toOnnxBytes(params: NetParams, metadata: Record<string, string> = {}): Uint8Array {
  return encodeModel(toOnnxModel(params, metadata));
}
