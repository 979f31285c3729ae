/**
 * The search index: HNSW graphs (hnswlib-node) over unit vectors, inner-product space, so
 * score = 1 - distance = cosine similarity. One graph per environment kind ("shard"): a search
 * filtered by env walks only that graph (hnswlib's per-candidate JS filter callback is slow on big
 * graphs), an unfiltered search merges the shards' top k. It is a cache of the store and may be
 * thrown away at any time. On disk, next to the database (index-files.ts: the meta and file chores):
 *   index-<checksum>.hnsw   one graph per env (content-addressed, written once then renamed in place)
 *   index.json              meta: embedder id, dim, the store seq it reflects, count, and per shard
 *                           its env, file, size and sha256; and the full-text index's file (below)
 *   text-<checksum>.bm25    the full-text index as of the same seq (skills/library-text.ts)
 * Meta is replaced atomically (write + rename) after its graph files are complete, so a reader never
 * sees meta pointing at a half-written graph, even with two processes saving at once.
 */
import hnswlib from 'hnswlib-node';
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SkillforgeError } from '../core/errors.js';
import {
  cleanupGraphs,
  indexIo,
  META_FILE,
  readMeta,
  removeQuietly,
  removeUnreferenced,
  sha256File,
  type Calibration,
  type IndexMeta,
  type ShardMeta,
  type TextMeta,
} from './index-files.js';

// The on-disk names stay importable from here.
export { indexIo, META_FILE, sha256File, type Calibration, type IndexMeta, type ShardMeta, type TextMeta } from './index-files.js';

const { HierarchicalNSW } = hnswlib;

/** Graph parameters. Defaults measured by bench/library.bench.ts. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  /** Search breadth before calibration, and always when `calibrate` is false. */
  efSearch: number;
  /** Calibrate each graph's ef to `targetRecall` on open and after reindex (default true). */
  calibrate: boolean;
  /** recall@10 the calibrated ef must reach on sampled queries, exact vs HNSW (default 0.99). */
  targetRecall: number;
}

// Sweep at 100k skills, default embedder (dim 128), recall@5 tie-aware:
//   M=12 efC=64:  ef 32 -> 0.961, ef 64 -> 0.981, ef 100 -> 0.991 (p50 0.18 ms on a loaded 2-core box);
//   the full benchmark measured 0.986 at ef 100, so ef 128 keeps a margin above the 0.98 target
//   M=16 efC=100: ef 32 -> 0.981, ef 64 -> 0.996, but insertion ~1.5x slower
export const DEFAULT_HNSW: HnswParams = { m: 12, efConstruction: 64, efSearch: 128, calibrate: true, targetRecall: 0.99 };

/** The ef values calibration tries, smallest first. */
const EF_LADDER = [10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 200, 256, 320, 400, 512];
/** Queries sampled per graph, and the k recall is measured at (covers the usual k of 5). */
const CALIBRATION_QUERIES = 200;
const CALIBRATION_K = 10;
/**
 * Cross-environment search probes each graph at this ef first. A graph is searched again at its
 * calibrated ef when its probe's best is within PROBE_MARGIN (cosine) of the merged k-th best: an
 * approximate best rarely trails the true best by more (bench/library.bench.ts measures the recall).
 */
const PROBE_EF = 8;
const PROBE_MARGIN = 0.05;
/** Graphs smaller than this search at least SMALL_GRAPH_EF (all of them when smaller still). */
const SMALL_GRAPH = 2000;
const SMALL_GRAPH_EF = 64;
/** A graph is calibrated again once its size moved this much (relative) since it last was. */
const RECALIBRATE_DRIFT = 0.25;

/** An in-memory HNSW graph keyed by integer labels (store row ids). */
export class VectorIndex {
  readonly dim: number;
  readonly params: HnswParams;
  private graph: InstanceType<typeof HierarchicalNSW>;
  private capacity: number;
  private readonly live = new Set<number>();
  private scratch: number[];
  /** The ef searches use: params.efSearch until calibrated. */
  ef: number;
  calibration: Calibration | undefined;

  private constructor(dim: number, params: HnswParams, graph: InstanceType<typeof HierarchicalNSW>, capacity: number) {
    this.dim = dim;
    this.params = params;
    this.graph = graph;
    this.capacity = capacity;
    this.scratch = new Array<number>(dim).fill(0);
    this.ef = params.efSearch;
    this.graph.setEf(this.ef);
  }

