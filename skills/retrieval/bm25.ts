/**
 * A full-text ranker kept in memory next to the vector index: Okapi BM25 over weighted terms
 * (analyzer.ts), with documents added and removed one at a time as the library changes. Weighted
 * term frequencies let one index mix fields (name counts double) and expansions (a synonym counts
 * a third); weighted query terms let a query's synonyms count less than its own words.
 *
 * @example
 * const ix = new Bm25Index();
 * ix.add(1, new Map([['log', 2], ['oak', 1]]), 3);
 * ix.search(new Map([['log', 1]]), 5);   // [{ id: 1, score: 0.42 }]
 */

export interface Bm25Hit {
  id: number;
  score: number;
}

/** One term's documents: parallel typed arrays, grown by doubling (compact at 100k skills). */
interface Posting {
  ids: Int32Array;
  tfs: Float32Array;
  n: number;
}

export class Bm25Index {
  private readonly termIds = new Map<string, number>();
  private readonly postings: Posting[] = [];
  private readonly docs = new Map<number, { terms: Int32Array; length: number }>();
  private totalLength = 0;
  private readonly k1: number;
  private readonly b: number;

  constructor(options: { k1?: number; b?: number } = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.docs.size;
  }

  has(id: number): boolean {
    return this.docs.has(id);
  }

  ids(): IterableIterator<number> {
    return this.docs.keys();
  }

  /** Add (or replace) a document: weighted term frequencies and its length for normalisation. */
  add(id: number, terms: ReadonlyMap<string, number>, length: number): void {
    this.remove(id);
    const list: number[] = [];
    for (const [t, tf] of terms) {
      if (tf <= 0) continue;
      let tid = this.termIds.get(t);
      if (tid === undefined) {
        tid = this.postings.length;
        this.termIds.set(t, tid);
        this.postings.push({ ids: new Int32Array(4), tfs: new Float32Array(4), n: 0 });
      }
      const p = this.postings[tid]!;
      if (p.n === p.ids.length) {
        const ids = new Int32Array(p.n * 2);
        ids.set(p.ids);
        const tfs = new Float32Array(p.n * 2);
        tfs.set(p.tfs);
        p.ids = ids;
        p.tfs = tfs;
      }
      p.ids[p.n] = id;
      p.tfs[p.n] = tf;
      p.n++;
      list.push(tid);
    }
    const len = Math.max(length, 1);
    this.docs.set(id, { terms: Int32Array.from(list), length: len });
    this.totalLength += len;
  }

  remove(id: number): void {
    const d = this.docs.get(id);
    if (!d) return;
    for (const tid of d.terms) {
      const p = this.postings[tid]!;
      const at = p.ids.subarray(0, p.n).indexOf(id);
      if (at < 0) continue;
      // Order within a posting does not matter: move the last entry into the hole.
      p.n--;
      p.ids[at] = p.ids[p.n]!;
      p.tfs[at] = p.tfs[p.n]!;
    }
    this.totalLength -= d.length;
    this.docs.delete(id);
  }

  /** The k best documents for weighted query terms, best first; `accept` filters ids. */
  search(query: ReadonlyMap<string, number>, k: number, accept?: (id: number) => boolean): Bm25Hit[] {
    const n = this.docs.size;
    if (n === 0 || k < 1) return [];
    const avg = this.totalLength / n;
    const scores = new Map<number, number>();
    for (const [t, qw] of query) {
      const tid = this.termIds.get(t);
      if (tid === undefined) continue;
      const p = this.postings[tid]!;
      if (p.n === 0) continue;
      const idf = Math.log(1 + (n - p.n + 0.5) / (p.n + 0.5));
      for (let i = 0; i < p.n; i++) {
        const id = p.ids[i]!;
        const tf = p.tfs[i]!;
        const len = this.docs.get(id)!.length;
        const s = (qw * idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * len) / avg));
        scores.set(id, (scores.get(id) ?? 0) + s);
      }
    }
    const out: Bm25Hit[] = [];
    for (const [id, score] of scores) if (!accept || accept(id)) out.push({ id, score });
    out.sort((a, b) => b.score - a.score || a.id - b.id);
    return out.slice(0, k);
  }
}
