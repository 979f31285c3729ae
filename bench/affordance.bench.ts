/**
 * Affordance scoring: 10k kitchen rows through onnxruntime-node vs the plain TypeScript forward pass
 * of the same network, in one process. The headline runs four systems interleaved, the order
 * reversed every other round, and checks every result against the reference forward pass:
 *   - onnx factored: the exported graph (net.ts `toFactoredOnnxModel`), distinct observations and
 *     calls multiplied once and gathered per row;
 *   - onnx dense: the previous graph, one [N, dim] Gemm;
 *   - TS dense: `forward` on dense rows (it already skips zero inputs);
 *   - TS factored: `forwardFactored`, the same factoring as the graph in TypeScript.
 * It also prints the test AUC of the trained model by the TypeScript pass and by the ONNX graph.
 * Then: session options, batch sizes, a narrower network, end-to-end `score(observation, calls)`
 * including feature encoding, and training time.
 *
 *   node --import tsx bench/affordance.bench.ts        (or: npm run bench -- affordance)
 */
import * as ort from 'onnxruntime-node';
import { Random } from '../core/random.js';
import type { SkillCall } from '../core/types.js';
import { EpisodicMemory } from '../memory/episodic.js';
import { exploreRandomly } from '../agents/affordance/explore.js';
import { trainAffordance, fitNet, splitIndices } from '../agents/affordance/train.js';
import {
  distinctPairs,
  spreadPairs,
  forward,
  forwardFactored,
  foldStandardisation,
  toOnnxBytes,
  toFactoredOnnxBytes,
  FACTORED_INPUTS,
  INPUT_NAME,
  OUTPUT_NAME,
  type FactoredRows,
  type NetParams,
  type RowBlocks,
} from '../agents/affordance/net.js';
import { FeatureEncoder, rowBlocks } from '../agents/affordance/features.js';
import { expandRows } from '../agents/affordance/onnx-model.js';
import { auc } from '../agents/affordance/metrics.js';
import { OnnxGraphBuilder, attr, encodeModel } from '../core/onnx.js';
import { KitchenEnvironment } from '../envs/kitchen/index.js';
import { groundArguments } from '../agents/act/grounding.js';

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

