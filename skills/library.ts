/**
 * SkillLibrary: the skills an agent has learned, searchable by meaning.
 *
 * The store (SQLite under the library directory, or any SkillStore) is the truth; the HNSW index next
 * to it is a cache holding the latest version of every name, rebuilt whenever it is missing, stale,
 * corrupt or was built by another embedder. Every skill entering the library, from any source, is
 * checked by ajv against the Skill schema and its code is parsed; nothing partial is ever written.
 * A text search fuses that vector index with a full-text index kept in memory (skills/retrieval/:
 * BM25 over split identifiers, stems, code evidence, WordNet and Minecraft relations). Each env's
 * graph searches at an ef calibrated to a target recall (hnsw-index.ts).
 *
 * Size: one class, the facade callers use, over 500 lines because the bookkeeping that makes the
 * index follow the store (heads, the change feed, applying this process's own writes from memory)
 * shares its private state with writes and searches. Its parts live elsewhere: library-text.ts (full
 * text), hnsw-index.ts and index-files.ts (vectors), store.ts (the truth), bundle.ts (import/export).
 *
 * @example
 * ```ts
 * import { SkillLibrary } from './skills/library.js';
 * const lib = await SkillLibrary.open('/tmp/my-library');
 * const { skill, created } = await lib.add({
 *   name: 'mineWoodLog',
 *   description: 'Mine one oak log with bare hands',
 *   env: 'minecraft',
 *   code: 'async function mineWoodLog(bot) { await mineBlock(bot, "oak_log", 1); }',
 * });
 * console.log(skill.version, created);              // 1 true
 * const hits = await lib.search('mine an oak log', 5, { env: 'minecraft' });
 * console.log(hits[0]?.skill.name, hits[0]?.score.toFixed(2)); // mineWoodLog 1.00 (hybrid: full text + vectors)
 * await lib.record('mineWoodLog', { success: true, durationMs: 1200 });
 * await lib.close();
 * ```
 */
import { join } from 'node:path';
import { SkillforgeError } from '../core/errors.js';
import { ValidationError, assertValid } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';
import { exportBundle, importBundle, type Bundle, type ExportOptions, type ImportOptions, type ImportReport } from './bundle.js';
import { parseSkillCode } from './code.js';
import type { Embedder } from './embedder.js';
import { HashedEmbedder } from './hashed-embedder.js';
import { DEFAULT_HNSW, loadIndex, ShardedIndex, type Calibration, type HnswParams, type IndexMeta } from './hnsw-index.js';
import {
  contentHash,
  embeddingText,
  emptyParams,
  emptyStats,
  SKILL_STATUSES,
  validateSkillInput,
  validateSkillShape,
  type Skill,
  type SkillInput,
  type SkillStats,
  type SkillStatus,
} from './skill.js';
import { SqliteSkillStore } from './sqlite-store.js';
import { Analyzer, type AnalyzerOptions, type Terms } from './retrieval/analyzer.js';
import { fuse, type FusionOptions } from './retrieval/fusion.js';
import { LibraryText } from './library-text.js';
import { rewriteQuery, type QueryRewriter } from './retrieval/query-rewrite.js';
import { normalizeL2 } from './embedder.js';
import type { ListFilter, PutOptions, SkillChange, SkillDraft, SkillStore, StoredSkill } from './store.js';

/** Where the library reports things a user should know (index rebuilt, ...). */
export interface Logger {
  warn(message: string): void;
  info?(message: string): void;
}

export const stderrLogger: Logger = {
  warn: (m) => process.stderr.write(`skillforge: warning: ${m}\n`),
};

export interface LibraryOptions {
  /** Default: HashedEmbedder (no weights, no network). Changing it re-indexes on open. */
  embedder?: Embedder;
  logger?: Logger;
  /** Default: SQLite at <dir>/library.db. Pass a PostgreSQL store to share a fleet library. */
  store?: SkillStore;
  hnsw?: Partial<HnswParams>;
  /** provenance.agent for skills added without one (default 'local'). */
  agent?: string;
  /** How often subscribers poll the store for other processes' changes (default 500 ms). */
  pollMs?: number;
  /**
   * Text search settings: the full-text ranker's analysis (identifier splitting, WordNet synonyms,
   * Minecraft relations, code evidence; all on by default) and how it is fused with the vectors.
   */
  retrieval?: AnalyzerOptions & FusionOptions;
}

/**
 * How a text query is ranked: 'hybrid' (default) fuses the full-text ranker (BM25 with synonyms)
 * and the embedder's vectors; 'vector' and 'text' use one of them alone.
 */
