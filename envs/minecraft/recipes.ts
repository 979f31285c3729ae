/**
 * Crafting and smelting knowledge computed from minecraft-data, without a bot: what a recipe needs,
 * what is missing from an inventory, whether it needs a crafting table. Used for clear primitive errors
 * ("need 3 cobblestone, have 1") and for exact preconditions.
 *
 * @example
 * const plan = bestCraftPlan(registry, 'wooden_pickaxe', 1, { oak_planks: 3, stick: 2 });
 * // plan.missing = {}, plan.needsTable = true
 */

/** The subset of a minecraft-data registry these functions read. */
export interface RecipeRegistry {
  itemsByName: Record<string, { id: number; name: string } | undefined>;
  items: Record<number, { id: number; name: string } | undefined>;
  recipes: Record<number, RawRecipe[] | undefined>;
}

type Cell = number | null | { id: number; metadata?: number | null; count?: number };
interface RawRecipe {
  inShape?: Cell[][];
  outShape?: Cell[][];
  ingredients?: Cell[];
  result: { id: number; count: number } | Cell;
}

export interface CraftPlan {
  item: string;
  /** How many times the recipe runs (Voyager's `count` of craftItem). */
  times: number;
  /** Items produced per run. */
  perCraft: number;
  /** 3×3 recipes need a crafting table; 2×2 ones work in the inventory grid. */
  needsTable: boolean;
  /** Total ingredients for `times` runs, by item name. */
  ingredients: Record<string, number>;
  /** What the inventory lacks, by item name (empty when craftable). */
  missing: Record<string, number>;
}

function cellId(c: Cell): number | null {
  if (c === null || c === undefined) return null;
  if (typeof c === 'number') return c < 0 ? null : c;
  return typeof c.id === 'number' && c.id >= 0 ? c.id : null;
}

function planFor(reg: RecipeRegistry, item: string, r: RawRecipe, times: number, inventory: Record<string, number>): CraftPlan {
  const per: Record<string, number> = {};
  let needsTable = false;
  if (r.inShape) {
    const rows = r.inShape.length;
    const cols = Math.max(0, ...r.inShape.map((row) => row.length));
    needsTable = rows > 2 || cols > 2;
    for (const row of r.inShape) for (const c of row) add(c);
  } else if (r.ingredients) {
    needsTable = r.ingredients.length > 4;
    for (const c of r.ingredients) add(c);
  }
  // Items that stay in the grid (buckets in cake, say) come back: subtract them.
  if (r.outShape) for (const row of r.outShape) for (const c of row) sub(c);
  const ingredients: Record<string, number> = {};
  const missing: Record<string, number> = {};
  for (const [name, n] of Object.entries(per)) {
    if (n <= 0) continue;
    ingredients[name] = n * times;
    const lack = n * times - (inventory[name] ?? 0);
    if (lack > 0) missing[name] = lack;
  }
  const res = r.result as { count?: number };
  return { item, times, perCraft: typeof res === 'object' && res && typeof res.count === 'number' ? res.count : 1, needsTable, ingredients, missing };

  function add(c: Cell) {
    const id = cellId(c);
    if (id === null) return;
    const name = reg.items[id]?.name ?? `item#${id}`;
    per[name] = (per[name] ?? 0) + 1;
  }
  function sub(c: Cell) {
    const id = cellId(c);
    if (id === null) return;
    const name = reg.items[id]?.name ?? `item#${id}`;
    per[name] = (per[name] ?? 0) - 1;
  }
}

/** Every recipe variant for `item`, planned for `times` runs against `inventory`. Empty if not craftable. */
export function craftPlans(reg: RecipeRegistry, item: string, times: number, inventory: Record<string, number>): CraftPlan[] {
  const it = reg.itemsByName[item];
  if (!it) return [];
  return (reg.recipes[it.id] ?? []).map((r) => planFor(reg, item, r, times, inventory));
}

function missingTotal(p: CraftPlan): number {
  return Object.values(p.missing).reduce((a, b) => a + b, 0);
}

/**
 * The variant to use: one with nothing missing (preferring no table when `tableNearby` is false),
 * otherwise the one missing the fewest items. `null` when the item has no crafting recipe.
 */
