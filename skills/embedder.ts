/**
 * The Embedder contract: text to fixed-length vectors for skill retrieval. `id` names the
 * embedder and its settings; an index built by another id is rebuilt.
 */
export interface Embedder {
  readonly id: string;
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
