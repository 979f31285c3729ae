import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../core/random.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { forward, toFactoredOnnxBytes, toOnnxBytes } from '../../agents/affordance/net.js';
import { trainAffordance, type TrainResult } from '../../agents/affordance/train.js';
import { FeatureEncoder, rowBlocks } from '../../agents/affordance/features.js';
import { OnnxAffordanceModel, exportAffordanceModel, manifestFor } from '../../agents/affordance/onnx-model.js';
import { attempts, observe, randomCall, randomState, feasible } from './synthetic.js';

describe('affordance training: memory -> train -> ONNX -> score', function () {
  this.timeout(60_000);
  let dir: string;
  let memory: EpisodicMemory;
  const trained: Record<string, TrainResult> = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-aff-'));
    memory = EpisodicMemory.open({ dir });
    memory.appendMany(attempts(2400, 11));
  });
  after(() => {
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['logreg', 'mlp'] as const) {
    it(`${kind}: beats the constant predictor on held-out attempts (AUC, Brier)`, async () => {
      const set = memory.trainingSet({ env: 'synth' });
      const r = await trainAffordance(set, { kind, seed: 3, hidden: [16], epochs: 60 });
      trained[kind] = r;
      assert.equal(r.split.by, 'episode');
      assert.ok(r.split.test > 250, `test split ${r.split.test}`);
      assert.ok(Number.isNaN(r.metrics.baseline.auc) || Math.abs(r.metrics.baseline.auc - 0.5) < 1e-9);
      assert.ok(r.metrics.test.auc > 0.85, `${kind} AUC ${r.metrics.test.auc}`);
      assert.ok(r.metrics.test.brier < r.metrics.baseline.brier - 0.05, `${kind} Brier ${r.metrics.test.brier} vs ${r.metrics.baseline.brier}`);
      assert.equal(r.metrics.test.reliability.reduce((s, b) => s + b.count, 0), r.split.test);
    });

    it(`${kind}: exported ONNX output equals the TypeScript forward pass within 1e-5`, async () => {
      const r = trained[kind]!;
      const { onnxPath, manifestPath, manifest } = exportAffordanceModel(r, join(dir, `synth-${kind}.onnx`));
      assert.match(manifestPath, /synth-.*\.json$/);
      assert.equal(manifest.kind, kind);
      const model = await OnnxAffordanceModel.load(onnxPath);
      try {
        const rng = new Random(99);
        const encoder = new FeatureEncoder(r.layout);
        let maxDiff = 0;
        let agree = 0;
        let total = 0;
        for (let k = 0; k < 20; k++) {
          const s = randomState(rng);
          const obs = observe(s);
          const calls = Array.from({ length: 25 }, () => randomCall(rng));
          const p = await model.score(obs, calls);
          const ref = forward(r.params, await encoder.encode(obs, calls), calls.length);
          assert.equal(p.length, calls.length);
          for (let i = 0; i < p.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(p[i]! - ref[i]!));
            agree += (p[i]! > 0.5) === feasible(s, calls[i]!) ? 1 : 0;
            total++;
          }
        }
        assert.ok(maxDiff < 1e-5, `max |onnx - ts| = ${maxDiff}`);
        assert.ok(agree / total > 0.85, `decisions agree with the true preconditions ${agree}/${total}`);
        assert.equal((await model.score(observe(randomState(rng)), [])).length, 0);
        // The same model straight from memory (no files) scores identically; so does the dense graph.
        const inMemory = await OnnxAffordanceModel.fromBytes(toFactoredOnnxBytes(r.params, rowBlocks(r.layout)), manifestFor(r));
        const dense = await OnnxAffordanceModel.fromBytes(toOnnxBytes(r.params), manifestFor(r, 'model.onnx', {}, 'dense'));
        const obs = observe(randomState(rng));
        const calls = Array.from({ length: 10 }, () => randomCall(rng));
        const p = await model.score(obs, calls);
        assert.deepEqual(await inMemory.score(obs, calls), p);
        const pd = await dense.score(obs, calls);
        for (let i = 0; i < p.length; i++) assert.ok(Math.abs(pd[i]! - p[i]!) < 1e-6, `dense ${pd[i]} vs factored ${p[i]}`);
        await inMemory.close();
        await dense.close();
      } finally {
        await model.close();
      }
    });
  }
});
