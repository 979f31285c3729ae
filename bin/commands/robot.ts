/**
 * `skillforge robot "<instruction>"`: the SayCan agent drives a ROS robot through rosbridge,
 * every command passing the safety layer. Without --url it starts the simulated kitchen robot on
 * 127.0.0.1 (the embedded default) and drives it through the same code path. `--llm offline`
 * puts the kitchen's exact planner in the Say's place (a named baseline, not a model) so the whole
 * loop runs without a language model. Exits 1 when the instruction was not achieved.
 *
 * In a terminal, SPACE or 'e' latches the e-stop at any moment; Ctrl-C stops the robot and exits.
 *
 * @example
 *   skillforge robot "bring me an apple" --llm offline
 *   skillforge robot "go to the table" --url ws://robot:9090 --profile my-robot.yaml --llm ollama:llama3.1
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../llm-options.js';
import { intOption, kitchenSeedOption, positiveOption } from '../options.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';
import { workDone } from '../signals.js';

interface RobotFlags extends UiFlags {
  url?: string;
  profile?: string;
  confirm?: boolean;
  dryRun?: boolean;
  seed: string;
  simSpeed: string;
  maxSteps: string;
  top: string;
  json?: boolean;
  realServer?: boolean;
  llm?: string;
}

/** The parts of a terminal the key reader needs (process.stdin fits; tests pass a stream). */
export interface KeyInput extends NodeJS.EventEmitter {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Keyboard: e-stop on SPACE/'e', answers for --confirm, Ctrl-C. Raw keys only when input is a terminal. */
export class Keys {
  private pending: ((yes: boolean) => void) | undefined;
  private readonly onData: (b: Buffer | string) => void;
  readonly active: boolean;
  constructor(
    onEstop: () => void,
    onInterrupt: () => void,
    private readonly input: KeyInput = process.stdin,
    private readonly output: { write(s: string): unknown } = process.stdout,
  ) {
    this.active = input.isTTY === true && typeof input.setRawMode === 'function';
    this.onData = (b: Buffer | string) => {
      const key = b.toString();
      if (key === '\u0003') return onInterrupt();
      if (key === ' ' || key.toLowerCase() === 'e') {
        this.answer(false);
        return onEstop();
      }
      if (this.pending) this.answer(key.toLowerCase() === 'y');
    };
    if (this.active) {
      input.setRawMode!(true);
      input.resume();
      input.on('data', this.onData);
    }
  }

  /** Ask yes/no: a key press in a terminal, a line otherwise. */
  async ask(question: string): Promise<boolean> {
    this.output.write(`${question} [y/N] `);
    if (this.active) {
      const yes = await new Promise<boolean>((resolve) => (this.pending = resolve));
      this.output.write(yes ? 'yes\n' : 'no\n');
      return yes;
    }
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: this.input as NodeJS.ReadableStream });
    try {
      const line = await rl.question('');
      return /^y(es)?$/i.test(line.trim());
    } finally {
      rl.close();
    }
  }

  close(): void {
    this.answer(false);
    if (!this.active) return;
    this.input.off('data', this.onData);
    this.input.setRawMode!(false);
    this.input.pause();
  }

  private answer(yes: boolean): void {
    const p = this.pending;
    this.pending = undefined;
    p?.(yes);
  }
}

