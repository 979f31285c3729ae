/**
 * One agent process of the fleet tests and benchmark. Usage:
 *   node --import tsx test/fleet/agent-process.ts <postgres-url|sqlite-dir> <data-dir> <agent-name>
 * SF_POLL_MS sets how often the library checks for other processes' changes (SQLite: polling;
 * PostgreSQL: the feed watermark). SF_MODE=store opens only the store (PostgreSQL, or SQLite <dir>/library.db) and supports 'write'
 * and 'exit': a writer measuring the shared truth without a replica to keep.
 * Reads JSON commands on stdin, writes JSON events on stdout. Times are process.hrtime (monotonic,
 * one clock for every process on the machine), in ms.
 *   {op:'add', name, i}                  -> {ev:'added', name, version, t}
 *   {op:'write', prefix, count, batch}   -> {ev:'written', count, ms}   (count skills, batch per transaction)
 *   {op:'watch', skills:[{name,i}]}      -> {ev:'found', name, t} as soon as search finds each name
 *   {op:'search', text, k}               -> {ev:'hits', names}
 *   {op:'exit'}
 */
import { createInterface } from 'node:readline';
import { openLibrary } from '../../skills/open-library.js';
import { join } from 'node:path';
import { HashedEmbedder } from '../../skills/hashed-embedder.js';
import { isPostgresUrl, PostgresSkillStore } from '../../skills/postgres-store.js';
import { contentHash, embeddingText, emptyParams, emptyStats } from '../../skills/skill.js';
import { SqliteSkillStore } from '../../skills/sqlite-store.js';
import type { SkillDraft, SkillStore } from '../../skills/store.js';
import { skillInput } from './helpers.js';

const [spec, dataDir, agent] = process.argv.slice(2) as [string, string, string];
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const emit = (e: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(e)}\n`);

if (process.env.SF_MODE === 'store') await storeWriter();

const lib = await openLibrary({
  dataDir,
  library: spec,
  agent,
  follow: process.env.SF_FOLLOW !== '0',
  ...(process.env.SF_POLL_MS ? { pollMs: Number(process.env.SF_POLL_MS) } : {}),
  logger: { warn: (m) => process.stderr.write(`${m}\n`) } });
const watched = new Map<string, string>(); // name -> query text

async function checkWatched(): Promise<void> {
  for (const [name, text] of watched) {
    const hits = await lib.search(text, 3);
    if (hits.some((h) => h.skill.name === name)) {
      watched.delete(name);
      emit({ ev: 'found', name, t: now() });
    }
  }
}

// Other agents' skills arrive through the library's change feed; look for watched names then.
lib.subscribe((c) => {
  if (c.kind === 'add' && watched.has(c.name)) void checkWatched();
});

emit({ ev: 'ready', agent, pid: process.pid });

let chain = Promise.resolve();
const input = createInterface({ input: process.stdin });
// The parent is gone (stdin closed): finish what was asked, then leave; never linger as an orphan.
input.on('close', () => {
  void chain.then(async () => {
    await lib.close().catch(() => undefined);
    process.exit(0);
  });
});
input.on('line', (line) => {
  chain = chain.then(async () => {
    const cmd = JSON.parse(line) as Record<string, unknown>;
    try {
      switch (cmd.op) {
        case 'add': {
          const r = await lib.add(skillInput(String(cmd.name), Number(cmd.i), { provenance: { agent } }));
          emit({ ev: 'added', name: r.skill.name, version: r.skill.version, t: now() });
          break;
        }
        case 'write': {
          const count = Number(cmd.count);
          const batch = Number(cmd.batch ?? 1);
          const t0 = now();
          for (let i = 0; i < count; i += batch) {
            const inputs = [];
            for (let j = i; j < Math.min(count, i + batch); j++) inputs.push(skillInput(`${String(cmd.prefix)}${j}`, j, { provenance: { agent } }));
            await lib.addMany(inputs);
          }
          emit({ ev: 'written', count, ms: now() - t0 });
          break;
        }
        case 'watch':
          for (const w of cmd.skills as { name: string; i: number }[]) watched.set(w.name, embeddingText(skillInput(w.name, w.i)));
          emit({ ev: 'watching' });
          await checkWatched();
          break;
        case 'search': {
          const hits = await lib.search(String(cmd.text), Number(cmd.k ?? 5));
          emit({ ev: 'hits', names: hits.map((h) => h.skill.name) });
          break;
        }
        case 'exit':
          await lib.close();
          process.exit(0);
      }
    } catch (err) {
      emit({ ev: 'error', message: (err as Error).message });
    }
  });
});

/** SF_MODE=store: write drafts (with their vectors) straight into the store, never returns. */
async function storeWriter(): Promise<never> {
  const store: SkillStore = isPostgresUrl(spec)
    ? await PostgresSkillStore.connect(spec, { applicationName: `skillforge:${agent}` })
    : new SqliteSkillStore(join(spec, 'library.db'));
  const embedder = new HashedEmbedder();
  const draft = (name: string, i: number): SkillDraft => {
    const s = skillInput(name, i);
    const content = { name, description: s.description, params: emptyParams(), code: s.code, env: s.env, dependencies: [] as string[] };
    return { ...content, status: 'candidate', hash: contentHash(content), provenance: { agent, createdAt: new Date().toISOString() }, stats: emptyStats() };
  };
  emit({ ev: 'ready', agent, pid: process.pid });
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const cmd = JSON.parse(line) as Record<string, unknown>;
    if (cmd.op === 'exit') break;
    if (cmd.op !== 'write') continue;
    const count = Number(cmd.count);
    const batch = Number(cmd.batch ?? 1);
    const t0 = now();
    try {
      for (let i = 0; i < count; i += batch) {
        const drafts: SkillDraft[] = [];
        for (let j = i; j < Math.min(count, i + batch); j++) drafts.push(draft(`${String(cmd.prefix)}${j}`, j));
        const vecs = await embedder.embed(drafts.map((d) => embeddingText(d)));
        await store.putMany(drafts.map((d, k) => ({ draft: d, options: { vector: { embedder: embedder.id, vec: vecs[k]! } } })));
      }
      emit({ ev: 'written', count, ms: now() - t0 });
    } catch (err) {
      emit({ ev: 'error', message: (err as Error).message });
    }
  }
  await store.close();
  process.exit(0);
}
