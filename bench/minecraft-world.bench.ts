/**
 * The embedded Minecraft world: start-to-spawn time (server start -> a mineflayer bot spawned and
 * its chunks loaded) and chunk generation rate, each against flying-squid's own default
 * (diamond_square generation, built-in plugins only) measured in the same run.
 *
 *   node --import tsx bench/minecraft-world.bench.ts [--runs 5] [--chunks 400]
 */
import { createRequire } from 'node:module';
import { MINECRAFT_VERSION, startEmbeddedWorld, type EmbeddedWorldOptions } from '../envs/minecraft/server/world.js';
import { skillforgeGeneration } from '../envs/minecraft/server/generator.js';
import { loadFlyingSquid, squidRequire } from '../envs/minecraft/server/squid.js';
import { median } from './stats.js';

const require = createRequire(import.meta.url);
const mineflayer = require('mineflayer') as typeof import('mineflayer');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const RUNS = arg('runs', 5);
const CHUNKS = arg('chunks', 400);

async function startToSpawn(opts: EmbeddedWorldOptions): Promise<{ start: number; spawn: number; chunks: number }> {
  const t0 = performance.now();
  const world = await startEmbeddedWorld(opts);
  const tStarted = performance.now();
  const bot = mineflayer.createBot({ host: world.host, port: world.port, version: world.version, username: 'bench', auth: 'offline', logErrors: false });
  await new Promise<void>((resolve, reject) => {
    bot.once('spawn', () => resolve());
    bot.once('error', reject);
  });
  const tSpawn = performance.now();
  await bot.waitForChunksToLoad();
  const tChunks = performance.now();
  bot.end();
  await world.stop();
  return { start: tStarted - t0, spawn: tSpawn - t0, chunks: tChunks - t0 };
}

function chunkRate(gen: (x: number, z: number) => unknown, n: number, offset: number): number {
  const side = Math.ceil(Math.sqrt(n));
  const t0 = performance.now();
  let made = 0;
  for (let i = 0; i < side && made < n; i++) for (let j = 0; j < side && made < n; j++, made++) gen(offset + i, offset + j);
  return made / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const squid = loadFlyingSquid();
  const registry = squidRequire('prismarine-registry')(MINECRAFT_VERSION);
  const viewDistance = 6;
  process.stdout.write(`embedded Minecraft world bench: Minecraft ${MINECRAFT_VERSION}, Node ${process.version}, view distance ${viewDistance}, ${RUNS} runs each\n`);

  // Warm both paths once (module loading, JIT) so neither pays it inside the measurement.
  await startToSpawn({ seed: 999, viewDistance });
  await startToSpawn({ seed: 999, viewDistance, plugins: [], generation: { name: 'diamond_square', options: { seed: 999, worldHeight: 80 } } });

  const ours: Array<Awaited<ReturnType<typeof startToSpawn>>> = [];
  const base: Array<Awaited<ReturnType<typeof startToSpawn>>> = [];
  for (let r = 0; r < RUNS; r++) {
    // Alternate so load from elsewhere on the machine hits both alike.
    ours.push(await startToSpawn({ seed: r + 1, viewDistance }));
    base.push(await startToSpawn({ seed: r + 1, viewDistance, plugins: [], generation: { name: 'diamond_square', options: { seed: r + 1, worldHeight: 80 } } }));
  }
  const row = (name: string, xs: typeof ours) =>
    `  ${name.padEnd(50)} start ${median(xs.map((x) => x.start)).toFixed(0).padStart(5)} ms   spawn ${median(xs.map((x) => x.spawn)).toFixed(0).padStart(5)} ms   chunks loaded ${median(xs.map((x) => x.chunks)).toFixed(0).padStart(5)} ms`;
  process.stdout.write('start-to-spawn (median):\n');
  process.stdout.write(`${row('skillforge world (all plugins)', ours)}\n`);
  process.stdout.write(`${row('baseline: flying-squid diamond_square, no plugins', base)}\n`);
  const ratio = median(ours.map((x) => x.spawn)) / median(base.map((x) => x.spawn));
  const ratioChunks = median(ours.map((x) => x.chunks)) / median(base.map((x) => x.chunks));
  process.stdout.write(`  ratio skillforge/baseline: spawn ${ratio.toFixed(2)}x, chunks loaded ${ratioChunks.toFixed(2)}x\n`);

  const ds = squid.generations.diamond_square({ registry, seed: 7, worldHeight: 80 });
  const sf = skillforgeGeneration({ seed: 7, registry });
  chunkRate(ds, 50, 5000);
  chunkRate(sf, 50, 5000);
  const rates = { sf: [] as number[], ds: [] as number[] };
  for (let r = 0; r < 3; r++) {
    rates.sf.push(chunkRate(sf, CHUNKS, r * 1000));
    rates.ds.push(chunkRate(ds, CHUNKS, r * 1000));
  }
  const sfRate = median(rates.sf);
  const dsRate = median(rates.ds);
  process.stdout.write(`chunk generation (${CHUNKS} fresh chunks, median of 3):\n`);
  process.stdout.write(`  skillforge (terrain, trees, ores, water, biomes)  ${sfRate.toFixed(0).padStart(6)} chunks/s\n`);
  process.stdout.write(`  baseline: flying-squid diamond_square             ${dsRate.toFixed(0).padStart(6)} chunks/s\n`);
  process.stdout.write(`  ratio skillforge/baseline: ${(sfRate / dsRate).toFixed(2)}x\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