export function register(program: Command): void {
  addUiOptions(addLlmOptions(
    program
      .command('robot')
      .description('drive a ROS robot over rosbridge with the SayCan agent (default: the simulated kitchen robot on 127.0.0.1); --llm offline: the kitchen planner as the Say (simulated robot only)')
      .argument('<instruction>', 'what to do, e.g. "put the apple in the drawer"'),
    { maxOutageSeconds: 600 },
  ))
    .option('--url <ws-url>', 'rosbridge_server of a real robot, e.g. ws://robot:9090 (default: start the simulated robot)')
    .option('--profile <file>', 'robot profile (YAML/JSON): interfaces, locations, safety limits')
    .option('--confirm', 'ask a person before each motion')
    .option('--dry-run', 'log the commands instead of sending them')
    .option('--seed <n>', 'seed of the simulated kitchen', '0')
    .option('--sim-speed <m/s>', 'navigation speed of the simulated robot', '0.5')
    .option('--max-steps <n>', 'stop after this many steps', '20')
    .option('--top <k>', 'candidates shown per step', '5')
    .option('--real-server', 'run the simulated robot as rosbridge_suite behaves (integer fragment ids, silent refusals, slower services)')
    .option('--json', 'print JSON instead of the readable trace')
    .action(async (instruction: string, flags: RobotFlags, command: Command) => {
      const maxSteps = intOption(flags.maxSteps, '--max-steps', 1);
      const topK = intOption(flags.top, '--top', 1);
      const simSpeed = positiveOption(flags.simSpeed, '--sim-speed');
      if (flags.url && !flags.profile) {
        throw new SkillforgeError('E_USAGE', '--url needs --profile: the safety limits and interfaces of a real robot are not guessed', {
          hint: 'start from robots/profiles/nav2-mobile-manipulator.yaml and edit poses, interfaces and limits',
        });
      }
      if (flags.url && !/^wss?:\/\//.test(flags.url)) throw new SkillforgeError('E_USAGE', `--url must be ws:// or wss://, got '${flags.url}'`);

      const [{ requireLanguageModel }, profiles, safety, envMod, saycan, kitchen] = await Promise.all([
        import('../llm-options.js'),
        import('../../robots/profile.js'),
        import('../../robots/safety.js'),
        import('../../robots/environment.js'),
        import('../../agents/saycan/index.js'),
        import('../../envs/kitchen/index.js'),
      ]);
      const offline = flags.llm === 'offline';
      if (offline && flags.url) {
        throw new SkillforgeError('E_USAGE', '--llm offline plans from the simulated robot\'s exact state; a real robot (--url) needs a language model', {
          hint: 'omit --url to use the simulated robot, or name a model: --llm ollama:llama3.1',
        });
      }
      // --llm offline: the kitchen's exact planner as the Say, planning from the simulator's true state.
      let offlineSay: import('../../agents/saycan/planner-say.js').PlannerSay | undefined;
      if (offline) {
        const [{ PlannerSay }, { kitchenTaskPlanner }, { kitchenObservation }] = await Promise.all([
          import('../../agents/saycan/planner-say.js'),
          import('../../envs/kitchen/task-planner.js'),
          import('../../envs/kitchen/observation.js'),
        ]);
        offlineSay = new PlannerSay({
          name: 'kitchen',
          planner: kitchenTaskPlanner(),
          // Filled in below, once the simulator and the environment exist.
          observe: async () => kitchenObservation(plannerState!()),
          callOf: (text) => plannerCalls.get(text),
        });
      }
      const model: import('../../agents/llm/model.js').LanguageModel & { close?(): Promise<void> } =
        offlineSay ?? (await requireLanguageModel(command, 'skillforge robot needs a language model for the Say score (or --llm offline for the kitchen planner baseline)'));
      let plannerState: (() => import('../../envs/kitchen/world.js').KitchenState) | undefined;
      const plannerCalls = new Map<string, import('../../core/types.js').SkillCall>();
      const out = (s: string) => process.stdout.write(`${s}\n`);
      const log = (s: string) => {
        if (!flags.json) process.stderr.write(`${s}\n`);
      };
      const profile = await profiles.loadProfile(flags.profile ?? profiles.builtinProfilePath('sim-kitchen'));

      let sim: import('../../robots/sim/server.js').SimRobot | undefined;
      let robot: import('../../robots/safety.js').SafeRobot | undefined;
      let env: import('../../robots/environment.js').Ros2Environment | undefined;
      const abort = new AbortController();
      const { startUiIfAsked, sampleObservations, firstLine } = await import('../../ui/launch.js');
      const ui = await startUiIfAsked(flags, { title: `skillforge robot`, log: (s) => process.stderr.write(`${s}\n`) });
      let detachUi: (() => void) | undefined;
      let stopSampling: (() => void) | undefined;
      const keys = new Keys(
        () => {
          robot?.estop('e-stop key');
          abort.abort(new SkillforgeError('E_ESTOP', 'stopped by the e-stop key; the robot is halted', { hint: 'check the robot, then run again' }));
        },
        () => {
          robot?.stop('interrupted');
          abort.abort(new SkillforgeError('E_INTERRUPTED', 'interrupted (Ctrl-C); the robot was stopped'));
        },
      );
      // SIGINT / SIGTERM (bin/signals.ts): halt the robot and abort the running skill, as Ctrl-C does.
      const { stopSignal } = await import('../signals.js');
      stopSignal().addEventListener('abort', () => {
        robot?.stop('interrupted');
        abort.abort(new SkillforgeError('E_INTERRUPTED', 'interrupted by a stop signal; the robot was stopped'));
      }, { once: true });
      try {
        let url = flags.url;
        if (!url) {
          const { SimRobot } = await import('../../robots/sim/server.js');
          sim = await SimRobot.start({ profile, seed: kitchenSeedOption(flags.seed), navSpeed: simSpeed, ros: profile.ros, realServer: flags.realServer });
          url = sim.url;
          log(`simulated robot (kitchen seed ${flags.seed}${flags.realServer ? `, rosbridge_suite mode, ROS ${profile.ros}` : ''}) serving rosbridge on ${url}`);
        }
        robot = await safety.SafeRobot.connect({
          url,
          profile,
          dryRun: flags.dryRun,
          log,
          confirm: flags.confirm ? (r) => keys.ask(`  confirm: ${r.description}?`) : undefined,
        });
        robot.on('malformed', (m) => log(`warning: malformed frame from the robot dropped (${m.reason})`));
        // One line per outage (the client retries every 250 ms at most; each retry is not news).
        robot.on('connection-lost', () => log('warning: connection to the robot lost; reconnecting (a stop is owed and goes first when it is back)'));
        robot.on('connection-restored', (r) => log(`connection to the robot restored${r.stopped ? ': the owed stop was delivered first' : ''}`));
        robot.on('estop', (e) => log(`E-STOP latched: ${e.reason}`));
        if (ui) {
          const { attachRobot } = await import('../../ui/robot-panel.js');
          detachUi = attachRobot(ui.hub, robot, {
            simulated: !flags.url,
            onEstop: () => abort.abort(new SkillforgeError('E_ESTOP', 'stopped by the e-stop button on the dashboard; the robot is halted', { hint: 'check the robot, then run again' })),
          });
        }
        const checker = sim
          ? (task: { goal?: Record<string, unknown> }, state: Record<string, unknown>) =>
              kitchen.checkGoal(state.world as import('../../envs/kitchen/world.js').KitchenState, task.goal as unknown as import('../../envs/kitchen/goals.js').KitchenGoal)
          : undefined;
        env = await envMod.Ros2Environment.create(robot, { checker, onEvent: (e) => log(`    ${e.text}`) });
        let goal: unknown = null;
        if (sim) {
          const { KitchenSimWorld } = await import('../../robots/sim/kitchen.js');
          const world = sim.world;
          if (world instanceof KitchenSimWorld) {
            goal = kitchen.goalForText(instruction, world.state);
            plannerState = () => world.state;
          }
        }
        if (offline) {
          if (!goal || !plannerState) {
            throw new SkillforgeError('E_USAGE', `--llm offline plans toward a kitchen goal, and none could be read from '${instruction}'`, {
              hint: 'phrase it as the kitchen understands, e.g. "bring me an apple", "put the coke in the top drawer", or name a model with --llm',
            });
          }
          offlineSay!.setTask({ description: instruction, goal: goal as Record<string, unknown> });
          const { groundPrimitives } = await import('../../agents/act/grounding.js');
          for (const c of groundPrimitives(env.primitives())) plannerCalls.set(c.text, c.call);
          plannerCalls.set('done', { skill: 'done', args: {} });
        }
        if (!flags.json) {
          out(`robot ${profile.name}${flags.url ? ` at ${flags.url}` : ' (simulated)'}; Say: ${model.id}${offline ? ' (the kitchen planner baseline, not a language model)' : ''}; Can: robot-state preconditions${flags.dryRun ? '; DRY RUN' : ''}${flags.confirm ? '; confirming each motion' : ''}`);
          if (keys.active) out('press SPACE or e for the e-stop, Ctrl-C to stop');
          out(`${(await env.observe()).text}\n`);
        }
        if (ui) {
          const observed = env;
          stopSampling = sampleObservations(ui.hub, profile.name, () => observed.observe(), { summary: firstLine });
          ui.hub.progress(profile.name, { task: instruction, iteration: 0 });
        }
        const agent = new saycan.SayCanAgent({
          env,
          model,
          maxSteps,
          topK,
          onStep: (s) => {
            ui?.hub.saycanStep(profile.name, s, instruction);
            if (!flags.json) out(`${saycan.formatStep(s)}\n`);
          },
        });
        const result = await agent.run(instruction, {
          signal: abort.signal,
          task: goal ? { description: instruction, goal: goal as Record<string, unknown> } : undefined,
        });
        // The model stayed down (the robot was not moved by the failed step): the provider's message, exit 69.
        if (result.stopped === 'interrupted' && !abort.signal.aborted && result.error) throw result.error;
        out(flags.json ? JSON.stringify({ ...(saycan.resultJson(result) as object), estop: robot.estopped, dryRun: robot.dryRun }, null, 2) : saycan.formatSummary(result));
        // Not achieved: the agent never said done, a step errored, the check failed, or the e-stop latched.
        const failed = result.stopped !== 'done' || result.check?.success === false || robot.estopped;
        if (failed) {
          process.exitCode = 1;
          const why = robot.estopped ? 'the e-stop is latched' : result.stopped === 'max-steps' ? `no 'done' within ${maxSteps} steps` : result.stopped === 'error' ? (result.error?.message ?? 'a step failed') : (result.check?.reason ?? 'the task check failed');
          process.stderr.write(`instruction not achieved: ${why}\n`);
        }
        stopSampling?.();
        if (ui) {
          workDone(); // the run is over: a signal now only closes the dashboard
          await ui.keepOpen(log);
        }
      } finally {
        stopSampling?.();
        detachUi?.();
        await ui?.close();
        keys.close();
        await env?.close();
        await robot?.close();
        await sim?.close();
        await model.close?.();
      }
    });
}