  static create(dim: number, params: HnswParams = DEFAULT_HNSW, capacity = 1024): VectorIndex {
    const g = new HierarchicalNSW('ip', dim);
    g.initIndex({ maxElements: capacity, m: params.m, efConstruction: params.efConstruction, randomSeed: 100, allowReplaceDeleted: true });
    return new VectorIndex(dim, params, g, capacity);
  }

  /** Read a graph file already checked against its meta checksum. */
  static read(file: string, dim: number, params: HnswParams): VectorIndex {
    const g = new HierarchicalNSW('ip', dim);
    g.readIndexSync(file, true);
    const idx = new VectorIndex(dim, params, g, g.getMaxElements());
    for (const id of g.getIdsList()) idx.live.add(id);
    return idx;
  }

  get size(): number {
    return this.live.size;
  }

  has(label: number): boolean {
    return this.live.has(label);
  }

  labels(): IterableIterator<number> {
    return this.live.values();
  }

  private toArray(v: Float32Array): number[] {
    if (v.length !== this.dim) throw new RangeError(`vector has ${v.length} dimensions, index has ${this.dim}`);
    const a = this.scratch;
    for (let i = 0; i < v.length; i++) a[i] = v[i]!;
    return a;
  }

  add(label: number, vec: Float32Array): void {
    if (this.live.has(label)) return;
    if (this.graph.getCurrentCount() >= this.capacity) {
      this.capacity = Math.max(1024, this.capacity * 2);
      this.graph.resizeIndex(this.capacity);
    }
    this.graph.addPoint(this.toArray(vec), label, true);
    this.live.add(label);
  }

  remove(label: number): void {
    if (!this.live.delete(label)) return;
    this.graph.markDelete(label);
  }

  /** k nearest by cosine, best first; `filter` limits which labels may be returned. */
  search(vec: Float32Array, k: number, filter?: (label: number) => boolean): { label: number; score: number }[] {
    return this.searchAt(vec, k, this.ef, filter);
  }

  /** search with a given ef (at least k). */
  searchAt(vec: Float32Array, k: number, ef: number, filter?: (label: number) => boolean): { label: number; score: number }[] {
    const n = Math.min(k, this.live.size);
    if (n <= 0) return [];
    this.graph.setEf(Math.max(ef, n));
    const r = filter ? this.graph.searchKnn(this.toArray(vec), n, filter) : this.graph.searchKnn(this.toArray(vec), n);
    const out: { label: number; score: number }[] = [];
    for (let i = 0; i < r.neighbors.length; i++) out.push({ label: r.neighbors[i]!, score: 1 - r.distances[i]! });
    return out.sort((a, b) => b.score - a.score);
  }

  /** Use a fixed ef (no calibration). */
  setEf(ef: number): void {
    this.ef = ef;
    this.calibration = undefined;
  }

  /** Calibrated for this target at about this size: no need to measure again. */
  calibratedFor(target: number): boolean {
    const c = this.calibration;
    return c !== undefined && c.target === target && Math.abs(this.size - c.count) <= RECALIBRATE_DRIFT * Math.max(c.count, 1);
  }

  /** A stored vector (as hnswlib keeps it: unit length). */
  point(label: number): number[] {
    return this.graph.getPoint(label);
  }

