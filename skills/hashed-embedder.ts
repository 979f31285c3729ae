/**
 * The default embedder: no weights, no network. Text becomes hashed features (words, adjacent word
 * pairs, character trigrams) in a fixed number of dimensions, L2-normalised, so cosine similarity
 * rewards shared words most and shared word pieces a little (typos, plurals, "pickaxe"/"axe").
 * Identifiers are read as words: mineWoodLog -> "mine wood log".
 */
import { normalizeL2, type Embedder } from './embedder.js';

export interface HashedEmbedderOptions {
  /**
   * Dimensions (default 128). More dimensions mean fewer hash collisions but a slower index: HNSW
   * insertion cost grows with dim, and 128 keeps the 100k-skill add rate target (bench/library).
   */
  dim?: number;
  /** Weight of a word pair relative to a word (default 0.5). */
  bigramWeight?: number;
  /** Total weight of one word's character trigrams relative to the word itself (default 0.6). */
  trigramWeight?: number;
}

const STOPWORDS = new Set(
  'a an the and or of to in on at by for from with into onto as is are be it its this that then than so if when while up out use using'.split(' '),
);

/**
 * Words of a text: identifiers split at case changes and digits, lowercased, stop words dropped,
 * a light plural strip (logs -> log, boxes -> box).
 */
export function tokenize(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase();
  const out: string[] = [];
  for (const raw of spaced.split(/[^a-z0-9]+/)) {
    if (!raw || STOPWORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}

function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && /(xes|ches|shes|sses)$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}

/**
 * Features are hashed with 32-bit FNV-1a (seed 0x9747b28c) and a final avalanche (finish). fnv
 * steps over s[from, to) continuing from h, so a feature is hashed in pieces without building it.
 */
function fnv(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

function fnvChar(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED = (0x811c9dc5 ^ 0x9747b28c) >>> 0;
const [W_, B_, C_, COLON, SPACE, CARET, DOLLAR] = [...'wbc: ^$'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number];
/** The hash state after a feature's "x:" prefix. */
const AFTER = { w: fnvChar(fnvChar(SEED, W_), COLON), b: fnvChar(fnvChar(SEED, B_), COLON), c: fnvChar(fnvChar(SEED, C_), COLON) };

export class HashedEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  private readonly bigramWeight: number;
  private readonly trigramWeight: number;

  constructor(options: HashedEmbedderOptions = {}) {
    this.dim = options.dim ?? 128;
    if (!Number.isInteger(this.dim) || this.dim < 8 || this.dim > 65536) throw new RangeError(`HashedEmbedder dim must be an integer in [8, 65536], got ${this.dim}`);
    this.bigramWeight = options.bigramWeight ?? 0.5;
    this.trigramWeight = options.trigramWeight ?? 0.6;
    this.id = `hashed-v1:d${this.dim}:b${this.bigramWeight}:t${this.trigramWeight}`;
  }

  /** Synchronous embedding of one text (the async `embed` wraps it). */
  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    const dim = this.dim;
    const words = tokenize(text);
    // Each feature is the hash of a string ("w:log", "b:oak log", "c:^lo"), computed piecewise over
    // the words without building the strings (the same values as hashing each feature string whole).
    const add = (h: number, weight: number) => {
      v[h % dim]! += h & 0x80000000 ? -weight : weight;
    };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      add(finish(fnv(AFTER.w, w, 0, w.length)), 1);
      if (i + 1 < words.length) {
        const next = words[i + 1]!;
        add(finish(fnv(fnvChar(fnv(AFTER.b, w, 0, w.length), SPACE), next, 0, next.length)), this.bigramWeight);
      }
      // Trigrams of "^w$".
      const grams = w.length;
      if (grams > 1 && this.trigramWeight > 0) {
        const gw = this.trigramWeight / Math.sqrt(grams);
        for (let j = 0; j < grams; j++) {
          // padded[j..j+3) where padded = ^ + w + $, i.e. chars j-1, j, j+1 of w with ^ and $ at the ends.
          let h = AFTER.c;
          for (let x = j - 1; x <= j + 1; x++) h = fnvChar(h, x < 0 ? CARET : x >= w.length ? DOLLAR : w.charCodeAt(x));
          add(finish(h), gw);
        }
      }
    }
    return normalizeL2(v);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