export type SearchMode = 'hybrid' | 'vector' | 'text';

export interface SearchFilter {
  env?: string;
  /** Default: candidate and verified (deprecated skills are not offered). */
  status?: SkillStatus | readonly SkillStatus[];
  /** Text queries only (default 'hybrid'); a vector query is always ranked by cosine. */
  mode?: SearchMode;
  /**
   * Text queries only: a language model (anything with agents/llm's `chat`) asked for other
   * phrasings of the query, which the search uses beside it (skills/retrieval/query-rewrite.ts). One
   * model call per search; if it fails, the search goes on with the query as written (and warns).
   */
  rewrite?: QueryRewriter;
}

export interface SearchHit {
  skill: Skill;
  /**
   * Relevance, higher is better: cosine similarity in [-1, 1] for 'vector' mode and vector queries,
   * the fused score in [0, 1] for 'hybrid', the BM25 score for 'text'.
   */
  score: number;
}

export interface AddResult {
  skill: Skill;
  /** false when identical content already existed: nothing was written. */
  created: boolean;
}

export type ChangeListener = (change: SkillChange) => void;

interface Head {
  name: string;
  version: number;
  env: string;
  status: SkillStatus;
}

/** A version this process has just written, with its vector: sync can index it without reading it back. */
interface KnownAdd {
  id: number;
  vec: Float32Array;
  env: string;
  status: SkillStatus;
  /** What the text index reads (kept so it is not read back either). */
  doc: { name: string; description: string; code: string };
}

const DB_FILE = 'library.db';
/** Largest unfiltered over-fetch before a filtered search goes through hnswlib's filter callback. */
const OVERFETCH_LIMIT = 1000;

const outcomeSchema: JsonSchema = {
  type: 'object',
  required: ['success', 'durationMs'],
  properties: {
    success: { type: 'boolean' },
    durationMs: { type: 'number', minimum: 0 },
    error: { type: 'string' },
  },
};
/** Applying more than this many index changes at open saves the index again. */
const RESAVE_AFTER = 1000;

export class SkillLibrary {
  readonly dir: string;
  readonly embedder: Embedder;
  readonly store: SkillStore;
  private readonly logger: Logger;
  private readonly params: HnswParams;
  private readonly agent: string;
  private readonly pollMs: number;
  private index: ShardedIndex;
  private indexSeq = 0;
  private dirty = false;
  private lastMeta: IndexMeta | undefined;
  private readonly heads = new Map<number, Head>();
  private readonly nameToId = new Map<string, number>();
  private readonly statusCount = new Map<SkillStatus, number>();
  private readonly envCount = new Map<string, number>();
  private readonly listeners = new Set<ChangeListener>();
  private syncing: Promise<void> = Promise.resolve();
  private poller: NodeJS.Timeout | undefined;
  /** Stops the store's push feed (stores with `watch`), while someone is subscribed. */
  private unwatch: (() => void) | undefined;
  private feedQueued = false;
  private closed = false;
  private readonly fusion: FusionOptions;
  /** The full-text index over the heads: kept current on add, saved with the graphs (library-text.ts). */
  private readonly text: LibraryText;

  private constructor(dir: string, store: SkillStore, options: LibraryOptions) {
    this.dir = dir;
    this.store = store;
    this.embedder = options.embedder ?? new HashedEmbedder();
    this.logger = options.logger ?? stderrLogger;
    // An explicit ef is a fixed ef, unless calibration is asked for too.
    const fixedEf = options.hnsw?.efSearch !== undefined && options.hnsw.calibrate === undefined && options.hnsw.targetRecall === undefined;
    this.params = { ...DEFAULT_HNSW, ...options.hnsw, ...(fixedEf ? { calibrate: false } : {}) };
    const r = this.params.targetRecall;
    if (!(r > 0 && r <= 1)) throw new SkillforgeError('E_ARG', `hnsw.targetRecall must be in (0, 1], got ${r}`);
    this.agent = options.agent ?? 'local';
    this.pollMs = options.pollMs ?? 500;
    this.index = new ShardedIndex(this.embedder.dim, this.params);
    const { method, textWeight, ...analysis } = options.retrieval ?? {};
    this.text = new LibraryText(new Analyzer(analysis), store, (id, name) => this.heads.get(id)?.name === name);
    this.fusion = { method, textWeight };
  }

  /** Open (or create) the library in `dir`, loading or rebuilding its index. */
  static async open(dir: string, options: LibraryOptions = {}): Promise<SkillLibrary> {
    const store = options.store ?? new SqliteSkillStore(join(dir, DB_FILE));
    const lib = new SkillLibrary(dir, store, options);
    try {
      await lib.loadOrRebuild();
    } catch (err) {
      await store.close();
      throw err;
    }
    return lib;
  }

