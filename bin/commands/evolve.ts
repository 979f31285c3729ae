/**
 * `skillforge evolve --env kitchen`: bottom-up skill evolution. The agent solves seeded training
 * instructions with primitives (guided by the kitchen's own planner, exploring now and then),
 * records every decision in episodic memory, and every `--reflect-every` episodes abstracts
 * repeated successful sequences into composite skills (statistically, or with `--llm` by a language
 * model), verifies them in the sandbox on fresh episodes, refines failing ones and prunes those that
 * keep failing. Before and after, it measures decisions per solved instruction on a held-out set.
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../../agents/llm/cli-options.js';
import { intOption, probabilityOption } from '../options.js';

interface EvolveFlags {
  env: string;
  episodes: string;
  seed: string;
  heldOut: string;
  reflectEvery: string;
  epsilon: string;
  minSupport: string;
  noise: string;
  verifyTrials: string;
  verifyRate: string;
  memory: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  addLlmOptions(
    program
      .command('evolve')
      .description('grow composite skills bottom-up from experience (abstract, verify, refine, prune) and measure the gain'),
  )
    .option('--env <kind>', 'environment to evolve skills in (kitchen)', 'kitchen')
    .option('--episodes <n>', 'training episodes', '60')
    .option('--seed <s>', 'seed of the training and held-out instructions', '1')
    .option('--held-out <n>', 'held-out instructions measured before and after', '24')
    .option('--reflect-every <n>', 'reflect (abstract, refine, prune) after this many episodes', '10')
    .option('--epsilon <p>', 'probability of an exploratory decision while training', '0.1')
    .option('--min-support <n>', 'episodes a sequence must recur in to become a skill (statistical reflection)', '3')
    .option('--noise <p>', 'probability scale of feasible kitchen skills failing anyway', '0')
    .option('--verify-trials <n>', 'fresh episodes a new composite is run on before it is stored', '3')
    .option('--verify-rate <p>', 'fraction of those it must succeed in (lower it with --noise, e.g. 0.6 with 5 trials)', '1')
    .option('--no-memory', 'keep episodic memory in RAM instead of <data-dir>/episodic.db')
    .option('--json', 'print the final report as JSON (no live progress)')
    .action(async (flags: EvolveFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      if (flags.env !== 'kitchen') {
        throw new SkillforgeError('E_USAGE', `skillforge evolve supports --env kitchen, not '${flags.env}'`, {
          hint:
            flags.env === 'minecraft'
              ? 'Minecraft skills are learned top-down by `skillforge minecraft` (Voyager); bottom-up evolution there needs a planner for Minecraft tasks (see docs/evolve.md)'
              : 'use --env kitchen',
        });
      }
      const episodes = intOption(flags.episodes, '--episodes', 1);
      const heldOutN = intOption(flags.heldOut, '--held-out', 1);
      const reflectEvery = intOption(flags.reflectEvery, '--reflect-every', 1);
      const minSupport = intOption(flags.minSupport, '--min-support', 1);
      const epsilon = probabilityOption(flags.epsilon, '--epsilon');
      const noise = probabilityOption(flags.noise, '--noise');
      const seed = flags.seed;
      const verifyTrials = intOption(flags.verifyTrials, '--verify-trials', 1);
      const verifyMinRate = probabilityOption(flags.verifyRate, '--verify-rate');

      const [{ llmConfigured, languageModelFromCommand }, evolve, { sandboxSkillRunner }, kitchen, planning, { SkillLibrary }, { SkillRuntime }, { EpisodicMemory }] = await Promise.all([
        import('../../agents/llm/cli-options.js'),
        import('../../agents/evolve/index.js'),
        import('../../agents/saycan/skill-runner.js'),
        import('../../envs/kitchen/index.js'),
        import('../../envs/kitchen/task-planner.js'),
        import('../../skills/library.js'),
        import('../../skills/runtime/runtime.js'),
        import('../../memory/episodic.js'),
      ]);
      const model = llmConfigured(command) ? await languageModelFromCommand(command) : null;
      const library = await SkillLibrary.open(dataDir);
      const memory = EpisodicMemory.open(flags.memory ? { dir: dataDir } : { file: ':memory:' });
      const runtime = new SkillRuntime();
      const out = (s: string) => process.stdout.write(`${s}\n`);
      const live = !flags.json;
      try {
        const primitives = new kitchen.KitchenEnvironment().primitives();
        const reflector = model ? new evolve.LlmReflector(model, { minSupport }) : new evolve.StatisticalReflector({ minSupport });
        const counts = { abstracted: 0, rejected: 0, refined: 0, pruned: 0 };
        const evolver = new evolve.SkillEvolver({
          env: 'kitchen',
          primitives,
          library,
          memory,
          runSkill: sandboxSkillRunner(runtime, library),
          planner: planning.kitchenTaskPlanner(),
          trialEnv: (i) => new kitchen.KitchenEnvironment({ seed: `evolve-trial:${seed}:${i}`, noise }),
          reflector,
          epsilon,
          reflectEvery,
          verifyTrials,
          verifyMinRate,
          seed: Number.isInteger(Number(seed)) ? Number(seed) : undefined,
          onEvent: (e) => {
            if (!live) return;
            switch (e.type) {
              case 'episode': {
                const lib = e.steps.filter((s) => s.source === 'library').length;
                out(`episode ${String(e.index + 1).padStart(3)}/${episodes}  ${e.solved ? 'solved' : 'FAILED'}  ${String(e.decisions).padStart(2)} decisions${lib ? ` (${lib} by skills)` : ''}  library ${e.librarySize}  · ${e.text}`);
                break;
              }
              case 'reflect':
                out(`  reflect (${e.reflector}): ${e.episodes} episodes → ${e.proposals} proposals in ${e.ms.toFixed(0)} ms`);
                break;
              case 'abstracted':
                counts.abstracted++;
                out(`  + ${e.skill} v${e.version}${e.support !== undefined ? ` (seen in ${e.support} episodes)` : ''}: verified on ${e.verification.trials.length} fresh episodes`);
                break;
              case 'rejected':
                counts.rejected++;
                out(`  - ${e.skill}: ${e.reason}`);
                break;
              case 'refined':
                if (e.refinement.repaired) counts.refined++;
                out(`  ${e.refinement.repaired ? '~' : '?'} ${e.refinement.skill} v${e.refinement.from}${e.refinement.to ? ` → v${e.refinement.to}` : ''}: ${e.refinement.reason}`);
                break;
              case 'pruned':
                counts.pruned++;
                out(`  x ${e.skill} v${e.version} deprecated (${e.successes}/${e.attempts} succeeded)`);
                break;
            }
          },
        });
        const heldOut = planning.kitchenTasks(`evolve-held-out:${seed}`, heldOutN, { noise });
        if (live) out(`skillforge evolve: kitchen, ${episodes} training episodes, ${heldOutN} held-out instructions, reflection: ${reflector.id}; library ${dataDir}`);
        const before = await evolver.evaluate(heldOut);
        if (live) out(`before: ${before.solved}/${before.tasks} solved, ${fmt(before.decisionsPerSolved)} decisions per solved instruction\n`);
        const t0 = performance.now();
        const counters = await evolver.evolve(planning.kitchenTasks(`evolve-train:${seed}`, episodes, { noise }));
        const trainMs = performance.now() - t0;
        const after = await evolver.evaluate(heldOut);
        const skills = (await library.list({ env: 'kitchen', allVersions: true })).filter((s) => evolve.compositeOf(s));
        const report = {
          env: 'kitchen',
          episodes,
          seed,
          reflector: reflector.id,
          before: { solved: before.solved, tasks: before.tasks, decisionsPerSolved: before.decisionsPerSolved },
          after: { solved: after.solved, tasks: after.tasks, decisionsPerSolved: after.decisionsPerSolved },
          ratio: after.decisionsPerSolved / before.decisionsPerSolved,
          counters,
          trainMs,
          skills: skills.map(evolve.skillFitness),
          ...(model ? { usage: model.usage() } : {}),
        };
        if (flags.json) {
          out(JSON.stringify(report, null, 2));
          return;
        }
        out('');
        out(`after:  ${after.solved}/${after.tasks} solved, ${fmt(after.decisionsPerSolved)} decisions per solved instruction (×${fmt(report.ratio)} of before)`);
        out(`skills: ${counters.abstracted} abstracted, ${counters.rejected} rejected by verification, ${counters.refined} refined, ${counters.pruned} pruned; training ${(trainMs / 1000).toFixed(1)} s`);
        if (skills.length) {
          out('\n  skill                                            ver  status      success  fitness');
          for (const s of report.skills) out(`  ${s.name.padEnd(48)} ${String(s.version).padStart(3)}  ${s.status.padEnd(10)} ${`${s.successes}/${s.attempts}`.padStart(8)}  ${s.fitness.toFixed(2)}`);
        }
      } finally {
        memory.close();
        await runtime.close();
        await library.close();
        await model?.close();
      }
    });
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}
