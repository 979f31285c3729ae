/**
 * `skillforge learn --env <kit>`: the lifelong learner (agents/voyager) on any environment kit: the
 * kitchen, the simulated or a real robot, Minecraft, or a kit of your own (a module path). With a
 * language model configured (--llm), the model proposes tasks, writes the skills and judges what
 * the environment cannot check, with the kit's guide; without one, the kit's offline learner (a
 * named baseline: its exact planner as curriculum and skill writer) does, or one built from its
 * planner and seeded tasks, and a kit with neither is refused with what to do instead. Progress is shown live (task, round, outcome, library size);
 * Ctrl-C stops cleanly and a second run resumes the saved curriculum and reuses the library.
 * `skillforge minecraft` stays the Minecraft shorthand (several agents, a chat bridge, the map).
 *
 *   skillforge learn --env kitchen --iterations 10
 *   skillforge learn --env robot --setting simSpeed=5
 *   skillforge learn --env ./my-world/kit.ts --llm openai:gpt-4o-mini
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import type { JsonValue } from '../../core/types.js';
import { addLlmOptions } from '../llm-options.js';
import { intOption } from '../options.js';
import { parseSetting } from '../kit-settings.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';
import type { EnvironmentKit, KitSession } from '../../kits/kit.js';
import type { Curriculum } from '../../agents/voyager/curriculum.js';
import type { SkillWriter } from '../../agents/voyager/skill-writer.js';

interface LearnFlags extends UiFlags {
  env?: string;
  iterations: string;
  seed: string;
  maxRounds: string;
  skillTimeout?: string;
  agent?: string;
  library?: string;
  setting: string[];
  json?: boolean;
}

/**
 * The kit's offline learner; for a kit that has none but an exact planner and seeded tasks, one built
 * from them (the plan curriculum over the seeded tasks, the plan writer in the kit's call style).
 */
async function offlineLearnerOf(kit: EnvironmentKit, session: KitSession): Promise<{ curriculum: Curriculum; writer: SkillWriter } | undefined> {
  if (session.offlineLearner) return session.offlineLearner();
  if (!kit.planner || !session.tasks) return undefined;
  const [{ PlanCurriculum }, { PlanSkillWriter }] = await Promise.all([import('../../agents/voyager/plan-curriculum.js'), import('../../agents/voyager/plan-writer.js')]);
  const planner = kit.planner();
  // The tasks' goals, planned from the learner's own state (their start states are not used).
  const tasks = session.tasks('learn', 24, 'train').map((t) => t.task);
  return {
    curriculum: new PlanCurriculum({ name: kit.name, planner, families: () => [{ name: 'seeded', tasks }] }),
    writer: new PlanSkillWriter({ name: kit.name, planner, style: kit.callStyle }),
  };
}

