import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, attr, encodeModel } from '../../core/onnx.js';
import { SkillforgeError } from '../../core/errors.js';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

describe('core/onnx encoder', () => {
  it('builds a logistic regression (Gemm + Sigmoid) that onnxruntime-node runs', async () => {
    const g = new OnnxGraphBuilder('logreg');
    const x = g.input('x', 'float32', ['N', 3]);
    const w = g.init('w', 'float32', [3, 1], [0.5, -1, 2]);
    const b = g.init('b', 'float32', [1], [0.1]);
    const z = g.op('Gemm', [x, w, b], { alpha: attr.float(1), beta: attr.float(1) });
    g.output(g.op('Sigmoid', [z], {}, 'p'), 'float32', ['N', 1]);
    const bytes = encodeModel(g.model({ metadata: { kind: 'logreg' } }));
    const rows = [1, 2, 3, -1, 0, 0.5];
    const out = await run(bytes, { x: new ort.Tensor('float32', Float32Array.from(rows), [2, 3]) });
    assert.deepEqual(out.p!.dims, [2, 1]);
    const expect = [0, 1].map((r) => {
      const zz = 0.5 * rows[r * 3]! - rows[r * 3 + 1]! + 2 * rows[r * 3 + 2]! + 0.1;
      return 1 / (1 + Math.exp(-zz));
    });
    const got = out.p!.data as Float32Array;
    expect.forEach((e, i) => assert.ok(Math.abs(got[i]! - e) < 1e-6, `${got[i]} vs ${e}`));
  });

  it('builds an MLP (MatMul, Add, Relu, Tanh, Concat) matching a JS forward pass', async () => {
    const g = new OnnxGraphBuilder('mlp');
    const a = g.input('a', 'float32', ['N', 2]);
    const c = g.input('c', 'float32', ['N', 1]);
    const x = g.op('Concat', [a, c], { axis: attr.int(1) });
    const w1 = [1, -2, 0.5, 0.25, 3, -1]; // [3,2]
    const h = g.op('Relu', [g.op('Add', [g.op('MatMul', [x, g.init('w1', 'float32', [3, 2], w1)]), g.init('b1', 'float32', [2], [0.1, -0.2])])]);
    const y = g.op('Tanh', [g.op('MatMul', [h, g.init('w2', 'float32', [2, 1], [0.7, -0.3])])], {}, 'y');
    g.output(y, 'float32', ['N', 1]);
    const out = await run(encodeModel(g.model()), {
      a: new ort.Tensor('float32', Float32Array.from([1, 2, -1, 0.5]), [2, 2]),
      c: new ort.Tensor('float32', Float32Array.from([0.3, -2]), [2, 1]),
    });
    const inputs = [
      [1, 2, 0.3],
      [-1, 0.5, -2],
    ];
    inputs.forEach((row, r) => {
      const hh = [0, 1].map((j) => Math.max(0, row.reduce((s, v, i) => s + v * w1[i * 2 + j]!, 0) + [0.1, -0.2][j]!));
      const e = Math.tanh(hh[0]! * 0.7 - hh[1]! * 0.3);
      assert.ok(Math.abs((out.y!.data as Float32Array)[r]! - e) < 1e-6);
    });
  });

  it('builds a mean-pooled, L2-normalised embedding lookup (Gather, ReduceMean, Mul, Sqrt, Div, int64 input)', async () => {
    const g = new OnnxGraphBuilder('embed');
    const ids = g.input('ids', 'int64', ['B', 'T']);
    const table = g.init('table', 'float32', [4, 2], [0, 0, 1, 0, 0, 2, 3, 4]);
    const e = g.op('Gather', [table, ids], { axis: attr.int(0) }); // [B,T,2]
    const m = g.op('ReduceMean', [e], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [B,2]
    const sq = g.op('ReduceSum', [g.op('Mul', [m, m]), g.init('ax', 'int64', [1], [1n])], { keepdims: attr.int(1) });
    g.output(g.op('Div', [m, g.op('Sqrt', [sq])], {}, 'v'), 'float32', ['B', 2]);
    const out = await run(encodeModel(g.model()), { ids: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 3n]), [2, 2]) });
    const v = Array.from(out.v!.data as Float32Array);
    const n0 = Math.hypot(0.5, 1);
    const expected = [0.5 / n0, 1 / n0, 0.6, 0.8];
    expected.forEach((x, i) => assert.ok(Math.abs(v[i]! - x) < 1e-6, `${v} vs ${expected}`));
  });

  it('encodes negative int attributes (Concat axis -1) as 64-bit varints', async () => {
    const g = new OnnxGraphBuilder('neg');
    const a = g.input('a', 'float32', [1, 2]);
    g.output(g.op('Concat', [a, a], { axis: attr.int(-1) }, 'y'), 'float32', [1, 4]);
    const out = await run(encodeModel(g.model()), { a: new ort.Tensor('float32', Float32Array.from([1, 2]), [1, 2]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [1, 2, 1, 2]);
  });

  it('rejects wrong initializer sizes and undefined node inputs with a clear error', () => {
    const g = new OnnxGraphBuilder('bad');
    const x = g.input('x', 'float32', [1, 2]);
    g.output(g.op('MatMul', [x, g.init('w', 'float32', [2, 2], [1, 2, 3])], {}, 'y'), 'float32', [1, 2]);
    assert.throws(() => encodeModel(g.model()), (e: unknown) => e instanceof SkillforgeError && /3 values but dims \[2, 2\] need 4/.test(e.message));
    const h = new OnnxGraphBuilder('bad2');
    h.input('x', 'float32', [1]);
    h.output(h.op('Relu', ['nope'], {}, 'y'), 'float32', [1]);
    assert.throws(() => encodeModel(h.model()), /reads 'nope'/);
  });
});
