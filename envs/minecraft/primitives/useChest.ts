import { createRequire } from 'node:module';
import type { Bot, Chest } from 'mineflayer';
import type { Block } from 'prismarine-block';
import type { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { emitBotEvent } from '../plugin-types.js';
import { gotoGoal } from './movement.js';
import { feedback, runPrimitive, toBlockVec, type PrimitiveOptions } from './context.js';
import { toVec3, type PrimitiveDescriptor } from './descriptor.js';
import { ITEMS, POS, args, itemCounts, obj, vec } from './schemas.js';

const require = createRequire(import.meta.url);

/** Bot event emitted with (contents: Record<name, count>, position: Vec3) whenever a chest is seen (Voyager's). */
export const CLOSE_CHEST_EVENT = 'closeChest';
/** Bot event emitted with (position: Vec3) when a remembered chest is gone (Voyager's). */
export const REMOVE_CHEST_EVENT = 'removeChest';

type Pos = Vec3 | { x: number; y: number; z: number };

async function openChestAt(bot: Bot, chestPosition: Pos, what: string, check: () => void): Promise<{ chest: Chest; block: Block }> {
  const pos = toBlockVec(chestPosition, `chestPosition for ${what}`);
  const block = bot.blockAt(pos);
  if (!block || (block.name !== 'chest' && block.name !== 'trapped_chest' && block.name !== 'barrel')) {
    emitBotEvent(bot, REMOVE_CHEST_EVENT, pos);
    throw new SkillforgeError('E_MC_NO_CHEST', `no chest at ${pos}, it is ${block?.name ?? 'not loaded'}`, { hint: 'check the chest position in the observation' });
  }
  if (block.position.distanceTo(bot.entity.position.offset(0, 1.6, 0)) > 4) {
    const { GoalLookAtBlock } = require('mineflayer-pathfinder').goals;
    await gotoGoal(bot, new GoalLookAtBlock(block.position, bot.world, { reach: 4 }), `the chest at ${pos}`);
    check();
  }
  const chest = (await bot.openContainer(block)) as Chest;
  check();
  return { chest, block };
}

function contentsOf(chest: Chest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of chest.containerItems()) out[it.name] = (out[it.name] ?? 0) + it.count;
  return out;
}

function closeAndReport(bot: Bot, chest: Chest, block: Block): Record<string, number> {
  const contents = contentsOf(chest);
  emitBotEvent(bot, CLOSE_CHEST_EVENT, contents, block.position);
  try {
    chest.close();
  } catch {
    /* already closed */
  }
  return contents;
}

function checkItems(items: unknown, what: string): Record<string, number> {
  if (!items || typeof items !== 'object' || Array.isArray(items)) throw new SkillforgeError('E_INVALID', `${what} must be an object {itemName: count}`);
  for (const [k, v] of Object.entries(items)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SkillforgeError('E_INVALID', `${what}.${k} must be a whole number >= 1`);
  }
  return items as Record<string, number>;
}

/**
 * Voyager's `getItemFromChest(bot, chestPosition, itemsToGet)`: walk to the chest and take
 * `{name: count}` items. Missing items are reported in chat (Voyager's behaviour) and, if nothing at all
 * could be taken, as E_MC_MISSING_ITEM. Resolves with what was taken. Default limit 30 s.
 *
 * @example await getItemFromChest(bot, new Vec3(10, 64, 3), { oak_log: 2 });
 */
