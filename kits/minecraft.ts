/**
 * The Minecraft kit: the embedded flying-squid world (seeded) or any server (`settings.host`), for
 * every agent. The session's environment is one bot; fresh episodes are new bots in the same world
 * (empty inventory, no commands); the groundable primitives carry value domains from the tech tree
 * (mineBlock over the blocks of the training goals, craftItem over their recipes...), so SayCan and
 * evolution can enumerate them; the tech-tree planner is the offline baseline for Say and evolution,
 * the offline planner (obtain<Item> skills) the learner's.
 *
 * @example
 *   skillforge saycan --env minecraft "make a stone pickaxe" --llm offline
 *   skillforge learn --env minecraft --iterations 5
 */
import { fileURLToPath } from 'node:url';
import { SkillforgeError } from '../core/errors.js';
import { validator } from '../core/validate.js';
import { functionCallStyle } from '../agents/evolve/composite.js';
import { OfflinePlanner } from '../agents/voyager/offline-planner.js';
import { MINECRAFT_GUIDE, milestonesReached } from '../envs/minecraft/guide.js';
import { minecraftSkillTemplates } from '../envs/minecraft/skill-templates.js';
import type { Environment } from '../envs/environment.js';
import type { EnvironmentKit, KitSession } from './kit.js';

/** What a session of the Minecraft kit can be told (config profile `settings`, or the flags of `skillforge minecraft`). */
export interface MinecraftSettings {
  /** Join this server instead of starting the embedded world. */
  host?: string;
  port?: number;
  auth?: 'offline' | 'microsoft';
  username?: string;
  version?: string;
  /** Embedded world: zombies, skeletons, spiders... at night. */
  hostileMobs?: boolean;
  /** How primitives called from skill code treat a missing item: 'voyager' (chat and return) or 'strict'. */
  primitives?: 'voyager' | 'strict';
}

const checkSettings = validator<MinecraftSettings>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      auth: { enum: ['offline', 'microsoft'] },
      username: { type: 'string', pattern: '^[A-Za-z0-9_]{1,16}$' },
      version: { type: 'string' },
      hostileMobs: { type: 'boolean' },
      primitives: { enum: ['voyager', 'strict'] },
    },
  },
  'minecraft settings',
  'settings: host, port, auth, username (1-16 letters, digits, _), version, hostileMobs, primitives (voyager|strict)',
);

