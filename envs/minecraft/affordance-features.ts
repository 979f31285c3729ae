/**
 * Minecraft's observation expansion for affordance models (agents/affordance/expansion.ts): per item
 * and block of the tech-tree chain, features named after the value a call carries, so the encoder's
 * bindings tie `mineBlock(stone)`, `craftItem(wooden_pickaxe)` or `placeItem(crafting_table)` to the
 * facts that decide them:
 *   have:<item>        held, /64 (tools: 1/64 when a pickaxe of that tier or better is held)
 *   near:<block>       blocks of its group within 32, /64
 *   mine_tool:<block>  1 when no tool is needed or a good enough pickaxe is held
 *   craft_runs:<item>  how many times the held ingredients allow its recipe, min(n, 8)/8
 *   craft_table:<item> 1 when its recipe needs no table or one is within reach
 * Everything is read from the stored feature vector (MINECRAFT_FEATURE_NAMES: family counts, pickaxe
 * tier, nearby block groups), so attempts recorded before the expansion existed train with it too.
 * Families are approximations (any planks count for any plank recipe): the model learns what is left.
 *
 * @example
 *   const expansion = minecraftCallFeatures();
 *   const data = expandTrainingData(memory.trainingSet({ env: 'minecraft' }), expansion);
 */
import { createRequire } from 'node:module';
import { BLOCK_GROUPS, MINECRAFT_FEATURE_VERSION } from './observation.js';
import { minecraftDomains, type MinecraftGoal } from './task-planner.js';
import { MinecraftTechTree } from './tech-tree.js';

const require = createRequire(import.meta.url);

export const MINECRAFT_CALL_FEATURES_ID = 'minecraft-call-features-v1';

/** Everything up to the iron pickaxe (and the training goals' families). */
const VOCABULARY_GOALS: readonly MinecraftGoal[] = [
  { item: 'iron_pickaxe', count: 1 },
  { item: 'planks', count: 1 },
  { item: 'log', count: 1 },
];

const TIERS: Record<string, number> = { wooden: 1, golden: 1, stone: 2, iron: 3, diamond: 4, netherite: 5 };

interface McData {
  blocksByName: Record<string, { harvestTools?: Record<string, boolean> } | undefined>;
  items: Record<number, { name: string } | undefined>;
}

type Reader = (f: Float32Array) => number;

/** Structurally an ObservationExpansion (agents/affordance/expansion.ts); environments do not import agents. */
export interface MinecraftCallFeatures {
  readonly id: string;
  readonly names: readonly string[];
  derive(features: Float32Array, featureNames: readonly string[]): Float32Array;
}

/** The expansion over the chain's vocabulary (items and blocks a SayCan or evolution call can name). */
export function minecraftCallFeatures(options: { tree?: MinecraftTechTree; version?: string } = {}): MinecraftCallFeatures {
  const tree = options.tree ?? new MinecraftTechTree(options.version);
  const data = require('minecraft-data')(options.version ?? '1.16.5') as McData;
  const d = minecraftDomains(VOCABULARY_GOALS, tree);
  const items = [...new Set([...d.craft, ...d.place, ...d.smelt, ...d.fuel, ...d.mine, 'cobblestone', 'coal', 'iron_ingot', 'wooden_pickaxe', 'stone_pickaxe', 'iron_pickaxe'])].sort();
  const blocks = [...new Set([...d.mine, ...d.place])].sort();
  const familyOf = new Map(tree.groups.flatMap((g) => g.members.map((m) => [m, g.name] as const)));
  // Feature columns are found by name when the first vector arrives (stored vectors carry their names).
  const specs: { name: string; make: (col: (n: string) => number) => Reader }[] = [];
  const count = (col: (n: string) => number, feature: string): Reader => {
    const i = col(feature);
    return i < 0 ? () => 0 : (f) => Math.round(f[i]! * 64);
  };
  const heldReader = (item: string) => (col: (n: string) => number): Reader => {
    const tool = /^([a-z]+)_(pickaxe|axe|sword|shovel)$/.exec(item);
    if (tool) {
      const i = col(`tool.${tool[2]}`);
      const tier = TIERS[tool[1]!] ?? 9;
      return i < 0 ? () => 0 : (f) => (Math.round(f[i]! * 5) >= tier ? 1 : 0);
    }
    return count(col, `inv.${familyOf.get(item) ?? item}`);
  };
  const ingredientReader = (ingredient: string) => (col: (n: string) => number): Reader =>
    tree.groups.some((g) => g.name === ingredient) ? count(col, `inv.${ingredient}`) : heldReader(ingredient)(col);
  for (const item of items) specs.push({ name: `have:${item}`, make: (col) => { const r = heldReader(item)(col); return (f) => Math.min(r(f), 64) / 64; } });
  for (const block of blocks) {
    const group = BLOCK_GROUPS.find(([, names]) => names.includes(block))?.[0];
    if (group) specs.push({ name: `near:${block}`, make: (col) => { const r = count(col, `near.${group}`); return (f) => Math.min(r(f), 64) / 64; } });
    const tools = Object.keys(data.blocksByName[block]?.harvestTools ?? {}).map((id) => data.items[Number(id)]?.name ?? '');
    const need = tools.length ? Math.min(...tools.map((t) => TIERS[t.split('_')[0]!] ?? 9)) : 0;
    specs.push({ name: `mine_tool:${block}`, make: (col) => { const i = col('tool.pickaxe'); return need === 0 ? () => 1 : i < 0 ? () => 0 : (f) => (Math.round(f[i]! * 5) >= need ? 1 : 0); } });
  }
  for (const item of items) {
    const m = tree.obtain(item);
    if (m?.kind !== 'craft') continue;
    const recipe = Object.entries(m.ingredients);
    specs.push({
      name: `craft_runs:${item}`,
      make: (col) => {
        const readers = recipe.map(([ing, per]) => [ingredientReader(ing)(col), per] as const);
        return (f) => Math.min(8, ...readers.map(([r, per]) => Math.floor(r(f) / per))) / 8;
      },
    });
    specs.push({ name: `craft_table:${item}`, make: (col) => { const r = count(col, 'near.crafting_table'); return m.table ? (f) => (r(f) > 0 ? 1 : 0) : () => 1; } });
  }
  let compiled: { names: readonly string[]; readers: Reader[] } | null = null;
  return {
    id: `${MINECRAFT_CALL_FEATURES_ID}(${MINECRAFT_FEATURE_VERSION})`,
    names: specs.map((s) => s.name),
    derive(features, featureNames) {
      if (compiled?.names !== featureNames) {
        const index = new Map(featureNames.map((n, i) => [n, i]));
        const col = (n: string) => index.get(n) ?? -1;
        if (col('tool.pickaxe') < 0 || col('inv.planks') < 0) throw new Error(`not a Minecraft observation (${MINECRAFT_FEATURE_VERSION}): no tool.pickaxe / inv.planks feature`);
        compiled = { names: featureNames, readers: specs.map((s) => s.make(col)) };
      }
      return Float32Array.from(compiled.readers, (r) => r(features));
    },
  };
}
