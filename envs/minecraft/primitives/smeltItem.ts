import { createRequire } from 'node:module';
import type { Bot, Furnace } from 'mineflayer';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { inventoryCounts } from '../events.js';
import { SMELTING, fuelValue, smeltingInputsFor } from '../recipes.js';
import { gotoGoal } from './movement.js';
import { feedback, runPrimitive, requireCount, requireString, type PrimitiveOptions } from './context.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { COUNT, NAME, args, count, named, obj } from './schemas.js';

const require = createRequire(import.meta.url);

export const FURNACE_RADIUS = 32;

/**
 * Resolve Voyager's `itemName` to a furnace input: the input itself (iron_ore, raw_iron, porkchop),
 * or, for convenience, an output (iron_ingot) whose input the inventory holds.
 */
export function resolveSmeltInput(itemName: string, inventory: Record<string, number>): string {
  if (itemName in SMELTING) return itemName;
  const inputs = smeltingInputsFor(itemName);
  return inputs.find((i) => (inventory[i] ?? 0) > 0) ?? inputs[0] ?? itemName;
}

/**
 * Voyager's `smeltItem(bot, itemName, fuelName, count = 1)`: walk to a furnace within 32 blocks, put
 * `count` of `itemName` and enough `fuelName` in, and take the output. `itemName` is the input (iron_ore,
 * raw_iron, porkchop); an output name (iron_ingot) is accepted when its input is in the inventory.
 * Rejects with E_MC_NO_FURNACE, E_MC_MISSING_ITEM ("need 1 iron_ore, have 0"), E_MC_NOT_FUEL,
 * E_MC_NOT_SMELTABLE, E_TIMEOUT, E_ABORTED, E_MC_DISCONNECTED. Default limit 20 s + 15 s per item.
 *
 * @example await smeltItem(bot, 'iron_ore', 'oak_planks', 1);
 */
export async function smeltItem(bot: Bot, itemName: string, fuelName: string, count: number = 1, options?: PrimitiveOptions): Promise<void> {
  requireString(itemName, 'itemName for smeltItem');
  requireString(fuelName, 'fuelName for smeltItem');
  requireCount(count, 'count for smeltItem');
  if (!bot.registry.itemsByName[itemName]) throw new SkillforgeError('E_MC_UNKNOWN_ITEM', `no item named ${itemName}`);
  const fuel = bot.registry.itemsByName[fuelName];
  if (!fuel) throw new SkillforgeError('E_MC_UNKNOWN_ITEM', `no item named ${fuelName}`);
  await runPrimitive(bot, `smeltItem(${itemName}, ${fuelName}, ${count})`, 20_000 + 15_000 * count, options, async (run) => {
    const inv = inventoryCounts(bot);
    const inputName = resolveSmeltInput(itemName, inv);
    const input = bot.registry.itemsByName[inputName]!;
    const outputName = SMELTING[inputName];
    if (!outputName) {
      throw new SkillforgeError('E_MC_NOT_SMELTABLE', `${itemName} cannot be smelted`, { hint: `smeltable inputs include ${Object.keys(SMELTING).slice(0, 6).join(', ')}` });
    }
    const have = inv[inputName] ?? 0;
    if (have < count) {
      feedback(bot, `No ${inputName} to smelt in inventory`);
      throw new SkillforgeError('E_MC_MISSING_ITEM', `need ${count} ${inputName}, have ${have}`, { hint: `mine or collect ${inputName} first` });
    }
    const perFuel = fuelValue(fuelName);
    if (perFuel <= 0) throw new SkillforgeError('E_MC_NOT_FUEL', `${fuelName} is not a valid fuel`, { hint: 'use coal, charcoal, planks or logs' });
    const furnaceBlock = bot.findBlock({ matching: bot.registry.blocksByName.furnace!.id, maxDistance: FURNACE_RADIUS });
    if (!furnaceBlock) {
      throw new SkillforgeError('E_MC_NO_FURNACE', 'no furnace nearby: craft one (8 cobblestone) and place it first', {
        hint: "craftItem(bot, 'furnace', 1) at a crafting table, then placeItem(bot, 'furnace', position)",
      });
    }
    const { GoalLookAtBlock } = require('mineflayer-pathfinder').goals;
    if (furnaceBlock.position.distanceTo(bot.entity.position.offset(0, 1.6, 0)) > 4) {
      await gotoGoal(bot, new GoalLookAtBlock(furnaceBlock.position, bot.world, { reach: 4 }), `the furnace at ${furnaceBlock.position}`);
      run.check();
    }
    const furnace: Furnace = await bot.openFurnace(furnaceBlock);
    const closeFurnace = () => {
      try {
        furnace.close();
      } catch {
        /* already closed */
      }
    };
    run.signal.addEventListener('abort', closeFurnace, { once: true });
    try {
      run.check();
      const alreadyFuel = furnace.fuelItem()?.name === fuelName ? furnace.fuelItem()!.count : 0;
      const fuelNeeded = Math.max(0, Math.ceil(count / perFuel) - alreadyFuel - (furnace.fuel > 0 ? 1 : 0));
      if (fuelNeeded > 0) {
        const fuelHave = inventoryCounts(bot)[fuelName] ?? 0;
        if (fuelHave < fuelNeeded) {
          feedback(bot, `No ${fuelName} as fuel in inventory`);
          throw new SkillforgeError('E_MC_MISSING_ITEM', `need ${fuelNeeded} ${fuelName} as fuel, have ${fuelHave}`, { hint: 'gather more fuel (planks, logs, coal)' });
        }
        await furnace.putFuel(fuel.id, null, fuelNeeded);
        run.check();
      }
      await furnace.putInput(input.id, null, count);
      run.check();
      let got = 0;
      while (got < count) {
        run.check();
        const out = furnace.outputItem();
        if (out && out.count > 0) {
          // Count what was taken: bot.inventory only catches up when the furnace window closes.
          const taken = await furnace.takeOutput();
          got += taken?.count ?? out.count;
          continue;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, 1000);
          t.unref?.();
          furnace.once('update', done);
          run.signal.addEventListener('abort', done, { once: true });
          function done() {
            clearTimeout(t);
            furnace.removeListener('update', done);
            run.signal.removeEventListener('abort', done);
            resolve();
          }
        });
      }
      feedback(bot, `Smelted ${got} ${inputName}.`);
    } catch (err) {
      run.check();
      if (err instanceof SkillforgeError) throw err;
      throw new SkillforgeError('E_MC_SMELT_FAILED', `smelting ${inputName} failed: ${errorMessage(err)}`, { hint: 'the server must support furnace windows (the embedded world does)', cause: err });
    } finally {
      run.signal.removeEventListener('abort', closeFurnace);
      closeFurnace();
    }
  });
}

