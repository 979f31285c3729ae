import type { Bot } from 'mineflayer';
import '../plugin-types.js';
import type { Block } from 'prismarine-block';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { feedback, gameTicks, runPrimitive, requireCount, requireString, stopActivity, type PrimitiveOptions, type PrimitiveRun } from './context.js';
import { BLOCK_GROUPS } from '../observation.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { COUNT, NAME, args, count, named, obj } from './schemas.js';

/** Search radius of mineBlock (Voyager's). */
export const MINE_RADIUS = 32;

const TIER_ORDER = ['wooden', 'golden', 'stone', 'iron', 'diamond', 'netherite'];

/** The weakest tool that can harvest `block` (e.g. 'wooden_pickaxe' for stone), or null if none is needed. */
export function weakestHarvestTool(bot: Bot, block: { harvestTools?: Record<string, boolean> }): string | null {
  const ids = block.harvestTools ? Object.keys(block.harvestTools) : [];
  if (ids.length === 0) return null;
  const names = ids.map((id) => bot.registry.items[Number(id)]?.name).filter((n): n is string => !!n);
  names.sort((a, b) => TIER_ORDER.indexOf(a.split('_')[0]!) - TIER_ORDER.indexOf(b.split('_')[0]!));
  return names[0] ?? null;
}

/**
 * Names of the items that mining `blockName` can yield: the vanilla loot table (blockLoot: stone gives
 * cobblestone, coal ore coal, gravel flint), minecraft-data's drop ids, and the block's own item.
 */
export function possibleDrops(bot: Bot, blockName: string): Set<string> {
  const names = new Set<string>();
  const registry = bot.registry as unknown as {
    blockLoot?: Record<string, { drops?: Array<{ item?: string }> } | undefined>;
    blocksByName: Record<string, { drops?: unknown[] } | undefined>;
    items: Record<number, { name: string } | undefined>;
    itemsByName: Record<string, unknown>;
  };
  for (const d of registry.blockLoot?.[blockName]?.drops ?? []) if (d.item) names.add(d.item);
  for (const id of registry.blocksByName[blockName]?.drops ?? []) {
    const n = typeof id === 'number' ? registry.items[id]?.name : undefined;
    if (n) names.add(n);
  }
  if (registry.itemsByName[blockName]) names.add(blockName);
  return names;
}

/** How many items of the given names the bot holds. */
function countOf(bot: Bot, names: Set<string>): number {
  return bot.inventory.items().reduce((n, i) => n + (names.has(i.name) ? i.count : 0), 0);
}

const NEIGHBOURS = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
] as const;

function isExposed(bot: Bot, b: Block): boolean {
  return NEIGHBOURS.some(([dx, dy, dz]) => {
    const n = bot.blockAt(b.position.offset(dx, dy, dz));
    return !!n && (n.name === 'air' || n.name === 'cave_air' || n.boundingBox === 'empty');
  });
}

/**
 * Game ticks (10 s at full speed) without progress toward one block after which mineBlock gives that
 * block up and tries the next. Progress is a dig completed or a new closest approach by a block.
 */
const STALL_TICKS = 200;

/**
 * collectblock's collect of one block, given up when it stalls: under load the pathfinder's A* often
 * returns partial paths toward a buried block, the bot follows one into a dead end, the "stuck" reset
 * restarts the search, and the cycle repeats until the primitive's whole time limit is spent on that
 * one block. On a stall the collect is stopped and awaited (stopActivity makes collectblock settle),
 * so nothing keeps steering the bot while the next block is tried.
 */