  /**
   * Find the smallest ef whose recall@10 reaches `target` on sampled queries, exact (hnswlib's C++
   * brute force over this graph's vectors) against HNSW. Queries are the graph's own vectors blended
   * with one of their near neighbours (like a request for one of its skills: some of its words, some
   * of its neighbours'), plus a tenth `foreign` vectors (other environments' skills: a query that
   * fits none of this graph, the hard case). Seeded: the same graph calibrates to the same ef.
   */
  calibrate(target: number, foreign: readonly number[][] = []): Calibration {
    const labels = [...this.live];
    const n = labels.length;
    const k = Math.min(CALIBRATION_K, n);
    if (n === 0 || n <= k) {
      this.calibration = { ef: Math.max(k, 1), recall: 1, target, count: n };
      this.ef = this.calibration.ef;
      return this.calibration;
    }
    const rnd = seeded(n * 7919 + this.dim);
    const brute = new hnswlib.BruteforceSearch('ip', this.dim);
    brute.initIndex(n);
    for (const l of labels) brute.addPoint(this.graph.getPoint(l), l);
    const queries: number[][] = [];
    const foreignShare = Math.min(foreign.length, CALIBRATION_QUERIES / 10);
    const own = Math.min(CALIBRATION_QUERIES, n) - foreignShare;
    // A request for a skill shares part of its words with the skill and with its neighbours: a
    // vector blended with one of its 50 nearest (found at a generous ef) stands in for one.
    this.graph.setEf(Math.max(64, this.ef));
    for (let i = 0; i < own; i++) {
      const a = this.graph.getPoint(labels[Math.floor(rnd() * n)]!);
      const near = this.graph.searchKnn(a, Math.min(50, n)).neighbors;
      const b = this.graph.getPoint(near[Math.floor(rnd() * near.length)]!);
      queries.push(unit(a.map((x, j) => x + b[j]!)));
    }
    for (const f of foreign.slice(0, foreignShare)) queries.push(f);
    // Tie-aware truth: any vector scoring at least the exact k-th best is a right answer.
    const truth = queries.map((q) => {
      const r = brute.searchKnn(q, k);
      return Math.max(...r.distances);
    });
    const recallAt = (ef: number) => {
      this.graph.setEf(ef);
      let hits = 0;
      queries.forEach((q, i) => {
        const r = this.graph.searchKnn(q, k);
        for (let j = 0; j < r.neighbors.length; j++) if (r.distances[j]! <= truth[i]! + 1e-6) hits++;
      });
      return hits / (queries.length * k);
    };
    // Binary search over the ladder (recall grows with ef): a handful of passes instead of one per step.
    const ladder = EF_LADDER.filter((e) => e >= k);
    let lo = 0;
    let hi = ladder.length - 1;
    let best: Calibration = { ef: ladder[hi]!, recall: recallAt(ladder[hi]!), target, count: n };
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const recall = recallAt(ladder[mid]!);
      if (recall >= target) {
        best = { ef: ladder[mid]!, recall, target, count: n };
        hi = mid;
      } else lo = mid + 1;
    }
    // Small graphs: a few hundred sampled queries say little, and a generous ef costs microseconds.
    if (n < SMALL_GRAPH && best.ef < Math.min(n, SMALL_GRAPH_EF)) best = { ...best, ef: Math.min(n, SMALL_GRAPH_EF), recall: recallAt(Math.min(n, SMALL_GRAPH_EF)) };
    this.calibration = best;
    this.ef = best.ef;
    this.graph.setEf(best.ef);
    return best;
  }

  /**
   * The smallest size a complete graph file can have: hnswlib's 96-byte header, every element's
   * level-0 block (links, vector, label) and its upper-level link count. hnswlib writes with an
   * unchecked std::ofstream, so a full disk shows up only as a short file: this catches it.
   */
  minGraphBytes(): number {
    const maxM0 = 2 * this.params.m;
    const perElement = maxM0 * 4 + 4 + this.dim * 4 + 8;
    return 96 + this.graph.getCurrentCount() * (perElement + 4);
  }

  /**
   * Write the graph content-addressed into `dir` (temp file, size check, checksum, rename). On any
   * failure the temp file is removed, so a full disk leaves nothing behind.
   */
  async writeGraph(dir: string): Promise<{ file: string; checksum: string; bytes: number }> {
    const tmp = join(dir, `index.tmp-${process.pid}-${Date.now()}-${tmpCounter++}.hnsw`);
    try {
      indexIo.writeGraph(this.graph, tmp);
      const bytes = statSync(tmp).size;
      const min = this.minGraphBytes();
      if (bytes < min) {
        throw new SkillforgeError('E_INDEX_WRITE', `writing the search index graph ${tmp} stopped at ${bytes} of at least ${min} bytes (disk full?)`, {
          hint: 'free disk space; the library stays usable and the index is rebuilt from the database on the next open',
        });
      }
      const checksum = await sha256File(tmp);
      const file = `index-${checksum.slice(0, 24)}.hnsw`;
      renameSync(tmp, join(dir, file));
      return { file, checksum, bytes };
    } catch (err) {
      removeQuietly(tmp);
      throw err;
    }
  }
}

let tmpCounter = 0;

export type Hit = { label: number; score: number };

/** A small deterministic generator (mulberry32): calibration samples the same vectors every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unit(v: number[]): number[] {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

/** One VectorIndex per environment kind, addressed by label. */
export class ShardedIndex {
  readonly dim: number;
  readonly params: HnswParams;
  private readonly shards = new Map<string, VectorIndex>();
  private readonly where = new Map<number, string>();