  private async loadOrRebuild(): Promise<void> {
    const t0 = performance.now();
    const seq = await this.store.seq();
    const loaded = await loadIndex(this.dir, { embedder: this.embedder.id, dim: this.embedder.dim, params: this.params });
    let textWhy: string | undefined = 'no saved index';
    if (loaded.ok) {
      this.index = loaded.index;
      this.lastMeta = loaded.meta;
      if (loaded.meta.seq > seq) {
        // The index claims changes the store does not have (a store restored from backup, or another
        // database): it cannot be trusted.
        this.logger.warn(`search index in ${this.dir} is ahead of its database (seq ${loaded.meta.seq} > ${seq}); rebuilding it`);
        this.index = new ShardedIndex(this.embedder.dim, this.params);
      } else textWhy = await this.text.load(this.dir, loaded.meta.text);
    } else if (!(loaded.missing && seq === 0)) {
      this.logger.warn(`search index in ${this.dir} rebuilt: ${loaded.reason}`);
    }
    const t1 = performance.now();
    const applied = await this.reconcile(seq);
    this.text.retain((id) => this.heads.has(id));
    // Heads the saved text index lacks (all of them without one) are read in the background.
    const textPending = this.text.pending.size;
    this.text.catchUpInBackground();
    if (this.calibrateIfNeeded()) this.dirty = true;
    const t2 = performance.now();
    if (applied > RESAVE_AFTER || (!loaded.ok && this.index.size > 0)) await this.saveIndex();
    this.logger.info?.(
      `library ${this.dir}: index ${loaded.ok ? 'loaded' : 'built'} in ${(t1 - t0).toFixed(0)} ms, ` +
        `${this.heads.size} skills reconciled (${applied} changed) in ${(t2 - t1).toFixed(0)} ms, saved in ${(performance.now() - t2).toFixed(0)} ms; ` +
        `text index ${textWhy === undefined ? 'loaded' : `not loaded (${textWhy})`}, ${textPending} skills to read in the background`,
    );
  }

  /**
   * Make the index hold exactly the latest version of every name in the store, embedding whatever
   * has no stored vector for this embedder. Returns how many vectors were added or removed.
   */
  private async reconcile(seq: number): Promise<number> {
    const heads = await this.store.heads();
    this.heads.clear();
    this.nameToId.clear();
    this.statusCount.clear();
    this.envCount.clear();
    const want = new Set<number>();
    for (const h of heads) {
      want.add(h.id);
      this.setHead(h.id, { name: h.name, version: h.version, env: h.env, status: h.status });
    }
    let changed = 0;
    for (const label of [...this.index.labels()]) {
      if (!want.has(label)) {
        this.index.remove(label);
        changed++;
      }
    }
    const missing = heads.filter((h) => !this.index.has(h.id)).map((h) => h.id);
    changed += await this.indexIds(missing);
    this.indexSeq = seq;
    if (changed > 0) this.dirty = true;
    return changed;
  }