export function bestCraftPlan(reg: RecipeRegistry, item: string, times: number, inventory: Record<string, number>, tableNearby = true): CraftPlan | null {
  const plans = craftPlans(reg, item, times, inventory);
  if (plans.length === 0) return null;
  const score = (p: CraftPlan) => missingTotal(p) * 10 + (p.needsTable && !tableNearby ? 1 : 0);
  return plans.slice().sort((a, b) => score(a) - score(b))[0]!;
}

/** "3 cobblestone, 2 stick" */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([n, c]) => `${c} ${n}`)
    .join(', ');
}

export interface Feasibility {
  feasible: boolean;
  reason: string;
  plan: CraftPlan | null;
}

/** Whether craftItem(item, times) can succeed with this inventory and table availability. */
export function craftFeasibility(reg: RecipeRegistry, item: string, times: number, inventory: Record<string, number>, tableNearby: boolean): Feasibility {
  if (!reg.itemsByName[item]) return { feasible: false, reason: `no item named ${item}`, plan: null };
  const plan = bestCraftPlan(reg, item, times, inventory, tableNearby);
  if (!plan) {
    const smelt = smeltingInputsFor(item);
    return {
      feasible: false,
      reason: smelt.length ? `${item} is not crafted: smelt ${smelt[0]} in a furnace (smeltItem)` : `${item} has no crafting recipe`,
      plan: null,
    };
  }
  const lacking = Object.entries(plan.missing);
  if (lacking.length) {
    const parts = lacking.map(([n, c]) => `${plan.ingredients[n]} ${n}, have ${plan.ingredients[n]! - c}`);
    return { feasible: false, reason: `need ${parts.join('; need ')}`, plan };
  }
  if (plan.needsTable && !tableNearby) return { feasible: false, reason: 'no crafting_table nearby: place one first', plan };
  return { feasible: true, reason: 'ingredients present', plan };
}

/** Vanilla furnace recipes the primitives and preconditions know (input -> output). */
export const SMELTING: Readonly<Record<string, string>> = {
  iron_ore: 'iron_ingot',
  gold_ore: 'gold_ingot',
  raw_iron: 'iron_ingot',
  raw_gold: 'gold_ingot',
  raw_copper: 'copper_ingot',
  copper_ore: 'copper_ingot',
  ancient_debris: 'netherite_scrap',
  sand: 'glass',
  red_sand: 'glass',
  cobblestone: 'stone',
  stone: 'smooth_stone',
  clay_ball: 'brick',
  netherrack: 'nether_brick',
  cactus: 'green_dye',
  kelp: 'dried_kelp',
  wet_sponge: 'sponge',
  porkchop: 'cooked_porkchop',
  beef: 'cooked_beef',
  chicken: 'cooked_chicken',
  mutton: 'cooked_mutton',
  rabbit: 'cooked_rabbit',
  cod: 'cooked_cod',
  salmon: 'cooked_salmon',
  potato: 'baked_potato',
  oak_log: 'charcoal',
  spruce_log: 'charcoal',
  birch_log: 'charcoal',
  jungle_log: 'charcoal',
  acacia_log: 'charcoal',
  dark_oak_log: 'charcoal',
};

/** Inputs that smelt into `output` (e.g. iron_ingot -> [iron_ore, raw_iron]). */
export function smeltingInputsFor(output: string): string[] {
  return Object.entries(SMELTING)
    .filter(([, out]) => out === output)
    .map(([input]) => input);
}

/** Items smelted per fuel item (vanilla burn time / 200 ticks). */
export function fuelValue(name: string): number {
  if (name === 'coal' || name === 'charcoal') return 8;
  if (name === 'coal_block') return 80;
  if (name === 'lava_bucket') return 100;
  if (name === 'blaze_rod') return 12;
  if (name.endsWith('_planks') || name.endsWith('_log') || name.endsWith('_wood') || name.endsWith('_stem')) return 1.5;
  if (name === 'crafting_table' || name === 'chest' || name === 'bookshelf' || name.endsWith('_fence') || name.endsWith('_fence_gate')) return 1.5;
  if (name.endsWith('_slab') && /oak|spruce|birch|jungle|acacia|dark_oak|crimson|warped/.test(name)) return 0.75;
  if (name === 'stick' || name.endsWith('_sapling') || name === 'bamboo') return name === 'bamboo' ? 0.25 : 0.5;
  if (name.startsWith('wooden_')) return 1;
  if (name === 'dried_kelp_block') return 20;
  return 0;
}