  constructor(dim: number, params: HnswParams = DEFAULT_HNSW) {
    this.dim = dim;
    this.params = params;
  }

  get size(): number {
    return this.where.size;
  }

  has(label: number): boolean {
    return this.where.has(label);
  }

  labels(): IterableIterator<number> {
    return this.where.keys();
  }

  /** How many vectors each env's graph holds. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.shards].map(([env, s]) => [env, s.size]));
  }

  private attach(env: string, shard: VectorIndex): void {
    this.shards.set(env, shard);
    for (const label of shard.labels()) this.where.set(label, env);
  }

  add(label: number, vec: Float32Array, env: string): void {
    if (this.where.has(label)) return;
    let shard = this.shards.get(env);
    if (!shard) {
      shard = VectorIndex.create(this.dim, this.params);
      this.shards.set(env, shard);
    }
    shard.add(label, vec);
    this.where.set(label, env);
  }

  remove(label: number): void {
    const env = this.where.get(label);
    if (env === undefined) return;
    this.shards.get(env)!.remove(label);
    this.where.delete(label);
  }

  /**
   * k nearest, best first: in one env's graph, or merged over every graph. Across graphs, each is
   * first probed at a small ef; only graphs whose probe reaches near the merged k-th best are then
   * searched at their calibrated ef (usually the one environment the query is about), instead of
   * running every graph at full breadth.
   */
  search(vec: Float32Array, k: number, env?: string, filter?: (label: number) => boolean): Hit[] {
    if (env !== undefined) return this.shards.get(env)?.search(vec, k, filter) ?? [];
    if (this.shards.size === 1) return [...this.shards.values()][0]!.search(vec, k, filter);
    const shards = [...this.shards.values()].filter((s) => s.size > 0);
    const probeEf = Math.max(k, PROBE_EF);
    const found = shards.map((s) => s.searchAt(vec, k, probeEf, filter));
    const merged = found.flat().sort((a, b) => b.score - a.score);
    const kth = merged.length >= k ? merged[k - 1]!.score : -Infinity;
    let again = false;
    shards.forEach((s, i) => {
      const best = found[i]![0]?.score ?? -Infinity;
      if (s.ef > probeEf && best >= kth - PROBE_MARGIN) {
        found[i] = s.search(vec, k, filter);
        again = true;
      }
    });
    return (again ? found.flat().sort((a, b) => b.score - a.score) : merged).slice(0, k);
  }

  /**
   * Calibrate every graph not yet calibrated for `target` at about its size (see
   * VectorIndex.calibrate); `force` measures them all again. Returns what each graph got.
   */
  calibrate(target: number, force = false): Record<string, Calibration> {
    const out: Record<string, Calibration> = {};
    const envs = [...this.shards.keys()];
    for (const [env, shard] of this.shards) {
      if (!force && shard.calibratedFor(target)) {
        out[env] = shard.calibration!;
        continue;
      }
      // Other environments' vectors as queries this graph has no good answer for.
      const foreign: number[][] = [];
      const others = envs.filter((e) => e !== env).map((e) => this.shards.get(e)!);
      for (const o of others) {
        let i = 0;
        for (const l of o.labels()) {
          if (i++ >= 50 / others.length) break;
          foreign.push(o.point(l));
        }
      }
      out[env] = shard.calibrate(target, foreign);
    }
    return out;
  }

  /** Some graph is not calibrated for `target` at about its present size. */
  needsCalibration(target: number): boolean {
    for (const shard of this.shards.values()) if (!shard.calibratedFor(target)) return true;
    return false;
  }

  /** Use a fixed ef on every graph (calibration off). */
  setEf(ef: number): void {
    for (const shard of this.shards.values()) shard.setEf(ef);
  }

  /** Calibration of each graph (undefined where ef is fixed). */
  calibrations(): Record<string, Calibration | undefined> {
    return Object.fromEntries([...this.shards].map(([env, s]) => [env, s.calibration]));
  }

  /** Size of one env's graph (0 when absent). */
  envSize(env: string): number {
    return this.shards.get(env)?.size ?? 0;
  }

