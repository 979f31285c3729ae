/**
 * Minecraft's own knowledge as an offline guide for agents that learn skills bottom-up (agents/evolve),
 * and seeded Minecraft task sets for them: the tech tree (minecraft-data's recipes, loot and harvest
 * tools) turned into the primitive calls that reach an inventory goal from the observed inventory.
 * Not a language model, and it says so.
 *
 * The plan is computed greedily over a simulated inventory: to have n of an item, gather what one
 * batch of its recipe needs (each ingredient in turn, recursively), then craft; a 3x3 recipe first
 * places a crafting table (crafting one if none is held) unless one is within reach; mining first
 * obtains the cheapest harvest tool, and explores when no block of the kind is within reach. Because
 * the agent re-plans after every step, the plan only has to be right from the observed state.
 *
 * @example
 *   const planner = minecraftTaskPlanner();
 *   planner(await env.observe(), { description: 'craft 4 sticks', goal: { inventory: { stick: 4 } } });
 *   // [mineBlock(oak_log, 1), craftItem(oak_planks, 1), craftItem(stick, 1)]
 */
import { Random } from '../../core/random.js';
import type { JsonSchema, JsonValue, Observation, SkillCall } from '../../core/types.js';
import type { Environment, Primitive, Task } from '../environment.js';
import { MINECRAFT_PRIMITIVES } from './environment.js';
import { BLOCK_GROUPS } from './observation.js';
import { fuelValue } from './recipes.js';
import { MinecraftTechTree } from './tech-tree.js';

export const MINECRAFT_TASK_PLANNER_ID = 'minecraft tech-tree planner (baseline, no language model)';

export interface MinecraftPlannerOptions {
  tree?: MinecraftTechTree;
  /** Longest plan before giving up (default 40 calls). */
  maxCalls?: number;
  /** Seconds of one exploration when no block of a needed kind is within reach (default 30). */
  exploreSeconds?: number;
}

/** An inventory goal: `{inventory: {item: n}}` and/or `{inventoryAny: {items, count}}` (MinecraftEnvironment.check's keys). */
interface Need {
  items: string[];
  count: number;
}

function needsOf(goal: Record<string, unknown> | undefined): Need[] | null {
  if (!goal) return null;
  const out: Need[] = [];
  for (const key of Object.keys(goal)) if (key !== 'inventory' && key !== 'inventoryAny') return null;
  if (goal.inventory && typeof goal.inventory === 'object') {
    for (const [item, n] of Object.entries(goal.inventory as Record<string, unknown>)) out.push({ items: [item], count: Number(n) });
  }
  if (goal.inventoryAny && typeof goal.inventoryAny === 'object') {
    const any = goal.inventoryAny as { items?: unknown; count?: unknown };
    if (Array.isArray(any.items) && any.items.length) out.push({ items: any.items.map(String), count: Number(any.count ?? 1) });
  }
  return out.length && out.every((n) => Number.isFinite(n.count) && n.count > 0) ? out : null;
}

const woodOf = (name: string): string | null => {
  const m = /^(oak|spruce|birch|jungle|acacia|dark_oak)_(log|planks)$/.exec(name);
  return m ? m[1]! : null;
};

/**
 * A planner for agents: observation + task (inventory goal) -> the primitive calls that reach it, [] when
 * it already holds, or null (a goal it cannot read, an item the tech tree cannot obtain, or a plan
 * longer than `maxCalls`).
 */
