/**
 * Factored affordance rows (net.ts `FactoredRows`): each distinct observation and call is
 * multiplied by the first layer once and gathered per row. These specs hold the factored ONNX graph
 * and `forwardFactored` to the reference `forward` on the kitchen, the test AUC unchanged, and
 * models saved with the old dense layout (manifest version 1) still loading.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../core/random.js';
import type { SkillCall } from '../../core/types.js';
import { SkillforgeError } from '../../core/errors.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { exploreRandomly } from '../../agents/affordance/explore.js';
import { trainAffordance, splitIndices, type TrainResult } from '../../agents/affordance/train.js';
import { FeatureEncoder, rowBlocks } from '../../agents/affordance/features.js';
import { distinctPairs, factorRows, forward, forwardFactored, spreadPairs, toOnnxBytes, type NetParams } from '../../agents/affordance/net.js';
import { OnnxAffordanceModel, exportAffordanceModel, expandRows, manifestFor } from '../../agents/affordance/onnx-model.js';
import { auc } from '../../agents/affordance/metrics.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { groundArguments } from '../../agents/act/grounding.js';

describe('affordance: factored rows (each observation and call multiplied once)', function () {
  this.timeout(120_000);
  let dir: string;
  let memory: EpisodicMemory;
  let r: TrainResult;
  let set: ReturnType<EpisodicMemory['trainingSet']>;
  let calls: SkillCall[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-aff-fact-'));
    memory = EpisodicMemory.open({ file: ':memory:' });
    await exploreRandomly({ attempts: 1200, memory, seed: 5, makeEnv: (e) => new KitchenEnvironment({ seed: `fact:${e}`, noise: 0.1 }) });
    set = memory.trainingSet({ env: 'kitchen' });
    r = await trainAffordance(set, { kind: 'mlp', hidden: [16], seed: 2, epochs: 15 });
    const env = new KitchenEnvironment({ seed: 'fact-rows' });
    calls = env.primitives().flatMap((p) => (groundArguments(p.params) ?? []).map((args) => ({ skill: p.name, args })));
  });
  after(() => {
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('factored rows expand back to exactly the dense rows', async () => {
    const encoder = new FeatureEncoder(r.layout);
    const feats = set.features.slice(0, 300);
    const pairCalls = set.calls.slice(0, 300);
    const dense = await encoder.encodePairs(feats, pairCalls);
    const fact = await encoder.encodePairsFactored(feats, pairCalls);
    assert.ok(fact.m < 300 && fact.c < 300, `shared observations ${fact.m}, calls ${fact.c}`);
    assert.deepEqual(expandRows(fact, rowBlocks(r.layout)), dense);
    assert.deepEqual(expandRows(factorRows(dense, 300, rowBlocks(r.layout)), rowBlocks(r.layout)), dense);
  });

  it('the exported factored ONNX graph and forwardFactored equal the TypeScript forward within 1e-6 on kitchen rows', async () => {
    const { onnxPath, manifest } = exportAffordanceModel(r, join(dir, 'kitchen.onnx'));
    assert.equal(manifest.input.representation, 'factored');
    const model = await OnnxAffordanceModel.load(onnxPath);
    try {
      const encoder = new FeatureEncoder(r.layout);
      const env = new KitchenEnvironment({ seed: 'fact-eq', noise: 0.1 });
      const rng = new Random(7);
      let worst = 0;
      for (let k = 0; k < 15; k++) {
        const obs = await env.observe();
        const p = await model.score(obs, calls);
        const ref = forward(r.params, await encoder.encode(obs, calls), calls.length);
        const ts = forwardFactored(r.params, await encoder.encodeFactored(obs, calls), rowBlocks(r.layout));
        for (let i = 0; i < calls.length; i++) worst = Math.max(worst, Math.abs(p[i]! - ref[i]!), Math.abs(ts[i]! - ref[i]!));
        for (let t = 0; t < 5; t++) await env.execute(rng.pick(calls));
      }
      assert.ok(worst < 1e-6, `max |factored - reference| = ${worst}`);
    } finally {
      await model.close();
    }
  });

  it('repeated (observation, call) pairs are scored once and spread back: the same scores as every row scored', async () => {
    const encoder = new FeatureEncoder(r.layout);
    const blocks = rowBlocks(r.layout);
    // Attempts from memory repeat pairs (the kitchen revisits states); doubled here to be sure.
    const feats = [...set.features.slice(0, 400), ...set.features.slice(0, 400)];
    const pairCalls = [...set.calls.slice(0, 400), ...set.calls.slice(0, 400)];
    const fact = await encoder.encodePairsFactored(feats, pairCalls);
    const pairs = distinctPairs(fact, blocks);
    assert.ok(pairs && pairs.rows.n <= 400, `${pairs?.rows.n} distinct pairs of 800 rows`);
    const ref = forward(r.params, await encoder.encodePairs(feats, pairCalls), feats.length);
    const spread = spreadPairs(forwardFactored(r.params, pairs.rows, blocks), pairs.rowPair);
    const model = await OnnxAffordanceModel.load(exportAffordanceModel(r, join(dir, 'pairs.onnx')).onnxPath);
    try {
      const p = await model.scorePairs(feats, pairCalls);
      for (let i = 0; i < feats.length; i++) {
        assert.ok(Math.abs(spread[i]! - ref[i]!) < 1e-6 && Math.abs(p[i]! - ref[i]!) < 1e-6, `row ${i}: ${spread[i]} / ${p[i]} vs ${ref[i]}`);
      }
    } finally {
      await model.close();
    }
    // One observation's distinct calls (SayCan's batch) repeat nothing: no second pass.
    assert.equal(distinctPairs(await encoder.encodeFactored(await new KitchenEnvironment({ seed: 'pairs' }).observe(), calls), blocks), null);
  });

  it('keeps the test AUC of training', async () => {
    const split = splitIndices(set.features.length, set.episodes, 0.15, 0.15, 2);
    const model = await OnnxAffordanceModel.load(exportAffordanceModel(r, join(dir, 'auc.onnx')).onnxPath);
    try {
      const p = await model.scorePairs(split.test.map((i) => set.features[i]!), split.test.map((i) => set.calls[i]!));
      const y = split.test.map((i) => (set.labels[i] ? 1 : 0));
      assert.ok(Math.abs(auc(p, y) - r.metrics.test.auc) < 1e-6, `onnx AUC ${auc(p, y)} vs training ${r.metrics.test.auc}`);
    } finally {
      await model.close();
    }
  });

  it('forwardFactored folds an unfolded standardisation exactly as forward applies it', () => {
    const rng = new Random(4);
    const blocks = { obs: 12, call: 5, bound: 3 };
    const d = 20;
    const params: NetParams = {
      kind: 'mlp',
      inDim: d,
      mean: Float32Array.from({ length: d }, () => rng.normal() * 0.3),
      invStd: Float32Array.from({ length: d }, () => 0.5 + rng.next()),
      layers: [
        { inDim: d, outDim: 8, W: Float32Array.from({ length: d * 8 }, () => rng.normal()), b: Float32Array.from({ length: 8 }, () => rng.normal()) },
        { inDim: 8, outDim: 1, W: Float32Array.from({ length: 8 }, () => rng.normal()), b: Float32Array.of(0.1) },
      ],
    };
    const n = 40;
    const rows = Float32Array.from({ length: n * d }, (_, i) => (i % d < 12 ? (Math.floor(i / d) % 4 === i % d % 4 ? 1 : 0) : rng.next() < 0.3 ? rng.normal() : 0));
    const a = forward(params, rows, n);
    const b = forwardFactored(params, factorRows(rows, n, blocks), blocks);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `row ${i}: ${a[i]} vs ${b[i]}`);
  });

  describe('models saved with the old dense layout (manifest version 1)', () => {
    const v1 = () => {
      const m = manifestFor(r, 'old.onnx') as unknown as Record<string, unknown>;
      const input = { ...(m.input as Record<string, unknown>) };
      delete input.representation;
      return { ...m, version: 1, input };
    };
    const rejects = async (p: Promise<unknown>, code: string, message: RegExp, hint?: RegExp) => {
      await assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof SkillforgeError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        if (hint) assert.match(err.hint ?? '', hint);
        return true;
      });
    };

    it('still load and score like the factored export', async () => {
      writeFileSync(join(dir, 'old.onnx'), toOnnxBytes(r.params));
      writeFileSync(join(dir, 'old.json'), JSON.stringify(v1()));
      const old = await OnnxAffordanceModel.load(join(dir, 'old.onnx'));
      const now = await OnnxAffordanceModel.load(exportAffordanceModel(r, join(dir, 'new.onnx')).onnxPath);
      try {
        assert.equal(old.manifest.input.representation, 'dense', 'a version 1 manifest reads as dense');
        const obs = await new KitchenEnvironment({ seed: 'old' }).observe();
        const a = await old.score(obs, calls);
        const b = await now.score(obs, calls);
        for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6);
      } finally {
        await old.close();
        await now.close();
      }
    });

    it('fail clearly when a manifest and its ONNX file disagree on the representation', async () => {
      writeFileSync(join(dir, 'mixed.onnx'), toOnnxBytes(r.params));
      writeFileSync(join(dir, 'mixed.json'), JSON.stringify(manifestFor(r, 'mixed.onnx')));
      await rejects(OnnxAffordanceModel.load(join(dir, 'mixed.onnx')), 'E_MANIFEST_MISMATCH', /declares factored inputs/, /"representation": "dense"/);
      writeFileSync(join(dir, 'mixed.json'), JSON.stringify({ ...v1(), input: { ...(v1().input as object), representation: 'factored' } }));
      await rejects(OnnxAffordanceModel.load(join(dir, 'mixed.onnx')), 'E_MANIFEST_MISMATCH', /version 1 has no factored input/, /"version": 2/);
      writeFileSync(join(dir, 'mixed.json'), JSON.stringify({ ...v1(), version: 3 }));
      await rejects(OnnxAffordanceModel.load(join(dir, 'mixed.onnx')), 'E_MANIFEST_MISMATCH', /version 3 is newer/, /upgrade skillforge/);
    });
  });
});