export const kit: EnvironmentKit = {
  name: 'minecraft',
  description: 'Minecraft: the embedded world (seeded, no setup) or your server (settings.host)',
  kind: 'minecraft',
  callStyle: functionCallStyle('bot'),
  guide: MINECRAFT_GUIDE,
  sayCanPromptDir: fileURLToPath(new URL('../envs/minecraft/prompts', import.meta.url)),
  planner: () => {
    // Loaded with the kit's dependencies only when asked for (mineflayer's data tables are large).
    let planner: ReturnType<typeof import('../envs/minecraft/task-planner.js')['minecraftTaskPlanner']> | undefined;
    return async (observation, task) => {
      if (!planner) planner = (await import('../envs/minecraft/task-planner.js')).minecraftTaskPlanner();
      return planner(observation, task);
    };
  },
  affordance: {
    features: async () => (await import('../envs/minecraft/affordance-features.js')).minecraftCallFeatures(),
    // Bots wait on game ticks (walking, digging): eight explore at once; short episodes start from an
    // empty inventory often, where most SayCan decisions are made; exploreUntil walks for 30 s. Biased
    // draws take exactly feasible calls only (crafts): drawing the unknown mines too filled the data
    // with 30 s timeouts on logs left hanging by earlier bots, slow and unpredictable from the state.
    explore: { workers: 8, stepsPerEpisode: 5, feasibleBias: 0.6, unknownFeasible: false, exclude: ['done', 'exploreUntil'], instruction: 'make a stone pickaxe', timeoutMs: 30_000 },
  },
  defaults: {
    evolve: { episodes: '12', heldOut: '3', reflectEvery: '6', epsilon: '0', verifyTrials: '2', maxSteps: 16, maxFailures: 3, skillTimeoutMs: 180_000, reflectObserved: true },
    skillTimeoutMs: 300_000,
  },
  async open({ seed, log, settings, languageModel }): Promise<KitSession> {
    const s = checkSettings(settings ?? {});
    const worldSeed = Number(seed);
    if (!s.host && !Number.isInteger(worldSeed)) throw new SkillforgeError('E_USAGE', `the Minecraft seed must be an integer (it seeds the embedded world), got '${seed}'`, { hint: 'e.g. --seed 1' });
    if (s.hostileMobs && s.host) throw new SkillforgeError('E_USAGE', 'hostile mobs can be switched on in the embedded world only; your own server decides its mobs');
    const [{ startEmbeddedWorld }, { MinecraftEpisodes }, tp, { MinecraftTechTree }, { createMinecraftEnvironment }, { minecraftGoalForText }, sayCan] = await Promise.all([
      import('../envs/minecraft/server/world.js'),
      import('../envs/minecraft/episodes.js'),
      import('../envs/minecraft/task-planner.js'),
      import('../envs/minecraft/tech-tree.js'),
      import('../envs/minecraft/environment.js'),
      import('../envs/minecraft/instruction-goal.js'),
      import('../envs/minecraft/saycan-primitives.js'),
    ]);
    const t0 = performance.now();
    const world = s.host ? undefined : await startEmbeddedWorld({ seed: worldSeed, ...(s.hostileMobs ? { hostileMobs: true } : {}) });
    const address = world ? { host: world.host, port: world.port, version: world.version } : { host: s.host!, port: s.port ?? 25565, version: s.version ?? '1.16.5' };
    log?.(world ? `world: embedded, seed ${worldSeed}, ${address.host}:${address.port} (${((performance.now() - t0) / 1000).toFixed(1)} s)` : `joining ${address.host}:${address.port}`);
    const tree = new MinecraftTechTree();
    const primitives = tp.minecraftEvolvePrimitives([...tp.MINECRAFT_TRAIN_GOALS, ...tp.MINECRAFT_HELD_OUT_GOALS], tree);
    const episodes = new MinecraftEpisodes(address, {
      prefix: 'ep',
      primitives,
      // One line per primitive an episode runs: evolution in a real world is slow, and silence reads as a hang.
      ...(log
        ? {
            onExecute: ({ key, call, outcome }: { key: string; call: { skill: string; args?: Record<string, unknown> }; outcome: { success: boolean; error?: string; durationMs: number } }) =>
              log(`    ${key.padEnd(20)} ${call.skill}(${Object.values(call.args ?? {}).map((v) => JSON.stringify(v)).join(', ')}) ${outcome.success ? 'ok' : `failed: ${(outcome.error ?? '').split('\n')[0]!.slice(0, 120)}`} ${(outcome.durationMs / 1000).toFixed(1)} s`),
          }
        : {}),
    });
    let env: Environment;
    try {
      env = await createMinecraftEnvironment({
        host: address.host,
        port: address.port,
        ...(world || s.version ? { version: address.version } : {}),
        ...(s.auth ? { auth: s.auth } : {}),
        username: s.username ?? 'skillforge',
        // The offline planner's skills read the reason of a missing item or table from the error;
        // language-model skills are written against Voyager's chat-and-return primitives.
        primitiveSemantics: s.primitives ?? (languageModel ? 'voyager' : 'strict'),
      });
    } catch (err) {
      await episodes.close();
      await world?.stop();
      throw err;
    }
    let planner: OfflinePlanner | undefined;
    return {
      env,
      primitives,
      fresh: (id) => episodes.open(id),
      tasks: (prefix, n, set) => tp.minecraftTasks(prefix, n, (id) => episodes.open(id), { goals: set === 'train' ? tp.MINECRAFT_TRAIN_GOALS : tp.MINECRAFT_HELD_OUT_GOALS, tree }),
      taskFor: (instruction) => minecraftGoalForText(instruction, tree, address.version),
      primitivesFor: (instruction) => {
        const task = minecraftGoalForText(instruction, tree, address.version);
        const goal = task && sayCan.sayCanGoalOf(task, tree);
        return goal ? sayCan.minecraftSayCanPrimitives(goal, { tree }) : null;
      },
      offlineLearner: () => {
        planner ??= new OfflinePlanner(tree, minecraftSkillTemplates);
        return { curriculum: planner, writer: planner };
      },
      milestones: (observation) => milestonesReached(observation),
      close: async () => {
        await env.close();
        await episodes.close();
        await world?.stop();
      },
    };
  },
};
