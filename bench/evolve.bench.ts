/**
 * Bottom-up skill evolution in the kitchen simulator.
 *
 * 1. Decisions per solved instruction on a held-out, seeded instruction set: before evolution
 *    (primitives only: the baseline, same agent, same planner, same run) and after N training
 *    episodes of evolution, over several seeds. Ratio = after / before.
 * 2. Cost of reflection: statistical abstraction (mining) time on the recorded trajectories and on
 *    a 1,000-episode memory, verification time per proposed composite (sandbox runs on fresh
 *    episodes), and their share of the training wall time.
 *
 * Run: node --import tsx bench/evolve.bench.ts [seeds=5] [episodes=60] [heldOut=24]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minePatterns, SkillEvolver, trajectoriesFromMemory, type EvolveEvent, type Trajectory } from '../agents/evolve/index.js';
import { sandboxSkillRunner } from '../agents/act/skill-runner.js';
import { KitchenEnvironment } from '../envs/kitchen/index.js';
import { kitchenTaskPlanner, kitchenTasks } from '../envs/kitchen/task-planner.js';
import { EpisodicMemory } from '../memory/episodic.js';
import { SkillLibrary } from '../skills/library.js';
import { SkillRuntime } from '../skills/runtime/runtime.js';
import { median } from './stats.js';

const seeds = Number(process.argv[2] ?? 5);
const episodes = Number(process.argv[3] ?? 60);
const heldOutN = Number(process.argv[4] ?? 24);

const primitives = new KitchenEnvironment().primitives();
const runtime = new SkillRuntime();
const rows: { seed: number; before: number; after: number; solvedBefore: number; solvedAfter: number; abstracted: number; rejected: number; refined: number; pruned: number; trainMs: number; reflectMs: number; verifyMs: number; proposals: number }[] = [];
let lastTrajectories: Trajectory[] = [];

for (let seed = 1; seed <= seeds; seed++) {
  const dir = mkdtempSync(join(tmpdir(), 'sf-bench-evolve-'));
  const library = await SkillLibrary.open(dir);
  const memory = EpisodicMemory.open({ file: ':memory:' });
  let reflectMs = 0;
  let proposals = 0;
  let verifyMs = 0;
  let mark = 0;
  const evolver = new SkillEvolver({
    env: 'kitchen',
    primitives,
    library,
    memory,
    runSkill: sandboxSkillRunner(runtime, library),
    planner: kitchenTaskPlanner(),
    trialEnv: (i) => new KitchenEnvironment({ seed: `bench-trial:${seed}:${i}` }),
    seed,
    onEvent: (e: EvolveEvent) => {
      if (e.type === 'reflect') {
        reflectMs += e.ms;
        proposals += e.proposals;
        mark = performance.now();
      } else if (e.type === 'abstracted' || e.type === 'rejected') {
        verifyMs += performance.now() - mark;
        mark = performance.now();
      }
    },
  });
  const heldOut = kitchenTasks(`bench-held-out:${seed}`, heldOutN);
  const before = await evolver.evaluate(heldOut);
  const t0 = performance.now();
  const c = await evolver.evolve(kitchenTasks(`bench-train:${seed}`, episodes));
  const trainMs = performance.now() - t0;
  const after = await evolver.evaluate(heldOut);
  rows.push({
    seed,
    before: before.decisionsPerSolved,
    after: after.decisionsPerSolved,
    solvedBefore: before.solved,
    solvedAfter: after.solved,
    abstracted: c.abstracted,
    rejected: c.rejected,
    refined: c.refined,
    pruned: c.pruned,
    trainMs,
    reflectMs,
    verifyMs,
    proposals,
  });
  lastTrajectories = trajectoriesFromMemory(memory, { env: 'kitchen' });
  memory.close();
  await library.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`seed ${seed}: ${before.decisionsPerSolved.toFixed(2)} -> ${after.decisionsPerSolved.toFixed(2)} decisions per solved (${before.solved}/${heldOutN} -> ${after.solved}/${heldOutN} solved); ${c.abstracted} abstracted, ${c.rejected} rejected, ${c.refined} refined, ${c.pruned} pruned; train ${(trainMs / 1000).toFixed(1)} s\n`);
}

// Mining time on the last run's memory and on a 1,000-episode memory (the same episodes repeated
// under fresh ids with shuffled objects would change nothing for the miner's cost: it is linear).
const t = (fn: () => unknown, rounds = 7) => {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    fn();
    xs.push(performance.now() - s);
  }
  return median(xs);
};
const big: Trajectory[] = [];
for (let i = 0; big.length < 1000; i++) for (const tr of lastTrajectories) if (big.length < 1000) big.push({ ...tr, episode: `${tr.episode}#${i}` });
const mineSmall = t(() => minePatterns(lastTrajectories, primitives, { env: 'kitchen' }));
const mineBig = t(() => minePatterns(big, primitives, { env: 'kitchen' }), 3);
const steps = big.reduce((n, tr) => n + tr.steps.length, 0);

const ratio = rows.map((r) => r.after / r.before);
const sum = (k: keyof (typeof rows)[number]) => rows.reduce((n, r) => n + (r[k] as number), 0);
process.stdout.write('\n');
process.stdout.write(`decisions per solved instruction, median over ${seeds} seeds: before ${median(rows.map((r) => r.before)).toFixed(2)}, after ${median(rows.map((r) => r.after)).toFixed(2)}; ratio median ${median(ratio).toFixed(2)} (min ${Math.min(...ratio).toFixed(2)}, max ${Math.max(...ratio).toFixed(2)})\n`);
process.stdout.write(`solved: before ${sum('solvedBefore')}/${seeds * heldOutN}, after ${sum('solvedAfter')}/${seeds * heldOutN}; skills: ${sum('abstracted')} abstracted, ${sum('rejected')} rejected by verification, ${sum('refined')} refined, ${sum('pruned')} pruned\n`);
process.stdout.write(`training ${episodes} episodes: median ${(median(rows.map((r) => r.trainMs)) / 1000).toFixed(2)} s; reflection (mining) ${(sum('reflectMs') / sum('proposals') || 0).toFixed(2)} ms per proposal, ${((sum('reflectMs') / sum('trainMs')) * 100).toFixed(2)} % of training; verification ${(sum('verifyMs') / Math.max(1, sum('abstracted') + sum('rejected'))).toFixed(1)} ms per composite, ${((sum('verifyMs') / sum('trainMs')) * 100).toFixed(1)} % of training\n`);
process.stdout.write(`mining: ${lastTrajectories.length} episodes in ${mineSmall.toFixed(2)} ms; 1000 episodes (${steps} steps) in ${mineBig.toFixed(1)} ms (${((steps / mineBig) * 1000).toFixed(0)} steps/s)\n`);
await runtime.close();
if (!(median(ratio) < 1)) {
  process.stderr.write('evolution did not reduce decisions per solved instruction\n');
  process.exitCode = 1;
}
