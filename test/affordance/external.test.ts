import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder, encodeModel } from '../../core/onnx.js';
import { Random } from '../../core/random.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { encodeDataset, writeDatasetCsv } from '../../agents/affordance/dataset.js';
import type { FeatureLayout } from '../../agents/affordance/features.js';
import { fitNet } from '../../agents/affordance/train.js';
import { foldStandardisation, forward } from '../../agents/affordance/net.js';
import { OnnxAffordanceModel } from '../../agents/affordance/onnx-model.js';
import { evaluate } from '../../agents/affordance/metrics.js';
import { attempts, observe, randomCall, randomState } from './synthetic.js';

describe('affordance: a model trained elsewhere from an exported dataset', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-ext-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports rows + layout as CSV; a "foreign" logit model over them loads with a manifest and scores like its trainer', async () => {
    const memory = EpisodicMemory.open({ file: ':memory:' });
    memory.appendMany(attempts(1500, 21));
    const ds = await encodeDataset(memory.trainingSet({}));
    memory.close();
    const { csvPath, layoutPath } = writeDatasetCsv(ds, join(dir, 'rows.csv'));

    // "Elsewhere": read the CSV as an outside trainer would.
    const [header, ...lines] = readFileSync(csvPath, 'utf8').trim().split('\n');
    const cols = header!.split(',');
    assert.equal(cols.length, ds.layout.dim + 2);
    assert.deepEqual(cols.slice(-2), ['label', 'episode']);
    assert.equal(lines.length, 1500);
    const d = ds.layout.dim;
    const x = new Float32Array(1500 * d);
    const y = new Uint8Array(1500);
    lines.forEach((line, r) => {
      const cells = line.split(',');
      for (let c = 0; c < d; c++) x[r * d + c] = Number(cells[c]);
      y[r] = Number(cells[d]);
    });
    assert.deepEqual(x, ds.rows);
    const n = 1200;
    const fit = fitNet(x.subarray(0, n * d), y, n, d, x.subarray(n * d), y.subarray(n), 300, { kind: 'mlp', hidden: [12], epochs: 40, calibrate: false, seed: 4 });
    assert.ok(evaluate(forward(fit.params, x.subarray(n * d), 300), y.subarray(n)).auc > 0.85);

    // Export as a PyTorch-style graph: input "input.1", output raw logits, MatMul + Add, opset 13.
    const net = foldStandardisation(fit.params);
    const g = new OnnxGraphBuilder('torch_jit');
    let h = g.input('input.1', 'float32', ['batch', d]);
    net.layers.forEach((L, i) => {
      const last = i === net.layers.length - 1;
      const W = g.init(`fc${i}.weight`, 'float32', [L.inDim, L.outDim], L.W);
      const z = g.op('Add', [g.op('MatMul', [h, W]), g.init(`fc${i}.bias`, 'float32', [L.outDim], L.b)], {}, last ? 'logits' : undefined);
      h = last ? z : g.op('Relu', [z]);
    });
    g.output(h, 'float32', ['batch', 1]);
    writeFileSync(join(dir, 'foreign.onnx'), encodeModel(g.model({ producerName: 'pytorch', opset: 13 })));
    const layout = JSON.parse(readFileSync(layoutPath, 'utf8')) as FeatureLayout;
    writeFileSync(
      join(dir, 'foreign.json'),
      JSON.stringify({
        format: 'skillforge-affordance-model',
        version: 1,
        model: 'foreign.onnx',
        kind: 'external',
        input: { name: 'input.1', dim: d },
        output: { name: 'logits', kind: 'logit' },
        features: layout,
      }),
    );

    const model = await OnnxAffordanceModel.load(join(dir, 'foreign.onnx'));
    assert.equal(model.manifest.input.dtype, 'float32', 'defaults filled in');
    const rng = new Random(8);
    const obs = observe(randomState(rng));
    const calls = Array.from({ length: 40 }, () => randomCall(rng));
    const p = await model.score(obs, calls);
    const ref = forward(fit.params, await model.encoder.encode(obs, calls), calls.length);
    for (let i = 0; i < calls.length; i++) assert.ok(Math.abs(p[i]! - ref[i]!) < 1e-5, `${p[i]} vs ${ref[i]}`);
    await model.close();
  });
});
