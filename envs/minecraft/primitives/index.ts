/**
 * Voyager's control primitives for mineflayer, with Voyager's names and argument order so existing
 * Voyager skill code runs unchanged. Each takes an optional trailing `{signal, timeoutMs}` and otherwise
 * uses the context the environment set with `setPrimitiveContext(bot, {signal, maxTimeoutMs})`.
 * Each is also described once, by a descriptor at the end of its file; the list in descriptors.ts is
 * what the environment derives its tables from.
 */
export { mineBlock, weakestHarvestTool, canHarvest, MINE_RADIUS } from './mineBlock.js';
export { craftItem, TABLE_RADIUS } from './craftItem.js';
export { smeltItem, resolveSmeltInput, FURNACE_RADIUS } from './smeltItem.js';
export { placeItem, canPlaceAgainst } from './placeItem.js';
export { killMob, MOB_RADIUS } from './killMob.js';
export { exploreUntil } from './exploreUntil.js';
export { getItemFromChest, depositItemIntoChest, checkItemInsideChest, CLOSE_CHEST_EVENT, REMOVE_CHEST_EVENT } from './useChest.js';
export { moveTo, equipItem, gotoGoal, pathfinderGoals } from './movement.js';
export {
  runPrimitive,
  setPrimitiveContext,
  getPrimitiveContext,
  setPrimitiveSemantics,
  getPrimitiveSemantics,
  gameTicks,
  CHAT_AND_RETURN_CODES,
  feedback,
  note,
  stopActivity,
  isConnected,
  type PrimitiveOptions,
  type PrimitiveContext,
  type PrimitiveSemantics,
  type PrimitiveRun,
} from './context.js';
export { MINECRAFT_CODE_API, minecraftCodeApi } from './docs.js';
export { MINECRAFT_PRIMITIVE_DESCRIPTORS, checkDescriptors } from './descriptors.js';
export { toVec3, type PrimitiveDescriptor, type PreconditionFacts, type SandboxCallSpec } from './descriptor.js';
