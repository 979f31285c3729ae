/**
 * The search index: an HNSW graph (hnswlib-node) over unit vectors, inner-product space, so
 * score = 1 - distance = cosine similarity. It is a cache of the store and may be thrown away at
 * any time. On disk it is two files next to the database:
 *   index-<checksum>.hnsw   the graph (content-addressed, written once then renamed into place)
 *   index.json              meta: embedder id, dim, the store seq it reflects, count, file, checksum
 * Meta is replaced atomically (write + rename) after its graph file is complete, so a reader never
 * sees meta pointing at a half-written graph, even with two processes saving at once.
 */
import hnswlib from 'hnswlib-node';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertValid } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';

const { HierarchicalNSW } = hnswlib;

/** Graph parameters. Defaults measured by bench/library.bench.ts for recall@5 >= 0.98 at 100k. */
export interface HnswParams {
  m: number;
  efConstruction: number;
  efSearch: number;
}

// Sweep at 100k skills, default embedder (dim 128), recall@5 tie-aware:
//   M=12 efC=64:  ef 32 -> 0.961, ef 64 -> 0.981, ef 100 -> 0.991 (p50 0.18 ms on a loaded 2-core box)
//   M=16 efC=100: ef 32 -> 0.981, ef 64 -> 0.996, but insertion ~1.5x slower
export const DEFAULT_HNSW: HnswParams = { m: 12, efConstruction: 64, efSearch: 100 };

export interface IndexMeta {
  format: 1;
  embedder: string;
  dim: number;
  /** Store change seq this index reflects: later changes are applied on open. */
  seq: number;
  count: number;
  file: string;
  /** sha256 of the graph file. */
  checksum: string;
  bytes: number;
  m: number;
  efConstruction: number;
  savedAt: string;
}

const metaSchema: JsonSchema = {
  type: 'object',
  required: ['format', 'embedder', 'dim', 'seq', 'count', 'file', 'checksum', 'bytes', 'm', 'efConstruction'],
  properties: {
    format: { const: 1 },
    embedder: { type: 'string' },
    dim: { type: 'integer', minimum: 1 },
    seq: { type: 'integer', minimum: 0 },
    count: { type: 'integer', minimum: 0 },
    file: { type: 'string', pattern: '^index-[0-9a-f]{16,64}\\.hnsw$' },
    checksum: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    bytes: { type: 'integer', minimum: 0 },
    m: { type: 'integer', minimum: 2 },
    efConstruction: { type: 'integer', minimum: 1 },
  },
};

export const META_FILE = 'index.json';

/** An in-memory HNSW graph keyed by integer labels (store row ids). */
export class VectorIndex {
  readonly dim: number;
  readonly params: HnswParams;
  private graph: InstanceType<typeof HierarchicalNSW>;
  private capacity: number;
  private readonly live = new Set<number>();
  private scratch: number[];

  private constructor(dim: number, params: HnswParams, graph: InstanceType<typeof HierarchicalNSW>, capacity: number) {
    this.dim = dim;
    this.params = params;
    this.graph = graph;
    this.capacity = capacity;
    this.scratch = new Array<number>(dim).fill(0);
    this.graph.setEf(params.efSearch);
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
    const n = Math.min(k, this.live.size);
    if (n <= 0) return [];
    this.graph.setEf(Math.max(this.params.efSearch, n));
    const r = filter ? this.graph.searchKnn(this.toArray(vec), n, filter) : this.graph.searchKnn(this.toArray(vec), n);
    const out: { label: number; score: number }[] = [];
    for (let i = 0; i < r.neighbors.length; i++) out.push({ label: r.neighbors[i]!, score: 1 - r.distances[i]! });
    return out.sort((a, b) => b.score - a.score);
  }

