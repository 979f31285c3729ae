/**
 * The library's full-text side: a BM25 index (retrieval/bm25.ts) over the analysed name, description
 * and code of every head, kept current on every add, saved next to the vector graphs and read back on
 * open, so that no search has to build it. Heads it has not read yet (changed by other processes, or
 * everything when no saved copy fits) wait in `pending`: after an open they are read in the
 * background in slices that leave the event loop free between them, and a search reads whatever is
 * still pending first. A saved copy is a cache: any saved state is a valid base, because open
 * reconciles it with the heads (drops ids that are no head, queues heads it lacks).
 *
 * @example
 * ```ts
 * const text = new LibraryText(new Analyzer(), store, (id, name) => heads.get(id)?.name === name);
 * text.addDoc(7, { name: 'mineWoodLog', description: 'Mine one oak log', code });
 * const ix = await text.ready();               // nothing pending: no store reads
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
  /** Head ids whose text is not in the index yet. */
  readonly pending = new Set<number>();
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

  /** Changed since it was last saved or loaded. */
  get changed(): boolean {
    return this.dirty;
  }

  /** A head is known: queue it unless its text is indexed already. */
  want(id: number): void {
    if (!this.index.has(id)) this.pending.add(id);
  }

  /** Index a head's text now (the writer has it in memory: no read back). */
  addDoc(id: number, doc: { name: string; description: string; code?: string }): void {
    const d = this.analyzer.doc(doc);
    this.index.add(id, d.terms, d.length);
    this.pending.delete(id);
    this.dirty = true;
  }

  remove(id: number): void {
    if (this.index.has(id)) {
      this.index.remove(id);
      this.dirty = true;
    }
    this.pending.delete(id);
  }

  /** Forget everything (reindex): every head is queued again by the caller. */
  reset(): void {
    this.index = new Bm25Index();
    this.pending.clear();
    this.dirty = true;
    this.saved = undefined;
  }

  /** Read and index up to `max` pending heads. */
  private async drain(max: number): Promise<void> {
    const ids = [...this.pending].slice(0, max);
    for (let i = 0; i < ids.length; i += BATCH) {
      const part = ids.slice(i, i + BATCH);
      for (const r of await this.store.getByIds(part)) {
        // A head replaced or removed while this was read is not indexed.
        if (this.pending.has(r.id) && this.isHead(r.id, r.skill.name)) this.addDoc(r.id, r.skill);
      }
      for (const id of part) this.pending.delete(id);
    }
  }

  /**
   * Catch up in the background, a slice at a time with the event loop free in between (after an open
   * that found no usable saved copy, or many heads it lacks). Searches meanwhile finish the rest.
   */
  catchUpInBackground(): void {
    if (this.background || this.pending.size === 0 || this.stopped) return;
    this.hurry = false;
    this.background = (async () => {
      while (this.pending.size > 0 && !this.stopped) {
        if (!this.hurry) await new Promise((r) => setImmediate(r));
        await this.drain(BATCH);
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
