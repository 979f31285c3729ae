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
import { toVec3, type PrimitiveDescriptor } from './descriptor.js';
import { NAME, POS, args, named, obj, vec } from './schemas.js';

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

/** moveTo as the environment offers it (see descriptor.ts). */
export const moveToDescriptor: PrimitiveDescriptor = {
  name: 'moveTo',
  description: 'Walk to within `range` blocks of `position`.',
  params: obj({ position: vec, range: { type: 'number', minimum: 0, default: 1 } }, ['position']),
  run: async (bot, a) => {
    await moveTo(bot, a.position, a.range);
    return undefined;
  },
  endowment: (o) => (b: Bot, position: Vec3, range = 1) => moveTo(b, position, range, o),
  sandbox: {
    calls: { moveTo: { params: args([POS, { type: 'number', minimum: 0, maximum: 64 }], 1), run: (bot, [p, range], o) => moveTo(bot, toVec3(p), range ?? 1, o) } },
    global: "prim('moveTo', ([p, range]) => [posArg(p), range])",
  },
  doc: `// Walk to within \`range\` blocks of \`position\`.
// Example: await moveTo(bot, new Vec3(0, 64, 0), 2);
async function moveTo(bot, position, range = 1) {}`,
};

/** equipItem as the environment offers it (see descriptor.ts). */
export const equipItemDescriptor: PrimitiveDescriptor = {
  name: 'equipItem',
  description: 'Hold item `name` from the inventory (destination hand, off-hand, head, torso, legs or feet).',
  params: obj({ name: named('item id'), destination: { enum: ['hand', 'off-hand', 'head', 'torso', 'legs', 'feet'], default: 'hand' } }, ['name']),
  run: async (bot, a) => {
    await equipItem(bot, a.name, a.destination);
    return undefined;
  },
  endowment: (o) => (b: Bot, name: string, destination = 'hand') => equipItem(b, name, destination, o),
  sandbox: {
    calls: { equipItem: { params: args([NAME, { enum: ['hand', 'off-hand', 'head', 'torso', 'legs', 'feet'] }], 1), run: (bot, [name, dest], o) => equipItem(bot, name, dest ?? 'hand', o) } },
    global: "prim('equipItem')",
  },
  // Exact: the item is held or it is not.
  precondition: (a, { inventory }) => (inventory[a.name] ?? 0) > 0,
  doc: `// Hold an inventory item (destination "hand", "off-hand", "head", "torso", "legs" or "feet").
// Example: await equipItem(bot, "stone_pickaxe", "hand");
async function equipItem(bot, name, destination = "hand") {}`,
};
