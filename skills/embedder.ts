/**
 * The Embedder contract: text to fixed-length vectors for skill retrieval. `id` names the
 * embedder and its settings; an index built by another id is rebuilt.
 */
export interface Embedder {
  readonly id: string;
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * Scale `v` in place to unit length (a zero vector stays zero) and return it: the library's
 * inner-product index ranks unit vectors by cosine similarity.
 *
 * @example const unit = normalizeL2(Float32Array.from([3, 4])); // [0.6, 0.8]
 */
export function normalizeL2(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}