function factoredFeeds(f: FactoredRows, b: RowBlocks): Record<string, ort.Tensor> {
  const I = FACTORED_INPUTS;
  return {
    [I.obs]: new ort.Tensor('float32', f.obs, [f.m, b.obs]),
    [I.obsIndex]: new ort.Tensor('int64', f.obsIndex, [f.n]),
    [I.call]: new ort.Tensor('float32', f.call, [f.c, b.call]),
    [I.callIndex]: new ort.Tensor('int64', f.callIndex, [f.n]),
    [I.bound]: new ort.Tensor('float32', f.bound, [f.n, b.bound]),
  };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/**
 * The per-row EmbeddingBag alternative, for comparison only: the observation and bound blocks
 * (0/1 in the kitchen) as int64 indices per row, padded with a zero row, Gather from the first
 * layer's weights and ReduceSum; the call block (hashed, not 0/1) through MatMul.
 */
function embeddingBagGraph(net: NetParams, rows: Float32Array, n: number, b: RowBlocks) {
  const d = net.inDim;
  const first = net.layers[0]!;
  const H = first.outDim;
  const oneHotCols = [...Array.from({ length: b.obs }, (_, i) => i), ...Array.from({ length: b.bound }, (_, i) => b.obs + b.call + i)];
  let k = 0;
  const per: number[][] = [];
  for (let r = 0; r < n; r++) {
    const idx: number[] = [];
    oneHotCols.forEach((c, t) => {
      const v = rows[r * d + c]!;
      if (v === 1) idx.push(t);
      else if (v !== 0) throw new Error(`column ${c} is not 0/1: the per-row bag needs one-hot blocks`);
    });
    per.push(idx);
    k = Math.max(k, idx.length);
  }
  const pad = oneHotCols.length;
  const index = new BigInt64Array(n * k).fill(BigInt(pad));
  per.forEach((idx, r) => idx.forEach((t, j) => (index[r * k + j] = BigInt(t))));
  const E = new Float32Array((pad + 1) * H);
  oneHotCols.forEach((c, t) => E.set(first.W.subarray(c * H, (c + 1) * H), t * H));
  const callRows = new Float32Array(n * b.call);
  for (let r = 0; r < n; r++) callRows.set(rows.subarray(r * d + b.obs, r * d + b.obs + b.call), r * b.call);
  const g = new OnnxGraphBuilder('per-row-bag');
  const ix = g.input('idx', 'int64', ['N', k]);
  const xc = g.input('call_rows', 'float32', ['N', b.call]);
  const bagged = g.op('ReduceSum', [g.op('Gather', [g.init('E', 'float32', [pad + 1, H], E), ix]), g.init('axes', 'int64', [1], [1n])], { keepdims: attr.int(0) });
  const dense = g.op('Gemm', [xc, g.init('Wc', 'float32', [b.call, H], first.W.subarray(b.obs * H, (b.obs + b.call) * H)), g.init('b0', 'float32', [H], first.b)]);
  let h = g.op('Relu', [g.op('Add', [bagged, dense])]);
  net.layers.slice(1).forEach((layer, j) => {
    const z = g.op('Gemm', [h, g.init(`W${j + 1}`, 'float32', [layer.inDim, layer.outDim], layer.W), g.init(`b${j + 1}`, 'float32', [layer.outDim], layer.b)]);
    h = j === net.layers.length - 2 ? g.op('Sigmoid', [z], {}, OUTPUT_NAME) : g.op('Relu', [z]);
  });
  g.output(h, 'float32', ['N', 1]);
  return {
    k,
    bytes: encodeModel(g.model()),
    feeds: { idx: new ort.Tensor('int64', index, [n, k]), call_rows: new ort.Tensor('float32', callRows, [n, b.call]) },
  };
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
    // A new kitchen state every 50 rows (most random calls fail and change nothing, so try a few).
    if (i % 50 === 0) {
      const before = (await env.observe()).features.join();
      for (let k = 0; k < 50 && (await env.observe()).features.join() === before; k++) await env.execute(rng.pick(calls));
    }
    feats.push(Float32Array.from((await env.observe()).features));
    pairCalls.push(rng.pick(calls));
  }
  const rows = await encoder.encodePairs(feats, pairCalls);
  const d = mlp.layout.dim;
  const blocks = rowBlocks(mlp.layout);
  const fact = await encoder.encodePairsFactored(feats, pairCalls);
  if (maxDiff(expandRows(fact, blocks), rows) !== 0) throw new Error('factored rows do not expand to the dense rows');
  let nnz = 0;
  for (const v of rows) nnz += v !== 0 ? 1 : 0;
  say(`rows: ${N} x ${d} (kitchen layout: ${blocks.obs} observation | ${blocks.call} call | ${blocks.bound} bound columns), MLP ${d} -> 32 -> 1`);
  say(`  ${(nnz / N).toFixed(1)} non-zeros per row; factored: ${fact.m} distinct observations, ${fact.c} distinct calls`);

  // Headline: four systems interleaved, order reversed every other round, every result checked.
  const ref = forward(mlp.params, rows, N);
  const folded = foldStandardisation(mlp.params);
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };
  const sessF = await ort.InferenceSession.create(toFactoredOnnxBytes(mlp.params, blocks), opts);
  const sessD = await ort.InferenceSession.create(toOnnxBytes(mlp.params), opts);
  const feedsF = factoredFeeds(fact, blocks);
  const feedsD = { [INPUT_NAME]: new ort.Tensor('float32', rows, [N, d]) };
  const bag = embeddingBagGraph(folded, rows, N, blocks);
  const sessB = await ort.InferenceSession.create(bag.bytes, opts);
  const sessF2 = await ort.InferenceSession.create(toFactoredOnnxBytes(mlp.params, blocks), { ...opts, intraOpNumThreads: 2 });
  const pairCount = distinctPairs(fact, blocks)?.rows.n ?? N;
  // The pair systems time the deduplication and the spreading back too (OnnxAffordanceModel.scorePairs does both).
  const onnxPairs = async () => {
    const p = distinctPairs(fact, blocks)!;
    return spreadPairs((await sessF.run(factoredFeeds(p.rows, blocks)))[OUTPUT_NAME]!.data as Float32Array, p.rowPair);
  };
  const tsPairs = () => {
    const p = distinctPairs(fact, blocks)!;
    return spreadPairs(forwardFactored(mlp.params, p.rows, blocks), p.rowPair);
  };
  const systems: { name: string; run: () => Promise<Float32Array> | Float32Array; times: number[][]; rounds: number[]; diff: number }[] = [
    { name: 'onnx factored', run: async () => (await sessF.run(feedsF))[OUTPUT_NAME]!.data as Float32Array, times: [[], []], rounds: [], diff: 0 },
    { name: 'onnx dense', run: async () => (await sessD.run(feedsD))[OUTPUT_NAME]!.data as Float32Array, times: [[], []], rounds: [], diff: 0 },
    { name: 'TS dense forward', run: () => forward(folded, rows, N), times: [[], []], rounds: [], diff: 0 },
    { name: 'TS factored forward', run: () => forwardFactored(mlp.params, fact, blocks), times: [[], []], rounds: [], diff: 0 },
    { name: 'onnx per-row bag', run: async () => (await sessB.run(bag.feeds))[OUTPUT_NAME]!.data as Float32Array, times: [[], []], rounds: [], diff: 0 },
    { name: 'onnx factored 2 thr', run: async () => (await sessF2.run(feedsF))[OUTPUT_NAME]!.data as Float32Array, times: [[], []], rounds: [], diff: 0 },
    { name: 'onnx distinct pairs', run: onnxPairs, times: [[], []], rounds: [], diff: 0 },
    { name: 'TS distinct pairs', run: tsPairs, times: [[], []], rounds: [], diff: 0 },
  ];
  for (const s of systems) for (let i = 0; i < 3; i++) await s.run();
  const ROUNDS = 40;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const s of order) {
      const t0 = performance.now();
      const out = await s.run();
      const ms = performance.now() - t0;
      s.times[round % 2]!.push(ms);
      s.rounds.push(ms);
      s.diff = Math.max(s.diff, maxDiff(out, ref));
    }
  }
  const all = (s: (typeof systems)[number]) => [...s.times[0]!, ...s.times[1]!];
  const head = median(all(systems[0]!));
  say(`\n10k rows, ${ROUNDS} interleaved rounds (order reversed every other round), 1 intra-op thread unless named:`);
  // Per-round ratios pair measurements taken moments apart, so they suffer the machine's load together.
  const perRound = (s: (typeof systems)[number]) => median(s.rounds.map((t, i) => t / systems[0]!.rounds[i]!));
  say('  system                median ms  (onnx-first / onnx-last)   min ms   onnx factored is (median / per-round median)   max |diff| vs reference');
  for (const s of systems) {
    const m = median(all(s));
    say(
      `  ${s.name.padEnd(21)} ${m.toFixed(3).padStart(9)}   (${median(s.times[0]!).toFixed(3)} / ${median(s.times[1]!).toFixed(3)})`.padEnd(60) +
        `${min(all(s)).toFixed(3).padStart(8)}   ${(m / head).toFixed(1).padStart(8)}x / ${perRound(s).toFixed(1).padStart(5)}x                     ${s.diff.toExponential(1)}`,
    );
  }
  const worst = Math.max(...systems.map((s) => s.diff));
  if (worst > 1e-5) throw new Error(`results differ from the reference forward pass by ${worst}`);
  const tsDense = median(all(systems[2]!));
  const tsFact = median(all(systems[3]!));
  say(`  targets: onnx factored <= 1 ms median: ${head <= 1 ? 'MET' : 'MISSED'} (${head.toFixed(3)} ms); >= 50x TS dense forward: ${tsDense / head >= 50 ? 'MET' : 'MISSED'} (${(tsDense / head).toFixed(1)}x, per round ${perRound(systems[2]!).toFixed(1)}x); vs TS factored forward: ${(tsFact / head).toFixed(1)}x (per round ${perRound(systems[3]!).toFixed(1)}x)`);
  const pairs = median(all(systems[6]!));
  const byName = (name: string) => systems.find((x) => x.name === name)!;
  say(`  targets with distinct pairs (${pairCount} of ${N} rows; dedupe and spread timed): onnx <= 1 ms median: ${pairs <= 1 ? 'MET' : 'MISSED'} (${pairs.toFixed(3)} ms); ` +
    `>= 50x TS dense forward: ${tsDense / pairs >= 50 ? 'MET' : 'MISSED'} (${(tsDense / pairs).toFixed(1)}x, per round ${(median(byName('TS dense forward').rounds.map((t, i) => t / byName('onnx distinct pairs').rounds[i]!))).toFixed(1)}x); ` +
    `vs TS distinct pairs ${(median(all(byName('TS distinct pairs'))) / pairs).toFixed(1)}x (per round ${median(byName('TS distinct pairs').rounds.map((t, i) => t / byName('onnx distinct pairs').rounds[i]!)).toFixed(1)}x)`);
  say(`  (onnx per-row bag: every row's ${bag.k} one-hot observation/bound indices Gathered from W0 and ReduceSum'd, the call block by MatMul)`);
  await sessF2.release();
  await sessF.release();
  await sessD.release();
  await sessB.release();

  // The factored graph when rows share nothing: every row its own observation (m = N).
  {
    const own = await encoder.encodePairsFactored(
      feats.map((f, i) => Float32Array.from(f, (v, j) => (j === 0 ? v + i * 1e-3 : v))),
      pairCalls,
    );
    const sess = await ort.InferenceSession.create(toFactoredOnnxBytes(mlp.params, blocks), opts);
    const feeds = factoredFeeds(own, blocks);
    for (let i = 0; i < 3; i++) await sess.run(feeds);
    const tt = await timeAsync(() => sess.run(feeds), 20);
    say(`  onnx factored with no shared observations (${own.m} distinct): median ${median(tt).toFixed(3)} ms, min ${min(tt).toFixed(3)} ms`);
    await sess.release();
  }

  // Same AUC: the held-out test split of training, scored by the TypeScript pass and by the graph.
  const split = splitIndices(set.features.length, set.episodes, 0.15, 0.15, 1);
  const testFeats = split.test.map((i) => set.features[i]!);
  const testCalls = split.test.map((i) => set.calls[i]!);
  const testY = split.test.map((i) => (set.labels[i] ? 1 : 0));
  const testFact = await encoder.encodePairsFactored(testFeats, testCalls);
  const sessT = await ort.InferenceSession.create(toFactoredOnnxBytes(mlp.params, blocks), opts);
  const pOnnx = (await sessT.run(factoredFeeds(testFact, blocks)))[OUTPUT_NAME]!.data as Float32Array;
  const pTs = forward(mlp.params, await encoder.encodePairs(testFeats, testCalls), testCalls.length);
  const testPairs = distinctPairs(testFact, blocks);
  const pPairs = testPairs ? spreadPairs((await sessT.run(factoredFeeds(testPairs.rows, blocks)))[OUTPUT_NAME]!.data as Float32Array, testPairs.rowPair) : pOnnx;
  await sessT.release();
  say(`  test AUC with distinct pairs (${testPairs?.rows.n ?? testCalls.length} pairs): ${auc(pPairs, testY).toFixed(6)}`);
  say(`  test AUC (${split.test.length} held-out attempts): TypeScript ${auc(pTs, testY).toFixed(6)}, onnx factored ${auc(pOnnx, testY).toFixed(6)} (training reported ${mlp.metrics.test.auc.toFixed(6)})`);

  // The dense graph by session options (separate blocks, not interleaved: for tuning, not claims).
  const js = tsDense;
  say('\n10k rows through the dense graph (one session.run), by session options, vs the TS dense median above:');
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
