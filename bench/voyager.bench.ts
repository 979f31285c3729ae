/**
 * The offline learner on the embedded world: iterations and wall time to reach wooden, stone and iron
 * tools, per seed, beside Voyager's published iterations (GPT-4; Wang et al. 2023, Table 1: wooden
 * 6 ± 2, stone 11 ± 2, iron 21 ± 7). Each seed starts from an empty inventory and an empty library.
 *
 *   node --import tsx bench/voyager.bench.ts [--seeds 1,2,3,4,5] [--iterations 14]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMinecraftEnvironment, MinecraftTechTree, milestonesReached } from '../envs/minecraft/index.js';
import { SkillLibrary } from '../skills/library.js';
import { SkillRuntime } from '../skills/runtime/runtime.js';
import { Critic, OfflinePlanner, VoyagerLearner } from '../agents/voyager/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const seeds = arg('seeds', '1,2,3,4,5').split(',').map(Number);
const iterations = Number(arg('iterations', '14'));
const VOYAGER = { 'wooden tool': '6 ± 2', 'stone tool': '11 ± 2', 'iron tool': '21 ± 7' } as const;
type Tier = keyof typeof VOYAGER;

const rows: Array<{ seed: number; spawnMs: number; reached: Partial<Record<Tier, { iteration: number; seconds: number }>> }> = [];
const tree = new MinecraftTechTree();
for (const seed of seeds) {
  const dir = mkdtempSync(join(tmpdir(), 'sf-bench-voyager-'));
  const t0 = Date.now();
  const env = await createMinecraftEnvironment({ embedded: { seed }, username: `bench${seed}` });
  const spawnMs = Date.now() - t0;
  const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
  const runtime = new SkillRuntime();
  const planner = new OfflinePlanner(tree);
  const learner = new VoyagerLearner({
    env, library, runtime, curriculum: planner, writer: planner, critic: new Critic(env), agent: `bench${seed}`,
    maxRounds: 2, skillTimeoutMs: 240_000, milestones: milestonesReached,
  });
  try {
    await learner.learn({ iterations });
  } catch (err) {
    process.stderr.write(`seed ${seed}: ${(err as Error).message}\n`);
  }
  const reached: (typeof rows)[number]['reached'] = {};
  for (const m of learner.state.milestones) {
    if (m.name in VOYAGER) reached[m.name as Tier] = { iteration: m.iteration, seconds: m.elapsedMs / 1000 };
  }
  rows.push({ seed, spawnMs, reached });
  process.stdout.write(`seed ${seed}: ${JSON.stringify(reached)} (spawn ${spawnMs} ms)\n`);
  await runtime.close();
  await library.close();
  await env.close();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (xs: number[]) => (xs.length ? `${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)} ± ${Math.sqrt(xs.reduce((a, b) => a + (b - xs.reduce((c, d) => c + d, 0) / xs.length) ** 2, 0) / xs.length).toFixed(1)}` : 'n/a');
process.stdout.write(`\n| milestone | reached (seeds) | iterations, offline planner | wall time s | Voyager (GPT-4) iterations |\n|---|---|---|---|---|\n`);
for (const tier of Object.keys(VOYAGER) as Tier[]) {
  const hits = rows.map((r) => r.reached[tier]).filter((x): x is { iteration: number; seconds: number } => Boolean(x));
  process.stdout.write(`| ${tier} | ${hits.length}/${rows.length} | ${fmt(hits.map((h) => h.iteration))} | ${fmt(hits.map((h) => h.seconds))} | ${VOYAGER[tier]} |\n`);
}
process.exit(0);
