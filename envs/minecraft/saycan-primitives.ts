/**
 * SayCan's candidate skills in Minecraft for one goal: the primitives (mine, craft, place, smelt,
 * explore) with value domains from the tech-tree chain up to the goal's item, every argument the
 * planner fills in made required (so grounded calls are exactly the planner's calls: the offline Say
 * and the learned affordance model talk about the same calls), and an `x-say` phrase per primitive
 * so a language model scores readable text ("mine 1 oak log", "craft 1 wooden pickaxe").
 *
 * Why per goal: the training goals' domains (kits/minecraft.ts) stop at sticks and tables; "make a
 * stone pickaxe" needs stone and a wooden pickaxe. Why one wood: six log and plank kinds would
 * multiply the candidates by six for no choice a language model could make better (the embedded world
 * grows oak by the spawn); `wood` picks another. Counts are 1..3 plus whatever the planner's plan
 * from an empty inventory uses, so a stone pickaxe has ~25 candidates and an iron pickaxe ~60.
 *
 * @example
 *   const prims = minecraftSayCanPrimitives({ item: 'stone_pickaxe', count: 1 });
 *   groundPrimitives(prims).map((c) => c.text);   // ['mine 1 oak log', ..., 'craft 1 stone pickaxe', ...]
 */
import type { JsonSchema, JsonValue, Observation } from '../../core/types.js';
import type { Primitive, Task } from '../environment.js';
import { MINECRAFT_PRIMITIVES } from './environment.js';
import { minecraftDomains, minecraftTask, minecraftTaskPlanner, type MinecraftGoal } from './task-planner.js';
import { MinecraftTechTree } from './tech-tree.js';

export interface SayCanPrimitiveOptions {
  tree?: MinecraftTechTree;
  /** The one wood kind of logs, planks and fuel (default 'oak'). */
  wood?: string;
  /** Counts offered besides the plan's own (default [1, 2, 3]). */
  counts?: readonly number[];
  /** Seconds of one exploration (default 30: the planner's). */
  exploreSeconds?: number;
}

/** The exploration direction the planner uses; one direction keeps exploration one candidate per block. */
const EXPLORE_DIRECTION = { x: 1, y: 0, z: 0 };

const words = (id: string) => id.replace(/_/g, ' ');

/** The primitives SayCan grounds for `goal`, with enum domains, required arguments and `x-say` phrases. */
export function minecraftSayCanPrimitives(goal: MinecraftGoal, options: SayCanPrimitiveOptions = {}): Primitive[] {
  const tree = options.tree ?? new MinecraftTechTree();
  const wood = options.wood ?? 'oak';
  const family = new Map(tree.groups.flatMap((g) => g.members.map((m) => [m, g.name] as const)));
  // One member per family: the chosen wood's.
  const oneWood = (names: readonly string[]) => names.filter((n) => !family.has(n) || n.startsWith(`${wood}_`));
  const d = minecraftDomains([goal], tree);
  const counts = new Set(options.counts ?? [1, 2, 3]);
  const exploreSeconds = options.exploreSeconds ?? 30;
  // The plan from an empty inventory says which counts the chain really uses (3 stone for a stone pickaxe).
  const empty: Observation = { text: '', json: { inventory: {}, blockCounts: {}, voxels: [`${wood}_log`] }, features: new Float32Array(0), featureNames: [] };
  const plan = minecraftTaskPlanner({ tree, exploreSeconds })(empty, minecraftTask('saycan', goal, () => Promise.reject(new Error('not opened')), tree).task) ?? [];
  for (const call of plan) if (typeof call.args.count === 'number' && call.args.count <= 64) counts.add(call.args.count);
  const countValues = [...counts].sort((a, b) => a - b);
  const mine = oneWood(d.mine);
  const craft = oneWood(d.craft);
  const fuel = oneWood(d.fuel);
  const phrases = (names: readonly string[], phrase: (n: string) => string) => Object.fromEntries(names.map((n) => [n, phrase(n)]));
  const perCraft = (item: string) => {
    const m = tree.obtain(item);
    return m?.kind === 'craft' ? m.perCraft : 1;
  };
  const withEnum = (schema: unknown, values: readonly JsonValue[], extra: Record<string, unknown> = {}): JsonSchema => ({ ...(schema as JsonSchema), enum: [...values], ...extra });
  const out: Primitive[] = [];
  for (const p of MINECRAFT_PRIMITIVES) {
    const props = structuredClone((p.params['properties'] ?? {}) as Record<string, JsonSchema>);
    let required: string[];
    let say: string;
    switch (p.name) {
      case 'mineBlock':
        if (!mine.length) continue;
        props.name = withEnum(props.name, mine, { 'x-phrases': phrases(mine, words) });
        props.count = withEnum(props.count, countValues);
        required = ['name', 'count'];
        say = 'mine {count} {name}';
        break;
      case 'craftItem':
        if (!craft.length) continue;
        // "craft 1 oak planks" would promise one plank; the phrase says what one craft makes.
        props.name = withEnum(props.name, craft, { 'x-phrases': phrases(craft, (n) => (perCraft(n) > 1 ? `${words(n)} (${perCraft(n)} per craft)` : words(n))) });
        props.count = withEnum(props.count, countValues);
        required = ['name', 'count'];
        say = 'craft {count} {name}';
        break;
      case 'placeItem':
        if (!d.place.length) continue;
        props.name = withEnum(props.name, d.place, { 'x-phrases': phrases(d.place, words) });
        delete props.position; // placed next to the bot
        required = ['name'];
        say = 'place the {name}';
        break;
      case 'smeltItem':
        if (!d.smelt.length) continue;
        props.itemName = withEnum(props.itemName, d.smelt, { 'x-phrases': phrases(d.smelt, words) });
        props.fuelName = withEnum(props.fuelName, fuel, { 'x-phrases': phrases(fuel, words) });
        props.count = withEnum(props.count, countValues);
        required = ['itemName', 'fuelName', 'count'];
        say = 'smelt {count} {itemName} burning {fuelName}';
        break;
      case 'exploreUntil':
        if (!mine.length) continue;
        props.direction = { ...(props.direction as JsonSchema), const: EXPLORE_DIRECTION };
        props.maxTime = { ...(props.maxTime as JsonSchema), const: exploreSeconds };
        props.untilBlock = withEnum(props.untilBlock, mine, { 'x-phrases': phrases(mine, words) });
        delete props.untilEntity;
        required = ['untilBlock', 'direction', 'maxTime'];
        say = 'explore until you find {untilBlock}';
        break;
      default:
        continue;
    }
    out.push({ ...p, params: { ...p.params, properties: props, required, 'x-say': say } });
  }
  return out;
}

/**
 * The goal item of a task read from an instruction (`{inventory: {item: n}}`, or `{inventoryAny}` over
 * a family such as the planks), or null for goals that are no single item.
 */
export function sayCanGoalOf(task: Task, tree: MinecraftTechTree): MinecraftGoal | null {
  const goal = task.goal as { inventory?: Record<string, number>; inventoryAny?: { items?: string[]; count?: number } } | undefined;
  const held = Object.entries(goal?.inventory ?? {});
  if (held.length === 1) return { item: held[0]![0], count: Number(held[0]![1]) || 1 };
  const any = goal?.inventoryAny;
  if (!held.length && any?.items?.length) {
    const group = tree.groups.find((g) => any.items!.every((i) => g.members.includes(i)));
    return { item: group?.name ?? any.items[0]!, count: Number(any.count ?? 1) || 1 };
  }
  return null;
}
