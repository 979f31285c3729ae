import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { inventoryCounts } from '../events.js';
import { bestCraftPlan, describeCounts, smeltingInputsFor } from '../recipes.js';
import { gotoGoal } from './movement.js';
import { feedback, runPrimitive, requireCount, requireString, type PrimitiveOptions } from './context.js';
import { craftFeasibility } from '../recipes.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { COUNT, NAME, args, count, named, obj } from './schemas.js';

const require = createRequire(import.meta.url);

/** How far craftItem looks for a crafting table (Voyager's). */
export const TABLE_RADIUS = 32;

/**
 * Voyager's `craftItem(bot, name, count = 1)`: run the recipe for `name` `count` times, walking to a
 * crafting table within 32 blocks when the recipe is 3×3. Rejects with E_MC_MISSING_INGREDIENTS
 * ("need 3 cobblestone, have 1"), E_MC_NO_TABLE ("no crafting_table nearby: place one first"),
 * E_MC_NOT_CRAFTABLE, E_MC_CRAFT_FAILED, E_TIMEOUT, E_ABORTED, E_MC_DISCONNECTED. Default limit 30 s.
 *
 * @example await craftItem(bot, 'oak_planks', 1); // 1 oak_log -> 4 oak_planks
 */
export async function craftItem(bot: Bot, name: string, count: number = 1, options?: PrimitiveOptions): Promise<void> {
  requireString(name, 'name for craftItem');
  requireCount(count, 'count for craftItem');
  const item = bot.registry.itemsByName[name];
  if (!item) throw new SkillforgeError('E_MC_UNKNOWN_ITEM', `no item named ${name}`, { hint: 'use Minecraft item ids such as oak_planks, crafting_table, stick' });
  await runPrimitive(bot, `craftItem(${name}, ${count})`, 30_000, options, async (run) => {
    const table = bot.findBlock({ matching: bot.registry.blocksByName.crafting_table!.id, maxDistance: TABLE_RADIUS });
    const inv = inventoryCounts(bot);
    const plan = bestCraftPlan(bot.registry as never, name, count, inv, !!table);
    if (!plan) {
      const inputs = smeltingInputsFor(name);
      throw new SkillforgeError('E_MC_NOT_CRAFTABLE', inputs.length ? `${name} is not crafted: smelt ${inputs[0]} in a furnace` : `${name} has no crafting recipe`, {
        hint: inputs.length ? `use smeltItem(bot, '${inputs[0]}', fuelName, count)` : 'mine or find it instead',
      });
    }
    const missing = Object.entries(plan.missing);
    if (missing.length) {
      feedback(bot, `I cannot make ${name} because I need: ${missing.map(([n, c]) => `${c} more ${n}`).join(', ')}`);
      throw new SkillforgeError(
        'E_MC_MISSING_INGREDIENTS',
        `cannot craft ${name} x${count}: ${missing.map(([n]) => `need ${plan.ingredients[n]} ${n}, have ${inv[n] ?? 0}`).join('; ')}`,
        { hint: `the recipe uses ${describeCounts(plan.ingredients)}; gather the rest first` },
      );
    }
    if (plan.needsTable && !table) {
      feedback(bot, `I cannot make ${name} because there is no crafting table nearby`);
      throw new SkillforgeError('E_MC_NO_TABLE', 'no crafting_table nearby: place one first', {
        hint: "craftItem(bot, 'crafting_table', 1) then placeItem(bot, 'crafting_table', position)",
      });
    }
    const useTable = plan.needsTable ? table : null;
    if (useTable && useTable.position.distanceTo(bot.entity.position.offset(0, 1.6, 0)) > 4) {
      const { GoalLookAtBlock } = require('mineflayer-pathfinder').goals;
      await gotoGoal(bot, new GoalLookAtBlock(useTable.position, bot.world, { reach: 4 }), `the crafting_table at ${useTable.position}`);
      run.check();
    }
    const recipe = bot.recipesFor(item.id, null, 1, useTable ?? null).find((r) => recipeMatches(bot, r, plan.ingredients));
    const chosen = recipe ?? bot.recipesFor(item.id, null, 1, useTable ?? null)[0];
    if (!chosen) throw new SkillforgeError('E_MC_CRAFT_FAILED', `mineflayer found no usable recipe for ${name} with this inventory`);
    const before = inv[name] ?? 0;
    const perRun = Math.max(1, (chosen as { result?: { count?: number } }).result?.count ?? 1);
    try {
      for (let attempt = 0; ; attempt++) {
        const done = Math.floor(((inventoryCounts(bot)[name] ?? 0) - before) / perRun);
        if (done >= count) break;
        try {
          await bot.craft(chosen, count - done, useTable ?? undefined);
          break;
        } catch (err) {
          // The server refuses a click computed on an inventory that changed under it (an item picked
          // up while the click was on the wire) and resends the window, so mineflayer's view is right
          // again once that arrives. Give back what sits in the grid and crafting starts over on it.
          if (attempt >= 2 || !/rejected transaction/i.test(errorMessage(err))) throw err;
          run.check();
          await resync(bot, !useTable);
          run.check();
        }
      }
    } catch (err) {
      run.check();
      feedback(bot, `I cannot do the recipe for ${name} ${count} times`);
      throw new SkillforgeError('E_MC_CRAFT_FAILED', `crafting ${name} failed: ${errorMessage(err)}`, {
        hint: 'the server must support crafting windows (the embedded world does)',
        cause: err,
      });
    }
    run.check();
    const after = inventoryCounts(bot)[name] ?? 0;
    if (after <= before) {
      throw new SkillforgeError('E_MC_CRAFT_FAILED', `crafted ${name} but it did not arrive in the inventory`, { hint: 'the server may have refused the craft' });
    }
    feedback(bot, `I did the recipe for ${name} ${count} times`);
  });
}