  /**
   * Write every graph, then replace the meta atomically. Graph files no meta points at any more are
   * removed once they are a minute old (another process may be about to point its meta at one).
   */
  async save(dir: string, info: { embedder: string; seq: number; text?: TextMeta }): Promise<IndexMeta> {
    const shards: ShardMeta[] = [];
    try {
      for (const [env, shard] of this.shards) {
        if (shard.size === 0) continue;
        const written = await shard.writeGraph(dir);
        shards.push({ env, ...written, count: shard.size, ...(shard.calibration ? { calibration: shard.calibration } : {}) });
      }
    } catch (err) {
      // Graph files written by this save before the failure are referenced by no meta: remove them,
      // unless the meta on disk already points at the same content (content-addressed names).
      removeUnreferenced(dir, shards.map((x) => x.file));
      throw err;
    }
    const meta: IndexMeta = {
      format: 2,
      embedder: info.embedder,
      dim: this.dim,
      seq: info.seq,
      count: this.size,
      m: this.params.m,
      efConstruction: this.params.efConstruction,
      shards,
      ...(info.text ? { text: info.text } : {}),
      savedAt: new Date().toISOString(),
    };
    const metaTmp = join(dir, `${META_FILE}.tmp-${process.pid}-${tmpCounter++}`);
    try {
      indexIo.writeFile(metaTmp, `${JSON.stringify(meta, null, 2)}\n`);
      renameSync(metaTmp, join(dir, META_FILE));
    } catch (err) {
      removeQuietly(metaTmp);
      removeUnreferenced(dir, shards.map((x) => x.file));
      throw err;
    }
    cleanupGraphs(dir, new Set([...shards.map((x) => x.file), ...(info.text ? [info.text.file] : [])]));
    return meta;
  }

  /** Assemble from verified shard graphs (see loadIndex). */
  static fromShards(dim: number, params: HnswParams, shards: [string, VectorIndex][]): ShardedIndex {
    const idx = new ShardedIndex(dim, params);
    for (const [env, shard] of shards) idx.attach(env, shard);
    return idx;
  }
}

export type LoadResult =
  | { ok: true; index: ShardedIndex; meta: IndexMeta }
  | { ok: false; reason: string; missing: boolean };

/**
 * Load the saved index if it is complete, intact and was built by `embedder` with `dim`. Otherwise
 * say why not (the caller rebuilds and warns). Checksums are verified before hnswlib reads a file:
 * a truncated or garbage graph must never reach native code.
 */
export async function loadIndex(dir: string, expect: { embedder: string; dim: number; params: HnswParams }): Promise<LoadResult> {
  const read = readMeta(dir);
  if (!read.ok) return read;
  const meta = read.meta;
  if (meta.embedder !== expect.embedder || meta.dim !== expect.dim) {
    return { ok: false, reason: `index was built by embedder ${meta.embedder} (dim ${meta.dim}), library now uses ${expect.embedder} (dim ${expect.dim})`, missing: false };
  }
  if (meta.m !== expect.params.m || meta.efConstruction !== expect.params.efConstruction) {
    return { ok: false, reason: `index was built with M=${meta.m} efConstruction=${meta.efConstruction}, now M=${expect.params.m} efConstruction=${expect.params.efConstruction}`, missing: false };
  }
  const shards: [string, VectorIndex][] = [];
  for (const sh of meta.shards) {
    const file = join(dir, sh.file);
    if (!existsSync(file)) return { ok: false, reason: `index file ${file} is missing`, missing: false };
    const bytes = statSync(file).size;
    if (bytes !== sh.bytes) return { ok: false, reason: `index file ${file} is ${bytes} bytes, expected ${sh.bytes} (truncated or overwritten)`, missing: false };
    const sum = await sha256File(file);
    if (sum !== sh.checksum) return { ok: false, reason: `index file ${file} fails its checksum (corrupt)`, missing: false };
    try {
      const shard = VectorIndex.read(file, meta.dim, expect.params);
      if (sh.calibration && expect.params.calibrate) {
        shard.calibration = sh.calibration;
        shard.ef = sh.calibration.ef;
      }
      if (shard.size !== sh.count) return { ok: false, reason: `index file ${file} holds ${shard.size} vectors, meta says ${sh.count}`, missing: false };
      shards.push([sh.env, shard]);
    } catch (err) {
      return { ok: false, reason: `index file ${file} cannot be read (${(err as Error).message})`, missing: false };
    }
  }
  const index = ShardedIndex.fromShards(meta.dim, expect.params, shards);
  if (index.size !== meta.count) return { ok: false, reason: `index holds ${index.size} vectors, meta says ${meta.count}`, missing: false };
  return { ok: true, index, meta };
}
