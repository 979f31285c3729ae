/**
 * The robot kit: a ROS robot over rosbridge for every agent, every command through the safety layer
 * (robots/safety.ts, the only door). By default a session starts the simulated kitchen robot
 * (robots/sim: a rosbridge server on 127.0.0.1, a free port) and drives it through the same code
 * path as a real one; `settings.url` + `settings.profile` connect to a real robot instead. The robot
 * speaks the kitchen's vocabulary, so on the simulator the kitchen's offline learner (curriculum
 * and plan writer, planning from the simulator's exact state) learns skills in the robot's call
 * style (`robot.pickUp("apple")`). A real robot has no exact state to plan from: it needs a model.
 *
 * Settings (config profile `settings`, or `skillforge learn --setting k=v`): url, profile (a file),
 * simSpeed (m/s), manipulationMs, realServer (behave as rosbridge_suite), dryRun, state (a kitchen
 * state to start the simulator from).
 *
 * @example
 *   skillforge learn --env robot --iterations 4 --setting simSpeed=10
 *   const session = await kit.open({ seed: '3', settings: { simSpeed: 20 } });
 */
import { SkillforgeError } from '../core/errors.js';
import type { Observation } from '../core/types.js';
import { validator } from '../core/validate.js';
import { methodCallStyle } from '../agents/evolve/composite.js';
import type { Environment } from '../envs/environment.js';
import { checkGoal, validateKitchenGoal } from '../envs/kitchen/goals.js';
import { goalForText } from '../envs/kitchen/instructions.js';
import { kitchenTasks, preferFind } from '../envs/kitchen/task-planner.js';
import { planKitchen } from '../envs/kitchen/planner.js';
import { householdGuide } from '../envs/kitchen/vocabulary.js';
import { SAYCAN_KITCHEN } from '../envs/kitchen/layout.js';
import type { KitchenState } from '../envs/kitchen/world.js';
import type { SkillCall } from '../core/types.js';
import type { EnvironmentKit, KitSession } from './kit.js';
import { kitchenOfflineLearner } from './kitchen.js';

/** What a robot session can be told. */
export interface RobotSettings {
  /** rosbridge_server of a real robot (ws:// or wss://); needs `profile`. Default: the simulated robot. */
  url?: string;
  /** Robot profile file (YAML/JSON): interfaces, locations, safety limits. Default: sim-kitchen. */
  profile?: string;
  /** Simulated robot: navigation speed in m/s (default 0.5, as `skillforge robot`). */
  simSpeed?: number;
  /** Simulated robot: how long a pick, place or drawer motion takes (ms; default 1500). */
  manipulationMs?: number;
  /** Simulated robot: behave as rosbridge_suite (integer fragment ids, silent refusals, slower services). */
  realServer?: boolean;
  /** Log the commands instead of sending them. */
  dryRun?: boolean;
  /** Simulated robot: start from this kitchen state (e.g. a fleet task's `initial`) instead of the seed's. */
  state?: KitchenState;
}

const checkSettings = validator<RobotSettings>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^wss?://' },
      profile: { type: 'string', minLength: 1 },
      simSpeed: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
      manipulationMs: { type: 'integer', minimum: 0, maximum: 60_000 },
      realServer: { type: 'boolean' },
      dryRun: { type: 'boolean' },
      state: {
        type: 'object',
        required: ['v', 'layout', 'robot', 'objects', 'drawers'],
        properties: {
          layout: { const: SAYCAN_KITCHEN.version },
          robot: { type: 'object', required: ['at', 'holding'], properties: { at: { type: 'string' }, holding: { type: ['string', 'null'] } } },
          objects: { type: 'object', additionalProperties: { type: 'string' } },
          drawers: { type: 'object', additionalProperties: { type: 'boolean' } },
        },
      },
    },
  },
  'robot settings',
  'settings: url (ws:// or wss://, with profile), profile (a file), simSpeed (m/s), manipulationMs, realServer, dryRun, state (a kitchen state of the sim-kitchen layout)',
);

/** One connection to a robot: the environment and what closes it (robot, then simulator). */
interface Connected {
  env: Environment;
  /** The simulated kitchen's exact state (simulated robot only). */
  state?: () => KitchenState;
  close(): Promise<void>;
}

