/**
 * The SkillStore contract: where skills truly live. SkillLibrary keeps its search index as a cache
 * in front of a store. Backends (SQLite here, PostgreSQL for fleets) implement this interface; all
 * methods are async so a networked backend fits. Each write is atomic: it is all there or not at all.
 */
import type { Skill, SkillStats, SkillStatus } from './skill.js';

/** A stored skill version and its row id (stable for the life of the row; index labels use it). */
export interface StoredSkill {
  id: number;
  skill: Skill;
}

/** The small part of the latest version of each name that the search index needs. */
export interface SkillHead {
  id: number;
  name: string;
  version: number;
  env: string;
  status: SkillStatus;
}

export type ChangeKind = 'add' | 'status' | 'stats' | 'remove';

/**
 * One entry of the change feed. `seq` grows strictly in commit order, so a replica that has applied
 * everything up to N asks `changesSince(N)` and misses nothing.
 */
export interface SkillChange {
  seq: number;
  kind: ChangeKind;
  name: string;
  /** The version concerned; for 'remove', the number of versions removed is not recorded. */
  version: number | null;
  at: string;
}

/** A version to insert. The store assigns `version` (next after the latest) unless `exactVersion`. */
export type SkillDraft = Omit<Skill, 'version'>;

export interface PutOptions {
  /** An embedding to keep with the row, so index rebuilds need not embed again. */
  vector?: { embedder: string; vec: Float32Array };
  /** Keep this version number (bundle import with 'replace'); fails if it exists. */
  exactVersion?: number;
  /** Delete every version of the name first, in the same transaction ('replace' import). */
  replaceAll?: boolean;
}

export interface PutResult {
  stored: StoredSkill;
  /** false when a version with identical content already existed (nothing was written). */
  created: boolean;
  /**
   * The change-feed entries this put committed ('add', and 'remove' for replaceAll), when the store
   * can tell: the writer then applies its own write without reading the feed back.
   */
  changes?: SkillChange[];
}

export interface ListFilter {
  env?: string;
  status?: SkillStatus | readonly SkillStatus[];
  /** Every version instead of the latest per name. */
  allVersions?: boolean;
  /** Only names starting with this prefix. */
  prefix?: string;
  limit?: number;
}

export interface OutcomeRecord {
  success: boolean;
  durationMs: number;
  error?: string;
}

export interface SkillStore {
  /** 'sqlite:<path>', 'postgres:<db>': for messages. */
  readonly location: string;
  /**
   * Insert one version atomically. When a version of `draft.name` with the same hash exists, nothing
   * is written and that version is returned with `created: false`. Otherwise the version is
   * `exactVersion` or latest + 1 (1 for a new name).
   */
  put(draft: SkillDraft, options?: PutOptions): Promise<PutResult>;
  /** Several puts in one transaction: all are written or none. */
  putMany(items: readonly { draft: SkillDraft; options?: PutOptions }[]): Promise<PutResult[]>;
  /** A version, or the latest when `version` is omitted. */
  get(name: string, version?: number): Promise<StoredSkill | undefined>;
  getByIds(ids: readonly number[]): Promise<StoredSkill[]>;
  versions(name: string): Promise<StoredSkill[]>;
  list(filter?: ListFilter): Promise<StoredSkill[]>;
  /** The latest version of every name (for the search index). */
  heads(): Promise<SkillHead[]>;
  count(filter?: { allVersions?: boolean }): Promise<number>;
  setStatus(name: string, version: number | undefined, status: SkillStatus): Promise<StoredSkill | undefined>;
  /** Fold one execution outcome into the version's stats (atomic read-modify-write). */
  recordOutcome(name: string, version: number | undefined, outcome: OutcomeRecord): Promise<SkillStats | undefined>;
  /** Remove every version of a name; returns how many rows were removed. */
  remove(name: string): Promise<number>;
  /** The seq of the last committed change (0 for an empty store). */
  seq(): Promise<number>;
  changesSince(seq: number, limit?: number): Promise<SkillChange[]>;
  /** Embeddings kept with rows, for one embedder id. Missing rows are absent from the map. */
  vectors(embedder: string, ids: readonly number[]): Promise<Map<number, Float32Array>>;
  putVectors(embedder: string, entries: readonly { id: number; vec: Float32Array }[]): Promise<void>;
  /**
   * Optional push feed (PostgreSQL LISTEN/NOTIFY): `listener` is called when any writer commits a
   * change (with it, or `undefined` when changes may have been missed: catch up with changesSince).
   * Stores without it are polled. Returns the function that stops watching.
   */
  watch?(listener: (change: SkillChange | undefined) => void): () => void;
  close(): Promise<void>;
}

/** Fold one outcome into running stats (incremental mean). */
export function foldStats(stats: SkillStats, outcome: OutcomeRecord, maxError = 4000): SkillStats {
  const attempts = stats.attempts + 1;
  const duration = Math.max(0, Number.isFinite(outcome.durationMs) ? outcome.durationMs : 0);
  return {
    attempts,
    successes: stats.successes + (outcome.success ? 1 : 0),
    meanDurationMs: stats.meanDurationMs + (duration - stats.meanDurationMs) / attempts,
    lastError: outcome.success ? stats.lastError : (outcome.error ?? 'failed without an error message').slice(0, maxError),
  };
}

/**
 * One version as both SQL stores keep it: indexed columns, the content as a JSON document, and the
 * mutable status and stats in columns of their own.
 */
export interface SkillRow {
  id: number;
  name: string;
  version: number;
  hash: string;
  env: string;
  status: SkillStatus;
  doc: string;
  attempts: number;
  successes: number;
  mean_ms: number;
  last_error: string | null;
}

/** The Skill a stored row holds (the same mapping for every SQL store). */
export function storedFromRow(row: SkillRow): StoredSkill {
  const doc = JSON.parse(row.doc) as Omit<Skill, 'status' | 'stats' | 'version'>;
  const skill: Skill = {
    name: doc.name,
    description: doc.description,
    params: doc.params,
    code: doc.code,
    env: doc.env,
    dependencies: doc.dependencies,
    status: row.status,
    version: row.version,
    hash: doc.hash,
    provenance: doc.provenance,
    stats: { attempts: row.attempts, successes: row.successes, meanDurationMs: row.mean_ms, lastError: row.last_error },
  };
  return { id: row.id, skill };
}
