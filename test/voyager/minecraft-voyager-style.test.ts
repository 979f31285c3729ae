/**
 * A small corpus of Voyager-style skills, written for this test in the idiom of Voyager's generated
 * code (not copied from it), run unchanged through the skill runtime against the embedded world with
 * the default (Voyager) primitive semantics: a missing precondition is said in chat and the skill
 * carries on; craftItem uses a table placed earlier within 32 blocks; placeItem never clicks a table.
 * It also gathers each biome's plants (sugar cane on a lake bank, cactus in a desert, acacia in a
 * savanna, bamboo in a jungle, reached by /tp) and fights the newer hostile mobs (a skeleton, a
 * provoked enderman; a creeper that is not there is said in chat and the skill carries on).
 */
import assert from 'node:assert/strict';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import type { Terrain } from '../../envs/minecraft/server/terrain.js';

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
  gather: `async function countItem(bot, name) {
  return bot.inventory.items().filter((i) => i.name === name).reduce((n, i) => n + i.count, 0);
}
async function gather(bot, blockName, itemName, count) {
  const before = await countItem(bot, itemName);
  const block = bot.findBlock({ matching: mcData.blocksByName[blockName].id, maxDistance: 32 });
  if (!block) {
    bot.chat("No " + blockName + " nearby, explore first");
    return 0;
  }
  await mineBlock(bot, blockName, count);
  return (await countItem(bot, itemName)) - before;
}`,
  fight: `async function fight(bot, mobName, loot) {
  const sword = bot.inventory.items().find((i) => i.name === "diamond_sword") || bot.inventory.items().find((i) => i.name.endsWith("_sword"));
  if (sword) await bot.equip(sword, "hand");
  await killMob(bot, mobName, 90);
  await bot.waitForTicks(40); // a dead mob's body lies there for a second
  const left = bot.nearestEntity((e) => e.name === mobName && e.position.distanceTo(bot.entity.position) < 32);
  if (left) return "still there";
  const got = bot.inventory.items().some((i) => loot.includes(i.name));
  return "killed" + (got ? " and looted" : "");
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
    // Hostile mobs on without natural spawns: the tests place the mobs they fight.
    env = await createMinecraftEnvironment({ embedded: { seed: 4, op: true, hostileMobs: { maxPerPlayer: 0 } }, username: 'voyager' });
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

  describe('biome plants and the newer hostile mobs', () => {
    const serv = () => (env as unknown as { world: { server: any } }).world.server;
    const terrain = () => serv().overworld.chunkGenerator.terrain as Terrain;
    const gather = (block: string, item: string, count: number) =>
      runtime.run({ code: CORPUS.gather, main: `return await gather(bot, ${JSON.stringify(block)}, ${JSON.stringify(item)}, ${count})`, endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 120_000 });
    const fight = (mob: string, loot: string[]) =>
      runtime.run({ code: CORPUS.fight, main: `return await fight(bot, ${JSON.stringify(mob)}, ${JSON.stringify(loot)})`, endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 150_000 });
    /** Wait until `check` holds, for at most `ticks` server ticks (the bot's own physics stops while its chunk is unloaded). */
    const within = async (check: () => boolean, ticks: number, what: string) => {
      const end = serv().tickCount + ticks;
      while (!check()) {
        if (serv().tickCount > end) throw new Error(`${what}: not within ${ticks} game ticks`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    /** Full health and food, so a fight measures the skill and not what came before it. */
    const heal = async () => {
      const player = serv().players.find((p: any) => p.username === env.bot.username);
      player.updateHealth(20);
      player.updateFood?.(20);
      await within(() => env.bot.health === 20, 100, 'healing the bot');
    };
    /** Spawn a hostile mob `dx` blocks east of the bot and wait until the bot sees it. */
    const spawnSeen = async (kind: string, dx: number) => {
      const p = env.bot.entity.position;
      const mob = serv().spawnHostile(kind, { x: p.x + dx, y: p.y, z: p.z });
      await within(() => !!env.bot.entities[mob.id], 200, `the bot to see the ${kind}`);
    };
    /** Teleport the bot to dry ground beside column x,z (a free neighbour column) and wait for the chunks. */
    const goBeside = async (x: number, z: number) => {
      const t = terrain();
      for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1], [2, 0], [0, 2]] as const) {
        const c = t.columnAt(x + dx, z + dz);
        const plant = t.plantOn(x + dx, z + dz, c);
        if (c.water >= 0 || (plant && plant.block !== 'grass' && plant.block !== 'dead_bush' && !/dandelion|poppy|bluet|daisy|cornflower/.test(plant.block))) continue;
        const y = c.height + 1;
        env.bot.chat(`/tp ${env.bot.username} ${x + dx + 0.5} ${y} ${z + dz + 0.5}`);
        await within(() => env.bot.entity.position.distanceTo({ x: x + dx + 0.5, y, z: z + dz + 0.5 } as never) < 2, 400, 'the teleport');
        // Chunks far from spawn are generated on arrival: wait for the one underfoot, then the landing.
        await within(() => env.bot.blockAt(env.bot.entity.position.offset(0, -1, 0)) !== null, 1200, 'the chunk under the bot');
        await within(() => env.bot.entity.onGround, 400, 'landing after the teleport');
        return;
      }
      throw new Error(`no dry ground beside ${x},${z}`);
    };
    /** The nearest column around spawn whose plant is `block`. */
    const nearestPlant = (block: string): [number, number] => {
      const t = terrain();
      for (let r = 0; r <= 300; r += 2) {
        const n = Math.max(1, Math.ceil((2 * Math.PI * r) / 2));
        for (let i = 0; i < n; i++) {
          const x = Math.round(t.spawn.x + r * Math.cos((2 * Math.PI * i) / n));
          const z = Math.round(t.spawn.z + r * Math.sin((2 * Math.PI * i) / n));
          if (t.plantOn(x, z)?.block === block) return [x, z];
        }
      }
      throw new Error(`no ${block} within 300 blocks of spawn`);
    };

    for (const [block, item] of [['sugar_cane', 'sugar_cane'], ['cactus', 'cactus'], ['bamboo', 'bamboo']] as const) {
      it(`gathers ${block} where its biome grows it`, async () => {
        const [x, z] = nearestPlant(block);
        await goBeside(x, z);
        const res = await gather(block, item, 1);
        assert.equal(res.ok, true, res.error);
        assert.ok((res.value as number) >= 1, `gathered ${String(res.value)} ${item}`);
      });
    }

    it('chops acacia logs in a savanna', async () => {
      const t = terrain();
      const trees = t.treesIn(t.spawn.x - 300, t.spawn.z - 300, t.spawn.x + 300, t.spawn.z + 300).filter((tr) => tr.wood === 'acacia');
      trees.sort((a, b) => Math.hypot(a.x - t.spawn.x, a.z - t.spawn.z) - Math.hypot(b.x - t.spawn.x, b.z - t.spawn.z));
      assert.ok(trees.length > 0, 'an acacia within 300 blocks');
      await goBeside(trees[0]!.x, trees[0]!.z);
      const res = await gather('acacia_log', 'acacia_log', 2);
      assert.equal(res.ok, true, res.error);
      assert.ok((res.value as number) >= 2, `chopped ${String(res.value)} acacia_log`);
    });

    // The fights come last, in the savanna where the acacia test left the bot: open, flat ground.
    it('kills a skeleton; a creeper that is not there is said in chat and the skill returns', async () => {
      await give('diamond_sword', 1);
      await heal();
      serv().setTime(14000);
      await spawnSeen('skeleton', 5);
      const res = await fight('skeleton', ['bone', 'arrow']);
      assert.equal(res.ok, true, res.error);
      assert.match(String(res.value), /^killed/);
      const mark = env.recorder.mark();
      const none = await fight('creeper', ['gunpowder']);
      assert.equal(none.ok, true, none.error);
      assert.ok(chatSince(mark).some((c) => /No creeper nearby/.test(c)), chatSince(mark).join(' | '));
    });

    it('kills a provoked enderman, which teleports when hurt', async () => {
      await heal();
      await spawnSeen('enderman', 3);
      const res = await fight('enderman', ['ender_pearl']);
      assert.equal(res.ok, true, res.error);
      assert.match(String(res.value), /^killed/);
      serv().setTime(1000);
    });
  });
});
