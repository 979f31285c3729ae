import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { gotoGoal } from './movement.js';
import { feedback, note, runPrimitive, requireString, toBlockVec, type PrimitiveOptions } from './context.js';
import { toVec3, type PrimitiveDescriptor } from './descriptor.js';
import { NAME, POS, args, named, obj, vec } from './schemas.js';

const require = createRequire(import.meta.url);

const FACES = [new Vec3(0, 1, 0), new Vec3(0, -1, 0), new Vec3(1, 0, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, -1)];

function isReplaceable(name: string | undefined): boolean {
  return !name || name === 'air' || name === 'cave_air' || name === 'void_air' || name === 'water' || name === 'lava' || name === 'grass' || name === 'tall_grass' || name === 'snow' || name === 'fern';
}

/**
 * Blocks that open a window (or act) when clicked instead of taking a block against them: placing
 * against one opens the crafting table or furnace and places nothing.
 */
const INTERACTIVE = /^(crafting_table|furnace|blast_furnace|smoker|chest|trapped_chest|ender_chest|barrel|.*shulker_box|hopper|dispenser|dropper|enchanting_table|anvil|chipped_anvil|damaged_anvil|brewing_stand|beacon|cartography_table|grindstone|loom|smithing_table|stonecutter|lectern|.*_bed|.*_door|.*_trapdoor|.*_fence_gate|.*_button|lever|repeater|comparator|note_block|jukebox|bell|cake)$/;

/**
 * Voyager's choice of reference block (the first of up, down, +x, -x, +z, -z that is not air), except
 * blocks that open a window when clicked, liquids and replaceable plants, which take no block.
 */
export function canPlaceAgainst(name: string | undefined): boolean {
  return !!name && !isReplaceable(name) && !INTERACTIVE.test(name);
}

/** How far (blocks, each horizontal direction) placeItem looks for a spot when given no position. */
export const SPOT_RADIUS = 6;

const LIQUID = new Set(['water', 'lava', 'flowing_water', 'flowing_lava']);

/**
 * Spots where a block could go near the bot, nearest first: an empty (or grass) position with a
 * floor it can be placed on, up to SPOT_RADIUS blocks away and 2 up or down, never in the bot's own
 * column (it may stand in a pit or tunnel) nor next to a liquid.
 */
export function spotsNear(bot: Bot, radius = SPOT_RADIUS): Vec3[] {
  const feet = bot.entity.position.floored();
  const spots: Vec3[] = [];
  for (let dx = -radius; dx <= radius; dx++) {
    for (let dz = -radius; dz <= radius; dz++) {
      if (dx === 0 && dz === 0) continue;
      for (let dy = -2; dy <= 2; dy++) {
        const p = feet.offset(dx, dy, dz);
        const here = bot.blockAt(p);
        if (!here || !isReplaceable(here.name) || LIQUID.has(here.name)) continue;
        const below = bot.blockAt(p.offset(0, -1, 0));
        if (!below || below.boundingBox !== 'block' || !canPlaceAgainst(below.name)) continue;
        if (nextToLiquid(bot, p)) continue;
        spots.push(p);
      }
    }
  }
  return spots.sort((a, b) => a.distanceSquared(feet) - b.distanceSquared(feet));
}

function nextToLiquid(bot: Bot, p: Vec3): boolean {
  return FACES.some((f) => LIQUID.has(bot.blockAt(p.plus(f))?.name ?? ''));
}

/**
 * A spot dug out of the wall beside the bot's feet, for when nothing near is open (a pit in a quarry,
 * a tunnel): the first side block the bot can dig that stands on a floor and touches no liquid.
 */
async function digSpot(bot: Bot, run: { check(): void }): Promise<Vec3 | null> {
  const feet = bot.entity.position.floored();
  for (const side of [new Vec3(1, 0, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, -1)]) {
    const p = feet.plus(side);
    const block = bot.blockAt(p);
    const floor = bot.blockAt(p.offset(0, -1, 0));
    if (!block || !floor || floor.boundingBox !== 'block' || !canPlaceAgainst(floor.name) || nextToLiquid(bot, p)) continue;
    if (isReplaceable(block.name) && !LIQUID.has(block.name)) return p;
    if (!bot.canDigBlock(block)) continue;
    try {
      const tool = (bot as Bot & { tool?: { equipForBlock(b: unknown, o: object): Promise<void> } }).tool;
      await tool?.equipForBlock(block, {});
      run.check();
      await bot.dig(block);
      run.check();
      note(bot, 'dug', `dug ${block.name} at ${p.x} ${p.y} ${p.z} to make room`, { name: block.name, x: p.x, y: p.y, z: p.z });
      return p;
    } catch (err) {
      run.check();
      /* try the next side */
    }
  }
  return null;
}

