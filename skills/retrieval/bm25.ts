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

/** One term's documents (their slots) and weighted frequencies; typed arrays grown by doubling. */
interface Posting {
  slots: Int32Array;
  tfs: Float32Array;
  n: number;
}

function grow<T extends Int32Array | Float32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a);
  return b;
}

export class Bm25Index {
  private readonly termIds = new Map<string, number>();
  private readonly postings: Posting[] = [];
  /** Documents live in dense slots (reused after removal) so scoring indexes arrays, not maps. */
  private readonly slotOf = new Map<number, number>();
  private idOf = new Int32Array(0);
  private lenOf = new Float32Array(0);
  private termsOf: (Int32Array | undefined)[] = [];
  private readonly free: number[] = [];
  private slots = 0;
  private scores = new Float64Array(0);
  private totalLength = 0;
  private readonly k1: number;
  private readonly b: number;

  constructor(options: { k1?: number; b?: number } = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.slotOf.size;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  ids(): IterableIterator<number> {
    return this.slotOf.keys();
  }

  /** Add (or replace) a document: weighted term frequencies and its length for normalisation. */
  add(id: number, terms: ReadonlyMap<string, number>, length: number): void {
    this.remove(id);
    const slot = this.free.pop() ?? this.slots++;
    this.idOf = grow(this.idOf, slot + 1);
    this.lenOf = grow(this.lenOf, slot + 1);
    const list = new Int32Array(terms.size);
    let used = 0;
    for (const [t, tf] of terms) {
      if (!(tf > 0)) continue;
      let tid = this.termIds.get(t);
      if (tid === undefined) {
        tid = this.postings.length;
        this.termIds.set(t, tid);
        this.postings.push({ slots: new Int32Array(4), tfs: new Float32Array(4), n: 0 });
      }
      const p = this.postings[tid]!;
      p.slots = grow(p.slots, p.n + 1);
      p.tfs = grow(p.tfs, p.n + 1);
      p.slots[p.n] = slot;
      p.tfs[p.n] = tf;
      p.n++;
      list[used++] = tid;
    }
    const len = Math.max(length, 1);
    this.slotOf.set(id, slot);
    this.idOf[slot] = id;
    this.lenOf[slot] = len;
    this.termsOf[slot] = list.subarray(0, used);
    this.totalLength += len;
  }

  remove(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    for (const tid of this.termsOf[slot]!) {
      const p = this.postings[tid]!;
      const at = p.slots.subarray(0, p.n).indexOf(slot);
      if (at < 0) continue;
      // Order within a posting does not matter: move the last entry into the hole.
      p.n--;
      p.slots[at] = p.slots[p.n]!;
      p.tfs[at] = p.tfs[p.n]!;
    }
    this.totalLength -= this.lenOf[slot]!;
    this.termsOf[slot] = undefined;
    this.slotOf.delete(id);
    this.free.push(slot);
  }

  /** The k best documents for weighted query terms, best first; `accept` filters ids. */
  search(query: ReadonlyMap<string, number>, k: number, accept?: (id: number) => boolean): Bm25Hit[] {
    const n = this.slotOf.size;
    if (n === 0 || k < 1) return [];
    const avg = this.totalLength / n;
    if (this.scores.length < this.slots) this.scores = new Float64Array(this.slots);
    const scores = this.scores;
    const touched: number[] = [];
    const k1 = this.k1;
    const b = this.b;
    for (const [t, qw] of query) {
      const tid = this.termIds.get(t);
      if (tid === undefined) continue;
      const p = this.postings[tid]!;
      if (p.n === 0) continue;
      const w = qw * Math.log(1 + (n - p.n + 0.5) / (p.n + 0.5)) * (k1 + 1);
      for (let i = 0; i < p.n; i++) {
        const slot = p.slots[i]!;
        const tf = p.tfs[i]!;
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] += (w * tf) / (tf + k1 * (1 - b + (b * this.lenOf[slot]!) / avg));
      }
    }
    // Keep the k best in a small sorted array (k is tens, touched may be tens of thousands).
    const best: Bm25Hit[] = [];
    for (const slot of touched) {
      const score = scores[slot]!;
      scores[slot] = 0;
      if (best.length === k && score <= best[k - 1]!.score) continue;
      const id = this.idOf[slot]!;
      if (accept && !accept(id)) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1]!.score < score || (best[at - 1]!.score === score && best[at - 1]!.id > id))) at--;
      best.splice(at, 0, { id, score });
      if (best.length > k) best.pop();
    }
    return best;
  }
}
