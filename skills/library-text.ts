/**
 * The library's full-text side: a BM25 index (retrieval/bm25.ts) over the analysed name, description
 * and code of every head, saved next to the vector graphs and read back on open, so that no search
 * has to build it. What is not in it yet waits in two queues, worked off in the background in slices
 * that leave the event loop free between them, and finished by the next search or save:
 * - `queued`: skills this process just wrote, with their text in hand. An add only queues (analysis
 *   costs about as much as the rest of an add: it is done when the process is idle, not on the add's
 *   path);
 * - `pending`: heads to read from the store (changed by other processes, or everything when no saved
 *   copy fits). A saved copy is a cache: any saved state is a valid base, because open
 * reconciles it with the heads (drops ids that are no head, queues heads it lacks).
 *
 * @example
 * ```ts
 * const text = new LibraryText(new Analyzer(), store, (id, name) => heads.get(id)?.name === name);
 * text.addDoc(7, { name: 'mineWoodLog', description: 'Mine one oak log', code });  // queued
 * const ix = await text.ready();               // analyses what is queued; nothing pending: no store reads
 * ix.search(text.analyzer.query('chop a tree'), 5);
 * const meta = await text.save(dir);           // text-<sha>.bm25, referenced from index.json
 * ```
 */
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File, type TextMeta } from './hnsw-index.js';
import type { Analyzer } from './retrieval/analyzer.js';
import { Bm25Index } from './retrieval/bm25.js';
import type { SkillStore } from './store.js';

/** Rows read per store call while catching up, and per background slice (~20-40 ms of analysis). */
const BATCH = 500;

export class LibraryText {
  readonly analyzer: Analyzer;
  index = new Bm25Index();
  /** Head ids whose text is not in the index yet and must be read from the store. */
  readonly pending = new Set<number>();
  /** Skills written by this process, their text in hand, not analysed yet. */
  private readonly queued = new Map<number, { name: string; description: string; code?: string }>();
  /** The index's term number of each analyzer term number (-1: not looked up yet); reset with the index. */
  private tidOf = new Int32Array(0);
  private readonly store: SkillStore;
  private readonly isHead: (id: number, name: string) => boolean;
  private dirty = true;
  private saved: TextMeta | undefined;
  private background: Promise<void> | undefined;
  private hurry = false;
  private stopped = false;

  constructor(analyzer: Analyzer, store: SkillStore, isHead: (id: number, name: string) => boolean) {
    this.analyzer = analyzer;
    this.store = store;
    this.isHead = isHead;
  }

  /** Changed since it was last saved or loaded (or has skills queued for it). */
  get changed(): boolean {
    return this.dirty || this.queued.size > 0;
  }

  /** Skills not in the index yet (queued or pending). */
  get backlog(): number {
    return this.queued.size + this.pending.size;
  }

  /** A head is known: read it from the store later unless its text is indexed or queued already. */
  want(id: number): void {
    if (!this.index.has(id) && !this.queued.has(id)) this.pending.add(id);
  }

  /** A head this process wrote: its text is analysed when the process is idle, or by the next search. */
  addDoc(id: number, doc: { name: string; description: string; code?: string }): void {
    this.queued.set(id, doc);
    this.pending.delete(id);
    this.catchUpInBackground();
  }

  remove(id: number): void {
    if (this.index.has(id)) {
      this.index.remove(id);
      this.dirty = true;
    }
    this.pending.delete(id);
    this.queued.delete(id);
  }

  /** Analyse up to `max` queued skills into the index. */
  private analyseQueued(max: number): void {
    let n = 0;
    for (const [id, doc] of this.queued) {
      if (n++ >= max) break;
      this.queued.delete(id);
      if (this.isHead(id, doc.name)) this.index1(id, doc);
    }
  }

  /** Analyse one skill into the index, mapping the analyzer's term numbers to the index's. */
  private index1(id: number, doc: { name: string; description: string; code?: string }): void {
    const d = this.analyzer.docTerms(doc);
    if (this.tidOf.length < this.analyzer.terms) {
      const t = new Int32Array(Math.max(this.analyzer.terms * 2, 1024)).fill(-1);
      t.set(this.tidOf);
      this.tidOf = t;
    }
    for (let i = 0; i < d.n; i++) {
      const a = d.terms[i]!;
      let tid = this.tidOf[a]!;
      if (tid < 0) this.tidOf[a] = tid = this.index.termId(this.analyzer.term(a));
      d.terms[i] = tid;
    }
    this.index.addIds(id, d.terms, d.weights, d.n, d.length);
    this.dirty = true;
  }

