import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpisodicMemory } from '../../memory/episodic.js';
import { exploreRandomly } from '../../agents/affordance/explore.js';
import { trainAffordance } from '../../agents/affordance/train.js';
import { forward } from '../../agents/affordance/net.js';
import { OnnxAffordanceModel, exportAffordanceModel } from '../../agents/affordance/onnx-model.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { groundArguments } from '../../agents/act/grounding.js';
import type { SkillCall } from '../../core/types.js';

describe('affordance on kitchen attempts (random exploration -> memory -> model)', function () {
  this.timeout(60_000);
  let dir: string;
  let memory: EpisodicMemory;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-kaff-'));
    memory = EpisodicMemory.open({ dir });
    const stats = await exploreRandomly({
      attempts: 2000,
      memory,
      seed: 5,
      makeEnv: (e) => new KitchenEnvironment({ seed: `aff-test:${e}`, noise: 0.1 }),
    });
    assert.equal(stats.attempts, 2000);
    assert.ok(stats.successes > 300 && stats.successes < 1700, `successes ${stats.successes}`);
  });
  after(() => {
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['logreg', 'mlp'] as const) {
    it(`${kind}: beats the constant and per-skill-rate predictors on held-out kitchen episodes, and ONNX agrees`, async () => {
      const set = memory.trainingSet({ env: 'kitchen' });
      assert.equal(set.features.length, 2000);
      const r = await trainAffordance(set, { kind, seed: 2, hidden: [16], epochs: 25 });
      const { test, baseline, skillBaseline } = r.metrics;
      assert.equal(r.split.by, 'episode');
      assert.ok(test.auc > 0.9, `AUC ${test.auc}`);
      assert.ok(test.auc > skillBaseline.auc, `AUC ${test.auc} vs per-skill ${skillBaseline.auc}`);
      assert.ok(test.brier < baseline.brier / 2, `Brier ${test.brier} vs constant ${baseline.brier}`);
      assert.ok(test.brier < skillBaseline.brier, `Brier ${test.brier} vs per-skill ${skillBaseline.brier}`);

      const { onnxPath } = exportAffordanceModel(r, join(dir, `kitchen-${kind}`));
      const model = await OnnxAffordanceModel.load(onnxPath);
      const env = new KitchenEnvironment({ seed: 'aff-test:fresh' });
      try {
        const calls: SkillCall[] = env.primitives().flatMap((p) => (groundArguments(p.params) ?? []).map((args) => ({ skill: p.name, args })));
        const obs = await env.observe();
        const p = await model.score(obs, calls);
        const ref = forward(r.params, await model.encoder.encode(obs, calls), calls.length);
        let maxDiff = 0;
        for (let i = 0; i < p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i]! - ref[i]!));
        assert.ok(maxDiff < 1e-5, `max |onnx - ts| ${maxDiff}`);
        // Where the kitchen knows the answer exactly, the learned value should mostly agree.
        const exact = env.preconditions(obs, calls);
        let agree = 0;
        let known = 0;
        exact.forEach((e, i) => {
          if (e === null || calls[i]!.skill === 'done') return;
          known++;
          if ((p[i]! > 0.5) === e) agree++;
        });
        assert.ok(agree / known > 0.85, `agrees with exact preconditions on ${agree}/${known}`);
      } finally {
        await model.close();
        await env.close();
      }
    });
  }
});
