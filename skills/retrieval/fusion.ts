/**
 * Fusing two rankings of the same skills (full-text BM25 and vector similarity) into one.
 * - 'rrf': reciprocal rank fusion, sum of weight / (60 + rank): needs no comparable scores.
 * - 'linear' (default): each ranker's scores divided by its best score, then a weighted sum; unlike
 *   RRF it keeps how far ahead a clear winner is, so a strong text match is not diluted by a weak
 *   vector ranking (the offline hashed embedder's).
 *
 * @example
 * fuse([{ id: 1, score: 9 }, { id: 2, score: 3 }], [{ id: 2, score: 0.8 }], { method: 'linear', textWeight: 0.7 });
 * // [{ id: 1, score: 0.7 }, { id: 2, score: 0.533... }]
 */

export interface Ranked {
  id: number;
  score: number;
}

export interface FusionOptions {
  method?: 'linear' | 'rrf';
  /** Share of the text ranker, in [0, 1] (default 0.7); the vector ranker gets the rest. */
  textWeight?: number;
}

export interface Fused {
  id: number;
  score: number;
  text?: number;
  vector?: number;
}

export function fuse(text: readonly Ranked[], vector: readonly Ranked[], options: FusionOptions = {}): Fused[] {
  const wt = options.textWeight ?? 0.7;
  const wv = 1 - wt;
  const out = new Map<number, Fused>();
  const entry = (id: number) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { id, score: 0 }));
    return e;
  };
  if (options.method === 'rrf') {
    text.forEach((h, r) => {
      const e = entry(h.id);
      e.text = h.score;
      e.score += wt / (60 + r + 1);
    });
    vector.forEach((h, r) => {
      const e = entry(h.id);
      e.vector = h.score;
      e.score += wv / (60 + r + 1);
    });
  } else {
    const tmax = text.length ? text[0]!.score : 1;
    // Cosine can be negative: only the part above zero counts as evidence.
    const vmax = Math.max(1e-9, ...vector.map((h) => h.score));
    for (const h of text) {
      const e = entry(h.id);
      e.text = h.score;
      e.score += tmax > 0 ? (wt * h.score) / tmax : 0;
    }
    for (const h of vector) {
      const e = entry(h.id);
      e.vector = h.score;
      e.score += (wv * Math.max(0, h.score)) / vmax;
    }
  }
  return [...out.values()].sort((a, b) => b.score - a.score || a.id - b.id);
}