  /** Forget everything (reindex): every head is queued again by the caller. */
  reset(): void {
    this.index = new Bm25Index();
    this.tidOf = new Int32Array(0);
    this.pending.clear();
    this.queued.clear();
    this.dirty = true;
    this.saved = undefined;
  }

  /** Read and index up to `max` pending heads. */
  private async drain(max: number): Promise<void> {
    // The first `max` of the set (not a copy of all of it: the background takes 500 at a time).
    const ids: number[] = [];
    for (const id of this.pending) {
      if (ids.length >= max) break;
      ids.push(id);
    }
    for (let i = 0; i < ids.length; i += BATCH) {
      const part = ids.slice(i, i + BATCH);
      for (const r of await this.store.getByIds(part)) {
        // A head replaced or removed while this was read is not indexed.
        if (this.pending.has(r.id) && this.isHead(r.id, r.skill.name)) this.index1(r.id, r.skill);
      }
      for (const id of part) this.pending.delete(id);
    }
  }

  /**
   * Catch up in the background, a slice at a time with the event loop free in between (after an open
   * that found no usable saved copy, or many heads it lacks). Searches meanwhile finish the rest.
   */
  catchUpInBackground(): void {
    if (this.background || this.backlog === 0 || this.stopped) return;
    this.hurry = false;
    this.background = (async () => {
      while (this.backlog > 0 && !this.stopped) {
        if (!this.hurry) await new Promise((r) => setImmediate(r));
        if (this.queued.size > 0) this.analyseQueued(BATCH);
        else await this.drain(BATCH);
      }
    })().finally(() => {
      this.background = undefined;
    });
    // Failures surface on the next ready() (which drains the rest itself).
    this.background.catch(() => undefined);
  }

  /** The index with every head in it (reads what is still pending). */
  async ready(): Promise<Bm25Index> {
    if (this.background) {
      this.hurry = true;
      await this.background.catch(() => undefined);
    }
    this.analyseQueued(this.queued.size);
    if (this.pending.size > 0) await this.drain(this.pending.size);
    return this.index;
  }

  /** Stop any background catch-up (close). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.background?.catch(() => undefined);
  }

  /**
   * Write the index as it is (complete or not: open reconciles it) content-addressed into `dir`,
   * unless nothing changed since the last save. Returns what index.json should reference.
   */
  async save(dir: string): Promise<TextMeta> {
    // What this process wrote is in hand: analysed now rather than read back by the next open.
    this.analyseQueued(this.queued.size);
    // Unchanged, and the file is still there (another process's save may have cleaned it up).
    if (!this.dirty && this.saved && existsSync(join(dir, this.saved.file))) return this.saved;
    const tmp = join(dir, `text.tmp-${process.pid}-${Date.now()}.bm25`);
    try {
      const bytes = this.index.toBytes();
      writeFileSync(tmp, bytes);
      if (statSync(tmp).size !== bytes.length) throw new Error(`writing ${tmp} stopped short (disk full?)`);
      const checksum = await sha256File(tmp);
      const file = `text-${checksum.slice(0, 24)}.bm25`;
      renameSync(tmp, join(dir, file));
      this.saved = { file, checksum, bytes: bytes.length, analyzer: this.analyzer.id, count: this.index.size };
      this.dirty = false;
      return this.saved;
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // Never written.
      }
      throw err;
    }
  }

  /**
   * Take the saved index `meta` points at, if it was built with this analysis and is intact.
   * Returns why not otherwise (the caller queues every head instead).
   */
  async load(dir: string, meta: TextMeta | undefined): Promise<string | undefined> {
    if (!meta) return 'no saved text index';
    if (meta.analyzer !== this.analyzer.id) return `the saved text index was built by ${meta.analyzer}, the library now analyses with ${this.analyzer.id}`;
    const file = join(dir, meta.file);
    try {
      if (statSync(file).size !== meta.bytes) return `text index ${file} is not ${meta.bytes} bytes (truncated or overwritten)`;
      if ((await sha256File(file)) !== meta.checksum) return `text index ${file} fails its checksum (corrupt)`;
      this.index = Bm25Index.fromBytes(readFileSync(file));
      this.tidOf = new Int32Array(0);
    } catch (err) {
      return `text index ${file} cannot be read (${(err as Error).message})`;
    }
    this.pending.clear();
    this.saved = meta;
    this.dirty = false;
    return undefined;
  }

  /** Drop indexed ids that are no head any more (after open). */
  retain(isHead: (id: number) => boolean): void {
    for (const id of [...this.index.ids()]) if (!isHead(id)) this.remove(id);
  }
}
