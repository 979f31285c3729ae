/**
 * Skill library benchmark: N skills with generated, realistic descriptions, the default hashed
 * embedder, the HNSW index (ef calibrated per environment graph) against two exact baselines over the
 * very same vectors in the same process: a JS scan over a dense Float32Array and hnswlib's C++ brute
 * force. The systems are interleaved per query and their order rotates from query to query, so load
 * from other processes falls on all of them alike; the speed-up is also reported separately for the
 * queries where HNSW ran before the JS scan and those where it ran after. Every baseline's results
 * are checked against the JS scan (tie-aware). Add rates are measured on a separate library of
 * --add-n skills (batches with addMany, then single adds, then close: adds defer their full-text
 * analysis to idle time or the next search or save, so close is timed and counted too). The first
 * search after a reopen, and the catch-up of a library whose saved text index is missing, are timed.
 *
 *   node --import tsx bench/library.bench.ts [--n 100000] [--queries 1000] [--batch 1000]
 *       [--target 0.99] [--ef N (fixed, no calibration)] [--m 12] [--efc 64]
 *       [--add-n 10000] [--single 2000] [--sweep] [--keep]
 *
 * recall@5 is tie-aware: a returned skill counts when its exact score is at least the exact 5th best
 * (templated descriptions produce exact ties, and any of the tied skills is a right answer).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { HashedEmbedder } from '../skills/hashed-embedder.js';
import { DEFAULT_HNSW, type HnswParams } from '../skills/hnsw-index.js';
import { SkillLibrary } from '../skills/library.js';
import { generateEnvQueries, generateSkills } from './skill-corpus.js';
import { percentile } from './stats.js';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}
const has = (name: string) => process.argv.includes(`--${name}`);

const N = flag('n', 100_000);
const Q = flag('queries', 1000);
const BATCH = flag('batch', 1000);
const ADD_N = flag('add-n', 10_000);
const SINGLE = flag('single', 2000);
const K = 5;
const hnsw: Partial<HnswParams> = { m: flag('m', DEFAULT_HNSW.m), efConstruction: flag('efc', DEFAULT_HNSW.efConstruction), targetRecall: flag('target', DEFAULT_HNSW.targetRecall) };
if (has('ef')) hnsw.efSearch = flag('ef', DEFAULT_HNSW.efSearch);
const keep = has('keep');

const ms = (x: number) => `${x.toFixed(3)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MB`;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const infos: string[] = [];
const logger = { warn: (m: string) => process.stderr.write(`warning: ${m}\n`), info: (m: string) => infos.push(m) };
const embedder = new HashedEmbedder();

console.log(`skill library benchmark: n=${N}, queries=${Q}, batch=${BATCH}, embedder ${embedder.id}, HNSW M=${hnsw.m} efConstruction=${hnsw.efConstruction} ` +
  (hnsw.efSearch ? `ef fixed ${hnsw.efSearch}` : `ef calibrated to recall@10 >= ${hnsw.targetRecall}`));
console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// --- add rates on a library of ADD_N skills: addMany in batches, then single adds
const addDir = mkdtempSync(join(tmpdir(), 'sf-bench-add-'));
{
  const corpus = generateSkills(ADD_N + SINGLE, 3);
  const lib = await SkillLibrary.open(addDir, { embedder, logger, hnsw });
  let t = performance.now();
  let c = process.cpuUsage();
  for (let i = 0; i < ADD_N; i += BATCH) await lib.addMany(corpus.slice(i, Math.min(ADD_N, i + BATCH)));
  const manyWall = performance.now() - t;
  const manyCpu = cpuMs(process.cpuUsage(c));
  t = performance.now();
  c = process.cpuUsage();
  for (let i = ADD_N; i < ADD_N + SINGLE; i++) await lib.add(corpus[i]!);
  const oneWall = performance.now() - t;
  const oneCpu = cpuMs(process.cpuUsage(c));
  // An add queues its skill's full-text analysis for idle time (a tight loop of adds has none), so
  // close pays it for all of them, then saves: timed apart, and counted in the totals below.
  t = performance.now();
  c = process.cpuUsage();
  await lib.close();
  const closeWall = performance.now() - t;
  const closeCpu = cpuMs(process.cpuUsage(c));
  const rate = (n: number, msx: number) => (n / (msx / 1000)).toFixed(0);
  console.log(`add at ${ADD_N}: addMany ${rate(ADD_N, manyWall)} skills/s wall, ${rate(ADD_N, manyCpu)} per CPU-second; ` +
    `single add (${SINGLE} more) ${rate(SINGLE, oneWall)}/s wall, ${rate(SINGLE, oneCpu)} per CPU-second; ` +
    `then close (text analysis of all ${ADD_N + SINGLE}, deferred by the adds, and the save) ${ms(closeWall)} wall, ${ms(closeCpu)} CPU; ` +
    `everything (adds + close) ${rate(ADD_N + SINGLE, manyCpu + oneCpu + closeCpu)} skills per CPU-second`);
  (globalThis as { addRates?: number[] }).addRates = [
    ADD_N / (manyCpu / 1000),
    SINGLE / (oneCpu / 1000),
    ADD_N / (manyWall / 1000),
    SINGLE / (oneWall / 1000),
    (ADD_N + SINGLE) / ((manyCpu + oneCpu + closeCpu) / 1000),
  ];
}
rmSync(addDir, { recursive: true, force: true });

const dir = mkdtempSync(join(tmpdir(), 'sf-bench-lib-'));
const skills = generateSkills(N);
const envQueries = generateEnvQueries(Q);
console.log(`corpus: ${N} skills, ${new Set(skills.map((s) => s.description)).size} distinct descriptions, e.g. "${skills[1]!.description}"`);

// --- build: validate + parse + embed + index + commit, in batches
let lib = await SkillLibrary.open(dir, { embedder, logger, hnsw });
const tAdd = performance.now();
const cpuAdd = process.cpuUsage();
for (let i = 0; i < N; i += BATCH) await lib.addMany(skills.slice(i, i + BATCH));
const addMs = performance.now() - tAdd;
const addCpuMs = cpuMs(process.cpuUsage(cpuAdd));
const mem = process.memoryUsage();
const tSave = performance.now();
await lib.close(); // analyses the text of every skill added (deferred by the adds), then saves
const saveMs = performance.now() - tSave;

// --- reopen from disk (meta + checksum + graph + heads + ef calibration, saved for the next open)
infos.length = 0;
const tOpen = performance.now();
lib = await SkillLibrary.open(dir, { embedder, logger, hnsw });
const reopenMs = performance.now() - tOpen;
const calibLine = infos.find((l) => l.includes('ef calibrated'));
await lib.close();
infos.length = 0;
const tOpen2 = performance.now();
lib = await SkillLibrary.open(dir, { embedder, logger, hnsw });
const reopen2Ms = performance.now() - tOpen2;
const cal = lib.indexInfo().calibration;

// --- the same vectors as a dense matrix for the exact scans
const heads = await lib.store.heads();
const ids = heads.map((h) => h.id);
const vecs = await lib.store.vectors(embedder.id, ids);
const dim = embedder.dim;
const matrix = new Float32Array(ids.length * dim);
ids.forEach((id, r) => matrix.set(vecs.get(id)!, r * dim));
const envOfRow = heads.map((h) => h.env);
const rowOf = new Map(ids.map((id, r) => [id, r]));

type Hit = { label: number; score: number };
function exactTopK(q: Float32Array, k: number, env?: string): Hit[] {
  const best: Hit[] = [];
  let floor = -Infinity;
  for (let r = 0, off = 0; r < ids.length; r++, off += dim) {
    if (env !== undefined && envOfRow[r] !== env) continue;
    let s = 0;
    for (let j = 0; j < dim; j++) s += matrix[off + j]! * q[j]!;
    if (best.length < k || s > floor) {
      best.push({ label: ids[r]!, score: s });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
      floor = best[best.length - 1]!.score;
    }
  }
  return best;
}
const scoreOf = (label: number, q: Float32Array) => {
  const r = rowOf.get(label)!;
  let s = 0;
  for (let j = 0; j < dim; j++) s += matrix[r * dim + j]! * q[j]!;
  return s;
};
/** Tie-aware hits of `got` against the exact top k. */
function hitsOf(got: readonly { label: number }[], exact: Hit[], q: Float32Array): number {
  const kth = exact[exact.length - 1]!.score;
  let h = 0;
  for (const x of got) if (scoreOf(x.label, q) >= kth - 1e-6) h++;
  return h;
}