export function register(program: Command): void {
  addUiOptions(addLlmOptions(
    program
      .command('learn')
      .description('the lifelong learner on any environment kit (--env kitchen|robot|minecraft|<path>): a language model with --llm, else the kit\'s offline planner baseline'),
    { maxOutageSeconds: 600 },
  ))
    .option('--env <kit>', 'environment kit: a built-in name (kitchen, robot, minecraft) or the path of your own kit module')
    .option('--iterations <n>', 'tasks to attempt (0 = until the curriculum has nothing left)', '10')
    .option('--seed <s>', 'seed of the world or start state', '1')
    .option('--max-rounds <n>', 'write-run-critique rounds per task', '4')
    .option('--skill-timeout <s>', "time limit of one skill run, in seconds (default: the kit's, else 300)")
    .option('--agent <name>', 'the learner\'s name: names its saved curriculum and its skills\' provenance (default: the kit\'s name)')
    .option('--library <dir|url>', 'a library folder, or postgres://user@host/db to share one with a fleet; env SKILLFORGE_LIBRARY')
    .option('--setting <key=value>', 'a kit setting, repeatable (robot: url, profile, simSpeed; minecraft: host, port, primitives...)', parseSetting, {})
    .option('--json', 'print one JSON event per line instead of the live status')
    .action(async (flags: LearnFlags & { setting: Record<string, JsonValue> }, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      if (!flags.env) {
        const { builtInKitNames } = await import('../../kits/registry.js');
        throw new SkillforgeError('E_USAGE', 'learn needs --env: the environment to learn in', { hint: `use one of: ${builtInKitNames().join(', ')}; or a path to your own kit module, e.g. --env ./my-kit.ts` });
      }
      const iterations = intOption(flags.iterations, '--iterations', 0) || Number.MAX_SAFE_INTEGER;
      const maxRounds = intOption(flags.maxRounds, '--max-rounds', 1);
      const [{ loadKit }, { llmConfigured, languageModelFromCommand }, { dataPaths, lockDataDir }, { StatusLine }, { LearnerEventPrinter }, voyager] = await Promise.all([
        import('../../kits/registry.js'),
        import('../llm-options.js'),
        import('../paths.js'),
        import('../progress.js'),
        import('../learner-progress.js'),
        import('../../agents/voyager/index.js'),
      ]);
      const kit = await loadKit(flags.env);
      const skillTimeoutMs = flags.skillTimeout !== undefined ? intOption(flags.skillTimeout, '--skill-timeout', 1) * 1000 : (kit.defaults?.skillTimeoutMs ?? 300_000);
      const agent = flags.agent ?? kit.name;
      const paths = dataPaths(dataDir);
      // One learner per data folder: checked before the world starts, so a second run costs nothing.
      const releaseDataDir = lockDataDir(dataDir, `skillforge ${process.argv.slice(2).join(' ')}`.trim());
      const out = new StatusLine();
      const log = (line: string) => (flags.json ? process.stderr.write(`${line}\n`) : out.log(line));
      const cleanup: (() => Promise<unknown> | unknown)[] = [releaseDataDir];
      try {
        const model = llmConfigured(command) ? await languageModelFromCommand(command) : undefined;
        if (model) cleanup.unshift(() => model.close?.());
        const session = await kit.open({ seed: flags.seed, log, settings: flags.setting, languageModel: Boolean(model) });
        cleanup.unshift(() => session.close());
        const offline = model ? undefined : await offlineLearnerOf(kit, session);
        if (!model && !offline) {
          throw new SkillforgeError('E_NO_LLM', `the '${kit.name}' environment has no offline learner (nor an exact planner with seeded tasks to build one from): learning there needs a language model`, {
            hint: `name one with --llm (e.g. --llm ollama:llama3.1 or --llm openai:gpt-4o-mini)${kit.name === 'robot' ? '; or learn on the simulated robot (no --setting url), which plans from its exact state' : ''}`,
          });
        }
        const [{ openLibrary }, { SkillRuntime }, { EpisodicMemory }, { stopSignal, workDone }, { startUiIfAsked, sampleObservations }] = await Promise.all([
          import('../../skills/open-library.js'),
          import('../../skills/runtime/runtime.js'),
          import('../../memory/episodic.js'),
          import('../signals.js'),
          import('../../ui/launch.js'),
        ]);
        const library = await openLibrary({ dataDir, library: flags.library, agent });
        cleanup.unshift(() => library.close());
        const memory = EpisodicMemory.open({ dir: paths.memory });
        cleanup.unshift(() => memory.close());
        const runtime = new SkillRuntime();
        cleanup.unshift(() => runtime.close());
        const ui = await startUiIfAsked(flags, { title: `skillforge learn (${kit.name}: ${agent})`, library, log });
        if (ui) cleanup.unshift(() => ui.close());
        const guide = kit.guide ?? `${kit.description}. Skill code calls the environment through \`${kit.callStyle.root}\`.`;
        const printer = new LearnerEventPrinter({ out, prefix: '', maxRounds, nextIteration: () => learner.state.iterations + 1 });
        const learner: import('../../agents/voyager/learner.js').VoyagerLearner = new voyager.VoyagerLearner({
          env: session.env,
          library,
          runtime,
          memory,
          maxRounds,
          skillTimeoutMs,
          curriculum: model ? new voyager.LlmCurriculum(model, { env: kit.name, envGuide: guide }) : offline!.curriculum,
          writer: model ? new voyager.LlmSkillWriter(model, { envGuide: guide }) : offline!.writer,
          critic: new voyager.Critic(session.env, model),
          agent,
          statePath: paths.learnerState(agent),
          ...(session.milestones ? { milestones: (o: import('../../core/types.js').Observation) => session.milestones!(o) } : {}),
          describe: model ? (written, t) => voyager.describeWithModel(model, kit.name, written, t) : undefined,
          onEvent: (e) => {
            ui?.hub.learner(agent, e);
            if (flags.json) return void process.stdout.write(`${JSON.stringify({ agent, ...e })}\n`);
            if (e.type === 'reuse') out.log(`  reusing ${e.skill} (learned for this task before)`);
            printer.onEvent(e);
          },
        });
        if (learner.state.iterations > 0) {
          log(`resuming: ${learner.state.iterations} iterations, ${learner.state.completed.length} completed, ${learner.state.failed.length} failed`);
        }
        const baseline = offline && (offline.curriculum.id === offline.writer.id ? offline.writer.id : `${offline.curriculum.id.replace(/ \(baseline, no language model\)$/, '')} + ${offline.writer.id}`);
        log(model ? `environment: ${kit.name}; language model: ${model.id}` : `environment: ${kit.name}; no language model configured: using the offline learner ${baseline}`);
        let stopSampling: (() => void) | undefined;
        if (ui) {
          ui.hub.restore(agent, learner.state);
          stopSampling = sampleObservations(ui.hub, agent, () => session.env.observe());
          cleanup.unshift(() => stopSampling?.());
        }
        const summary = await learner.learn({ iterations, signal: stopSignal() });
        out.done();
        const r = summary.results;
        const s = summary.state;
        const line = (text: string) => (flags.json ? process.stdout.write(`${JSON.stringify({ summary: text })}\n`) : out.log(text));
        line(
          `done: ${r.length} tasks this run (${r.filter((x) => x.success).length} succeeded, ${r.filter((x) => x.reused).length} by reuse` +
            `${r.some((x) => x.interrupted) ? `, ${r.filter((x) => x.interrupted).length} interrupted` : ''}); ${s.completed.length} completed in all` +
            `${s.milestones.length ? `; milestones: ${s.milestones.map((m) => `${m.name}@${m.iteration}`).join(', ')}` : ''}`,
        );
        line(`library: ${await library.count()} skills in ${flags.library ?? process.env.SKILLFORGE_LIBRARY ?? paths.library}`);
        if (r.length === 0 && s.iterations === 0) log('the curriculum proposed nothing: nothing here is reachable to learn');
        if (ui) {
          stopSampling?.();
          workDone(); // the run is over: a signal now only closes the dashboard
          await ui.keepOpen(log);
        }
      } finally {
        out.done();
        for (const step of cleanup) {
          try {
            await step();
          } catch {
            // Closing one part must not keep the others (a world, a simulator) running.
          }
        }
      }
    });
}