export function minecraftTaskPlanner(options: MinecraftPlannerOptions = {}): (observation: Observation, task: Task) => SkillCall[] | null {
  const tree = options.tree ?? new MinecraftTechTree();
  const maxCalls = options.maxCalls ?? 40;
  const exploreSeconds = options.exploreSeconds ?? 30;
  const groupMembers = new Map(tree.groups.map((g) => [g.name, g.members]));

  return (observation, task) => {
    const needs = needsOf(task.goal);
    if (!needs) return null;
    const json = observation.json as Record<string, unknown>;
    const inv: Record<string, number> = { ...((json.inventory ?? {}) as Record<string, number>) };
    const near = (json.blockCounts ?? {}) as Record<string, number>;
    const voxels = ((json.voxels ?? []) as string[]).filter((v) => typeof v === 'string');
    const placed = { crafting_table: (near.crafting_table ?? 0) > 0, furnace: (near.furnace ?? 0) > 0 };
    const explored = new Set<string>();
    const calls: SkillCall[] = [];

    // The wood to work with: what is held, else what is in sight, else oak (the commonest tree).
    const wood = (): string =>
      woodOf(Object.keys(inv).filter((n) => (inv[n] ?? 0) > 0 && woodOf(n)).sort((a, b) => (inv[b] ?? 0) - (inv[a] ?? 0))[0] ?? '') ??
      woodOf(voxels.find((v) => v.endsWith('_log')) ?? '') ??
      'oak';
    // A concrete member of a family: one held in quantity, else the one matching `like` (oak_planks -> oak_log), else the preferred wood's.
    const member = (members: readonly string[], n: number, like?: string): string => {
      const held = members.filter((m) => (inv[m] ?? 0) >= Math.max(1, n)).sort((a, b) => (inv[b] ?? 0) - (inv[a] ?? 0))[0];
      if (held) return held;
      const w = (like && woodOf(like)) ?? wood();
      return members.find((m) => woodOf(m) === w) ?? members[0]!;
    };
    const push = (call: SkillCall): boolean => {
      calls.push(call);
      return calls.length <= maxCalls;
    };
    const blockWithin = (block: string): boolean | null => {
      const group = BLOCK_GROUPS.find(([, names]) => names.includes(block));
      return group && group[0] in near ? (near[group[0]] ?? 0) > 0 : null;
    };

    const obtain = (item: string, n: number, depth: number): boolean => {
      const have = inv[item] ?? 0;
      if (have >= n) return true;
      if (depth > 12) return false;
      const missing = n - have;
      const method = tree.obtain(item);
      if (!method) return false;
      if (method.kind === 'mine') {
        if (method.tools.length && !method.tools.some((t) => (inv[t] ?? 0) > 0)) {
          if (!method.cheapestTool || !obtain(method.cheapestTool, 1, depth + 1)) return false;
        }
        const block = method.blocks.includes(item) ? item : method.blocks.find((b) => blockWithin(b) !== false) ?? method.blocks[0]!;
        if (blockWithin(block) === false && !explored.has(block)) {
          explored.add(block);
          if (!push({ skill: 'exploreUntil', args: { direction: { x: 1, y: 0, z: 0 }, maxTime: exploreSeconds, untilBlock: block } })) return false;
        }
        const blocks = Math.ceil(missing / Math.max(1, method.perBlock));
        inv[item] = have + blocks * Math.max(1, method.perBlock);
        return push({ skill: 'mineBlock', args: { name: block, count: blocks } });
      }
      if (method.kind === 'craft') {
        const runs = Math.ceil(missing / Math.max(1, method.perCraft));
        for (const [ingredient, per] of Object.entries(method.ingredients)) {
          const members = groupMembers.get(ingredient);
          const concrete = members ? member(members, per * runs, item) : ingredient;
          if (!obtain(concrete, per * runs, depth + 1)) return false;
          inv[concrete] = (inv[concrete] ?? 0) - per * runs; // reserved: later ingredients may not use it
        }
        if (method.table && !placed.crafting_table) {
          if (!obtain('crafting_table', 1, depth + 1)) return false;
          inv.crafting_table = (inv.crafting_table ?? 1) - 1;
          placed.crafting_table = true;
          if (!push({ skill: 'placeItem', args: { name: 'crafting_table' } })) return false;
        }
        inv[item] = (inv[item] ?? 0) + runs * method.perCraft;
        return push({ skill: 'craftItem', args: { name: item, count: runs } });
      }
      // smelt: a furnace within reach, fuel (coal when held, else planks), the input.
      if (!placed.furnace) {
        if (!obtain('furnace', 1, depth + 1)) return false;
        inv.furnace = (inv.furnace ?? 1) - 1;
        placed.furnace = true;
        if (!push({ skill: 'placeItem', args: { name: 'furnace' } })) return false;
      }
      const fuel = (inv.coal ?? 0) > 0 ? 'coal' : member(groupMembers.get('planks') ?? ['oak_planks'], 1);
      const fuelCount = Math.ceil(missing / Math.max(1, fuelValue(fuel)));
      if (!obtain(fuel, fuelCount, depth + 1)) return false;
      inv[fuel] = (inv[fuel] ?? 0) - fuelCount;
      if (!obtain(method.input, missing, depth + 1)) return false;
      inv[method.input] = (inv[method.input] ?? 0) - missing;
      inv[item] = (inv[item] ?? 0) + missing;
      return push({ skill: 'smeltItem', args: { itemName: method.input, fuelName: fuel, count: missing } });
    };

    for (const need of needs) {
      const have = need.items.reduce((s, i) => s + (inv[i] ?? 0), 0);
      if (have >= need.count) continue;
      const item = need.items.length === 1 ? need.items[0]! : member(need.items, 0);
      if (!obtain(item, need.count - have + (inv[item] ?? 0), 0)) return null;
    }
    return calls;
  };
}