async function collectOrGiveUp(bot: Bot, target: Block, run: PrimitiveRun): Promise<void> {
  const centre = target.position.offset(0.5, 0.5, 0.5);
  let closest = bot.entity.position.distanceTo(centre);
  let lastProgress = gameTicks(bot);
  let stalled = false;
  const onDug = () => {
    lastProgress = gameTicks(bot);
  };
  bot.on('diggingCompleted', onDug);
  const watchdog = setInterval(() => {
    const now = gameTicks(bot);
    const d = bot.entity?.position.distanceTo(centre) ?? closest;
    if (d < closest - 1) {
      closest = d;
      lastProgress = now;
    }
    if (!stalled && now - lastProgress >= STALL_TICKS) {
      stalled = true;
      stopActivity(bot);
    }
  }, 250);
  watchdog.unref?.();
  try {
    await bot.collectBlock.collect(target, { ignoreNoPath: true });
  } finally {
    clearInterval(watchdog);
    bot.removeListener('diggingCompleted', onDug);
  }
  run.check();
  if (stalled && bot.blockAt(target.position)?.type === target.type) {
    throw new Error(`no progress toward the ${target.name} at ${target.position} in ${STALL_TICKS} game ticks (the way there kept failing)`);
  }
}

/** Whether the inventory holds a tool that harvests `block` (true when none is needed). */
export function canHarvest(bot: Bot, block: { harvestTools?: Record<string, boolean> }): boolean {
  if (!block.harvestTools || Object.keys(block.harvestTools).length === 0) return true;
  return bot.inventory.items().some((i) => block.harvestTools![String(i.type)]);
}

/**
 * Voyager's `mineBlock(bot, name, count = 1)`: find `name` blocks within 32 blocks, walk to each, dig it
 * with the best tool held and pick up the drop, until `count` blocks are mined.
 * Rejects with E_MC_NOT_FOUND ("no oak_log within 32 blocks"), E_MC_NEED_TOOL ("need a wooden_pickaxe
 * to mine stone"), E_TIMEOUT, E_ABORTED or E_MC_DISCONNECTED. Default time limit 20 s + 15 s per block.
 *
 * @example await mineBlock(bot, 'oak_log', 3);
 */
export async function mineBlock(bot: Bot, name: string, count: number = 1, options?: PrimitiveOptions): Promise<void> {
  requireString(name, 'name for mineBlock');
  requireCount(count, 'count for mineBlock');
  const blockType = bot.registry.blocksByName[name];
  if (!blockType) {
    const close = Object.keys(bot.registry.blocksByName).filter((n) => n.includes(name) || name.includes(n)).slice(0, 5);
    throw new SkillforgeError('E_MC_UNKNOWN_BLOCK', `no block named ${name}`, {
      hint: close.length ? `did you mean ${close.join(', ')}?` : 'use Minecraft block ids such as oak_log, stone, iron_ore',
    });
  }
  await runPrimitive(bot, `mineBlock(${name}, ${count})`, 20_000 + 15_000 * count, options, async (run) => {
    // Inside the primitive, so `voyager` semantics turn it into chat-and-return like the others.
    const needed = weakestHarvestTool(bot, blockType);
    if (needed && !canHarvest(bot, blockType)) {
      feedback(bot, `I need at least a ${needed} to mine ${name}!`);
      throw new SkillforgeError('E_MC_NEED_TOOL', `need a ${needed} to mine ${name}`, { hint: `craft a ${needed} first (craftItem)` });
    }
    let mined = 0;
    const failed = new Set<string>();
    let lastError: unknown = null;
    let lostDrops = 0;
    const dropsSomething = ((blockType as { drops?: unknown[] }).drops ?? []).length > 0;
    // Only this block's own drops count: with other players mining nearby, the bot also picks up
    // their drops (dirt, sand) while its own log goes to someone else, and a total item count
    // then reports a block mined that never reached the inventory.
    const drops = possibleDrops(bot, name);
    while (mined < count) {
      run.check();
      const positions = bot.findBlocks({ matching: blockType.id, maxDistance: MINE_RADIUS, count: 64 });
      const candidates = positions.map((p) => bot.blockAt(p)).filter((b): b is Block => !!b && !failed.has(b.position.toString()));
      if (candidates.length === 0) {
        if (mined === 0 && failed.size === 0 && lostDrops === 0) {
          feedback(bot, `No ${name} nearby, please explore first`);
          throw new SkillforgeError('E_MC_NOT_FOUND', `no ${name} within ${MINE_RADIUS} blocks`, { hint: 'explore first (exploreUntil), or mine something that is nearby' });
        }
        throw new SkillforgeError(
          'E_MC_NOT_FOUND',
          `mined ${mined} of ${count} ${name}: no more reachable ${name} within ${MINE_RADIUS} blocks${lostDrops ? ` (${lostDrops} dug but the drop did not reach the inventory)` : ''}${lastError ? ` (last error: ${errorMessage(lastError)})` : ''}`,
          { hint: 'explore to find more' },
        );
      }
      const me = bot.entity.position;
      // Prefer blocks with an air neighbour: digging a tunnel to a buried block costs far more.
      const cost = (b: Block) => b.position.distanceTo(me) + (isExposed(bot, b) ? 0 : 6);
      candidates.sort((a, b) => cost(a) - cost(b));
      const target = candidates[0]!;
      try {
        const before = countOf(bot, drops);
        await collectOrGiveUp(bot, target, run);
        const after = bot.blockAt(target.position);
        if (after && after.type === blockType.id) throw new Error(`the ${name} at ${target.position} is still there`);
        // Another player may grab the drop first: only count blocks whose drop reached us.
        if (dropsSomething && countOf(bot, drops) <= before) {
          await bot.waitForTicks(10);
          if (countOf(bot, drops) <= before) {
            lostDrops++;
            if (lostDrops >= 5) throw new SkillforgeError('E_MC_DIG_FAILED', `mined ${mined} of ${count} ${name}: the drops were not picked up (${lostDrops} lost)`, { hint: 'someone else may be collecting them; move elsewhere' });
            continue;
          }
        }
        mined++;
      } catch (err) {
        run.check();
        lastError = err;
        failed.add(target.position.toString());
        if (failed.size >= 5) {
          throw new SkillforgeError('E_MC_DIG_FAILED', `mined ${mined} of ${count} ${name}: ${errorMessage(err)}`, {
            hint: 'the blocks may be out of reach; move closer or explore',
            cause: err,
          });
        }
      }
    }
  });
}

