/**
 * `skillforge saycan [--env <kit>] "<instruction>"`: run the SayCan agent in any environment kit (the
 * kitchen simulator by default, the embedded Minecraft world, the simulated robot, or a kit module of
 * your own) and print, for every step, the top candidates with Say, Can and Say × Can, the choice and
 * its outcome. `skillforge saycan --suite` runs the kitchen's fixed instruction suite and prints
 * success per family.
 *
 *   skillforge saycan "bring me an apple" --llm offline
 *   skillforge saycan --env minecraft "make a wooden pickaxe" --llm offline --affordance mc.onnx
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../llm-options.js';
import { dataPaths } from '../paths.js';
import { intOption, probabilityOption } from '../options.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';
import { workDone } from '../signals.js';
import { parseSetting } from '../kit-settings.js';
import type { JsonValue } from '../../core/types.js';

interface SayCanFlags extends UiFlags {
  env: string;
  setting: Record<string, JsonValue>;
  affordance: string | boolean;
  seed: string;
  noise: string;
  maxSteps: string;
  top: string;
  suite?: boolean;
  perFamily: string;
  memory: boolean;
  library: boolean;
  prefilter?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  addUiOptions(addLlmOptions(
    program
      .command('saycan')
      .description('ground a language model in an environment: pick skills by Say (usefulness) × Can (feasibility)')
      .argument('[instruction]', 'what to do, e.g. "bring me an apple"'),
    { maxOutageSeconds: 600 },
  ))
    .option('--env <kit>', 'environment kit: kitchen, minecraft, robot, or a path to your own kit module', 'kitchen')
    .option('--setting <key=value>', 'a kit setting, repeatable (robot: url, profile, simSpeed; minecraft: host, port, hostileMobs...)', parseSetting, {})
    .option('--affordance <model.onnx>', 'a learned affordance model for Can (combined with the environment\'s exact preconditions)')
    .option('--no-affordance', 'switch affordances off: Can = 1 for every skill (no preconditions, no learned model)')
    .option('--seed <n>', 'seed of the start state (the kitchen\'s; Minecraft: the world seed)', '0')
    .option('--noise <p>', 'probability scale of feasible skills failing anyway (simulators)', '0')
    .option('--max-steps <n>', 'stop after this many steps', '20')
    .option('--top <k>', 'candidates shown per step', '5')
    .option('--prefilter', 'ask the language model only about feasible candidates (same choice, far fewer tokens)')
    .option('--suite', 'kitchen: run the fixed instruction suite and print success per family')
    .option('--per-family <n>', 'instructions per family with --suite', '5')
    .option('--no-library', 'do not offer the environment\'s skills from the library (<data-dir>/library) as candidates')
    .option('--no-memory', 'do not record attempts into episodic memory (<data-dir>/episodic.db)')
    .option('--json', 'print JSON instead of the readable trace')
    .action(async (instruction: string | undefined, flags: SayCanFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      if (!instruction && !flags.suite) {
        throw new SkillforgeError('E_USAGE', 'give an instruction or --suite', { hint: 'skillforge saycan "bring me an apple" --llm ollama:llama3.1' });
      }
      const noise = probabilityOption(flags.noise, '--noise');
      const maxSteps = intOption(flags.maxSteps, '--max-steps', 1);
      const topK = intOption(flags.top, '--top', 1);

      const [{ requireLanguageModel }, saycan, { loadKit }] = await Promise.all([
        import('../llm-options.js'),
        import('../../agents/saycan/index.js'),
        import('../../kits/registry.js'),
      ]);
      const kit = await loadKit(flags.env);
      if (flags.suite && kit.name !== 'kitchen') throw new SkillforgeError('E_USAGE', `--suite runs the kitchen's instruction families, not ${kit.name}`, { hint: 'drop --suite, or use --env kitchen' });
      // --llm offline: the kit's exact planner as a named Say baseline (one instruction only).
      const offline = (command.optsWithGlobals() as { llm?: string }).llm === 'offline';
      if (offline && flags.suite) throw new SkillforgeError('E_USAGE', '--llm offline runs one instruction; --suite needs a language model', { hint: 'drop --suite, or name a model: --llm ollama:llama3.1' });
      const offlineCalls = new Map<string, import('../../core/types.js').SkillCall>();
      let session: import('../../kits/kit.js').KitSession | undefined;
      let offlinePlanner: import('../../agents/act/planner.js').Planner | undefined;
      const offlineSay = offline
        ? new saycan.PlannerSay({ name: kit.name, planner: (observation, task) => offlinePlanner!(observation, task), observe: () => session!.env.observe(), callOf: (text) => offlineCalls.get(text) })
        : undefined;
      const model = offlineSay ?? (await requireLanguageModel(command, 'skillforge saycan needs a language model for the Say score (how useful each skill is for the instruction), or --llm offline for the environment planner baseline'));
      const affordanceOff = flags.affordance === false;
      let learned: import('../../agents/affordance/model.js').AffordanceModel | null = null;
      let loaded: { close?: () => Promise<void> } | null = null;
      if (typeof flags.affordance === 'string') {
        const [{ OnnxAffordanceModel }, { forRawObservations }] = await Promise.all([import('../../agents/affordance/onnx-model.js'), import('../../agents/affordance/expansion.js')]);
        const onnx = await OnnxAffordanceModel.load(flags.affordance);
        loaded = onnx;
        // A model trained with the kit's derived call features scores what the environment observes plus those.
        learned = forRawObservations(onnx, await kit.affordance?.features?.());
      }
      let memory: import('../../memory/episodic.js').EpisodicMemory | undefined;
      if (flags.memory) {
        const { EpisodicMemory } = await import('../../memory/episodic.js');
        memory = EpisodicMemory.open({ dir: dataDir });
      }
      // Learned kitchen skills join the candidates when a library exists; they run in the sandbox.
      let library: import('../../skills/library.js').SkillLibrary | undefined;
      let runtime: import('../../skills/runtime/runtime.js').SkillRuntime | undefined;
      const { existsSync } = await import('node:fs');
      const { join } = await import('node:path');
      if (flags.library && existsSync(join(dataPaths(dataDir).library, 'library.db'))) {
        const [{ SkillLibrary }, { SkillRuntime }] = await Promise.all([import('../../skills/library.js'), import('../../skills/runtime/runtime.js')]);
        library = await SkillLibrary.open(dataPaths(dataDir).library);
        runtime = new SkillRuntime();
      }
      const skillTimeoutMs = kit.defaults?.skillTimeoutMs;
      const runSkill = library && runtime ? (await import('../../agents/act/skill-runner.js')).sandboxSkillRunner(runtime, library, skillTimeoutMs ? { timeoutMs: skillTimeoutMs } : {}) : undefined;
      const { startUiIfAsked, sampleObservations, firstLine } = await import('../../ui/launch.js');
      const ui = await startUiIfAsked(flags, { title: `skillforge saycan (${kit.name})`, library, log: (s) => process.stderr.write(`${s}\n`) });
      const agentOptions = { model, affordance: learned, preconditions: !affordanceOff, memory, library, runSkill, maxSteps, topK, prefilter: flags.prefilter === true };
      const out = (s: string) => process.stdout.write(`${s}\n`);
      // Ctrl-C / SIGTERM abort the running skill; nothing of the interrupted step is recorded.
      const { stopSignal } = await import('../signals.js');
      const signal = stopSignal();
      try {
        if (flags.suite) {
          const kitchen = await import('../../envs/kitchen/index.js');
          const suite = kitchen.kitchenSuite({ perFamily: intOption(flags.perFamily, '--per-family', 1), noise });
          const report = await saycan.runSuite(suite, (ins) => new kitchen.KitchenEnvironment({ state: ins.initial }), {
            ...agentOptions,
            signal,
            onResult: (e) => {
              ui?.hub.progress('kitchen', { task: e.text, outcome: { success: e.success, rounds: e.steps } });
              if (!flags.json) out(`${e.success ? 'ok  ' : 'FAIL'}  [${e.family}] ${e.text}  (${e.steps} steps${e.success ? '' : `; ${e.reason}`})`);
            },
          });
          out(flags.json ? JSON.stringify(report, null, 2) : `\n${saycan.formatSuite(report)}`);
          if (ui) {
            workDone(); // the run is over: a signal now only closes the dashboard
            await ui.keepOpen((s) => process.stderr.write(`${s}\n`));
          }
          return;
        }
        session = await kit.open({ seed: flags.seed, noise, settings: flags.setting, languageModel: !offline, ...(flags.json ? {} : { log: (s: string) => process.stderr.write(`${s}\n`) }) });
        const env = session.env;
        const task = session.taskFor?.(instruction!) ?? null;
        // Candidates for this instruction where the kit narrows them (Minecraft: the tech-tree chain up to its goal).
        const primitives = session.primitivesFor?.(instruction!) ?? session.primitives ?? env.primitives();
        if (offlineSay) {
          // The session's own planner where only it can plan (a simulated robot's true state), else the kit's.
          offlinePlanner = session.planner?.() ?? kit.planner?.();
          if (!offlinePlanner) throw new SkillforgeError('E_USAGE', `--llm offline plans with the environment's exact planner, and ${kit.name} has none`, { hint: 'name a model with --llm' });
          if (!task) throw new SkillforgeError('E_USAGE', `--llm offline plans toward a goal, and ${kit.name} could read none from '${instruction}'`, { hint: kit.name === 'kitchen' ? 'e.g. "bring me an apple", or name a model with --llm' : 'name a model with --llm' });
          offlineSay.setTask(task);
          const { groundPrimitives } = await import('../../agents/act/grounding.js');
          for (const c of groundPrimitives(primitives)) offlineCalls.set(c.text, c.call);
          offlineCalls.set('done', { skill: 'done', args: {} });
        }
        const stopSampling = ui ? sampleObservations(ui.hub, kit.name, () => env.observe(), { summary: firstLine }) : undefined;
        const agent = new saycan.SayCanAgent({
          ...agentOptions,
          env,
          primitives,
          ...(kit.sayCanPromptDir ? { promptDir: kit.sayCanPromptDir } : {}),
          onStep: (s) => {
            ui?.hub.saycanStep(kit.name, s, instruction);
            if (!flags.json) out(`${saycan.formatStep(s)}\n`);
          },
        });
        ui?.hub.progress(kit.name, { task: instruction!, iteration: 0 });
        if (!flags.json) {
          out(`${kit.name} seed ${flags.seed}${noise ? `, noise ${noise}` : ''}; Say: ${model.id}; Can: ${affordanceOff ? 'off (1)' : learned ? `preconditions + ${learned.id}` : 'exact preconditions'}`);
          out(`${(await env.observe()).text}\n`);
          if (!task) out(`(the goal of this instruction is not understood by ${kit.name}, so success is not checked)\n`);
        }
        const result = await agent.run(instruction!, { signal, ...(task ? { task } : {}) });
        // A model that stayed down: the provider's message and hint, exit 69 (bin/signals.ts), no summary to misread as a failed task.
        if (result.stopped === 'interrupted' && !signal.aborted && result.error) throw result.error;
        out(flags.json ? JSON.stringify(saycan.resultJson(result), null, 2) : saycan.formatSummary(result));
        if (result.stopped === 'error' || result.check?.success === false) process.exitCode = 1;
        stopSampling?.();
        if (ui) {
          workDone(); // the run is over: a signal now only closes the dashboard
          await ui.keepOpen((s) => process.stderr.write(`${s}\n`));
        }
      } finally {
        await ui?.close();
        await session?.close();
        memory?.close();
        await runtime?.close();
        await library?.close();
        await loaded?.close?.();
        await model.close?.();
      }
    });
}