  /**
   * Write the graph content-addressed into `dir`, then replace the meta atomically. Returns the meta.
   * Graph files no meta points at any more are removed once they are a minute old (another process
   * may be about to point its meta at a fresh one).
   */
  async save(dir: string, info: { embedder: string; seq: number }): Promise<IndexMeta> {
    const tmp = join(dir, `index.tmp-${process.pid}-${Date.now()}.hnsw`);
    this.graph.writeIndexSync(tmp);
    const checksum = await sha256File(tmp);
    const file = `index-${checksum.slice(0, 24)}.hnsw`;
    renameSync(tmp, join(dir, file));
    const meta: IndexMeta = {
      format: 1,
      embedder: info.embedder,
      dim: this.dim,
      seq: info.seq,
      count: this.live.size,
      file,
      checksum,
      bytes: statSync(join(dir, file)).size,
      m: this.params.m,
      efConstruction: this.params.efConstruction,
      savedAt: new Date().toISOString(),
    };
    const metaTmp = join(dir, `${META_FILE}.tmp-${process.pid}`);
    writeFileSync(metaTmp, `${JSON.stringify(meta, null, 2)}\n`);
    renameSync(metaTmp, join(dir, META_FILE));
    cleanupGraphs(dir, file);
    return meta;
  }
}

function cleanupGraphs(dir: string, keep: string): void {
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    if (f === keep || !/^index(-[0-9a-f]+|\.tmp-.*)\.hnsw$|^index\.json\.tmp-/.test(f)) continue;
    try {
      if (now - statSync(join(dir, f)).mtimeMs > 60_000) unlinkSync(join(dir, f));
    } catch {
      // Another process removed it first.
    }
  }
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export type LoadResult =
  | { ok: true; index: VectorIndex; meta: IndexMeta }
  | { ok: false; reason: string; missing: boolean };

/**
 * Load the saved index if it is complete, intact and was built by `embedder` with `dim`. Otherwise
 * say why not (the caller rebuilds and warns). The checksum is verified before hnswlib reads the
 * file: a truncated or garbage graph must never reach native code.
 */
export async function loadIndex(dir: string, expect: { embedder: string; dim: number; params: HnswParams }): Promise<LoadResult> {
  const metaPath = join(dir, META_FILE);
  if (!existsSync(metaPath)) return { ok: false, reason: 'no index yet', missing: true };
  let meta: IndexMeta;
  try {
    meta = assertValid<IndexMeta>(metaSchema, JSON.parse(readFileSync(metaPath, 'utf8')), 'index meta');
  } catch (err) {
    return { ok: false, reason: `index meta ${metaPath} is unreadable (${(err as Error).message})`, missing: false };
  }
  if (meta.embedder !== expect.embedder || meta.dim !== expect.dim) {
    return { ok: false, reason: `index was built by embedder ${meta.embedder} (dim ${meta.dim}), library now uses ${expect.embedder} (dim ${expect.dim})`, missing: false };
  }
  if (meta.m !== expect.params.m || meta.efConstruction !== expect.params.efConstruction) {
    return { ok: false, reason: `index was built with M=${meta.m} efConstruction=${meta.efConstruction}, now M=${expect.params.m} efConstruction=${expect.params.efConstruction}`, missing: false };
  }
  const file = join(dir, meta.file);
  if (!existsSync(file)) return { ok: false, reason: `index file ${file} is missing`, missing: false };
  const bytes = statSync(file).size;
  if (bytes !== meta.bytes) return { ok: false, reason: `index file ${file} is ${bytes} bytes, expected ${meta.bytes} (truncated or overwritten)`, missing: false };
  const sum = await sha256File(file);
  if (sum !== meta.checksum) return { ok: false, reason: `index file ${file} fails its checksum (corrupt)`, missing: false };
  try {
    const index = VectorIndex.read(file, meta.dim, expect.params);
    if (index.size !== meta.count) return { ok: false, reason: `index file holds ${index.size} vectors, meta says ${meta.count}`, missing: false };
    return { ok: true, index, meta };
  } catch (err) {
    return { ok: false, reason: `index file ${file} cannot be read (${(err as Error).message})`, missing: false };
  }
}