export const kit: EnvironmentKit = {
  name: 'robot',
  description: 'a ROS robot over rosbridge through the safety layer (default: the simulated kitchen robot; settings.url + profile for yours)',
  kind: 'ros2',
  callStyle: methodCallStyle('robot'),
  guide:
    `A mobile manipulator in a kitchen, driven over ROS; every command passes a safety layer. ${householdGuide('robot')} ` +
    'robot.gripper("open"|"close") opens or closes the gripper. robot.observe() resolves to the robot\'s belief: where it is, what it holds and sees, where it last saw each object.',
  async open({ seed, log, settings }): Promise<KitSession> {
    const s = checkSettings(settings ?? {});
    if (s.url && s.state) throw new SkillforgeError('E_USAGE', 'settings.state sets the simulated kitchen; a real robot (settings.url) is in the state it is in');
    if (s.url && !s.profile) {
      throw new SkillforgeError('E_USAGE', 'a real robot (settings.url) needs settings.profile: its safety limits and interfaces are not guessed', {
        hint: 'start from robots/profiles/nav2-mobile-manipulator.yaml and edit poses, interfaces and limits',
      });
    }
    const kitchenSeed = /^\d+$/.test(seed) ? Number(seed) : seed;
    const main = await connect(s, kitchenSeed, log);
    /** A simulated robot of its own for an episode; closing the environment stops it. */
    const episode = async (episodeSeed: number | string, state?: KitchenState): Promise<Environment> => {
      const c = await connect({ ...s, ...(state ? { state } : {}) }, episodeSeed);
      const env = c.env;
      const closeEnv = env.close.bind(env);
      // The caller closes the environment: that stops the robot connection and its simulator too.
      env.close = async () => {
        await closeEnv();
        await c.close();
      };
      return env;
    };
    const session: KitSession = {
      env: main.env,
      fresh: (id) => {
        // A real robot's world cannot be reset; a simulated one is started anew from the seed `id`.
        if (s.url) throw new SkillforgeError('E_USAGE', 'a real robot has no fresh episodes: its world is the one it is in', { hint: 'use the simulated robot (no settings.url) for episodes and trials' });
        return episode(/^\d+$/.test(id) ? Number(id) : id);
      },
      taskFor: (instruction) => {
        if (!main.state) return null;
        const goal = goalForText(instruction, main.state());
        return goal ? { description: instruction, goal: goal as unknown as Record<string, unknown> } : null;
      },
      close: async () => {
        await main.env.close();
        await main.close();
      },
    };
    if (main.state) {
      // Seeded kitchen instructions, each on a simulated robot of its own started from the instruction's state.
      session.tasks = (prefix, n) =>
        kitchenTasks(prefix, n).map((t) => ({ id: t.id, task: t.task, makeEnv: () => episode(t.id, t.instruction.initial) }));
      const state = main.state;
      // The simulator's true state is what the exact planner needs: the robot's own observation is a belief.
      session.planner = () => (_observation, task) => {
        if (task.goal === undefined) return null;
        const now = state();
        const plan = planKitchen(now, validateKitchenGoal(task.goal));
        return plan ? (preferFind(now, plan) as SkillCall[]) : null;
      };
      session.offlineLearner = () => kitchenOfflineLearner({ name: 'robot', state: (_: Observation) => state(), style: kit.callStyle, namePrefix: 'robot' });
    }
    return session;
  },
};

/** Start the simulator (unless a url is given), connect through the safety layer, open the environment. */
async function connect(s: RobotSettings, seed: number | string, log?: (line: string) => void): Promise<Connected> {
  const [profiles, { SafeRobot }, { Ros2Environment }] = await Promise.all([
    import('../robots/profile.js'),
    import('../robots/safety.js'),
    import('../robots/environment.js'),
  ]);
  const profile = await profiles.loadProfile(s.profile ?? profiles.builtinProfilePath('sim-kitchen'));
  let sim: import('../robots/sim/server.js').SimRobot | undefined;
  let robot: import('../robots/safety.js').SafeRobot | undefined;
  try {
    let url = s.url;
    let state: (() => KitchenState) | undefined;
    if (!url) {
      const [{ SimRobot }, { KitchenSimWorld }] = await Promise.all([import('../robots/sim/server.js'), import('../robots/sim/kitchen.js')]);
      const world = new KitchenSimWorld(seed);
      if (s.state) world.state = structuredClone(s.state);
      // The robot starts where the kitchen state says it is.
      const start = profile.locations[world.state.robot.at];
      sim = await SimRobot.start({
        profile, world, navSpeed: s.simSpeed ?? 0.5, ros: profile.ros, realServer: s.realServer,
        ...(start ? { start } : {}),
        ...(s.manipulationMs !== undefined ? { manipulationMs: s.manipulationMs } : {}),
      });
      url = sim.url;
      state = () => world.state;
      log?.(`simulated robot (kitchen seed ${seed}${s.realServer ? ', rosbridge_suite mode' : ''}) serving rosbridge on ${url}`);
    }
    robot = await SafeRobot.connect({ url, profile, dryRun: s.dryRun, log });
    const checker = state
      ? (task: { goal?: Record<string, unknown> }, reported: Record<string, unknown>) =>
          checkGoal(reported.world as KitchenState, validateKitchenGoal(task.goal))
      : undefined;
    const env = await Ros2Environment.create(robot, { checker });
    const opened = { robot, sim };
    return {
      env,
      ...(state ? { state } : {}),
      close: async () => {
        await opened.robot.close();
        await opened.sim?.close();
      },
    };
  } catch (err) {
    await robot?.close();
    await sim?.close();
    throw err;
  }
}
