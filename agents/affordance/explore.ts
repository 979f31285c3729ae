/**
 * Random exploration to gather affordance training data: in each episode, repeatedly observe,
 * pick a well-typed call of the environment's primitives at random, execute it, and record the
 * attempt in episodic memory. Labels are always the real outcomes.
 *
 * Uniformly random calls in a world with many objects mostly fail at the first precondition and
 * never reach interesting states (holding things, open drawers). With `feasibleBias` p, a call is
 * drawn from the calls the environment's exact preconditions call feasible with probability p, so
 * the state moves on; the rest are uniform, so failures stay well represented.
 *
 * @example
 * ```ts
 * const stats = await exploreRandomly({ attempts: 2000, memory, seed: 1,
 *   makeEnv: (episode) => new KitchenEnvironment({ seed: `explore:${episode}`, noise: 0.1 }) });
 * ```
 */
import { Random } from '../../core/random.js';
import type { SkillCall } from '../../core/types.js';
import type { Environment, Primitive } from '../../envs/environment.js';
import type { AttemptInput } from '../../memory/episodic.js';
import { groundArguments } from '../act/grounding.js';
import { attemptRecord } from '../act/attempt.js';

export interface ExploreOptions {
  /** A fresh environment for each episode (closed after it). */
  makeEnv: (episode: number) => Environment | Promise<Environment>;
  memory: { appendMany(inputs: readonly AttemptInput[]): string[] };
  /** Total attempts to record. */
  attempts: number;
  stepsPerEpisode?: number;
  /** Probability of choosing among precondition-feasible calls (default 0.5; 0 = uniform). */
  feasibleBias?: number;
  /**
   * Count calls whose preconditions are unknown (null) as feasible for `feasibleBias` (default false).
   * Where few preconditions are exact (Minecraft's mining and placing), the biased draws would
   * otherwise never pick them, and the episode would not move on from an empty inventory.
   */
  unknownFeasible?: boolean;
  /** The primitives to ground calls from (with enum domains, e.g. a kit session's); default each environment's `primitives()`. */
  primitives?: readonly Primitive[];
  /** Primitives never called (default ['done']: it ends the episode's usefulness). */
  exclude?: readonly string[];
  seed?: number;
  agent?: string;
  /** Episode ids are `${episodePrefix}${n}` (default `explore-<seed>-`). */
  episodePrefix?: string;
  /** Stored with each attempt as the task (default 'random exploration'). */
  task?: string;
  onEpisode?: (episode: number, recorded: number) => void;
  /** Time limit of one call (default: the environment's own); a call cut short is a failure, as it would be for an agent. */
  timeoutMs?: number;
}

export interface ExploreStats {
  attempts: number;
  successes: number;
  episodes: number;
  perSkill: Record<string, { attempts: number; successes: number }>;
}

/** Run random exploration and record every attempt; returns counts. */
export async function exploreRandomly(options: ExploreOptions): Promise<ExploreStats> {
  const seed = options.seed ?? 1;
  const rng = new Random(`explore:${seed}`);
  const steps = options.stepsPerEpisode ?? 15;
  const bias = options.feasibleBias ?? 0.5;
  const exclude = new Set(options.exclude ?? ['done']);
  const prefix = options.episodePrefix ?? `explore-${seed}-`;
  const stats: ExploreStats = { attempts: 0, successes: 0, episodes: 0, perSkill: {} };
  let groundCache: SkillCall[] | null = null;

  for (let episode = 0; stats.attempts < options.attempts; episode++) {
    const env = await options.makeEnv(episode);
    const batch: AttemptInput[] = [];
    try {
      if (!groundCache) {
        groundCache = [];
        for (const p of options.primitives ?? env.primitives()) {
          if (exclude.has(p.name)) continue;
          for (const args of groundArguments(p.params) ?? []) groundCache.push({ skill: p.name, args });
        }
      }
      const calls = groundCache;
      if (!calls.length) break;
      for (let step = 0; step < steps && stats.attempts + batch.length < options.attempts; step++) {
        const observation = await env.observe();
        let call = rng.pick(calls);
        if (bias > 0 && env.preconditions && rng.next() < bias) {
          const ok = env.preconditions(observation, calls);
          const feasible = calls.filter((_, i) => ok[i] === true || (options.unknownFeasible === true && ok[i] === null));
          if (feasible.length) call = rng.pick(feasible);
        }
        const outcome = await env.execute(call, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
        // A copy of the features: an environment may reuse its observation buffer.
        const seen = { features: Float32Array.from(observation.features), featureNames: observation.featureNames };
        batch.push(attemptRecord({ agent: options.agent ?? 'random-explorer', env, task: options.task ?? 'random exploration', observation: seen, call, outcome, episode: `${prefix}${episode}`, step }));
        const s = (stats.perSkill[call.skill] ??= { attempts: 0, successes: 0 });
        s.attempts++;
        if (outcome.success) {
          s.successes++;
          stats.successes++;
        }
      }
    } finally {
      await env.close();
    }
    options.memory.appendMany(batch);
    stats.attempts += batch.length;
    stats.episodes++;
    options.onEpisode?.(episode, stats.attempts);
  }
  return stats;
}

/**
 * `workers` explorers at once sharing one budget of `attempts`: each takes the next episode (episode
 * `n` has seed `seed:n` and id `<episodePrefix>n`) until the budget is claimed. In a world where a call
 * waits on game ticks (Minecraft's mining and walking) several bots gather data in the time of one,
 * and a slow episode holds up only its own explorer. Returns the summed counts.
 */
export async function exploreConcurrently(options: ExploreOptions & { workers: number }): Promise<ExploreStats> {
  const workers = Math.max(1, Math.floor(options.workers));
  const steps = options.stepsPerEpisode ?? 15;
  const prefix = options.episodePrefix ?? `explore-${options.seed ?? 1}-`;
  const total: ExploreStats = { attempts: 0, successes: 0, episodes: 0, perSkill: {} };
  let claimed = 0;
  let next = 0;
  const worker = async () => {
    while (claimed < options.attempts) {
      const episode = next++;
      const attempts = Math.min(steps, options.attempts - claimed);
      claimed += attempts;
      const r = await exploreRandomly({
        ...options,
        attempts,
        seed: (options.seed ?? 1) * 100_000 + episode,
        episodePrefix: `${prefix}${episode}-`,
        makeEnv: () => options.makeEnv(episode),
        onEpisode: (_e, recorded) => options.onEpisode?.(episode, total.attempts + recorded),
      });
      total.attempts += r.attempts;
      total.successes += r.successes;
      total.episodes += r.episodes;
      for (const [skill, x] of Object.entries(r.perSkill)) {
        const t = (total.perSkill[skill] ??= { attempts: 0, successes: 0 });
        t.attempts += x.attempts;
        t.successes += x.successes;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return total;
}