/** mineBlock as the environment offers it (see descriptor.ts). */
export const mineBlockDescriptor: PrimitiveDescriptor = {
  name: 'mineBlock',
  description: 'Mine `count` blocks named `name` within 32 blocks and pick up the drops (stone needs a wooden_pickaxe, iron_ore a stone_pickaxe).',
  params: obj({ name: named('block id, e.g. oak_log'), count: count('blocks to mine') }, ['name']),
  run: async (bot, a) => {
    await mineBlock(bot, a.name, a.count);
    return undefined;
  },
  endowment: (o) => (b: Bot, name: string, count = 1) => mineBlock(b, name, count, o),
  sandbox: { calls: { mineBlock: { params: args([NAME, COUNT(64)], 1), run: (bot, [name, count], o) => mineBlock(bot, name, count ?? 1, o) } }, global: "prim('mineBlock')" },
  precondition: (a, { registry: reg, inventory: inv, nearby: near }) => {
    const block = reg.blocksByName[a.name];
    if (!block) return false;
    const tool = weakestHarvestTool({ registry: reg } as Bot, block);
    if (tool && !Object.keys(inv).some((n) => block.harvestTools?.[String(reg.itemsByName[n]?.id)])) return false;
    // blockCounts covers mineBlock's own search radius: a group with none means none of its members.
    const group = BLOCK_GROUPS.find(([, names]) => names.includes(a.name));
    if (group && group[0] in near && (near[group[0]] ?? 0) === 0) return false;
    return null;
  },
  doc: `// Mine \`count\` blocks named \`name\` within 32 blocks and pick up the drops.
// Stone needs a wooden_pickaxe, iron_ore a stone_pickaxe, diamond_ore an iron_pickaxe.
// Example: await mineBlock(bot, "oak_log", 3);
async function mineBlock(bot, name, count = 1) {}`,
};