/** smeltItem as the environment offers it (see descriptor.ts). */
export const smeltItemDescriptor: PrimitiveDescriptor = {
  name: 'smeltItem',
  description: 'Smelt `count` of `itemName` (e.g. iron_ore) in a placed furnace within 32 blocks, burning `fuelName` (e.g. oak_planks, coal).',
  params: obj({ itemName: named('input item id'), fuelName: named('fuel item id'), count: count('items to smelt') }, ['itemName', 'fuelName']),
  run: async (bot, a) => {
    await smeltItem(bot, a.itemName, a.fuelName, a.count);
    return undefined;
  },
  endowment: (o) => (b: Bot, itemName: string, fuelName: string, count = 1) => smeltItem(b, itemName, fuelName, count, o),
  sandbox: { calls: { smeltItem: { params: args([NAME, NAME, COUNT(64)], 2), run: (bot, [item, fuel, count], o) => smeltItem(bot, item, fuel, count ?? 1, o) } }, global: "prim('smeltItem')" },
  // The input (or an ore of the named output), enough fuel for `count`, and a furnace within 32.
  precondition: (a, { inventory: inv, nearby: near }) => {
    const n = Number(a.count ?? 1);
    const input = a.itemName in SMELTING ? a.itemName : Object.keys(SMELTING).find((i) => SMELTING[i] === a.itemName && (inv[i] ?? 0) > 0);
    if (!input || (inv[input] ?? 0) < n) return false;
    const per = fuelValue(String(a.fuelName));
    if (per <= 0 || (inv[a.fuelName] ?? 0) < Math.ceil(n / per)) return false;
    return (near.furnace ?? 0) > 0;
  },
  doc: `// Smelt \`count\` of \`itemName\` in a placed furnace within 32 blocks, burning \`fuelName\`.
// Example: await smeltItem(bot, "iron_ore", "oak_planks", 1);
async function smeltItem(bot, itemName, fuelName, count = 1) {}`,
};