/** What the agent sets out to obtain: an item (or a family such as 'planks') and how many. */
export interface MinecraftGoal {
  item: string;
  count: number;
}

/** Cheap goals from an empty inventory, all 2x2 recipes (a table placed in one episode cannot shorten another). */
export const MINECRAFT_TRAIN_GOALS: readonly MinecraftGoal[] = Object.freeze([
  { item: 'planks', count: 4 },
  { item: 'stick', count: 4 },
  { item: 'crafting_table', count: 1 },
  { item: 'planks', count: 8 },
  { item: 'stick', count: 8 },
]);

/** Held out: counts and combinations the training goals do not ask for. */
export const MINECRAFT_HELD_OUT_GOALS: readonly MinecraftGoal[] = Object.freeze([
  { item: 'stick', count: 12 },
  { item: 'planks', count: 12 },
  { item: 'crafting_table', count: 2 },
]);

export interface MinecraftTask {
  id: string;
  task: Task;
  goal: MinecraftGoal;
  makeEnv: () => Environment | Promise<Environment>;
}

/** A task for one goal, phrased like the Voyager curriculum ("Obtain 4 stick"). */
export function minecraftTask(id: string, goal: MinecraftGoal, makeEnv: () => Environment | Promise<Environment>, tree = new MinecraftTechTree()): MinecraftTask {
  const group = tree.groups.find((g) => g.name === goal.item);
  const taskGoal: Record<string, unknown> = group ? { inventoryAny: { items: [...group.members], count: goal.count } } : { inventory: { [goal.item]: goal.count } };
  return { id, goal, task: { description: `obtain ${goal.count} ${goal.item.replace(/_/g, ' ')}`, goal: taskGoal }, makeEnv };
}

/**
 * `n` tasks (`<prefix>:<i>`) drawn from `goals` in a seeded order (every goal once per round), each
 * opening its episode with `open(id)` (e.g. `MinecraftEpisodes.open`).
 */
export function minecraftTasks(prefix: string, n: number, open: (id: string) => Environment | Promise<Environment>, options: { goals?: readonly MinecraftGoal[]; tree?: MinecraftTechTree } = {}): MinecraftTask[] {
  const goals = options.goals ?? MINECRAFT_TRAIN_GOALS;
  const tree = options.tree ?? new MinecraftTechTree();
  const rng = new Random(`minecraft-tasks:${prefix}`);
  const order: MinecraftGoal[] = [];
  while (order.length < n) order.push(...rng.shuffle([...goals]));
  return order.slice(0, n).map((goal, i) => {
    const id = `${prefix}:${i}`;
    return minecraftTask(id, goal, () => open(id), tree);
  });
}