/**
 * Voyager's `placeItem(bot, name, position)`: place the block item `name` from the inventory at
 * `position` (a Vec3, or {x, y, z}), against any neighbour that is not air (Voyager's rule), never
 * against a block that opens a window (crafting table, furnace, chest) or a liquid. A missing item,
 * an occupied or floating position or a refused placement is said in chat and, under `voyager`
 * semantics (the default), returns; under `strict` semantics it rejects with E_MC_MISSING_ITEM ("no
 * crafting_table in inventory"), E_MC_OCCUPIED, E_MC_NO_SUPPORT, E_MC_PLACE_FAILED. Always rejects with
 * E_MC_UNKNOWN_ITEM, E_TIMEOUT, E_ABORTED, E_MC_DISCONNECTED. Default limit 30 s (in game ticks).
 *
 * @example await placeItem(bot, 'crafting_table', bot.entity.position.offset(1, 0, 0));
 */
export async function placeItem(bot: Bot, name: string, position?: Vec3 | { x: number; y: number; z: number } | null, options?: PrimitiveOptions): Promise<Vec3 | undefined> {
  requireString(name, 'name for placeItem');
  const itemType = bot.registry.itemsByName[name];
  if (!itemType) throw new SkillforgeError('E_MC_UNKNOWN_ITEM', `no item named ${name}`);
  if (position === undefined || position === null) return placeNear(bot, name, options);
  const pos = toBlockVec(position, 'position for placeItem');
  return runPrimitive(bot, `placeItem(${name}, ${pos.x} ${pos.y} ${pos.z})`, 30_000, options, (run) => placeAt(bot, name, itemType.id, pos, run));
}

/**
 * placeItem without a position: the nearest good spot within SPOT_RADIUS blocks (spotsNear), trying
 * the next ones when a placement is refused, and digging one out of the wall beside the bot when
 * none is open. Resolves the position used.
 */
