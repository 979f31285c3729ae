/**
 * Success rate and time of the acceptance chain (empty inventory -> iron_ingot, nothing given)
 * over fixed seeds of the embedded world, against a baseline measured in the same run: the time from
 * starting the embedded world to a spawned bot (what every episode pays before its first step).
 *
 *   node --import tsx bench/minecraft-chain.bench.ts            # 10 seeds
 *   node --import tsx bench/minecraft-chain.bench.ts --quick    # 3 seeds
 *   node --import tsx bench/minecraft-chain.bench.ts --seeds 4,9
 */
import { runChain, IRON_CHAIN } from '../envs/minecraft/chain.js';
import { createMinecraftEnvironment } from '../envs/minecraft/environment.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick') || process.env.QUICK === '1';
const seedArg = argv[argv.indexOf('--seeds') + 1];
const seeds = argv.includes('--seeds') && seedArg ? seedArg.split(',').map(Number) : quick ? [1, 2, 3] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

interface Row {
  seed: number;
  spawnMs: number;
  success: boolean;
  chainMs: number;
  explorations: number;
  failedAt?: string;
  stepMs: Record<string, number>;
}

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'n/a');

const rows: Row[] = [];
for (const seed of seeds) {
  const t0 = performance.now();
  const env = await createMinecraftEnvironment({ embedded: { seed }, username: `bench${seed}` });
  const spawnMs = performance.now() - t0;
  const stepMs: Record<string, number> = {};
  try {
    const report = await runChain(env, IRON_CHAIN, {
      stepTimeoutMs: 120_000,
      maxExplorations: 4,
      exploreSeconds: 30,
      onStep: (s) => {
        const key = `${s.call.skill}:${s.call.args.name ?? s.call.args.itemName ?? ''}`;
        stepMs[key] = (stepMs[key] ?? 0) + s.durationMs;
      },
    });
    rows.push({ seed, spawnMs, success: report.success, chainMs: report.durationMs, explorations: report.explorations, failedAt: report.error, stepMs });
  } finally {
    await env.close();
  }
  const r = rows[rows.length - 1]!;
  process.stdout.write(
    `seed ${seed}: start-to-spawn ${fmt(spawnMs)}, chain ${r.success ? 'ok' : 'FAILED'} in ${fmt(r.chainMs)}, explorations ${r.explorations}${r.failedAt ? ` — ${r.failedAt.slice(0, 160)}` : ''}\n`,
  );
}

const ok = rows.filter((r) => r.success);
const spawn = median(rows.map((r) => r.spawnMs));
const chain = median(ok.map((r) => r.chainMs));
console.log('\nMinecraft acceptance chain (empty inventory -> iron_ingot), embedded world');
console.log(`seeds: ${seeds.join(', ')}${quick ? ' (quick)' : ''}`);
console.log(`success rate: ${ok.length}/${rows.length} (${((100 * ok.length) / rows.length).toFixed(0)}%)`);
console.log(`baseline, start world + connect + spawn: median ${fmt(spawn)} (min ${fmt(Math.min(...rows.map((r) => r.spawnMs)))}, max ${fmt(Math.max(...rows.map((r) => r.spawnMs)))})`);
console.log(`chain time (successful seeds): median ${fmt(chain)} (min ${fmt(Math.min(...ok.map((r) => r.chainMs)))}, max ${fmt(Math.max(...ok.map((r) => r.chainMs)))})`);
console.log(`ratio chain / start-to-spawn: ${(chain / spawn).toFixed(1)}x`);
const keys = [...new Set(ok.flatMap((r) => Object.keys(r.stepMs)))];
console.log('median time per step kind over successful seeds:');
for (const k of keys) console.log(`  ${k.padEnd(28)} ${fmt(median(ok.map((r) => r.stepMs[k] ?? 0)))}`);
process.exit(0);