/** Let the server's window resend land, then close the 2×2 grid so its items return to the inventory. */
async function resync(bot: Bot, inventoryGrid: boolean): Promise<void> {
  await bot.waitForTicks(2);
  if (inventoryGrid) {
    bot.closeWindow(bot.inventory);
    await bot.waitForTicks(2);
  }
}

function recipeMatches(bot: Bot, recipe: { delta: { id: number; count: number }[] }, ingredients: Record<string, number>): boolean {
  const names = recipe.delta.filter((d) => d.count < 0).map((d) => bot.registry.items[d.id]?.name);
  return names.every((n) => !!n && n in ingredients);
}

/** craftItem as the environment offers it (see descriptor.ts). */
export const craftItemDescriptor: PrimitiveDescriptor = {
  name: 'craftItem',
  description: 'Run the crafting recipe of `name` `count` times (3x3 recipes need a placed crafting_table within 32 blocks).',
  params: obj({ name: named('item id, e.g. stick'), count: count('times to run the recipe') }, ['name']),
  run: async (bot, a) => {
    await craftItem(bot, a.name, a.count);
    return undefined;
  },
  endowment: (o) => (b: Bot, name: string, count = 1) => craftItem(b, name, count, o),
  sandbox: { calls: { craftItem: { params: args([NAME, COUNT(576)], 1), run: (bot, [name, count], o) => craftItem(bot, name, count ?? 1, o) } }, global: "prim('craftItem')" },
  // Exact, from minecraft-data's recipes: the ingredients held, and a table within 32 for 3x3 recipes.
  precondition: (a, { registry, inventory, nearby }) => {
    if (typeof a.name !== 'string') return false;
    return craftFeasibility(registry, a.name, Number(a.count ?? 1), inventory, (nearby.crafting_table ?? 0) > 0).feasible;
  },
  doc: `// Run the crafting recipe of \`name\` \`count\` times (1 oak_log -> 4 oak_planks per run).
// 3x3 recipes (tools, furnace) need a placed crafting_table within 32 blocks.
// Example: await craftItem(bot, "stick", 1);
async function craftItem(bot, name, count = 1) {}`,
};