/**
 * Value domains of the free-string (and count) arguments, from the tech tree: what the goals can
 * ever need mined, crafted, placed or smelted. Evolution needs enumerable arguments to ground
 * composites for verification and refinement.
 */
export function minecraftDomains(goals: readonly MinecraftGoal[], tree = new MinecraftTechTree()): { mine: string[]; craft: string[]; place: string[]; smelt: string[]; fuel: string[]; counts: number[] } {
  const mine = new Set<string>();
  const craft = new Set<string>();
  const smelt = new Set<string>();
  const fuel = new Set<string>();
  const place = new Set<string>();
  const seen = new Set<string>();
  const members = (name: string) => tree.groups.find((g) => g.name === name)?.members ?? [name];
  const visit = (item: string, depth: number) => {
    if (seen.has(item) || depth > 12) return;
    seen.add(item);
    const m = tree.obtain(item);
    if (!m) return;
    if (m.kind === 'mine') {
      m.blocks.forEach((b) => mine.add(b));
      if (m.cheapestTool) visit(m.cheapestTool, depth + 1);
    } else if (m.kind === 'craft') {
      craft.add(item);
      if (m.table) {
        place.add('crafting_table');
        visit('crafting_table', depth + 1);
      }
      for (const ing of Object.keys(m.ingredients)) for (const x of members(ing)) visit(x, depth + 1);
    } else {
      smelt.add(m.input);
      place.add('furnace');
      fuel.add('coal');
      for (const p of members('planks')) fuel.add(p);
      visit('furnace', depth + 1);
      visit(m.input, depth + 1);
    }
  };
  for (const g of goals) for (const x of members(g.item)) visit(x, 0);
  const counts = [1, 2, 3, 4, 5, 6, 7, 8];
  return { mine: [...mine].sort(), craft: [...craft].sort(), place: [...place].sort(), smelt: [...smelt].sort(), fuel: [...fuel].sort(), counts };
}

/**
 * The primitives an evolving agent uses (mine, craft, place, smelt, explore), with enums on their
 * name and count arguments from `minecraftDomains`. Execution still validates against the real
 * schemas; these only tell evolution which values exist.
 */
export function minecraftEvolvePrimitives(goals: readonly MinecraftGoal[], tree = new MinecraftTechTree()): Primitive[] {
  const d = minecraftDomains(goals, tree);
  const withEnum = (schema: unknown, values: JsonValue[]): JsonSchema => ({ ...(schema as JsonSchema), enum: values });
  const out: Primitive[] = [];
  for (const p of MINECRAFT_PRIMITIVES) {
    const props = structuredClone((p.params['properties'] ?? {}) as Record<string, JsonSchema>);
    switch (p.name) {
      case 'mineBlock':
        props.name = withEnum(props.name, d.mine);
        props.count = withEnum(props.count, d.counts);
        break;
      case 'craftItem':
        props.name = withEnum(props.name, d.craft);
        props.count = withEnum(props.count, d.counts);
        break;
      case 'placeItem':
        if (!d.place.length) continue;
        props.name = withEnum(props.name, d.place);
        delete props.position; // placed next to the bot; a position is no value a skill can reuse
        break;
      case 'smeltItem':
        if (!d.smelt.length) continue;
        props.itemName = withEnum(props.itemName, d.smelt);
        props.fuelName = withEnum(props.fuelName, d.fuel);
        props.count = withEnum(props.count, d.counts);
        break;
      case 'exploreUntil':
        props.untilBlock = withEnum(props.untilBlock, d.mine);
        break;
      default:
        continue;
    }
    out.push({ ...p, params: { ...p.params, properties: props } });
  }
  return out;
}
