/**
 * Affordance scoring: 10k rows through onnxruntime-node vs the plain TypeScript forward pass of the
 * same network (agents/affordance/net.ts `forward`), in one process. Also: session options
 * (intra-op threads, graph optimisation), batch sizes, a narrower network, end-to-end
 * `score(observation, 500 calls)` including feature encoding, and training time.
 *
 *   node --import tsx bench/affordance.bench.ts
 */
import * as ort from 'onnxruntime-node';
import { Random } from '../core/random.js';
import type { SkillCall } from '../core/types.js';
import { EpisodicMemory } from '../memory/episodic.js';
import { exploreRandomly } from '../agents/affordance/explore.js';
import { trainAffordance, fitNet } from '../agents/affordance/train.js';
import { forward, foldStandardisation, toOnnxBytes, INPUT_NAME, OUTPUT_NAME, type NetParams } from '../agents/affordance/net.js';
import { FeatureEncoder } from '../agents/affordance/features.js';
import { KitchenEnvironment } from '../envs/kitchen/index.js';
import { groundArguments } from '../agents/saycan/candidates.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);

function timeSync(fn: () => void, runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function timeAsync(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function onnxTimes(params: NetParams, rows: Float32Array, n: number, options: ort.InferenceSession.SessionOptions, runs: number, fold = true) {
  const session = await ort.InferenceSession.create(toOnnxBytes(params, {}, { fold }), options);
  const feeds = { [INPUT_NAME]: new ort.Tensor('float32', rows.subarray(0, n * params.inDim), [n, params.inDim]) };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  const times = await timeAsync(() => session.run(feeds), runs);
  const out = (await session.run(feeds))[OUTPUT_NAME]!.data as Float32Array;
  await session.release();
  return { times, out };
}

async function main() {
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  say(`node ${process.version}, onnxruntime-node ${ort.env.versions?.common ?? ''}, ${process.arch}`);

  // Data: kitchen attempts from random exploration.
  const memory = EpisodicMemory.open({ file: ':memory:' });
  let t = performance.now();
  await exploreRandomly({ attempts: 3000, memory, seed: 1, makeEnv: (e) => new KitchenEnvironment({ seed: `bench:${e}`, noise: 0.1 }) });
  say(`collect 3000 kitchen attempts: ${(performance.now() - t).toFixed(0)} ms`);
  const set = memory.trainingSet({ env: 'kitchen' });

  // Training time.
  const logreg = await trainAffordance(set, { kind: 'logreg', seed: 1 });
  say(`train logreg on 3000 attempts: ${logreg.trainMs.toFixed(0)} ms (${logreg.epochs} epochs, test AUC ${logreg.metrics.test.auc.toFixed(3)})`);
  const mlp = await trainAffordance(set, { kind: 'mlp', hidden: [32], seed: 1 });
  say(`train mlp [32] on 3000 attempts: ${mlp.trainMs.toFixed(0)} ms (${mlp.epochs} epochs, test AUC ${mlp.metrics.test.auc.toFixed(3)})`);

  // 10k scoring rows: observations from fresh kitchen states x random grounded calls.
  const env = new KitchenEnvironment({ seed: 'bench-rows', noise: 0.1 });
  const calls: SkillCall[] = env.primitives().flatMap((p) => (groundArguments(p.params) ?? []).map((args) => ({ skill: p.name, args })));
  const encoder = new FeatureEncoder(mlp.layout);
  const rng = new Random(3);
  const N = 10_000;
  const feats: Float32Array[] = [];
  const pairCalls: SkillCall[] = [];
  for (let i = 0; i < N; i++) {
    if (i % 50 === 0) await env.execute(rng.pick(calls));
    feats.push(Float32Array.from((await env.observe()).features));
    pairCalls.push(rng.pick(calls));
  }
  const rows = await encoder.encodePairs(feats, pairCalls);
  const d = mlp.layout.dim;
  say(`rows: ${N} x ${d} (kitchen layout), MLP ${d} -> 32 -> 1`);

  // Baseline: the TypeScript forward pass of the same function as the exported graph (standardisation
  // folded into the first layer), and of the unfolded reference used in training.
  const folded = foldStandardisation(mlp.params);
  const jsTimes = timeSync(() => forward(folded, rows, N), 15);
  const js = median(jsTimes);
  const jsRef = median(timeSync(() => forward(mlp.params, rows, N), 15));
  const ref = forward(mlp.params, rows, N);
  say(`\n10k rows, TypeScript forward pass: median ${js.toFixed(2)} ms (min ${min(jsTimes).toFixed(2)}); unfolded reference ${jsRef.toFixed(2)} ms`);

  say('\n10k rows through onnxruntime-node (one session.run), by session options:');
  say('  threads  graph opt   median ms   min ms   vs TS (median)   max |diff|');
  const configs: [number, ort.InferenceSession.SessionOptions['graphOptimizationLevel']][] = [
    [1, 'all'],
    [2, 'all'],
    [1, 'basic'],
    [1, 'disabled'],
  ];
  for (const [threads, opt, fold] of [...configs.map(([a, b]) => [a, b, true] as const), [1, 'all', false] as const]) {
    const r = await onnxTimes(mlp.params, rows, N, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: opt, executionMode: 'sequential' }, 40, fold);
    let diff = 0;
    for (let i = 0; i < N; i++) diff = Math.max(diff, Math.abs(r.out[i]! - ref[i]!));
    const m = median(r.times);
    say(`  ${String(threads).padStart(7)}  ${String(opt).padEnd(9)} ${m.toFixed(3).padStart(10)} ${min(r.times).toFixed(3).padStart(8)}   ${(js / m).toFixed(1).padStart(10)}x     ${diff.toExponential(1)}${fold ? '' : '   (Sub+Mul standardisation left in the graph)'}`);
  }

  say('\nbatch size (1 thread, all optimisations): onnxruntime vs TypeScript');
  say('  rows     onnx ms    TS ms    ratio   onnx us/row');
  for (const n of [1, 10, 100, 500, 1000, 10_000]) {
    const r = await onnxTimes(mlp.params, rows, n, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }, n >= 1000 ? 40 : 200);
    const j = median(timeSync(() => forward(folded, rows, n), n >= 1000 ? 15 : 200));
    const m = median(r.times);
    say(`  ${String(n).padStart(5)} ${m.toFixed(3).padStart(10)} ${j.toFixed(3).padStart(8)} ${(j / m).toFixed(1).padStart(7)}x ${((m * 1000) / n).toFixed(2).padStart(10)}`);
  }

  // A narrower network: 64 inputs, same shape otherwise, to show how width drives the cost.
  const small = 64;
  const smallRows = new Float32Array(N * small);
  for (let i = 0; i < smallRows.length; i++) smallRows[i] = rng.normal();
  const ys = Uint8Array.from({ length: N }, (_, i) => (smallRows[i * small]! + smallRows[i * small + 1]! > 0 ? 1 : 0));
  const fitSmall = fitNet(smallRows.subarray(0, 2000 * small), ys, 2000, small, smallRows.subarray(2000 * small, 2500 * small), ys.subarray(2000, 2500), 500, { kind: 'mlp', hidden: [32], epochs: 3 });
  const sr = await onnxTimes(fitSmall.params, smallRows, N, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }, 40);
  const sj = median(timeSync(() => forward(foldStandardisation(fitSmall.params), smallRows, N), 15));
  say(`\n10k rows, MLP 64 -> 32 -> 1: onnxruntime ${median(sr.times).toFixed(3)} ms, TypeScript ${sj.toFixed(2)} ms, ratio ${(sj / median(sr.times)).toFixed(1)}x`);
  const lr = await onnxTimes(logreg.params, rows, N, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' }, 40);
  const lj = median(timeSync(() => forward(foldStandardisation(logreg.params), rows, N), 15));
  say(`10k rows, logistic regression (${d} -> 1): onnxruntime ${median(lr.times).toFixed(3)} ms, TypeScript ${lj.toFixed(2)} ms, ratio ${(lj / median(lr.times)).toFixed(1)}x`);

  // End to end: OnnxAffordanceModel.score(observation, all grounded kitchen calls), encoding included.
  const { OnnxAffordanceModel, exportAffordanceModel } = await import('../agents/affordance/onnx-model.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'sf-bench-aff-'));
  const { onnxPath } = exportAffordanceModel(mlp, join(dir, 'k.onnx'));
  const model = await OnnxAffordanceModel.load(onnxPath);
  const obs = await env.observe();
  for (let i = 0; i < 5; i++) await model.score(obs, calls);
  const e2e = await timeAsync(() => model.score(obs, calls), 200);
  say(`\nscore(observation, ${calls.length} kitchen calls) end to end (encode + one run): median ${median(e2e).toFixed(3)} ms, min ${min(e2e).toFixed(3)} ms`);
  await model.close();
  rmSync(dir, { recursive: true, force: true });
  memory.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
