/**
 * `skillforge robot "<instruction>"`: the SayCan agent drives a ROS 2 robot through rosbridge,
 * every command passing the safety layer. Without --url it starts the simulated kitchen robot on
 * 127.0.0.1 (the embedded default) and drives it through the same ROS 2 code path.
 *
 * In a terminal, SPACE or 'e' latches the e-stop at any moment; Ctrl-C stops the robot and exits.
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../../agents/llm/cli-options.js';
import { intOption, kitchenSeedOption, positiveOption } from '../options.js';

interface RobotFlags {
  url?: string;
  profile?: string;
  confirm?: boolean;
  dryRun?: boolean;
  seed: string;
  simSpeed: string;
  maxSteps: string;
  top: string;
  json?: boolean;
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
  addLlmOptions(
    program
      .command('robot')
      .description('drive a ROS 2 robot over rosbridge with the SayCan agent (default: the simulated kitchen robot on 127.0.0.1)')
      .argument('<instruction>', 'what to do, e.g. "put the apple in the drawer"'),
    { maxOutageSeconds: 600 },
  )
    .option('--url <ws-url>', 'rosbridge_server of a real robot, e.g. ws://robot:9090 (default: start the simulated robot)')
    .option('--profile <file>', 'robot profile (YAML/JSON): interfaces, locations, safety limits')
    .option('--confirm', 'ask a person before each motion')
    .option('--dry-run', 'log the commands instead of sending them')
    .option('--seed <n>', 'seed of the simulated kitchen', '0')
    .option('--sim-speed <m/s>', 'navigation speed of the simulated robot', '0.5')
    .option('--max-steps <n>', 'stop after this many steps', '20')
    .option('--top <k>', 'candidates shown per step', '5')
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
        import('../../agents/llm/cli-options.js'),
        import('../../robots/profile.js'),
        import('../../robots/safety.js'),
        import('../../robots/environment.js'),
        import('../../agents/saycan/index.js'),
        import('../../envs/kitchen/index.js'),
      ]);
      const model = await requireLanguageModel(command, 'skillforge robot needs a language model for the Say score');
      const out = (s: string) => process.stdout.write(`${s}\n`);
      const log = (s: string) => {
        if (!flags.json) process.stderr.write(`${s}\n`);
      };
      const profile = await profiles.loadProfile(flags.profile ?? profiles.builtinProfilePath('sim-kitchen'));

      let sim: import('../../robots/sim/server.js').SimRobot | undefined;
      let robot: import('../../robots/safety.js').SafeRobot | undefined;
      let env: import('../../robots/environment.js').Ros2Environment | undefined;
      const abort = new AbortController();
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
          sim = await SimRobot.start({ profile, seed: kitchenSeedOption(flags.seed), navSpeed: simSpeed });
          url = sim.url;
          log(`simulated robot (kitchen seed ${flags.seed}) serving rosbridge on ${url}`);
        }
        robot = await safety.SafeRobot.connect({
          url,
          profile,
          dryRun: flags.dryRun,
          log,
          confirm: flags.confirm ? (r) => keys.ask(`  confirm: ${r.description}?`) : undefined,
        });
        robot.on('malformed', (m) => log(`warning: malformed frame from the robot dropped (${m.reason})`));
        robot.on('connection-lost', () => log('warning: connection to the robot lost; reconnecting'));
        robot.on('estop', (e) => log(`E-STOP latched: ${e.reason}`));
        const checker = sim
          ? (task: { goal?: Record<string, unknown> }, state: Record<string, unknown>) =>
              kitchen.checkGoal(state.world as import('../../envs/kitchen/world.js').KitchenState, task.goal as unknown as import('../../envs/kitchen/goals.js').KitchenGoal)
          : undefined;
        env = await envMod.Ros2Environment.create(robot, { checker, onEvent: (e) => log(`    ${e.text}`) });
        let goal: unknown = null;
        if (sim) {
          const { KitchenSimWorld } = await import('../../robots/sim/kitchen.js');
          if (sim.world instanceof KitchenSimWorld) goal = kitchen.goalForText(instruction, sim.world.state);
        }
        if (!flags.json) {
          out(`robot ${profile.name}${flags.url ? ` at ${flags.url}` : ' (simulated)'}; Say: ${model.id}; Can: robot-state preconditions${flags.dryRun ? '; DRY RUN' : ''}${flags.confirm ? '; confirming each motion' : ''}`);
          if (keys.active) out('press SPACE or e for the e-stop, Ctrl-C to stop');
          out(`${(await env.observe()).text}\n`);
        }
        const agent = new saycan.SayCanAgent({ env, model, maxSteps, topK, onStep: flags.json ? undefined : (s) => out(`${saycan.formatStep(s)}\n`) });
        const result = await agent.run(instruction, {
          signal: abort.signal,
          task: goal ? { description: instruction, goal: goal as Record<string, unknown> } : undefined,
        });
        // The model stayed down (the robot was not moved by the failed step): the provider's message, exit 69.
        if (result.stopped === 'interrupted' && !abort.signal.aborted && result.error) throw result.error;
        out(flags.json ? JSON.stringify({ ...(saycan.resultJson(result) as object), estop: robot.estopped, dryRun: robot.dryRun }, null, 2) : saycan.formatSummary(result));
        if (result.stopped === 'error' || result.check?.success === false || robot.estopped) process.exitCode = 1;
      } finally {
        keys.close();
        await env?.close();
        await robot?.close();
        await sim?.close();
        await model.close();
      }
    });
}
