/**
 * Minecraft's tech tree from minecraft-data: how to obtain each item of the classic progression
 * (logs -> planks -> crafting table -> sticks -> wooden pickaxe -> cobblestone -> stone pickaxe ->
 * furnace -> coal -> iron ore -> iron ingot -> iron pickaxe). Block drops come from the loot tables,
 * tool requirements from `harvestTools`, recipes from minecraft-data's recipe list (the variants that
 * differ only by wood type collapse into the 'log' and 'planks' groups), smelting from recipes.ts.
 */
import { createRequire } from 'node:module';
import type { ItemGroup, ObtainMethod, TechTree } from '../../core/tech-tree.js';
import { craftPlans, smeltingInputsFor, type RecipeRegistry } from './recipes.js';

const require = createRequire(import.meta.url);

export const MINECRAFT_MILESTONES = [
  'log', 'planks', 'crafting_table', 'stick', 'wooden_pickaxe', 'cobblestone', 'stone_pickaxe',
  'furnace', 'coal', 'iron_ore', 'iron_ingot', 'iron_pickaxe',
] as const;

const NATURAL_BLOCK = /(_ore|_log)$|^(stone|dirt|sand|red_sand|gravel|clay|grass_block|snow_block|obsidian|netherrack)$/;

const TOOL_TIERS = ['wooden', 'golden', 'stone', 'iron', 'diamond', 'netherite'];

interface Loot {
  drops: Array<{ item: string; dropChance: number; stackSizeRange?: number[]; silkTouch?: boolean }>;
}

interface McData extends RecipeRegistry {
  blocksByName: Record<string, { id: number; name: string; harvestTools?: Record<string, boolean> } | undefined>;
  blockLoot: Record<string, Loot | undefined>;
}

export class MinecraftTechTree implements TechTree {
  readonly milestones = MINECRAFT_MILESTONES;
  readonly groups: ItemGroup[];
  private readonly data: McData;
  private readonly cache = new Map<string, ObtainMethod | undefined>();

  constructor(version = '1.16.5') {
    this.data = require('minecraft-data')(version) as McData;
    const names = Object.keys(this.data.itemsByName);
    this.groups = [
      { name: 'log', suffix: '_log', members: names.filter((n) => n.endsWith('_log') && !n.startsWith('stripped_') && this.naturalBlock(n)) },
      { name: 'planks', suffix: '_planks', members: names.filter((n) => n.endsWith('_planks') && !/crimson|warped/.test(n)) },
    ];
  }

  private naturalBlock(name: string): boolean {
    return Boolean(this.data.blocksByName[name]) && !/crimson|warped/.test(name);
  }

  private groupOf(item: string): ItemGroup | undefined {
    return this.groups.find((g) => g.members.includes(item));
  }

  obtain(item: string): ObtainMethod | undefined {
    if (!this.cache.has(item)) this.cache.set(item, this.compute(item));
    return this.cache.get(item);
  }

  private compute(item: string): ObtainMethod | undefined {
    const group = this.groups.find((g) => g.name === item);
    const concrete = group ? group.members[0]! : item;
    if (!this.data.itemsByName[concrete]) return undefined;
    // Smelting first: iron_ingot has crafting recipes too (from blocks and nuggets) that need iron already.
    const smeltFrom = smeltingInputsFor(concrete).find((input) => this.data.itemsByName[input] && this.mineable(input));
    if (smeltFrom && /_ingot$/.test(concrete)) return { kind: 'smelt', input: smeltFrom, fuel: 'coal' };
    const mined = this.mine(group ? group.members : [concrete]);
    if (mined) return mined;
    const plans = craftPlans(this.data, concrete, 1, {});
    const plan = plans.find((p) => Object.keys(p.ingredients).every((n) => !n.startsWith('item#'))) ;
    if (plan) {
      const ingredients: Record<string, number> = {};
      for (const [name, n] of Object.entries(plan.ingredients)) {
        const g = this.groupOf(name);
        ingredients[g ? g.name : name] = (ingredients[g ? g.name : name] ?? 0) + n;
      }
      return { kind: 'craft', ingredients, perCraft: plan.perCraft, table: plan.needsTable };
    }
    return undefined;
  }

  private mineable(item: string): boolean {
    return this.mine([item]) !== undefined;
  }

  /** Natural blocks whose loot (without silk touch) includes one of `items`. */
  private mine(items: readonly string[]): ObtainMethod | undefined {
    const blocks: string[] = [];
    let tools: string[] = [];
    let perBlock = 1;
    for (const [block, loot] of Object.entries(this.data.blockLoot)) {
      if (!loot || !this.data.blocksByName[block]) continue;
      // Chance drops (sticks from leaves, 2%) are no way to plan on an item.
      const drop = loot.drops.find((d) => items.includes(d.item) && !d.silkTouch && d.dropChance >= 0.3);
      if (!drop) continue;
      // Only blocks the world generates (crafted blocks drop themselves too); leaves are left out because
      // their sticks and apples are chance drops, whatever the loot table data says.
      if (!NATURAL_BLOCK.test(block)) continue;
      blocks.push(block);
      const harvest = this.data.blocksByName[block]!.harvestTools;
      tools = harvest ? Object.keys(harvest).map((id) => this.data.items[Number(id)]!.name) : [];
      perBlock = drop.stackSizeRange?.[0] ?? 1;
    }
    if (blocks.length === 0) return undefined;
    const cheapestTool = tools.length ? [...tools].sort((a, b) => tier(a) - tier(b)).find((t) => !t.startsWith('golden')) ?? tools[0]! : null;
    return { kind: 'mine', blocks, tools, cheapestTool, perBlock };
  }
}

function tier(tool: string): number {
  const i = TOOL_TIERS.indexOf(tool.split('_')[0]!);
  return i < 0 ? 99 : i;
}
