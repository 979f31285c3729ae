/**
 * One agent process of the fleet tests and benchmark. Usage:
 *   node --import tsx test/fleet/agent-process.ts <postgres-url|sqlite-dir> <data-dir> <agent-name>
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
import { embeddingText } from '../../skills/skill.js';
import { skillInput } from './helpers.js';

const [spec, dataDir, agent] = process.argv.slice(2) as [string, string, string];
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const emit = (e: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(e)}\n`);

const lib = await openLibrary({ dataDir, library: spec, agent, logger: { warn: (m) => process.stderr.write(`${m}\n`) } });
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
createInterface({ input: process.stdin }).on('line', (line) => {
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