export async function getItemFromChest(bot: Bot, chestPosition: Pos, itemsToGet: Record<string, number>, options?: PrimitiveOptions): Promise<Record<string, number>> {
  const wanted = checkItems(itemsToGet, 'itemsToGet');
  return runPrimitive(bot, 'getItemFromChest', 30_000, options, async (run) => {
    const { chest, block } = await openChestAt(bot, chestPosition, 'getItemFromChest', run.check);
    const got: Record<string, number> = {};
    const problems: string[] = [];
    try {
      for (const [name, n] of Object.entries(wanted)) {
        run.check();
        const type = bot.registry.itemsByName[name];
        if (!type) {
          feedback(bot, `No item named ${name}`);
          problems.push(`no item named ${name}`);
          continue;
        }
        const have = contentsOf(chest)[name] ?? 0;
        if (have === 0) {
          feedback(bot, `I don't see ${name} in this chest`);
          problems.push(`no ${name} in the chest`);
          continue;
        }
        const take = Math.min(n, have);
        try {
          await withStaleClickRetry(run, async () => {
            const moved = have - inChest(chest, type.id);
            if (moved < take) await chest.withdraw(type.id, null, take - moved);
          });
          got[name] = take;
          if (take < n) {
            feedback(bot, `Not enough ${name} in chest.`);
            problems.push(`only ${take} of ${n} ${name} in the chest`);
          }
        } catch (err) {
          run.check();
          feedback(bot, `Not enough ${name} in chest.`);
          problems.push(`taking ${name} failed: ${errorMessage(err)}`);
        }
      }
    } finally {
      closeAndReport(bot, chest, block);
    }
    if (Object.keys(got).length === 0 && problems.length) throw new SkillforgeError('E_MC_MISSING_ITEM', `took nothing from the chest: ${problems.join('; ')}`);
    return got;
  });
}

/**
 * Voyager's `depositItemIntoChest(bot, chestPosition, itemsToDeposit)`: walk to the chest and put
 * `{name: count}` items in. Resolves with what was deposited; rejects if nothing could be. Default limit 30 s.
 *
 * @example await depositItemIntoChest(bot, chestPos, { dirt: 10 });
 */
export async function depositItemIntoChest(bot: Bot, chestPosition: Pos, itemsToDeposit: Record<string, number>, options?: PrimitiveOptions): Promise<Record<string, number>> {
  const wanted = checkItems(itemsToDeposit, 'itemsToDeposit');
  return runPrimitive(bot, 'depositItemIntoChest', 30_000, options, async (run) => {
    const { chest, block } = await openChestAt(bot, chestPosition, 'depositItemIntoChest', run.check);
    const put: Record<string, number> = {};
    const problems: string[] = [];
    try {
      for (const [name, n] of Object.entries(wanted)) {
        run.check();
        const type = bot.registry.itemsByName[name];
        if (!type) {
          feedback(bot, `No item named ${name}`);
          problems.push(`no item named ${name}`);
          continue;
        }
        const have = bot.inventory.items().reduce((c, i) => (i.type === type.id ? c + i.count : c), 0);
        if (have === 0) {
          feedback(bot, `No ${name} in inventory`);
          problems.push(`no ${name} in inventory`);
          continue;
        }
        const give = Math.min(n, have);
        const before = inChest(chest, type.id);
        try {
          await withStaleClickRetry(run, async () => {
            const moved = inChest(chest, type.id) - before;
            if (moved < give) await chest.deposit(type.id, null, give - moved);
          });
          put[name] = give;
          if (give < n) {
            feedback(bot, `Not enough ${name} in inventory.`);
            problems.push(`only ${give} of ${n} ${name} in inventory`);
          }
        } catch (err) {
          run.check();
          feedback(bot, `Not enough ${name} in inventory.`);
          problems.push(`depositing ${name} failed: ${errorMessage(err)}`);
        }
      }
    } finally {
      closeAndReport(bot, chest, block);
    }
    if (Object.keys(put).length === 0 && problems.length) throw new SkillforgeError('E_MC_MISSING_ITEM', `deposited nothing: ${problems.join('; ')}`);
    return put;
  });
}

/**
 * Voyager's `checkItemInsideChest(bot, chestPosition)`: open the chest, remember its contents (they appear
 * in the observation's chests) and resolve with them. Default limit 30 s.
 *
 * @example const contents = await checkItemInsideChest(bot, chestPos); // { cobblestone: 12 }
 */
export async function checkItemInsideChest(bot: Bot, chestPosition: Pos, options?: PrimitiveOptions): Promise<Record<string, number>> {
  return runPrimitive(bot, 'checkItemInsideChest', 30_000, options, async (run) => {
    const { chest, block } = await openChestAt(bot, chestPosition, 'checkItemInsideChest', run.check);
    return closeAndReport(bot, chest, block);
  });
}

/** How many items of `type` the open container holds. */
function inChest(chest: { containerItems(): Array<{ type: number; count: number }> }, type: number): number {
  return chest.containerItems().reduce((c, i) => (i.type === type ? c + i.count : c), 0);
}