// hnswlib's C++ brute-force scan over the same vectors (SIMD, no JS loop): a second baseline.
const brute = new hnswlib.BruteforceSearch('ip', dim);
brute.initIndex(ids.length);
ids.forEach((id, r) => brute.addPoint(Array.from(matrix.subarray(r * dim, (r + 1) * dim)), id));

const qvecs = await embedder.embed(envQueries.map((q) => q.text));
for (let i = 0; i < Math.min(50, Q); i++) {
  lib.searchVector(qvecs[i]!, K);
  lib.searchVector(qvecs[i]!, K, { env: envQueries[i]!.env });
  exactTopK(qvecs[i]!, K);
  brute.searchKnn(Array.from(qvecs[i]!), K);
}

// --- interleaved, order rotating per query. Each query runs ONE of the two HNSW searches (across
// envs on even queries, its own env on odd ones): the same query run twice would find the graph's
// nodes for it in cache the second time.
const SYSTEMS = ['js', 'cpp', 'hnsw', 'hnswEnv'] as const;
type System = (typeof SYSTEMS)[number];
const times: Record<System, number[]> = { js: [], cpp: [], hnsw: [], hnswEnv: [] };
const before: { js: number[]; hnsw: number[] } = { js: [], hnsw: [] }; // queries where HNSW ran before the JS scan
const after: { js: number[]; hnsw: number[] } = { js: [], hnsw: [] };
let hnswHits = 0;
let hnswTotal = 0;
let envHits = 0;
let envTotal = 0;
let cppHits = 0;
let cppStrict = 0;
qvecs.forEach((q, i) => {
  const env = envQueries[i]!.env;
  const arr = Array.from(q);
  const three: System[] = ['js', 'cpp', i % 2 === 0 ? 'hnsw' : 'hnswEnv'];
  const order = three.map((_, j) => three[(Math.floor(i / 2) + j) % three.length]!);
  const results: Partial<Record<System, { label: number }[]>> = {};
  const took: Partial<Record<System, number>> = {};
  for (const s of order) {
    const t = performance.now();
    if (s === 'js') results.js = exactTopK(q, K);
    else if (s === 'cpp') {
      const r = brute.searchKnn(arr, K);
      results.cpp = r.neighbors.map((label) => ({ label }));
    } else if (s === 'hnsw') results.hnsw = lib.searchVector(q, K);
    else results.hnswEnv = lib.searchVector(q, K, { env });
    took[s] = performance.now() - t;
    times[s].push(took[s]!);
  }
  const exact = results.js as Hit[];
  if (results.hnsw) {
    const side = order.indexOf('hnsw') < order.indexOf('js') ? before : after;
    side.js.push(took.js!);
    side.hnsw.push(took.hnsw!);
    hnswHits += hitsOf(results.hnsw, exact, q);
    hnswTotal += K;
  } else {
    const envExact = exactTopK(q, K, env);
    envHits += hitsOf(results.hnswEnv!, envExact, q);
    envTotal += envExact.length;
  }
  cppHits += hitsOf(results.cpp!, exact, q);
  const exactSet = new Set(exact.map((e) => e.label));
  cppStrict += results.cpp!.filter((x) => exactSet.has(x.label)).length;
});
// For understanding, not for the targets: the same searches back to back, with no 51 MB scan in
// between to push the graph out of the CPU caches (an agent's own work between searches does that
// too, to some degree). Each query once, in its own env and across envs on alternate queries.
const warm: { hnsw: number[]; hnswEnv: number[] } = { hnsw: [], hnswEnv: [] };
qvecs.forEach((q, i) => {
  const t = performance.now();
  if (i % 2 === 1) lib.searchVector(q, K);
  else lib.searchVector(q, K, { env: envQueries[i]!.env });
  (i % 2 === 1 ? warm.hnsw : warm.hnswEnv).push(performance.now() - t);
});
const recall = hnswHits / hnswTotal;
const envRecall = envHits / envTotal;
const p50 = (a: number[]) => percentile(a, 50);
const p99 = (a: number[]) => percentile(a, 99);

