/**
 * The tech-tree chain of the acceptance test (test/minecraft/chain.test.ts), from an empty
 * inventory to an iron ingot with nothing given by commands, as primitive calls. Used by the
 * integration test and the benchmark, and a worked example of driving MinecraftEnvironment step by
 * step.
 *
 * @example
 * const env = await createMinecraftEnvironment({ embedded: { seed: 1 } });
 * const report = await runChain(env, IRON_CHAIN);
 * console.log(report.success, report.steps.map((s) => `${s.call.skill} ${s.durationMs} ms`));
 */
import type { Outcome, SkillCall } from '../../core/types.js';
import type { Environment } from '../environment.js';

/** Logs -> planks -> table -> sticks -> wooden pickaxe -> stone -> stone pickaxe -> iron ore -> furnace -> iron ingot. */
export const IRON_CHAIN: readonly SkillCall[] = Object.freeze<SkillCall[]>([
  { skill: 'mineBlock', args: { name: 'oak_log', count: 3 } },
  { skill: 'craftItem', args: { name: 'oak_planks', count: 3 } },
  { skill: 'craftItem', args: { name: 'crafting_table', count: 1 } },
  { skill: 'placeItem', args: { name: 'crafting_table' } },
  { skill: 'craftItem', args: { name: 'stick', count: 1 } },
  { skill: 'craftItem', args: { name: 'wooden_pickaxe', count: 1 } },
  { skill: 'mineBlock', args: { name: 'stone', count: 3 } },
  { skill: 'craftItem', args: { name: 'stone_pickaxe', count: 1 } },
  { skill: 'mineBlock', args: { name: 'iron_ore', count: 1 } },
  // The furnace is not in the list, but smelting needs one and nothing may be given.
  { skill: 'mineBlock', args: { name: 'stone', count: 8 } },
  { skill: 'craftItem', args: { name: 'furnace', count: 1 } },
  { skill: 'placeItem', args: { name: 'furnace' } },
  { skill: 'smeltItem', args: { itemName: 'iron_ore', fuelName: 'oak_planks', count: 1 } },
]);

export interface ChainStep {
  call: SkillCall;
  outcome: Outcome;
  durationMs: number;
}

export interface ChainReport {
  success: boolean;
  steps: ChainStep[];
  /** Exploration calls made because a block was not within reach. */
  explorations: number;
  durationMs: number;
  error?: string;
}

const DIRECTIONS = [
  { x: 1, y: 0, z: 0 },
  { x: 0, y: 0, z: 1 },
  { x: -1, y: 0, z: 0 },
  { x: 0, y: 0, z: -1 },
];

/**
 * Run `calls` in order, stopping at the first failure. When mineBlock reports that the block is not
 * within reach, or runs out of time getting to it, explore (up to `maxExplorations` times, `exploreSeconds` each, turning 90° each time)
 * until it is, then retry — what a Voyager agent does with exploreUntil.
 */
export async function runChain(
  env: Environment,
  calls: readonly SkillCall[] = IRON_CHAIN,
  options: { stepTimeoutMs?: number; maxExplorations?: number; exploreSeconds?: number; signal?: AbortSignal; onStep?: (s: ChainStep) => void } = {},
): Promise<ChainReport> {
  const t0 = Date.now();
  const steps: ChainStep[] = [];
  let explorations = 0;
  const maxExplorations = options.maxExplorations ?? 3;
  const record = (call: SkillCall, outcome: Outcome) => {
    const s = { call, outcome, durationMs: outcome.durationMs };
    steps.push(s);
    options.onStep?.(s);
    return outcome;
  };
  for (const call of calls) {
    let out = record(call, await env.execute(call, { timeoutMs: options.stepTimeoutMs ?? 90_000, signal: options.signal }));
    // Not in reach, or the way to it did not work out in time (an ore behind water, a path the
    // pathfinder keeps failing on): explore elsewhere and try again, as a Voyager agent would.
    while (!out.success && call.skill === 'mineBlock' && /^no \S+ within \d+ blocks|timed out after/.test(out.error ?? '') && explorations < maxExplorations) {
      const dir = DIRECTIONS[explorations % DIRECTIONS.length]!;
      explorations++;
      const explore: SkillCall = { skill: 'exploreUntil', args: { direction: dir, maxTime: options.exploreSeconds ?? 30, untilBlock: String(call.args.name) } };
      record(explore, await env.execute(explore, { timeoutMs: (options.exploreSeconds ?? 30) * 1000 + 10_000, signal: options.signal }));
      out = record(call, await env.execute(call, { timeoutMs: options.stepTimeoutMs ?? 90_000, signal: options.signal }));
    }
    if (!out.success) return { success: false, steps, explorations, durationMs: Date.now() - t0, error: `${call.skill}(${JSON.stringify(call.args)}): ${out.error}` };
  }
  return { success: true, steps, explorations, durationMs: Date.now() - t0 };
}
