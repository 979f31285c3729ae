/**
 * Retrieval benchmark: how often a search for a paraphrase finds the skill it asks for, per ranking
 * method, on one library. By default the library is built from bench/retrieval-corpus.ts (72 skills,
 * 159 paraphrase queries written for it); any library can be measured with its own queries.
 *
 *   node --import tsx bench/retrieval.bench.ts [--library DIR --queries FILE.json] [--embedder SPEC] [--json]
 *
 * FILE.json: [{ "query": "chop down some trees", "expect": "mineWoodLog" }, ...]. --embedder adds
 * the vector and hybrid rows for that embedder (hashed | onnx:<folder> | openai:<model>@<url> ...).
 *
 * Methods (all through SkillLibrary.search, so the numbers are what users get):
 *   hashed            vectors of the default hashed embedder alone (mode 'vector')
 *   bm25 plain        BM25 over name + description, identifiers split and stemmed, nothing else
 *   bm25              the full-text ranker as shipped: + code evidence, WordNet, Minecraft relations
 *   hybrid            the default: bm25 fused with the vectors
 *   hybrid -split     ablation: identifiers not split (mineWoodLog stays one word) in the text ranker
 *   hybrid -synonyms  ablation: no WordNet and no Minecraft relations
 *   hybrid -wordnet / -domain / -code: one source left out
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Embedder } from '../skills/embedder.js';
import { embedderFromSpec } from '../skills/embedder-spec.js';
import { SkillLibrary, type LibraryOptions, type SearchMode } from '../skills/library.js';
import { PARAPHRASES, RETRIEVAL_SKILLS, type Paraphrase } from './retrieval-corpus.js';

export interface MethodResult {
  method: string;
  top1: number;
  top5: number;
  n: number;
  /** Queries whose skill was not in the top 5: what to look at. */
  missed: string[];
}

export interface Method {
  method: string;
  mode: SearchMode;
  retrieval?: LibraryOptions['retrieval'];
  embedder?: Embedder;
}

export const DEFAULT_METHODS: Method[] = [
  { method: 'hashed', mode: 'vector' },
  { method: 'bm25 plain', mode: 'text', retrieval: { synonyms: false, domain: false, code: false } },
  { method: 'bm25', mode: 'text' },
  { method: 'hybrid', mode: 'hybrid' },
  { method: 'hybrid -split', mode: 'hybrid', retrieval: { splitIdentifiers: false } },
  { method: 'hybrid -synonyms', mode: 'hybrid', retrieval: { synonyms: false, domain: false } },
  { method: 'hybrid -wordnet', mode: 'hybrid', retrieval: { synonyms: false } },
  { method: 'hybrid -domain', mode: 'hybrid', retrieval: { domain: false } },
  { method: 'hybrid -code', mode: 'hybrid', retrieval: { code: false } },
];

const quiet = { warn: () => undefined };

/** recall@1 and @5 of each method over `queries` on the library in `dir`. */
export async function measureRetrieval(dir: string, queries: readonly Paraphrase[], methods: readonly Method[] = DEFAULT_METHODS): Promise<MethodResult[]> {
  const out: MethodResult[] = [];
  for (const m of methods) {
    const lib = await SkillLibrary.open(dir, { logger: quiet, retrieval: m.retrieval, ...(m.embedder ? { embedder: m.embedder } : {}) });
    try {
      let top1 = 0;
      let top5 = 0;
      const missed: string[] = [];
      for (const q of queries) {
        const hits = await lib.search(q.query, 5, { mode: m.mode, status: ['candidate', 'verified', 'deprecated'] });
        const rank = hits.findIndex((h) => h.skill.name === q.expect);
        if (rank === 0) top1++;
        if (rank >= 0) top5++;
        else missed.push(`${q.query} -> ${q.expect} (got ${hits.slice(0, 2).map((h) => h.skill.name).join(', ')})`);
      }
      out.push({ method: m.method, top1, top5, n: queries.length, missed });
    } finally {
      await lib.close();
    }
  }
  return out;
}

/** A fresh library holding the benchmark corpus (the caller removes `dir`). */
export async function corpusLibrary(dir: string): Promise<void> {
  const lib = await SkillLibrary.open(dir, { logger: quiet });
  await lib.addMany(RETRIEVAL_SKILLS);
  await lib.close();
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const libArg = arg('library');
  const queriesArg = arg('queries');
  if (libArg && !queriesArg) throw new Error('--library needs --queries FILE.json ([{ "query": ..., "expect": <skill name> }])');
  const queries: Paraphrase[] = queriesArg ? (JSON.parse(readFileSync(queriesArg, 'utf8')) as Paraphrase[]) : PARAPHRASES;
  for (const q of queries) if (typeof q?.query !== 'string' || typeof q?.expect !== 'string') throw new Error(`bad query entry ${JSON.stringify(q)}: need { query, expect }`);
  const dir = libArg ? resolve(libArg) : mkdtempSync(join(tmpdir(), 'sf-bench-retrieval-'));
  const methods = [...DEFAULT_METHODS];
  const spec = arg('embedder');
  if (spec) {
    const embedder = await embedderFromSpec(spec);
    methods.push({ method: `${spec} vectors`, mode: 'vector', embedder }, { method: `${spec} hybrid`, mode: 'hybrid', embedder });
  }
  try {
    if (!libArg) await corpusLibrary(dir);
    const t0 = performance.now();
    const results = await measureRetrieval(dir, queries, methods);
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(results, null, 2));
      return;
    }
    console.log(`retrieval benchmark: ${queries.length} queries on ${libArg ? dir : `the benchmark corpus (${RETRIEVAL_SKILLS.length} skills)`}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)}%`.padStart(6);
    console.log('method              recall@1  recall@5');
    for (const r of results) console.log(`${r.method.padEnd(18)}  ${pct(r.top1, r.n)}    ${pct(r.top5, r.n)}   (${r.top1}/${r.top5} of ${r.n})`);
    const hybrid = results.find((r) => r.method === 'hybrid')!;
    const bm25 = results.find((r) => r.method === 'bm25')!;
    const plain = results.find((r) => r.method === 'bm25 plain')!;
    const ok = hybrid.top5 / hybrid.n >= 0.85 && hybrid.top5 >= bm25.top5 && hybrid.top5 >= plain.top5;
    console.log(`target: hybrid >= 85% top-5 and never below BM25: ${ok ? 'MET' : 'MISSED'}`);
    if (process.argv.includes('--missed')) for (const r of results) console.log(`\n${r.method} missed:\n  ${r.missed.join('\n  ')}`);
  } finally {
    if (!libArg) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main();