/**
 * The server refuses a click computed on a slot that changed under it (an item arriving while the click
 * was on the wire) and resends the window; once that arrives mineflayer's view is right again. `work`
 * must be idempotent (it looks at what already moved), so it is simply run again, at most twice more.
 */
async function withStaleClickRetry(run: { check(): void }, work: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await work();
      return;
    } catch (err) {
      if (attempt >= 2 || !/rejected transaction/i.test(errorMessage(err))) throw err;
      run.check();
      await new Promise((resolve) => setTimeout(resolve, 250));
      run.check();
    }
  }
}

/** getItemFromChest as the environment offers it (see descriptor.ts). */
export const getItemFromChestDescriptor: PrimitiveDescriptor = {
  name: 'getItemFromChest',
  description: 'Take items {name: count} from the chest at `chestPosition`.',
  params: obj({ chestPosition: vec, itemsToGet: itemCounts }, ['chestPosition', 'itemsToGet']),
  run: (bot, a) => getItemFromChest(bot, a.chestPosition, a.itemsToGet),
  endowment: (o) => (b: Bot, pos: Vec3, items: Record<string, number>) => getItemFromChest(b, pos, items, o),
  sandbox: {
    calls: { getItemFromChest: { params: args([POS, ITEMS], 2), run: (bot, [p, items], o) => getItemFromChest(bot, toVec3(p), items, o) } },
    global: "prim('getItemFromChest', ([p, items]) => [posArg(p), items])",
  },
  doc: `// Take items from the chest at \`chestPosition\`; returns {name: count} of what it took.
// Example: await getItemFromChest(bot, new Vec3(10, 64, 3), { oak_log: 2 });
async function getItemFromChest(bot, chestPosition, itemsToGet) {}`,
};

/** depositItemIntoChest as the environment offers it (see descriptor.ts). */
export const depositItemIntoChestDescriptor: PrimitiveDescriptor = {
  name: 'depositItemIntoChest',
  description: 'Put items {name: count} into the chest at `chestPosition`.',
  params: obj({ chestPosition: vec, itemsToDeposit: itemCounts }, ['chestPosition', 'itemsToDeposit']),
  run: (bot, a) => depositItemIntoChest(bot, a.chestPosition, a.itemsToDeposit),
  endowment: (o) => (b: Bot, pos: Vec3, items: Record<string, number>) => depositItemIntoChest(b, pos, items, o),
  sandbox: {
    calls: { depositItemIntoChest: { params: args([POS, ITEMS], 2), run: (bot, [p, items], o) => depositItemIntoChest(bot, toVec3(p), items, o) } },
    global: "prim('depositItemIntoChest', ([p, items]) => [posArg(p), items])",
  },
  // Certainly not when none of the items is held; whether the chest has room only trying tells.
  precondition: (a, { inventory }) => (Object.keys(a.itemsToDeposit ?? {}).some((n) => (inventory[n] ?? 0) > 0) ? null : false),
  doc: `// Put items from the inventory into the chest at \`chestPosition\`; returns {name: count} of what it put.
// Example: await depositItemIntoChest(bot, new Vec3(10, 64, 3), { cobblestone: 32 });
async function depositItemIntoChest(bot, chestPosition, itemsToDeposit) {}`,
};

/** checkItemInsideChest as the environment offers it (see descriptor.ts). */
export const checkItemInsideChestDescriptor: PrimitiveDescriptor = {
  name: 'checkItemInsideChest',
  description: 'Open the chest at `chestPosition` and report what is inside.',
  params: obj({ chestPosition: vec }, ['chestPosition']),
  run: (bot, a) => checkItemInsideChest(bot, a.chestPosition),
  endowment: (o) => (b: Bot, pos: Vec3) => checkItemInsideChest(b, pos, o),
  sandbox: {
    calls: { checkItemInsideChest: { params: args([POS], 1), run: (bot, [p], o) => checkItemInsideChest(bot, toVec3(p), o) } },
    global: "prim('checkItemInsideChest', ([p]) => [posArg(p)])",
  },
  doc: `// Look inside the chest at \`chestPosition\`; returns {name: count}.
// Example: const inside = await checkItemInsideChest(bot, new Vec3(10, 64, 3));
async function checkItemInsideChest(bot, chestPosition) {}`,
};
