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
 * const copy = Bm25Index.fromBytes(ix.toBytes()); // the same index (the library keeps one on disk)
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
  /** A read index's postings are views into one buffer, full to their length: grow() copies them out. */
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

  /** The number of a term (created when new), for addIds. */
  termId(t: string): number {
    let tid = this.termIds.get(t);
    if (tid === undefined) {
      tid = this.postings.length;
      this.termIds.set(t, tid);
      this.postings.push({ slots: new Int32Array(4), tfs: new Float32Array(4), n: 0 });
    }
    return tid;
  }

  /**
   * Add (or replace) a document given as term numbers (termId) and weights, the first `n` of each:
   * add() without a map or a string lookup per term (the library's text index adds every skill).
   */
  addIds(id: number, tids: ArrayLike<number>, tfs: ArrayLike<number>, n: number, length: number): void {
    this.remove(id);
    const slot = this.free.pop() ?? this.slots++;
    if (slot >= this.idOf.length) {
      this.idOf = grow(this.idOf, slot + 1);
      this.lenOf = grow(this.lenOf, slot + 1);
    }
    const list = new Int32Array(n);
    let used = 0;
    for (let i = 0; i < n; i++) {
      const tf = tfs[i]!;
      if (!(tf > 0)) continue;
      const tid = tids[i]!;
      const p = this.postings[tid]!;
      if (p.n === p.slots.length) {
        p.slots = grow(p.slots, p.n + 1);
        p.tfs = grow(p.tfs, p.n + 1);
      }
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

  /** Add (or replace) a document: weighted term frequencies and its length for normalisation. */
  add(id: number, terms: ReadonlyMap<string, number>, length: number): void {
    const tids: number[] = [];
    const tfs: number[] = [];
    for (const [t, tf] of terms) {
      if (!(tf > 0)) continue;
      tids.push(this.termId(t));
      tfs.push(tf);
    }
    this.addIds(id, tids, tfs, tids.length, length);
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

  /**
   * The index as bytes: "SFBM" + u32 header length + JSON header (terms in id order, counts) +
   * 4-byte aligned arrays (each slot's id or -1 when free and its length; each term's posting count;
   * all postings' slots, then their weights). Postings are written as they are: no re-sorting, so a
   * read index ranks exactly like the written one.
   */
  toBytes(): Buffer {
    const terms = [...this.termIds.keys()];
    const T = this.postings.length;
    let P = 0;
    for (const p of this.postings) P += p.n;
    const header = Buffer.from(JSON.stringify({ format: 1, slots: this.slots, terms: T, postings: P, k1: this.k1, b: this.b, totalLength: this.totalLength, vocabulary: terms }), 'utf8');
    const pad = (4 - ((8 + header.length) % 4)) % 4;
    const base = 8 + header.length + pad;
    const S = this.slots;
    const buf = Buffer.alloc(base + 4 * (2 * S + T + 2 * P));
    buf.write('SFBM', 0, 'latin1');
    buf.writeUInt32LE(header.length, 4);
    header.copy(buf, 8);
    const ab = buf.buffer;
    const at = buf.byteOffset + base;
    const ids = new Int32Array(ab, at, S);
    ids.fill(-1);
    for (const [id, slot] of this.slotOf) ids[slot] = id;
    new Float32Array(ab, at + 4 * S, S).set(this.lenOf.subarray(0, S));
    const counts = new Int32Array(ab, at + 8 * S, T);
    const slots = new Int32Array(ab, at + 4 * (2 * S + T), P);
    const tfs = new Float32Array(ab, at + 4 * (2 * S + T + P), P);
    let o = 0;
    this.postings.forEach((p, t) => {
      counts[t] = p.n;
      slots.set(p.slots.subarray(0, p.n), o);
      tfs.set(p.tfs.subarray(0, p.n), o);
      o += p.n;
    });
    return buf;
  }

  /** Read what toBytes wrote; throws (saying what is wrong) on anything inconsistent. */
  static fromBytes(buf: Buffer): Bm25Index {
    const bad = (why: string) => new Error(`text index file is invalid: ${why}`);
    if (buf.length < 8 || buf.toString('latin1', 0, 4) !== 'SFBM') throw bad('no SFBM header');
    const hlen = buf.readUInt32LE(4);
    if (8 + hlen > buf.length) throw bad('header runs past the end');
    const h = JSON.parse(buf.toString('utf8', 8, 8 + hlen)) as { format: number; slots: number; terms: number; postings: number; k1: number; b: number; totalLength: number; vocabulary: string[] };
    if (h.format !== 1 || !Array.isArray(h.vocabulary) || h.vocabulary.length !== h.terms) throw bad('unknown format or vocabulary size');
    const { slots: S, terms: T, postings: P } = h;
    if (![S, T, P].every((x) => Number.isInteger(x) && x >= 0)) throw bad('negative or fractional sizes');
    const base = 8 + hlen + ((4 - ((8 + hlen) % 4)) % 4);
    if (buf.length !== base + 4 * (2 * S + T + 2 * P)) throw bad(`${buf.length} bytes, the header implies ${base + 4 * (2 * S + T + 2 * P)}`);
    // One aligned copy: the arrays below are views into it.
    const body = new ArrayBuffer(buf.length - base);
    new Uint8Array(body).set(buf.subarray(base));
    const ix = new Bm25Index({ k1: h.k1, b: h.b });
    const ids = new Int32Array(body, 0, S);
    const lens = new Float32Array(body, 4 * S, S);
    const counts = new Int32Array(body, 8 * S, T);
    const slots = new Int32Array(body, 4 * (2 * S + T), P);
    const tfs = new Float32Array(body, 4 * (2 * S + T + P), P);
    ix.slots = S;
    ix.idOf = new Int32Array(S);
    ix.lenOf = new Float32Array(S);
    const perSlot = new Int32Array(S);
    for (let slot = 0; slot < S; slot++) {
      const id = ids[slot]!;
      if (id < 0) {
        ix.free.push(slot);
        continue;
      }
      if (ix.slotOf.has(id)) throw bad(`id ${id} twice`);
      ix.slotOf.set(id, slot);
      ix.idOf[slot] = id;
      ix.lenOf[slot] = lens[slot]!;
    }
    let o = 0;
    for (let t = 0; t < T; t++) {
      const n = counts[t]!;
      if (n < 0 || o + n > P) throw bad('posting counts exceed the postings');
      for (let i = o; i < o + n; i++) {
        const slot = slots[i]!;
        if (!(slot >= 0 && slot < S) || ids[slot]! < 0) throw bad(`a posting points at slot ${slot}, which holds no document`);
        perSlot[slot]++;
      }
      ix.termIds.set(h.vocabulary[t]!, t);
      ix.postings.push({ slots: slots.subarray(o, o + n), tfs: tfs.subarray(o, o + n), n });
      o += n;
    }
    if (o !== P) throw bad('posting counts do not add up');
    // The running sum as written (summing the lengths again could differ in the last bit, and scores with it).
    if (typeof h.totalLength !== 'number' || !Number.isFinite(h.totalLength)) throw bad('no total length');
    ix.totalLength = h.totalLength;
    // Each document's terms (removal needs them), from the postings in one pass.
    const lists = ix.termsOf;
    for (let slot = 0; slot < S; slot++) if (ids[slot]! >= 0) lists[slot] = new Int32Array(perSlot[slot]!);
    const fill = new Int32Array(S);
    o = 0;
    for (let t = 0; t < T; t++) {
      for (let i = o; i < o + counts[t]!; i++) {
        const slot = slots[i]!;
        lists[slot]![fill[slot]++] = t;
      }
      o += counts[t]!;
    }
    return ix;
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