// --- end to end: library.search(text), hybrid (default) and vector mode. The first search of this
// process (the text index was read from disk at open) is timed alone.
const texts = envQueries.slice(0, Math.min(Q, 300)).map((q) => q.text);
const tFirst = performance.now();
await lib.search(texts[0]!, K);
const firstHybridMs = performance.now() - tFirst;
const e2e: Record<'hybrid' | 'vector', number[]> = { hybrid: [], vector: [] };
for (const [i, text] of texts.entries()) {
  for (const mode of i % 2 ? (['hybrid', 'vector'] as const) : (['vector', 'hybrid'] as const)) {
    const t = performance.now();
    await lib.search(text, K, { mode, env: envQueries[i]!.env });
    e2e[mode].push(performance.now() - t);
  }
}
const memAfter = process.memoryUsage();

const sweep: string[] = [];
if (has('sweep')) {
  for (const ef of [16, 24, 32, 48, 64, 96, 128]) {
    lib.setEfSearch(ef);
    let h = 0;
    let eh = 0;
    let et = 0;
    const t1: number[] = [];
    const t2: number[] = [];
    qvecs.forEach((q, i) => {
      let t = performance.now();
      const r = lib.searchVector(q, K);
      t1.push(performance.now() - t);
      h += hitsOf(r, exactTopK(q, K), q);
      const env = envQueries[i]!.env;
      t = performance.now();
      const fr = lib.searchVector(q, K, { env });
      t2.push(performance.now() - t);
      const fx = exactTopK(q, K, env);
      eh += hitsOf(fr, fx, q);
      et += fx.length;
    });
    sweep.push(`  ef ${String(ef).padStart(3)}: all envs recall@5 ${(h / (Q * K)).toFixed(4)} p50 ${ms(p50(t1))}; own env recall@5 ${(eh / et).toFixed(4)} p50 ${ms(p50(t2))}`);
  }
}
await lib.close();

