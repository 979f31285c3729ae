/**
 * A small corpus of Voyager-style skills, written for this test in the idiom of Voyager's generated
 * code (not copied from it), run unchanged through the skill runtime against the embedded world with
 * the default (Voyager) primitive semantics: a missing precondition is said in chat and the skill
 * carries on; craftItem uses a table placed earlier within 32 blocks; placeItem never clicks a table.
 */
import assert from 'node:assert/strict';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';

const CORPUS = {
  placeTwoTables: `async function placeTwoTables(bot) {
  const here = bot.entity.position.floored();
  await placeItem(bot, "crafting_table", here.offset(2, 0, 0));
  // Only one table was in the inventory: Voyager's placeItem says so and returns.
  await placeItem(bot, "crafting_table", here.offset(-2, 0, 0));
  bot.chat("placed what I had");
  return "finished";
}`,
  craftPickaxeAtFarTable: `async function craftPickaxeAtFarTable(bot) {
  const table = bot.findBlock({ matching: mcData.blocksByName.crafting_table.id, maxDistance: 32 });
  if (!table) {
    bot.chat("No crafting table within 32 blocks");
    return "no table";
  }
  await craftItem(bot, "wooden_pickaxe", 1);
  const pickaxe = bot.inventory.items().find((i) => i.name === "wooden_pickaxe");
  return pickaxe ? "crafted" : "not crafted";
}`,
  stackOnTable: `async function stackOnTable(bot) {
  const table = bot.findBlock({ matching: mcData.blocksByName.crafting_table.id, maxDistance: 32 });
  await placeItem(bot, "dirt", table.position.offset(0, 1, 0));
  return bot.currentWindow ? "a window opened" : "no window";
}`,
};

describe('Voyager-style skill corpus (chat-and-return semantics) in the embedded world', function () {
  this.timeout(180_000);
  let env: MinecraftEnvironment;
  let runtime: SkillRuntime;
  const run = (name: keyof typeof CORPUS) =>
    runtime.run({ code: CORPUS[name], main: `return await ${name}(bot)`, endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 120_000 });
  const chatSince = (mark: number) => env.recorder.since(mark).filter((e) => e.type === 'chat').map((e) => e.text);
  const give = async (item: string, n: number) => {
    const have = () => env.bot.inventory.items().filter((i) => i.name === item).reduce((s, i) => s + i.count, 0);
    const want = have() + n;
    env.bot.chat(`/give ${env.bot.username} ${item} ${n}`);
    while (have() < want) await env.bot.waitForTicks(2);
  };

  before(async () => {
    env = await createMinecraftEnvironment({ embedded: { seed: 4, op: true }, username: 'voyager' });
    runtime = new SkillRuntime();
  });
  after(async () => {
    await runtime?.close();
    await env?.close();
  });

  it('a second placeItem without the item says so in chat and the skill carries on', async () => {
    await give('crafting_table', 1);
    const mark = env.recorder.mark();
    const res = await run('placeTwoTables');
    assert.equal(res.ok, true, res.error);
    assert.equal(res.value, 'finished');
    // The skill's own line comes back as the server's chat echo.
    for (let i = 0; i < 100 && !chatSince(mark).some((c) => c.includes('placed what I had')); i++) await env.bot.waitForTicks(2);
    const chat = chatSince(mark);
    assert.ok(chat.includes('Placed crafting_table'), chat.join(' | '));
    assert.ok(chat.includes('No crafting_table in inventory'), chat.join(' | '));
    assert.ok(chat.some((c) => c.includes('placed what I had')), chat.join(' | '));
  });

  it('craftItem walks to a table placed earlier, more than 4 blocks away', async () => {
    const away = await env.execute({ skill: 'exploreUntil', args: { direction: { x: 1, y: 0, z: 0 }, maxTime: 4 } }, { timeoutMs: 60_000 });
    assert.equal(away.success, true, away.error);
    const table = env.bot.findBlock({ matching: env.bot.registry.blocksByName.crafting_table!.id, maxDistance: 32 });
    assert.ok(table, 'the table is still within 32 blocks');
    const distance = env.bot.entity.position.distanceTo(table!.position);
    assert.ok(distance > 4, `the bot is ${distance.toFixed(1)} blocks from the table: too close to show walking`);
    await give('oak_planks', 3);
    await give('stick', 2);
    const res = await run('craftPickaxeAtFarTable');
    assert.equal(res.ok, true, res.error);
    assert.equal(res.value, 'crafted');
  });

  it('placing on top of a crafting table opens no window and chats that there is nothing to place on', async () => {
    await give('dirt', 1);
    const table = env.bot.findBlock({ matching: env.bot.registry.blocksByName.crafting_table!.id, maxDistance: 32 })!;
    const above = table.position.offset(0, 1, 0);
    // Clear what terrain put around that spot, so the table is its only neighbour.
    for (const p of [above, above.offset(1, 0, 0), above.offset(-1, 0, 0), above.offset(0, 0, 1), above.offset(0, 0, -1), above.offset(0, 1, 0)]) {
      if (env.bot.blockAt(p)?.name !== 'air') env.bot.chat(`/setblock ${p.x} ${p.y} ${p.z} air`);
    }
    const clear = () => [above, above.offset(1, 0, 0), above.offset(-1, 0, 0), above.offset(0, 0, 1), above.offset(0, 0, -1), above.offset(0, 1, 0)].every((p) => env.bot.blockAt(p)?.name === 'air');
    for (let i = 0; i < 100 && !clear(); i++) await env.bot.waitForTicks(2);
    assert.ok(clear(), 'the spot above the table is cleared');
    const mark = env.recorder.mark();
    const res = await run('stackOnTable');
    assert.equal(res.ok, true, res.error);
    assert.equal(res.value, 'no window');
    assert.ok(chatSince(mark).some((c) => /No block to place dirt on/.test(c)), chatSince(mark).join(' | '));
    assert.notEqual(env.bot.blockAt(above)?.name, 'dirt');
  });
});
