/**
 * The code API a language model writing Minecraft skills may use, as commented signatures with one
 * example each (what Voyager shows its action agent). Keep in step with sandboxEndowments().
 *
 * @example
 * const system = `You write async JavaScript functions for a mineflayer bot.\n\n${MINECRAFT_CODE_API}`;
 */
export const MINECRAFT_CODE_API = `// Globals: bot (mineflayer Bot), mcData (minecraft-data of the server version), Vec3,
// GoalNear, GoalBlock, GoalXZ, GoalNearXZ, GoalY, GoalGetToBlock, GoalFollow, GoalLookAtBlock,
// GoalPlaceBlock, GoalBreakBlock, GoalCompositeAny, GoalCompositeAll, GoalInvert, Movements.
// When something a function needs is missing (an item, a block nearby, a crafting table, a tool),
// it says why in the chat and returns, as Voyager's do (or, in strict environments, throws an Error
// saying why): check the inventory after each step. Unknown names, no furnace and time-outs throw.

// Mine \`count\` blocks named \`name\` within 32 blocks and pick up the drops.
// Stone needs a wooden_pickaxe, iron_ore a stone_pickaxe, diamond_ore an iron_pickaxe.
// Example: await mineBlock(bot, "oak_log", 3);
async function mineBlock(bot, name, count = 1) {}

// Run the crafting recipe of \`name\` \`count\` times (1 oak_log -> 4 oak_planks per run).
// 3x3 recipes (tools, furnace) need a placed crafting_table within 32 blocks.
// Example: await craftItem(bot, "stick", 1);
async function craftItem(bot, name, count = 1) {}

// Smelt \`count\` of \`itemName\` in a placed furnace within 32 blocks, burning \`fuelName\`.
// Example: await smeltItem(bot, "iron_ore", "oak_planks", 1);
async function smeltItem(bot, itemName, fuelName, count = 1) {}

// Place the block item \`name\` from the inventory at \`position\`, against a neighbouring block that is
// not air (never a crafting table, furnace or chest). Without a position: a free spot near the bot.
// Example: await placeItem(bot, "crafting_table", bot.entity.position.offset(1, 0, 0));
async function placeItem(bot, name, position) {}

// Kill the nearest \`mobName\` within 48 blocks and pick up its drops; give up after \`timeout\` seconds.
// Example: await killMob(bot, "pig", 60);
async function killMob(bot, mobName, timeout = 300) {}

// Walk in \`direction\` (x, y, z each -1, 0 or 1) for up to \`maxTime\` seconds; stop as soon as
// callback() returns something truthy and return it (null when time runs out).
// Example: const log = await exploreUntil(bot, new Vec3(1, 0, 1), 60, () =>
//   bot.findBlock({ matching: mcData.blocksByName.oak_log.id, maxDistance: 32 }));
async function exploreUntil(bot, direction, maxTime = 60, callback) {}

// Chests: take items, put items, or look inside (returns {name: count}).
// Example: await getItemFromChest(bot, new Vec3(10, 64, 3), { oak_log: 2 });
async function getItemFromChest(bot, chestPosition, itemsToGet) {}
async function depositItemIntoChest(bot, chestPosition, itemsToDeposit) {}
async function checkItemInsideChest(bot, chestPosition) {}

// Walk to within \`range\` blocks of \`position\`; hold an inventory item.
// Example: await moveTo(bot, new Vec3(0, 64, 0), 2); await equipItem(bot, "stone_pickaxe", "hand");
async function moveTo(bot, position, range = 1) {}
async function equipItem(bot, name, destination = "hand") {}
`;