// --- a library without a saved text index (written by an older version, or its file damaged): the
// open queues every skill and reads them in background slices; a search right after open finishes
// the catch-up itself, one after a second of idle time finds part of it done.
const textFile = readdirSync(dir).find((f) => f.endsWith('.bm25'));
const textBytes = textFile ? statSync(join(dir, textFile)).size : 0;
const noText: { openMs: number; firstMs: number; idleFirstMs: number } = { openMs: 0, firstMs: 0, idleFirstMs: 0 };
for (const idle of [false, true]) {
  for (const f of readdirSync(dir)) if (f.endsWith('.bm25')) rmSync(join(dir, f));
  const meta = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { text?: unknown };
  delete meta.text;
  writeFileSync(join(dir, 'index.json'), JSON.stringify(meta));
  const t0 = performance.now();
  const l = await SkillLibrary.open(dir, { embedder, logger, hnsw });
  if (!idle) noText.openMs = performance.now() - t0;
  if (idle) await new Promise((r) => setTimeout(r, 1000));
  const t1 = performance.now();
  await l.search(texts[1]!, K);
  if (idle) noText.idleFirstMs = performance.now() - t1;
  else noText.firstMs = performance.now() - t1;
  await l.close();
}

const [manyCpuRate, oneCpuRate, manyWallRate, oneWallRate, withCloseRate] = (globalThis as { addRates?: number[] }).addRates!;
const speedup = p50(times.js) / p50(times.hnsw);
const speedupEnv = p50(times.js) / p50(times.hnswEnv);
console.log('');
console.log(`build: ${N} skills with addMany in ${(addMs / 1000).toFixed(1)} s wall = ${(N / (addMs / 1000)).toFixed(0)}/s; ${(addCpuMs / 1000).toFixed(1)} s CPU = ${(N / (addCpuMs / 1000)).toFixed(0)}/s per CPU-second`);
console.log(`close (text analysis of the ${N} added skills + save): ${ms(saveMs)}; reopen with calibration: ${ms(reopenMs)}; reopen again (calibration from the meta): ${ms(reopen2Ms)}`);
console.log(`calibration: ${calibLine ?? '(none: ef fixed)'}`);
console.log(`calibrated ef per env: ${Object.entries(cal).map(([e, c]) => `${e} ${c ? `${c.ef} (recall@10 ${c.recall.toFixed(3)})` : 'fixed'}`).join(', ')}`);
console.log(`memory after adding (text index included): rss ${mb(mem.rss)}, heap ${mb(mem.heapUsed)}; after the searches: rss ${mb(memAfter.rss)}, heap ${mb(memAfter.heapUsed)}`);
console.log(`interleaved, order rotating per query (${Q} queries, k=${K}; each HNSW variant on half of them):`);
console.log(`  JS exact scan, all envs:           p50 ${ms(p50(times.js))}  p99 ${ms(p99(times.js))}`);
console.log(`  C++ brute force, all envs:         p50 ${ms(p50(times.cpp))}  p99 ${ms(p99(times.cpp))}   results vs JS scan: recall@5 ${(cppHits / (Q * K)).toFixed(4)} tie-aware, ${(cppStrict / (Q * K)).toFixed(4)} same ids`);
console.log(`  HNSW, all envs (merged graphs):    p50 ${ms(p50(times.hnsw))}  p99 ${ms(p99(times.hnsw))}   recall@5 ${recall.toFixed(4)}`);
console.log(`  HNSW, the query's own env:         p50 ${ms(p50(times.hnswEnv))}  p99 ${ms(p99(times.hnswEnv))}   recall@5 ${envRecall.toFixed(4)} (vs an exact scan of that env)`);
console.log(`  speed-up vs JS scan (p50/p50): all envs x${speedup.toFixed(0)}, own env x${speedupEnv.toFixed(0)}; ` +
  `HNSW ran first x${(p50(before.js) / p50(before.hnsw)).toFixed(0)} (${before.js.length} queries), HNSW ran after x${(p50(after.js) / p50(after.hnsw)).toFixed(0)} (${after.js.length})`);
