/**
 * `skillforge evolve --env <kit>`: bottom-up skill evolution on any environment kit with an exact
 * planner and task sets (the kitchen, Minecraft, your own). The agent solves seeded training
 * instructions with primitives (guided by the kit's own planner, exploring now and then),
 * records every decision in episodic memory, and every `--reflect-every` episodes abstracts
 * repeated successful sequences into composite skills (statistically, or with `--llm` by a language
 * model), verifies them in the sandbox on fresh episodes, refines failing ones and prunes those that
 * keep failing. Before and after, it measures decisions per solved instruction on a held-out set.
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../llm-options.js';
import { intOption, probabilityOption } from '../options.js';
import { dataPaths, lockDataDir } from '../paths.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';
import { workDone } from '../signals.js';
import { parseSetting } from '../kit-settings.js';
import type { JsonValue } from '../../core/types.js';

interface EvolveFlags extends UiFlags {
  env: string;
  setting: Record<string, JsonValue>;
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
  addUiOptions(addLlmOptions(
    program
      .command('evolve')
      .description('grow composite skills bottom-up from experience (abstract, verify, refine, prune) and measure the gain'),
    { maxOutageSeconds: 600 },
  ))
    .option('--env <kit>', 'environment kit: kitchen, minecraft (embedded world; defaults then: 12 episodes, 3 held out, reflect every 6, epsilon 0, 2 verify trials), or a kit module path', 'kitchen')
    .option('--setting <key=value>', 'a kit setting, repeatable (robot: url, profile, simSpeed; minecraft: host, port, hostileMobs...)', parseSetting, {})
    .option('--episodes <n>', 'training episodes', '60')
    .option('--seed <s>', 'seed of the training and held-out tasks (and of the Minecraft world)', '1')
    .option('--held-out <n>', 'held-out instructions measured before and after', '24')
    .option('--reflect-every <n>', 'reflect (abstract, refine, prune) after this many episodes', '10')
    .option('--epsilon <p>', 'probability of an exploratory decision while training', '0.1')
    .option('--min-support <n>', 'episodes a sequence must recur in to become a skill (statistical reflection)', '3')
    .option('--noise <p>', 'probability scale of feasible skills failing anyway (simulators)', '0')
    .option('--verify-trials <n>', 'fresh episodes a new composite is run on before it is stored', '3')
    .option('--verify-rate <p>', 'fraction of those it must succeed in (lower it with --noise, e.g. 0.6 with 5 trials)', '1')
    .option('--no-memory', 'keep episodic memory in RAM instead of <data-dir>/episodic.db')
    .option('--json', 'print the final report as JSON (no live progress)')
    .action(async (flags: EvolveFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const { loadKit } = await import('../../kits/registry.js');
      const kit = await loadKit(flags.env);
      const evolveDefaults = kit.defaults?.evolve ?? {};
      // Expensive worlds (Minecraft episodes cost seconds each) bring smaller defaults; a flag given wins.
      const flag = (name: 'episodes' | 'heldOut' | 'reflectEvery' | 'epsilon' | 'verifyTrials'): string =>
        command.getOptionValueSource(name) === 'default' ? evolveDefaults[name] ?? flags[name] : flags[name];
      flags.episodes = flag('episodes');
      flags.heldOut = flag('heldOut');
      flags.reflectEvery = flag('reflectEvery');
      flags.epsilon = flag('epsilon');
      flags.verifyTrials = flag('verifyTrials');
      const episodes = intOption(flags.episodes, '--episodes', 1);
      const heldOutN = intOption(flags.heldOut, '--held-out', 1);
      const reflectEvery = intOption(flags.reflectEvery, '--reflect-every', 1);
      const minSupport = intOption(flags.minSupport, '--min-support', 1);
      const epsilon = probabilityOption(flags.epsilon, '--epsilon');
      const noise = probabilityOption(flags.noise, '--noise');
      const seed = flags.seed;
      const verifyTrials = intOption(flags.verifyTrials, '--verify-trials', 1);
      const verifyMinRate = probabilityOption(flags.verifyRate, '--verify-rate');

      if (!kit.planner) throw new SkillforgeError('E_USAGE', `skillforge evolve needs an environment with an exact planner, and ${kit.name} has none`, { hint: 'use --env kitchen or --env minecraft, or give your kit a planner()' });
      const [{ llmConfigured, languageModelFromCommand }, evolve, { sandboxSkillRunner }, { SkillLibrary }, { SkillRuntime }, { EpisodicMemory }] = await Promise.all([
        import('../llm-options.js'),
        import('../../agents/evolve/index.js'),
        import('../../agents/act/skill-runner.js'),
        import('../../skills/library.js'),
        import('../../skills/runtime/runtime.js'),
        import('../../memory/episodic.js'),
      ]);
      const releaseDataDir = lockDataDir(dataDir, `skillforge ${process.argv.slice(2).join(' ')}`.trim());
      const model = llmConfigured(command) ? await languageModelFromCommand(command) : null;
      // The library every other command reads (skills list, saycan's candidates), not a second one at the root.
      const library = await SkillLibrary.open(dataPaths(dataDir).library);
      const memory = EpisodicMemory.open(flags.memory ? { dir: dataDir } : { file: ':memory:' });
      const runtime = new SkillRuntime();
      const out = (s: string) => process.stdout.write(`${s}\n`);
      const live = !flags.json;
      const { startUiIfAsked } = await import('../../ui/launch.js');
      const ui = await startUiIfAsked(flags, { title: `skillforge evolve (${flags.env})`, library, log: (s) => process.stderr.write(`${s}\n`) });
      let session: import('../../kits/kit.js').KitSession | undefined;
      try {
        session = await kit.open({ seed, noise, settings: flags.setting, languageModel: Boolean(model), ...(live ? { log: out } : {}) });
        const tasks = session.tasks;
        if (!tasks) throw new SkillforgeError('E_USAGE', `skillforge evolve needs seeded task sets, and ${kit.name} has none`, { hint: 'give your kit session a tasks(prefix, n, set)' });
        const primitives = session.primitives ?? session.env.primitives();
        const reflector = model
          ? new evolve.LlmReflector(model, { minSupport })
          : new evolve.StatisticalReflector({ minSupport, ...(evolveDefaults.reflectObserved ? { domain: 'observed' as const } : {}) });
        const counts = { abstracted: 0, rejected: 0, refined: 0, pruned: 0 };
        const fresh = session.fresh.bind(session);
        const evolver = new evolve.SkillEvolver({
          env: kit.kind,
          primitives,
          library,
          memory,
          runSkill: sandboxSkillRunner(runtime, library, evolveDefaults.skillTimeoutMs ? { timeoutMs: evolveDefaults.skillTimeoutMs } : {}),
          planner: kit.planner(),
          trialEnv: (i) => fresh(`evolve-trial:${seed}:${i}`),
          style: kit.callStyle,
          ...(evolveDefaults.maxSteps ? { maxSteps: evolveDefaults.maxSteps } : {}),
          ...(evolveDefaults.maxFailures ? { maxFailures: evolveDefaults.maxFailures } : {}),
          reflector,
          epsilon,
          reflectEvery,
          verifyTrials,
          verifyMinRate,
          seed: Number.isInteger(Number(seed)) ? Number(seed) : undefined,
          onEvent: (e) => {
            if (ui) {
              if (e.type === 'episode') {
                ui.hub.progress('evolve', { task: e.text, iteration: e.index + 1, outcome: { success: e.solved, rounds: e.decisions, librarySize: e.librarySize } });
              } else if (e.type === 'abstracted' || e.type === 'rejected' || e.type === 'pruned') {
                ui.hub.note('evolve', `${e.type} ${e.skill}`);
              }
            }
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
        const heldOut = tasks(`evolve-held-out:${seed}`, heldOutN, 'held-out');
        if (live) out(`skillforge evolve: ${kit.name}, ${episodes} training episodes, ${heldOutN} held-out tasks, reflection: ${reflector.id}; library ${dataDir}`);
        // Ctrl-C / SIGTERM abort the running skill; the interrupted episode is not counted (bin/signals.ts).
        const { stopSignal } = await import('../signals.js');
        const signal = stopSignal();
        const before = await evolver.evaluate(heldOut, { signal });
        if (live) out(`before: ${before.solved}/${before.tasks} solved, ${fmt(before.decisionsPerSolved)} decisions per solved instruction\n`);
        ui?.hub.note('evolve', `held-out before: ${before.solved}/${before.tasks} solved, ${fmt(before.decisionsPerSolved)} decisions per solved instruction`);
        const t0 = performance.now();
        const counters = await evolver.evolve(tasks(`evolve-train:${seed}`, episodes, 'train'), { signal });
        const trainMs = performance.now() - t0;
        const after = await evolver.evaluate(heldOut, { signal });
        ui?.hub.note('evolve', `held-out after: ${after.solved}/${after.tasks} solved, ${fmt(after.decisionsPerSolved)} decisions per solved instruction (before: ${fmt(before.decisionsPerSolved)})`);
        const skills = (await library.list({ env: kit.kind, allVersions: true })).filter((s) => evolve.compositeOf(s));
        const report = {
          env: kit.name,
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
          primitiveSteps: { before: before.primitiveSteps, after: after.primitiveSteps },
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
        if (ui) {
          workDone(); // the run is over: a signal now only closes the dashboard
          await ui.keepOpen((s) => process.stderr.write(`${s}\n`));
        }
      } finally {
        await ui?.close();
        await session?.close();
        memory.close();
        await runtime.close();
        await library.close();
        await model?.close();
        releaseDataDir();
      }
    });
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}
