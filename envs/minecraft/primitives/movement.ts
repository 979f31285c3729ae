/**
 * Movement and equipment helpers Voyager skills lean on, with the same time-out/abort/disconnect
 * behaviour as the control primitives.
 */
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import '../plugin-types.js';
import type { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { isPrimitiveOptions, runPrimitive, requireString, toBlockVec, type PrimitiveOptions } from './context.js';

const require = createRequire(import.meta.url);

/** mineflayer-pathfinder's goal classes (GoalNear, GoalBlock, GoalXZ, GoalLookAtBlock, GoalPlaceBlock, ...). */
export function pathfinderGoals(): Record<string, unknown> {
  return require('mineflayer-pathfinder').goals;
}

/** Pathfind to a goal, rejecting with a readable error instead of pathfinder's NoPath/Timeout objects. */
export async function gotoGoal(bot: Bot, goal: unknown, what: string): Promise<void> {
  try {
    await bot.pathfinder.goto(goal as never);
  } catch (err) {
    const name = (err as { name?: string })?.name ?? '';
    if (name === 'NoPath') throw new SkillforgeError('E_MC_NO_PATH', `no path to ${what}`, { hint: 'it may be enclosed or too far; try a different target or explore', cause: err });
    if (name === 'GoalChanged' || name === 'PathStopped') throw new SkillforgeError('E_MC_INTERRUPTED', `movement to ${what} was interrupted`, { cause: err });
    throw new SkillforgeError('E_MC_NO_PATH', `could not reach ${what}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Walk to within `range` blocks of `position` (default 1). Default time limit 60 s.
 *
 * @example await moveTo(bot, new Vec3(10, 64, -3), 2);
 */
export async function moveTo(bot: Bot, position: Vec3 | { x: number; y: number; z: number }, range = 1, options?: PrimitiveOptions): Promise<void> {
  const p = toBlockVec(position, 'position for moveTo');
  if (typeof range !== 'number' || !(range >= 0)) throw new SkillforgeError('E_INVALID', 'range for moveTo must be a number >= 0');
  await runPrimitive(bot, `moveTo(${p.x}, ${p.y}, ${p.z})`, 60_000, options, async () => {
    const { GoalNear } = require('mineflayer-pathfinder').goals;
    await gotoGoal(bot, new GoalNear(p.x, p.y, p.z, range), `(${p.x}, ${p.y}, ${p.z})`);
  });
}

/**
 * Hold an inventory item by name in `destination` ('hand', 'off-hand', 'head', 'torso', 'legs', 'feet').
 *
 * @example await equipItem(bot, 'wooden_pickaxe');
 */
export async function equipItem(bot: Bot, name: string, destination: string | PrimitiveOptions = 'hand', options?: PrimitiveOptions): Promise<void> {
  if (isPrimitiveOptions(destination)) {
    options = destination;
    destination = 'hand';
  }
  requireString(name, 'name for equipItem');
  const dest = destination as string;
  await runPrimitive(bot, `equipItem(${name})`, 10_000, options, async () => {
    const item = bot.inventory.items().find((i) => i.name === name);
    if (!item) throw new SkillforgeError('E_MC_MISSING_ITEM', `no ${name} in inventory`, { hint: 'craft, mine or collect it first' });
    await bot.equip(item, dest as never);
  });
}