console.log(`  speed-up vs C++ brute force: all envs x${(p50(times.cpp) / p50(times.hnsw)).toFixed(1)}`);
console.log(`  (not for the targets) HNSW back to back, no scan in between: own env p50 ${ms(p50(warm.hnswEnv))}, all envs p50 ${ms(p50(warm.hnsw))} ` +
  `(the other half of the queries each: x${(p50(times.js) / p50(warm.hnswEnv)).toFixed(0)} / x${(p50(times.js) / p50(warm.hnsw)).toFixed(0)} the interleaved JS scan p50)`);
console.log(`library.search(text) end to end, own env: hybrid p50 ${ms(p50(e2e.hybrid))} p99 ${ms(p99(e2e.hybrid))}; vector p50 ${ms(p50(e2e.vector))} p99 ${ms(p99(e2e.vector))}; ` +
  `first hybrid search after open (text index read from disk, ${mb(textBytes)}) ${ms(firstHybridMs)}`);
console.log(`without a saved text index: open ${ms(noText.openMs)}, a search right after it (finishes the catch-up) ${ms(noText.firstMs)}; ` +
  `a search after 1 s idle ${ms(noText.idleFirstMs)}`);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
if (sweep.length) console.log(`fixed-ef sweep (same graphs):\n${sweep.join('\n')}`);
const targets = [
  ['recall@5 >= 0.99 (all envs and own env)', recall >= 0.99 && envRecall >= 0.99],
  ['p50 <= 0.4 ms own env', p50(times.hnswEnv) <= 0.4],
  ['p50 <= 0.6 ms all envs', p50(times.hnsw) <= 0.6],
  ['>= 50x the JS exact scan (all envs)', speedup >= 50],
  [`addMany >= 5000/s at ${ADD_N} (per CPU-second of the add path, text analysis deferred to close; wall ${manyWallRate.toFixed(0)}; all adds with the close ${withCloseRate.toFixed(0)}/s)`, manyCpuRate >= 5000],
  [`single add >= 3000/s at ${ADD_N} (per CPU-second; wall ${oneWallRate.toFixed(0)})`, oneCpuRate >= 3000],
] as const;
console.log(`targets: ${targets.map(([t, ok]) => `${ok ? 'MET' : 'MISSED'} ${t}`).join('; ')}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
