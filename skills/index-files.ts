/**
 * The search index on disk: what index.json says (the graphs per environment, their checksums and
 * calibrations, the text index file) and the file chores of saving it safely (content-addressed
 * names, temp files removed on failure, old files cleaned up once no meta points at them). The
 * graphs themselves are read and written by hnsw-index.ts; the text index by library-text.ts.
 *
 * @example
 * ```ts
 * const meta = readMeta(dir);          // { ok: true, meta } | { ok: false, reason, missing }
 * await sha256File(join(dir, meta.meta.shards[0].file));
 * ```
 */
import type hnswlib from 'hnswlib-node';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertValid } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';

/** What calibration found for one graph: kept in the index meta so an open does not redo it. */
export interface Calibration {
  ef: number;
  /** recall@10 measured at that ef on the sampled queries. */
  recall: number;
  target: number;
  /** Graph size when measured. */
  count: number;
}

export interface ShardMeta {
  env: string;
  file: string;
  /** sha256 of the graph file. */
  checksum: string;
  bytes: number;
  count: number;
  calibration?: Calibration;
}

/** The full-text index saved with the graphs (skills/library-text.ts). */
export interface TextMeta {
  file: string;
  checksum: string;
  bytes: number;
  /** Analyzer settings it was built with: another analysis means building it again. */
  analyzer: string;
  count: number;
}

export interface IndexMeta {
  format: 2;
  embedder: string;
  dim: number;
  /** Store change seq this index reflects: later changes are applied on open. */
  seq: number;
  count: number;
  m: number;
  efConstruction: number;
  shards: ShardMeta[];
  text?: TextMeta;
  savedAt: string;
}

const metaSchema: JsonSchema = {
  type: 'object',
  required: ['format', 'embedder', 'dim', 'seq', 'count', 'm', 'efConstruction', 'shards'],
  properties: {
    format: { const: 2 },
    embedder: { type: 'string' },
    dim: { type: 'integer', minimum: 1 },
    seq: { type: 'integer', minimum: 0 },
    count: { type: 'integer', minimum: 0 },
    m: { type: 'integer', minimum: 2 },
    efConstruction: { type: 'integer', minimum: 1 },
    shards: {
      type: 'array',
      items: {
        type: 'object',
        required: ['env', 'file', 'checksum', 'bytes', 'count'],
        properties: {
          env: { type: 'string' },
          file: { type: 'string', pattern: '^index-[0-9a-f]{16,64}\\.hnsw$' },
          checksum: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          bytes: { type: 'integer', minimum: 0 },
          count: { type: 'integer', minimum: 0 },
          calibration: {
            type: 'object',
            required: ['ef', 'recall', 'target', 'count'],
            properties: {
              ef: { type: 'integer', minimum: 1, maximum: 100000 },
              recall: { type: 'number', minimum: 0, maximum: 1 },
              target: { type: 'number', minimum: 0, maximum: 1 },
              count: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
    },
    text: {
      type: 'object',
      required: ['file', 'checksum', 'bytes', 'analyzer', 'count'],
      properties: {
        file: { type: 'string', pattern: '^text-[0-9a-f]{16,64}\\.bm25$' },
        checksum: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        bytes: { type: 'integer', minimum: 0 },
        analyzer: { type: 'string' },
        count: { type: 'integer', minimum: 0 },
      },
    },
  },
};

export const META_FILE = 'index.json';


/** index.json of `dir`, schema-checked, or why it cannot be used. */
export function readMeta(dir: string): { ok: true; meta: IndexMeta } | { ok: false; reason: string; missing: boolean } {
  const metaPath = join(dir, META_FILE);
  if (!existsSync(metaPath)) return { ok: false, reason: 'no index yet', missing: true };
  try {
    return { ok: true, meta: assertValid<IndexMeta>(metaSchema, JSON.parse(readFileSync(metaPath, 'utf8')), 'index meta') };
  } catch (err) {
    return { ok: false, reason: `index meta ${metaPath} is unreadable (${(err as Error).message})`, missing: false };
  }
}

/**
 * The two writes an index save makes, replaceable by tests that simulate a full disk. hnswlib's
 * writer reports no errors; Node's writeFileSync throws ENOSPC.
 */
export const indexIo = {
  writeGraph: (graph: InstanceType<typeof hnswlib.HierarchicalNSW>, file: string): void => graph.writeIndexSync(file),
  writeFile: (file: string, text: string): void => writeFileSync(file, text),
};

export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Never created, or already gone.
  }
}

/** Remove graph files of a failed save that the meta on disk does not point at. */
export function removeUnreferenced(dir: string, files: readonly string[]): void {
  if (files.length === 0) return;
  let keep = new Set<string>();
  try {
    const meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as { shards?: { file?: unknown }[] };
    keep = new Set((meta.shards ?? []).map((x) => String(x.file)));
  } catch {
    // No readable meta: nothing on disk refers to these files.
  }
  for (const f of files) if (!keep.has(f)) removeQuietly(join(dir, f));
}

export function cleanupGraphs(dir: string, keep: ReadonlySet<string>): void {
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    if (keep.has(f) || !/^index(-[0-9a-f]+|\.tmp-.*)\.hnsw$|^index\.json\.tmp-|^text(-[0-9a-f]+|\.tmp-.*)\.bm25$/.test(f)) continue;
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