async function placeNear(bot: Bot, name: string, options?: PrimitiveOptions): Promise<Vec3 | undefined> {
  const itemType = bot.registry.itemsByName[name]!;
  return runPrimitive(bot, `placeItem(${name}, near the bot)`, 45_000, options, async (run) => {
    if (!bot.inventory.items().some((i) => i.type === itemType.id)) {
      feedback(bot, `No ${name} in inventory`);
      throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`, { hint: `craft or collect a ${name} first` });
    }
    let last: unknown = null;
    for (const spot of spotsNear(bot).slice(0, 4)) {
      try {
        return await placeAt(bot, name, itemType.id, spot, run);
      } catch (err) {
        run.check();
        last = err;
      }
    }
    const dug = await digSpot(bot, run);
    if (dug) return placeAt(bot, name, itemType.id, dug, run);
    const why = last ? errorMessage(last) : `no open spot with a floor within ${SPOT_RADIUS} blocks and no wall beside the bot to dig one in`;
    feedback(bot, `Cannot find a place for ${name} here: ${why}`);
    throw new SkillforgeError('E_MC_NO_SUPPORT', `no place for ${name} near the bot: ${why}`, { hint: 'move to open ground (exploreUntil), or give a position', cause: last ?? undefined });
  });
}

async function placeAt(bot: Bot, name: string, itemId: number, pos: Vec3, run: { check(): void }): Promise<Vec3> {
  const item = bot.inventory.items().find((i) => i.type === itemId);
  if (!item) {
    feedback(bot, `No ${name} in inventory`);
    throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`, { hint: `craft or collect a ${name} first` });
  }
  const here = bot.blockAt(pos);
  if (!here) throw new SkillforgeError('E_MC_NOT_LOADED', `position ${pos} is not loaded (too far away)`, { hint: 'move closer first' });
  if (!isReplaceable(here.name)) {
    feedback(bot, `Cannot place ${name} at ${pos}: ${here.name} is there, please find another position to place`);
    throw new SkillforgeError('E_MC_OCCUPIED', `cannot place ${name} at ${pos}: ${here.name} is there`, { hint: 'choose an empty (air) position next to a solid block' });
  }
  let reference = null;
  let face: Vec3 | null = null;
  for (const v of FACES) {
    const b = bot.blockAt(pos.minus(v));
    if (b && canPlaceAgainst(b.name)) {
      reference = b;
      face = v;
      break;
    }
  }
  if (!reference || !face) {
    feedback(bot, `No block to place ${name} on. You cannot place a floating block.`);
    throw new SkillforgeError('E_MC_NO_SUPPORT', `no block to place ${name} on at ${pos}: you cannot place a floating block`, {
      hint: 'choose a position next to a block that is not air, a liquid, or a crafting table, furnace or chest',
    });
  }
  const countBefore = count(bot, itemId);
  const { GoalPlaceBlock } = require('mineflayer-pathfinder').goals;
  await gotoGoal(bot, new GoalPlaceBlock(pos, bot.world, { range: 4 }), `a spot to place ${name} at ${pos}`);
  run.check();
  const again = bot.inventory.items().find((i) => i.type === itemId);
  if (!again) throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`);
  await bot.equip(again, 'hand');
  run.check();
  try {
    await bot.placeBlock(reference, face);
  } catch (err) {
    run.check();
    // placeBlock can time out waiting for the block update although the server placed it.
    if (count(bot, itemId) >= countBefore && bot.blockAt(pos)?.name !== (bot.registry.blocksByName[name] ? name : undefined)) {
      feedback(bot, `Error placing ${name}: ${errorMessage(err)}, please find another position to place`);
      throw new SkillforgeError('E_MC_PLACE_FAILED', `placing ${name} at ${pos} failed: ${errorMessage(err)}`, { hint: 'find another position', cause: err });
    }
  }
  feedback(bot, `Placed ${name}`);
  note(bot, 'placed', `placed ${name} at ${pos.x} ${pos.y} ${pos.z}`, { name, x: pos.x, y: pos.y, z: pos.z });
  return pos;
}

function count(bot: Bot, id: number): number {
  return bot.inventory.items().reduce((n, i) => (i.type === id ? n + i.count : n), 0);
}

/** placeItem as the environment offers it (see descriptor.ts). */
export const placeItemDescriptor: PrimitiveDescriptor = {
  name: 'placeItem',
  description: 'Place the block item `name` from the inventory at `position` (default: a free spot next to the bot).',
  params: obj({ name: named('block item id, e.g. crafting_table'), position: vec }, ['name']),
  run: async (bot, a) => {
    // Without a position placeItem picks the spot itself (and digs one out of a wall if it must).
    const pos = await placeItem(bot, a.name, a.position ? new Vec3(a.position.x, a.position.y, a.position.z) : undefined);
    return pos ? { x: pos.x, y: pos.y, z: pos.z } : null;
  },
  // Without a position (composites written from execute() calls), placeItem picks a spot near the bot.
  endowment: (o) => (b: Bot, name: string, position?: Vec3) => placeItem(b, name, position, o),
  sandbox: {
    // Without a position placeItem chooses the spot itself (searching further, digging one out if needed).
    calls: { placeItem: { params: args([NAME, POS], 1), run: (bot, [name, p], o) => placeItem(bot, name, p ? toVec3(p) : undefined, o) } },
    global: "prim('placeItem', ([name, p]) => [name, posArg(p)])",
  },
  // Held or certainly not; whether a spot is free only trying tells.
  precondition: (a, { inventory }) => ((inventory[a.name] ?? 0) > 0 ? null : false),
  doc: `// Place the block item \`name\` from the inventory at \`position\`, against a neighbouring block that is
// not air (never a crafting table, furnace or chest). Without a position: a free spot near the bot.
// Example: await placeItem(bot, "crafting_table", bot.entity.position.offset(1, 0, 0));
async function placeItem(bot, name, position) {}`,
};