  /** Add rows to the index, reading stored vectors and embedding (and storing) the rest. */
  private async indexIds(ids: readonly number[]): Promise<number> {
    const BATCH = 2000;
    let n = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const vecs = await this.store.vectors(this.embedder.id, batch);
      const need = batch.filter((id) => !vecs.has(id));
      if (need.length > 0) {
        const rows = await this.store.getByIds(need);
        const fresh = await this.embedChecked(rows.map((r) => embeddingText(r.skill)));
        const entries = rows.map((r, j) => ({ id: r.id, vec: fresh[j]! }));
        for (const e of entries) vecs.set(e.id, e.vec);
        await this.store.putVectors(this.embedder.id, entries);
      }
      for (const id of batch) {
        const v = vecs.get(id);
        const head = this.heads.get(id);
        if (v && head) {
          this.index.add(id, v, head.env);
          n++;
        }
      }
    }
    return n;
  }

  private setHead(id: number, head: Head): void {
    const old = this.heads.get(id);
    if (old) this.uncount(old);
    this.heads.set(id, head);
    this.text.want(id);
    this.nameToId.set(head.name, id);
    this.statusCount.set(head.status, (this.statusCount.get(head.status) ?? 0) + 1);
    this.envCount.set(head.env, (this.envCount.get(head.env) ?? 0) + 1);
  }

  private uncount(h: Head): void {
    this.statusCount.set(h.status, (this.statusCount.get(h.status) ?? 1) - 1);
    this.envCount.set(h.env, (this.envCount.get(h.env) ?? 1) - 1);
  }

  private dropHead(id: number): void {
    const old = this.heads.get(id);
    if (!old) return;
    this.uncount(old);
    this.heads.delete(id);
    if (this.nameToId.get(old.name) === id) this.nameToId.delete(old.name);
    this.index.remove(id);
    this.text.remove(id);
  }

  /** Apply changes committed since the index's seq (by this or any other process). Serialised. */
  private sync(known?: Map<string, KnownAdd>, own?: SkillChange[]): Promise<void> {
    const run = this.syncing.then(() => (own && this.applyOwn(own, known!) ? undefined : this.syncNow(known)));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /**
   * Apply this process's own adds straight from memory, without reading the change feed back, when
   * they follow the index's seq with no gap (no other writer committed in between). Returns false
   * when they do not (the caller syncs from the store).
   */
  private applyOwn(changes: SkillChange[], known: Map<string, KnownAdd>): boolean {
    if (this.closed || changes.length === 0) return changes.length === 0 && !this.closed;
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      if (c.seq !== this.indexSeq + 1 + i || c.kind !== 'add' || !known.has(`${c.name}@${c.version}`)) return false;
    }
    for (const c of changes) {
      const k = known.get(`${c.name}@${c.version}`)!;
      const old = this.nameToId.get(c.name);
      // An older version stored by number (bundle import, 'exact'): the head stays the newer one.
      if (old !== undefined && (this.heads.get(old)?.version ?? 0) > c.version!) continue;
      if (old !== undefined && old !== k.id) this.dropHead(old);
      this.setHead(k.id, { name: c.name, version: c.version!, env: k.env, status: k.status });
      this.index.add(k.id, k.vec, k.env);
      this.text.addDoc(k.id, k.doc);
    }
    this.dirty = true;
    this.indexSeq = changes[changes.length - 1]!.seq;
    for (const c of changes) this.emit(c);
    return true;
  }

  private async syncNow(known?: Map<string, KnownAdd>): Promise<void> {
    if (this.closed) return;
    const seq = await this.store.seq();
    if (seq <= this.indexSeq) return;
    const changes = await this.store.changesSince(this.indexSeq);
    // Adds this process just wrote are applied from memory; anything else (other processes, status,
    // removals) is re-read from the store, which is the truth.
    const names = new Set<string>();
    let touched = false;
    for (const c of changes) {
      if (c.kind === 'stats') continue;
      touched = true;
      const k = c.kind === 'add' ? known?.get(`${c.name}@${c.version}`) : undefined;
      if (!k) {
        names.add(c.name);
        continue;
      }
      const old = this.nameToId.get(c.name);
      const oldHead = old === undefined ? undefined : this.heads.get(old);
      if (oldHead && oldHead.version > c.version!) continue;
      if (old !== undefined && old !== k.id) this.dropHead(old);
      this.setHead(k.id, { name: c.name, version: c.version!, env: k.env, status: k.status });
      this.index.add(k.id, k.vec, k.env);
      this.text.addDoc(k.id, k.doc);
    }
    const toIndex: number[] = [];
    for (const name of names) {
      const latest = await this.store.get(name);
      const old = this.nameToId.get(name);
      if (!latest) {
        if (old !== undefined) this.dropHead(old);
        continue;
      }
      if (old !== undefined && old !== latest.id) this.dropHead(old);
      this.setHead(latest.id, { name, version: latest.skill.version, env: latest.skill.env, status: latest.skill.status });
      if (!this.index.has(latest.id)) toIndex.push(latest.id);
    }
    await this.indexIds(toIndex);
    if (touched) this.dirty = true;
    const last = changes.length ? changes[changes.length - 1]!.seq : seq;
    this.indexSeq = Math.max(this.indexSeq, last);
    for (const c of changes) this.emit(c);
  }

  private emit(change: SkillChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.logger.warn(`a library change listener threw: ${(err as Error).message}`);
      }
    }
  }

  private async embedChecked(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const vecs = await this.embedder.embed(texts);
    if (vecs.length !== texts.length) {
      throw new SkillforgeError('E_EMBEDDER', `embedder ${this.embedder.id} returned ${vecs.length} vectors for ${texts.length} texts`);
    }
    for (const v of vecs) {
      if (v.length !== this.embedder.dim) {
        throw new SkillforgeError('E_EMBEDDER', `embedder ${this.embedder.id} returned a ${v.length}-dimensional vector, it declares dim ${this.embedder.dim}`, {
          hint: 'set the embedder dim to what the model really outputs',
        });
      }
    }
    return vecs;
  }

  private check(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', `skill library ${this.dir} is closed`);
  }

  /** Validate add() input and turn it into a draft (schema, params schema, code parse). */
  private draftFrom(input: SkillInput | unknown): SkillDraft {
    const v = validateSkillInput(input);
    parseSkillCode(v.code, v.name);
    const dependencies = [...new Set(v.dependencies ?? [])].sort();
    const params = v.params ?? emptyParams();
    const p = v.provenance ?? {};
    const provenance: Skill['provenance'] = { agent: p.agent ?? this.agent, createdAt: p.createdAt ?? new Date().toISOString() };
    if (p.model !== undefined) provenance.model = p.model;
    if (p.parent !== undefined) provenance.parent = p.parent;
    if (p.source !== undefined) provenance.source = p.source;
    if (p.notes !== undefined) provenance.notes = p.notes;
    const content = { name: v.name, description: v.description, params, code: v.code, env: v.env, dependencies };
    return { ...content, status: v.status ?? 'candidate', hash: contentHash(content), provenance, stats: emptyStats() };
  }

  /**
   * Add a skill. A new name becomes v1; new content under an existing name becomes the next version
   * (older versions are kept); content identical to an existing version adds nothing.
   * @throws ValidationError naming the bad field (nothing is written).
   */
  async add(input: SkillInput): Promise<AddResult> {
    const [r] = await this.addMany([input]);
    return r!;
  }

  /**
   * Add several skills in one transaction (all or nothing): the fast path for imports. Every input is
   * validated before anything is written; the first invalid one throws, naming its position.
   */
  async addMany(inputs: readonly SkillInput[]): Promise<AddResult[]> {
    this.check();
    const drafts = inputs.map((input, i) => {
      try {
        return this.draftFrom(input);
      } catch (err) {
        if (err instanceof ValidationError && inputs.length > 1) {
          const name = (input as { name?: unknown })?.name;
          throw new ValidationError(`skill #${i}${typeof name === 'string' ? ` (${name})` : ''}`, err.errors, err.hint);
        }
        throw err;
      }
    });
    return this.putDrafts(drafts.map((draft) => ({ draft })));
  }

  /** Write validated drafts with their embeddings, then bring the index up to date. */
  private async putDrafts(items: { draft: SkillDraft; options?: PutOptions }[]): Promise<AddResult[]> {
    const vecs = await this.embedChecked(items.map((it) => embeddingText(it.draft)));
    const results = await this.store.putMany(
      items.map((it, i) => ({ draft: it.draft, options: { ...it.options, vector: { embedder: this.embedder.id, vec: vecs[i]! } } })),
    );
    const known = new Map<string, KnownAdd>();
    // The feed entries the store says it wrote, when it says (SQLite): applied without a read-back.
    const own: SkillChange[] | undefined = results.every((r) => !r.created || r.changes) ? results.flatMap((r) => r.changes ?? []) : undefined;
    own?.sort((a, b) => a.seq - b.seq);
    results.forEach((r, i) => {
      const s = r.stored.skill;
      if (r.created) {
        known.set(`${s.name}@${s.version}`, { id: r.stored.id, vec: vecs[i]!, env: s.env, status: s.status, doc: { name: s.name, description: s.description, code: s.code } });
      }
    });
    await this.sync(known, own);
    return results.map((r) => ({ skill: r.stored.skill, created: r.created }));
  }

  /**
   * Store complete versions of ONE skill from elsewhere (a bundle), atomically, after full
   * validation of each (schema, hash, code). Modes:
   * - 'exact': keep their version numbers (a version whose content exists already is left alone;
   *   a number taken by other content fails with E_EXISTS);
   * - 'new-version': append their content as the next versions;
   * - 'replace': remove every existing version of the name, then store these with their numbers.
   */
  async putVersions(skills: readonly Skill[], mode: 'exact' | 'new-version' | 'replace'): Promise<AddResult[]> {
    this.check();
    const valid = skills.map((raw) => {
      const s = validateSkillShape(raw);
      parseSkillCode(s.code, s.name);
      return s;
    });
    if (new Set(valid.map((s) => s.name)).size > 1) throw new SkillforgeError('E_ARG', 'putVersions takes versions of one skill name');
    valid.sort((a, b) => a.version - b.version);
    const items = valid.map((s, i) => {
      const { version, ...draft } = s;
      if (mode === 'new-version') {
        const provenance = { ...draft.provenance };
        delete provenance.parent;
        return { draft: { ...draft, provenance }, options: {} as PutOptions };
      }
      return { draft, options: { exactVersion: version, replaceAll: mode === 'replace' && i === 0 } as PutOptions };
    });
    return this.putDrafts(items);
  }

  /** The library as a bundle (latest versions by default); write it with `writeBundle`. */
  async exportBundle(options: ExportOptions = {}): Promise<Bundle> {
    this.check();
    return exportBundle(this, options);
  }

  /** Import a bundle: per-entry checks, `policy` for names that exist; see skills/bundle.ts. */
  async importBundle(bundle: Bundle, options: ImportOptions = {}): Promise<ImportReport> {
    this.check();
    return importBundle(this, bundle, options);
  }

  /** A version of a skill, or its latest when `version` is omitted. */
  async get(name: string, version?: number): Promise<Skill | undefined> {
    this.check();
    return (await this.store.get(name, version))?.skill;
  }

  /** Every version of a name, oldest first. */
  async versions(name: string): Promise<Skill[]> {
    this.check();
    return (await this.store.versions(name)).map((s) => s.skill);
  }

  /** Latest version per name (or every version with `allVersions`), sorted by name. */
  async list(filter: ListFilter = {}): Promise<Skill[]> {
    this.check();
    return (await this.store.list(filter)).map((s) => s.skill);
  }

  /** Number of skill names (or versions with `allVersions`). */
  async count(filter: { allVersions?: boolean } = {}): Promise<number> {
    this.check();
    return this.store.count(filter);
  }

  /**
   * The k skills (latest version per name) most similar to a text or a query vector.
   * @param filter env and status (default: candidate and verified).
   */
  async search(query: string | Float32Array | readonly number[], k: number, filter: SearchFilter = {}): Promise<SearchHit[]> {
    this.check();
    if (!Number.isInteger(k) || k < 1) throw new SkillforgeError('E_ARG', `k must be a positive integer, got ${k}`);
    await this.sync();
    const mode = typeof query === 'string' ? (filter.mode ?? 'hybrid') : 'vector';
    if (!['hybrid', 'vector', 'text'].includes(mode)) throw new SkillforgeError('E_ARG', `unknown search mode ${String(mode)}`, { hint: 'one of hybrid, vector, text' });
    let vec: Float32Array = new Float32Array(0);
    let alternatives: string[] = [];
    if (typeof query === 'string' && filter.rewrite) {
      try {
        alternatives = await rewriteQuery(filter.rewrite, query);
      } catch (err) {
        this.logger.warn(`query rewriting failed (${(err as Error).message}); searching with the query as written`);
      }
    }
    if (typeof query === 'string') {
      if (mode !== 'text') vec = this.queryVector(await this.embedChecked([query, ...alternatives]));
    } else {
      vec = query instanceof Float32Array ? query : Float32Array.from(query);
      if (vec.length !== this.embedder.dim) {
        throw new SkillforgeError('E_ARG', `query vector has ${vec.length} dimensions, the library's embedder ${this.embedder.id} has ${this.embedder.dim}`);
      }
    }
    let hits: { label: number; score: number }[];
    if (mode === 'vector') hits = this.searchVector(vec, k, filter);
    else {
      const pool = Math.max(k * 4, 40);
      const text = await this.searchText(this.queryTerms(query as string, alternatives), mode === 'text' ? k : pool, filter);
      hits =
        mode === 'text'
          ? text.map((h) => ({ label: h.id, score: h.score }))
          : fuse(text, this.searchVector(vec, pool, filter).map((h) => ({ id: h.label, score: h.score })), this.fusion)
              .slice(0, k)
              .map((h) => ({ label: h.id, score: h.score }));
    }
    const rows = await this.store.getByIds(hits.map((h) => h.label));
    const byId = new Map(rows.map((r) => [r.id, r.skill]));
    const out: SearchHit[] = [];
    for (const h of hits) {
      const skill = byId.get(h.label);
      if (skill) out.push({ skill, score: h.score });
    }
    return out;
  }

  /** The query's vector, pulled halfway toward the mean of its rewrites' (when there are any). */
  private queryVector(vecs: Float32Array[]): Float32Array {
    if (vecs.length === 1) return vecs[0]!;
    const out = Float32Array.from(vecs[0]!);
    const w = 1 / (vecs.length - 1);
    for (const v of vecs.slice(1)) for (let i = 0; i < out.length; i++) out[i]! += w * v[i]!;
    return normalizeL2(out);
  }

  /** The query's terms, plus its rewrites' at half weight (a term keeps its highest weight). */
  private queryTerms(query: string, alternatives: readonly string[]): Terms {
    const terms = this.text.analyzer.query(query);
    for (const alt of alternatives) {
      for (const [t, w] of this.text.analyzer.query(alt)) terms.set(t, Math.max(terms.get(t) ?? 0, w / 2));
    }
    return terms;
  }

  /** The full-text ranker alone (BM25 over analysed names, descriptions and code), filtered like search. */
  private async searchText(terms: Terms, k: number, filter: SearchFilter): Promise<{ id: number; score: number }[]> {
    const index = await this.text.ready();
    const statuses: readonly SkillStatus[] =
      filter.status === undefined ? ['candidate', 'verified'] : typeof filter.status === 'string' ? [filter.status] : filter.status;
    const env = filter.env;
    return index.search(terms, k, (id) => {
      const h = this.heads.get(id);
      return h !== undefined && statuses.includes(h.status) && (env === undefined || h.env === env);
    });
  }

  /** Index-only search (no store reads): labels are store row ids. For benchmarks and replicas. */
  searchVector(vec: Float32Array, k: number, filter: SearchFilter = {}): { label: number; score: number }[] {
    const statuses: readonly SkillStatus[] =
      filter.status === undefined ? ['candidate', 'verified'] : typeof filter.status === 'string' ? [filter.status] : filter.status;
    const excluded = SKILL_STATUSES.filter((s) => !statuses.includes(s)).reduce((n, s) => n + (this.statusCount.get(s) ?? 0), 0);
    const env = filter.env;
    if (this.calibrateIfNeeded()) this.dirty = true;
    if (excluded === 0) return this.index.search(vec, k, env);
    const allowed = new Set(statuses);
    const matches = (label: number) => {
      const h = this.heads.get(label);
      return h !== undefined && allowed.has(h.status);
    };
    // hnswlib calls a filter back into JS for every candidate it considers, which is slow on large
    // graphs. Statuses left out (deprecated) are usually few: over-fetch and filter here instead.
    const total = this.index.size;
    const share = total === 0 ? 0 : (total - excluded) / total;
    if (share <= 0) return [];
    const fetch = Math.ceil((k / share) * 2) + 10;
    const pool = env === undefined ? total : this.index.envSize(env);
    if (fetch <= OVERFETCH_LIMIT) {
      const hits = this.index.search(vec, Math.min(fetch, pool), env).filter((h) => matches(h.label));
      if (hits.length >= k || fetch >= pool) return hits.slice(0, k);
    }
    return this.index.search(vec, k, env, matches);
  }

  /** Fold one execution outcome into a skill version's stats (latest by default). */
  async record(name: string, outcome: { success: boolean; durationMs: number; error?: string }, version?: number): Promise<SkillStats> {
    this.check();
    assertValid(outcomeSchema, outcome, 'outcome', 'record takes { success: boolean, durationMs: number >= 0, error?: string }');
    const stats = await this.store.recordOutcome(name, version, outcome);
    if (!stats) throw notFound(name, version);
    await this.sync();
    return stats;
  }

  /** Set a version's status (latest by default). */
  async setStatus(name: string, status: SkillStatus, version?: number): Promise<Skill> {
    this.check();
    if (!SKILL_STATUSES.includes(status)) throw new SkillforgeError('E_ARG', `unknown status ${String(status)}`, { hint: `one of ${SKILL_STATUSES.join(', ')}` });
    const r = await this.store.setStatus(name, version, status);
    if (!r) throw notFound(name, version);
    await this.sync();
    return r.skill;
  }

  /** Mark a version (latest by default) deprecated: kept, but no longer offered by search. */
  async deprecate(name: string, version?: number): Promise<Skill> {
    return this.setStatus(name, 'deprecated', version);
  }

  /** Remove every version of a skill. Returns how many versions were removed. */
  async remove(name: string): Promise<number> {
    this.check();
    const n = await this.store.remove(name);
    await this.sync();
    return n;
  }

  /** Throw the index away and build it again from the store (re-embedding what has no vector). */
  async reindex(): Promise<{ count: number; ms: number }> {
    this.check();
    const t0 = performance.now();
    await this.sync();
    this.index = new ShardedIndex(this.embedder.dim, this.params);
    this.text.reset();
    await this.reconcile(await this.store.seq());
    await this.text.ready();
    if (this.params.calibrate) this.index.calibrate(this.params.targetRecall, true);
    await this.saveIndex();
    return { count: this.index.size, ms: performance.now() - t0 };
  }

  /**
   * Calibrate the ef of graphs that are new or have grown or shrunk by a quarter since they were
   * calibrated. Returns whether anything was measured.
   */
  private calibrateIfNeeded(): boolean {
    if (!this.params.calibrate || !this.index.needsCalibration(this.params.targetRecall)) return false;
    const t0 = performance.now();
    const got = this.index.calibrate(this.params.targetRecall);
    this.logger.info?.(
      `library ${this.dir}: ef calibrated to recall@10 >= ${this.params.targetRecall} in ${(performance.now() - t0).toFixed(0)} ms: ` +
        Object.entries(got).map(([env, c]) => `${env} ef ${c.ef} (recall ${c.recall.toFixed(3)}, ${c.count} skills)`).join(', '),
    );
    return true;
  }

  /**
   * A fixed search breadth (HNSW ef) for every graph, instead of the calibrated one: higher finds
   * more of the true nearest skills, a little slower.
   */
  setEfSearch(ef: number): void {
    if (!Number.isInteger(ef) || ef < 1) throw new SkillforgeError('E_ARG', `ef must be a positive integer, got ${ef}`);
    this.params.efSearch = ef;
    this.params.calibrate = false;
    this.index.setEf(ef);
  }

  /** Calibrate every graph's ef again, to reach `recall` (recall@10 against an exact scan). */
  setTargetRecall(recall: number): void {
    if (!(recall > 0 && recall <= 1)) throw new SkillforgeError('E_ARG', `target recall must be in (0, 1], got ${recall}`);
    this.params.targetRecall = recall;
    this.params.calibrate = true;
    this.index.calibrate(recall, true);
    this.dirty = true;
  }

  /** Write the index to disk now (also done by close() when it changed). */
  async saveIndex(): Promise<IndexMeta> {
    const text = await this.text.save(this.dir);
    this.lastMeta = await this.index.save(this.dir, { embedder: this.embedder.id, seq: this.indexSeq, text });
    this.dirty = false;
    return this.lastMeta;
  }

  /** What the index holds and which embedder built it. */
  indexInfo(): {
    embedder: string;
    dim: number;
    count: number;
    byEnv: Record<string, number>;
    seq: number;
    params: HnswParams;
    savedSeq: number | null;
    calibration: Record<string, Calibration | undefined>;
  } {
    return {
      calibration: this.index.calibrations(),
      embedder: this.embedder.id,
      dim: this.embedder.dim,
      count: this.index.size,
      byEnv: this.index.counts(),
      seq: this.indexSeq,
      params: this.params,
      savedSeq: this.lastMeta?.seq ?? null,
    };
  }

  /**
   * Be told of every change (add, status, stats, remove) made by this or any other process sharing
   * the store, in commit order. Returns the function that unsubscribes.
   */
  subscribe(onChange: ChangeListener): () => void {
    this.check();
    this.listeners.add(onChange);
    if (!this.poller) {
      this.poller = setInterval(() => {
        this.sync().catch((err) => this.logger.warn(`library sync failed: ${(err as Error).message}`));
      }, this.pollMs);
      this.poller.unref();
    }
    // A store that pushes changes (PostgreSQL): apply them as they arrive; the poller stays as a
    // safety net (for such stores seq() is answered from the feed, so polling costs no query).
    if (this.store.watch && !this.unwatch) {
      this.unwatch = this.store.watch((c) => {
        if ((c && c.seq <= this.indexSeq) || this.feedQueued || this.closed) return;
        this.feedQueued = true;
        setImmediate(() => {
          this.feedQueued = false;
          this.sync().catch((err) => this.logger.warn(`library sync failed: ${(err as Error).message}`));
        });
      });
    }
    return () => {
      this.listeners.delete(onChange);
      if (this.listeners.size === 0 && this.poller) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
      if (this.listeners.size === 0) {
        this.unwatch?.();
        this.unwatch = undefined;
      }
    };
  }

  /** Save the index if it changed, and close the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    this.listeners.clear();
    await this.text.stop();
    await this.syncing;
    try {
      await this.sync();
      // The text index may have changed alone (caught up after an open): saved too, or the next
      // open would read those skills again.
      if (this.dirty || this.text.changed) await this.saveIndex();
    } finally {
      this.closed = true;
      await this.store.close();
    }
  }
}

function notFound(name: string, version?: number): SkillforgeError {
  return new SkillforgeError('E_NOT_FOUND', `no skill ${name}${version !== undefined ? ` v${version}` : ''} in the library`, {
    hint: 'list skills with: skillforge skills list',
  });
}

/** Make `StoredSkill` reachable for store implementers importing from the library module. */
export type { StoredSkill };
