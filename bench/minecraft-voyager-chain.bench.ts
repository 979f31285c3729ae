/**
 * The tech-tree chain (logs -> crafting table -> wooden pickaxe -> cobblestone -> stone pickaxe ->
 * furnace -> iron ingot) as Voyager-style skill code, written for this benchmark in the idiom of
 * Voyager's generated skills (not copied from them), run unchanged through the skill runtime with
 * the default (Voyager: chat-and-return) primitive semantics, from a fresh bot, once per seed.
 *
 *   node --import tsx bench/minecraft-voyager-chain.bench.ts [--seeds 1,2,3,4,5]
 */
import { createMinecraftEnvironment } from '../envs/minecraft/index.js';
import { SkillRuntime } from '../skills/runtime/runtime.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const seeds = arg('seeds', '1,2,3,4,5').split(',').map(Number);

const CHAIN = `
function countOf(bot, name) {
  return bot.inventory.items().filter((i) => i.name === name).reduce((s, i) => s + i.count, 0);
}

async function mineWoodLogs(bot, count) {
  const ids = ["oak_log", "birch_log", "spruce_log"].map((n) => mcData.blocksByName[n].id);
  for (let i = 0; i < count; i++) {
    let log = bot.findBlock({ matching: ids, maxDistance: 32 });
    if (!log) log = await exploreUntil(bot, new Vec3(1, 0, 1), 60, () => bot.findBlock({ matching: ids, maxDistance: 32 }));
    if (!log) {
      bot.chat("Could not find any log");
      return;
    }
    await mineBlock(bot, log.name, 1);
  }
}

async function craftPlanks(bot) {
  const log = bot.inventory.items().find((i) => i.name.endsWith("_log"));
  if (!log) {
    bot.chat("No log to make planks");
    return;
  }
  await craftItem(bot, log.name.replace("_log", "_planks"), 1);
}

function plankName(bot) {
  const p = bot.inventory.items().find((i) => i.name.endsWith("_planks") && i.count >= 1);
  return p ? p.name : null;
}

async function placeCraftingTable(bot) {
  if (bot.findBlock({ matching: mcData.blocksByName.crafting_table.id, maxDistance: 32 })) return;
  if (countOf(bot, "crafting_table") === 0) {
    if (bot.inventory.items().filter((i) => i.name.endsWith("_planks")).reduce((s, i) => s + i.count, 0) < 4) {
      await mineWoodLogs(bot, 1);
      await craftPlanks(bot);
    }
    await craftItem(bot, "crafting_table", 1);
  }
  await placeItem(bot, "crafting_table", bot.entity.position.offset(1, 0, 0));
  if (!bot.findBlock({ matching: mcData.blocksByName.crafting_table.id, maxDistance: 32 })) {
    await placeItem(bot, "crafting_table", bot.entity.position.offset(-1, 0, 0));
  }
}

async function craftWoodenPickaxe(bot) {
  await mineWoodLogs(bot, 3);
  // 3 logs -> 12 planks: 4 for the table, 2 for sticks, 3 for the pickaxe, 3 to spare.
  for (let i = 0; i < 3; i++) await craftPlanks(bot);
  await placeCraftingTable(bot);
  if (countOf(bot, "stick") < 2) await craftItem(bot, "stick", 1);
  await craftItem(bot, "wooden_pickaxe", 1);
}

async function craftStonePickaxe(bot) {
  await mineBlock(bot, "stone", 3);
  if (countOf(bot, "stick") < 2) {
    if (!plankName(bot)) {
      await mineWoodLogs(bot, 1);
      await craftPlanks(bot);
    }
    await craftItem(bot, "stick", 1);
  }
  await craftItem(bot, "stone_pickaxe", 1);
}

async function smeltIronIngot(bot) {
  await mineBlock(bot, "stone", 8);
  await craftItem(bot, "furnace", 1);
  await placeItem(bot, "furnace", bot.entity.position.offset(0, 0, 1));
  if (!bot.findBlock({ matching: mcData.blocksByName.furnace.id, maxDistance: 32 })) await placeItem(bot, "furnace");
  await mineBlock(bot, "iron_ore", 1);
  await mineBlock(bot, "coal_ore", 1);
  await smeltItem(bot, "iron_ore", "coal", 1);
}

async function techTree(bot) {
  await craftWoodenPickaxe(bot);
  await craftStonePickaxe(bot);
  await smeltIronIngot(bot);
  return ["wooden_pickaxe", "stone_pickaxe", "iron_ingot"].map((n) => n + ":" + countOf(bot, n)).join(" ");
}
`;

let ok = 0;
for (const seed of seeds) {
  const env = await createMinecraftEnvironment({ embedded: { seed }, username: `chain${seed}` });
  const runtime = new SkillRuntime();
  const t0 = Date.now();
  try {
    const res = await runtime.run({ code: CHAIN, main: 'return await techTree(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 900_000 });
    const inv = (await env.observe()).json.inventory as Record<string, number>;
    const success = (inv.iron_ingot ?? 0) >= 1;
    if (success) ok++;
    const said = env.recorder.all().filter((e) => e.type === 'chat').map((e) => e.text).filter((t) => /^(No |I cannot|Cannot|Could not)/.test(t));
    process.stdout.write(`seed ${seed}: ${success ? 'iron ingot' : 'NO iron ingot'} in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${res.ok ? res.value : `error: ${res.error}`}; chat-and-return lines: ${said.length}${said.length ? ` (${said.slice(0, 3).join(' | ')})` : ''}\n`);
  } finally {
    await runtime.close();
    await env.close();
  }
}
process.stdout.write(`\n${ok}/${seeds.length} seeds reached an iron ingot with Voyager-style chain code\n`);
process.exit(0);
