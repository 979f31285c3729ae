import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { gotoGoal } from './movement.js';
import { feedback, note, runPrimitive, requireString, toBlockVec, type PrimitiveOptions } from './context.js';

const require = createRequire(import.meta.url);

const FACES = [new Vec3(0, 1, 0), new Vec3(0, -1, 0), new Vec3(1, 0, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, -1)];

function isReplaceable(name: string | undefined): boolean {
  return !name || name === 'air' || name === 'cave_air' || name === 'void_air' || name === 'water' || name === 'lava' || name === 'grass' || name === 'tall_grass' || name === 'snow' || name === 'fern';
}

/**
 * Voyager's `placeItem(bot, name, position)`: place the block item `name` from the inventory at
 * `position` (a Vec3, or {x, y, z}), against a solid neighbour. Rejects with E_MC_MISSING_ITEM ("no
 * crafting_table in inventory"), E_MC_OCCUPIED, E_MC_NO_SUPPORT (floating), E_MC_PLACE_FAILED, E_TIMEOUT,
 * E_ABORTED, E_MC_DISCONNECTED. Default limit 30 s.
 *
 * @example await placeItem(bot, 'crafting_table', bot.entity.position.offset(1, 0, 0));
 */
export async function placeItem(bot: Bot, name: string, position: Vec3 | { x: number; y: number; z: number }, options?: PrimitiveOptions): Promise<void> {
  requireString(name, 'name for placeItem');
  const pos = toBlockVec(position, 'position for placeItem');
  const itemType = bot.registry.itemsByName[name];
  if (!itemType) throw new SkillforgeError('E_MC_UNKNOWN_ITEM', `no item named ${name}`);
  await runPrimitive(bot, `placeItem(${name}, ${pos.x} ${pos.y} ${pos.z})`, 30_000, options, async (run) => {
    const item = bot.inventory.items().find((i) => i.type === itemType.id);
    if (!item) {
      feedback(bot, `No ${name} in inventory`);
      throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`, { hint: `craft or collect a ${name} first` });
    }
    const here = bot.blockAt(pos);
    if (!here) throw new SkillforgeError('E_MC_NOT_LOADED', `position ${pos} is not loaded (too far away)`, { hint: 'move closer first' });
    if (!isReplaceable(here.name)) {
      throw new SkillforgeError('E_MC_OCCUPIED', `cannot place ${name} at ${pos}: ${here.name} is there`, { hint: 'choose an empty (air) position next to a solid block' });
    }
    let reference = null;
    let face: Vec3 | null = null;
    for (const v of FACES) {
      const b = bot.blockAt(pos.minus(v));
      if (b && !isReplaceable(b.name) && b.boundingBox === 'block') {
        reference = b;
        face = v;
        break;
      }
    }
    if (!reference || !face) {
      feedback(bot, `No block to place ${name} on. You cannot place a floating block.`);
      throw new SkillforgeError('E_MC_NO_SUPPORT', `no block to place ${name} on at ${pos}: you cannot place a floating block`, {
        hint: 'choose a position next to a solid block, e.g. bot.entity.position.offset(1, 0, 0)',
      });
    }
    const countBefore = count(bot, itemType.id);
    const { GoalPlaceBlock } = require('mineflayer-pathfinder').goals;
    await gotoGoal(bot, new GoalPlaceBlock(pos, bot.world, { range: 4 }), `a spot to place ${name} at ${pos}`);
    run.check();
    const again = bot.inventory.items().find((i) => i.type === itemType.id);
    if (!again) throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`);
    await bot.equip(again, 'hand');
    run.check();
    try {
      await bot.placeBlock(reference, face);
    } catch (err) {
      run.check();
      // placeBlock can time out waiting for the block update although the server placed it.
      if (count(bot, itemType.id) >= countBefore && bot.blockAt(pos)?.name !== (bot.registry.blocksByName[name] ? name : undefined)) {
        feedback(bot, `Error placing ${name}: ${errorMessage(err)}, please find another position to place`);
        throw new SkillforgeError('E_MC_PLACE_FAILED', `placing ${name} at ${pos} failed: ${errorMessage(err)}`, { hint: 'find another position', cause: err });
      }
    }
    feedback(bot, `Placed ${name}`);
    note(bot, 'placed', `placed ${name} at ${pos.x} ${pos.y} ${pos.z}`, { name, x: pos.x, y: pos.y, z: pos.z });
  });
}

function count(bot: Bot, id: number): number {
  return bot.inventory.items().reduce((n, i) => (i.type === id ? n + i.count : n), 0);
}
