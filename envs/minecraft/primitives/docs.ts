/**
 * The code API a language model writing Minecraft skills may use, as commented signatures with one
 * example each (what Voyager shows its action agent): the globals skill code gets, then each
 * primitive's `doc` from its descriptor, in list order, so the text cannot drift from
 * sandboxEndowments().
 *
 * @example
 * const system = `You write async JavaScript functions for a mineflayer bot.\n\n${MINECRAFT_CODE_API}`;
 */
import type { PrimitiveDescriptor } from './descriptor.js';
import { MINECRAFT_PRIMITIVE_DESCRIPTORS } from './descriptors.js';

const GLOBALS = `// Globals: bot (mineflayer Bot), mcData (minecraft-data of the server version), Vec3,
// GoalNear, GoalBlock, GoalXZ, GoalNearXZ, GoalY, GoalGetToBlock, GoalFollow, GoalLookAtBlock,
// GoalPlaceBlock, GoalBreakBlock, GoalCompositeAny, GoalCompositeAll, GoalInvert, Movements.
// When something a function needs is missing (an item, a block nearby, a crafting table, a tool),
// it says why in the chat and returns, as Voyager's do (or, in strict environments, throws an Error
// saying why): check the inventory after each step. Unknown names, no furnace and time-outs throw.`;

/** The code API text for a list of primitives (an environment given its own list documents that). */
export function minecraftCodeApi(primitives: readonly PrimitiveDescriptor[]): string {
  return `${GLOBALS}\n\n${primitives.map((p) => p.doc.trim()).join('\n\n')}\n`;
}

export const MINECRAFT_CODE_API = minecraftCodeApi(MINECRAFT_PRIMITIVE_DESCRIPTORS);
