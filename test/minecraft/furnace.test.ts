import assert from 'node:assert/strict';
import { Vec3 } from 'vec3';
import type { Bot, Furnace } from 'mineflayer';
import { containersOf } from '../../envs/minecraft/server/plugins/containers.js';
import { COOK_TICKS, fuelTicks, furnaceTick, smeltingResult, smeltingResultIn } from '../../envs/minecraft/server/plugins/furnace.js';
import { itemClass, vec3 } from '../../envs/minecraft/server/plugins/windows.js';
import { countsOf, give, inventoriesAgree, joinBot, placeNear, startServer, tickWhen, waitFor, type TestServer } from './windows-fixture.js';

describe('minecraft furnace plugin (flying-squid + unmodified mineflayer)', function () {
  // Cooking is measured in server ticks; the generous time limits only bound the waits, since a
  // loaded CI machine may run the server well below 20 ticks per second.
  this.timeout(180_000);
  let server: TestServer;
  let bot: Bot;
  let firstFurnace: Vec3;

  /** mineflayer sets these from window properties 1 and 3 but leaves them out of its typings. */
  type FurnaceWindow = Furnace & { totalFuel: number | null; totalProgress: number | null };
  const openFurnace = async (block: Parameters<Bot['openFurnace']>[0]) => (await bot.openFurnace(block)) as FurnaceWindow;
  const count = (name: string) => countsOf(bot.inventory.slots)[name] ?? 0;
  const id = (name: string) => bot.registry.itemsByName[name].id;
  const entryAt = (position: Vec3) => {
    const entry = containersOf(server.serv).peek(server.serv.overworld, position);
    assert.ok(entry, `a furnace entry at ${position}`);
    return entry;
  };

  before(async () => {
    // Default settings: real game speed.
    server = await startServer();
    bot = await joinBot(server.port, 'smelter');
  });
  afterEach(() => {
    // A failed test must not leave its window open for the next one.
    if (bot?.currentWindow) bot.closeWindow(bot.currentWindow);
  });
  after(async () => {
    bot?.quit();
    await server?.close();
  });

  it('knows vanilla smelting results and fuel burn times', () => {
    assert.deepEqual(smeltingResult('iron_ore'), ['iron_ingot', 0.7]);
    assert.equal(smeltingResult('oak_log')?.[0], 'charcoal');
    assert.equal(smeltingResult('dirt'), null);
    assert.equal(fuelTicks('coal'), 1600);
    assert.equal(fuelTicks('oak_planks'), 300);
    assert.equal(fuelTicks('stick'), 100);
    assert.equal(fuelTicks('lava_bucket'), 20000);
    assert.equal(fuelTicks('crimson_planks'), 0);
    assert.equal(fuelTicks('cobblestone'), 0);
    assert.equal(COOK_TICKS, 200);
  });

  it('one coal smelts eight items in 1600 ticks, one plank 1.5 items (tick by tick)', () => {
    const serv = server.serv;
    const Item = itemClass(serv);
    const entry = containersOf(serv).get(serv.overworld, vec3(1000, 10, 1000), 'furnace', 3);
    entry.slots.set(0, new Item(id('iron_ore'), 10));
    entry.slots.set(1, new Item(id('coal'), 1));
    let ticks = 0;
    while (ticks < 5000 && (entry.data.litTime > 0 || ticks === 0)) {
      furnaceTick(serv, entry);
      ticks++;
    }
    assert.equal(ticks, 1601); // lit on tick 1, burning 1600 ticks, out on tick 1601
    assert.equal(entry.slots.get(2)?.count, 8);
    assert.equal(entry.slots.get(0)?.count, 2);
    assert.equal(entry.slots.get(1), null);
    // Planks burn 300 ticks: one full item and half of the next, whose progress then cools down.
    entry.slots.set(2, null);
    entry.slots.set(1, new Item(id('oak_planks'), 1));
    for (let i = 0; i < 300; i++) furnaceTick(serv, entry);
    assert.equal(entry.slots.get(2)?.count, 1);
    assert.equal(entry.data.cookProgress, 100);
    furnaceTick(serv, entry);
    assert.equal(entry.data.cookProgress, 98);
    containersOf(serv).remove(entry.key, false);
  });

  it('blast furnaces take ores at twice the speed and fuel, smokers only food', () => {
    const serv = server.serv;
    const Item = itemClass(serv);
    assert.equal(smeltingResultIn('smoker', 'iron_ore'), null);
    assert.equal(smeltingResultIn('smoker', 'beef')?.[0], 'cooked_beef');
    assert.equal(smeltingResultIn('blast_furnace', 'beef'), null);
    assert.equal(smeltingResultIn('blast_furnace', 'iron_pickaxe')?.[0], 'iron_nugget');
    const entry = containersOf(serv).get(serv.overworld, vec3(1001, 10, 1000), 'blast_furnace', 3);
    entry.slots.set(0, new Item(id('iron_ore'), 10));
    entry.slots.set(1, new Item(id('coal'), 1));
    for (let i = 0; i < 100; i++) furnaceTick(serv, entry);
    assert.equal(entry.slots.get(2)?.count, 1);
    assert.equal(entry.data.litDuration, 800);
    for (let i = 0; i < 701; i++) furnaceTick(serv, entry);
    assert.equal(entry.slots.get(2)?.count, 8);
    containersOf(serv).remove(entry.key, false);
    const smoker = containersOf(serv).get(serv.overworld, vec3(1002, 10, 1000), 'smoker', 3);
    smoker.slots.set(0, new Item(id('iron_ore'), 1));
    smoker.slots.set(1, new Item(id('coal'), 1));
    furnaceTick(serv, smoker);
    assert.equal(smoker.data.litTime, 0, 'a smoker does not light for ore');
    assert.equal(smoker.slots.get(1)?.count, 1);
    containersOf(serv).remove(smoker.key, false);
  });

  it('smelts iron ore with coal through the furnace window at real speed, and the bot takes the ingot', async () => {
    give(server.serv, bot.username, 'furnace', 1);
    give(server.serv, bot.username, 'iron_ore', 1);
    give(server.serv, bot.username, 'coal', 1);
    await waitFor(server.serv, () => count('furnace') === 1 && count('coal') === 1, 30_000, 'the items given');
    const block = await placeNear(bot, 'furnace');
    firstFurnace = block.position;

    const furnace = await openFurnace(block);
    const entry = entryAt(block.position);
    // Real speed is one furnace tick per server tick: 200 server ticks per item (10 s at 20 ticks/s).
    const cooking = tickWhen(server.serv, () => entry.data.cookProgress > 0, 60_000, 'cooking to start');
    const cooked = tickWhen(server.serv, () => entry.slots.get(2)?.name === 'iron_ingot', 120_000, 'the ingot (server side)');
    await furnace.putFuel(id('coal'), null, 1);
    await furnace.putInput(id('iron_ore'), null, 1);
    const started = await cooking;
    await waitFor(server.serv, () => furnace.totalFuel === 1600 && (furnace.progress ?? 0) > 0, 30_000, 'burning');
    assert.equal(furnace.totalProgress, 200);
    await waitFor(server.serv, () => bot.blockAt(block.position)?.getProperties().lit === true, 30_000, 'lit furnace block');
    const finished = await cooked;
    assert.equal(finished - started + 1, COOK_TICKS, `smelting took ${finished - started + 1} server ticks, vanilla takes 200`);
    await waitFor(server.serv, () => furnace.outputItem()?.name === 'iron_ingot', 30_000, 'the ingot in the window');
    assert.equal(furnace.inputItem(), null);
    assert.equal(furnace.fuelItem(), null);
    const taken = await furnace.takeOutput();
    assert.equal(taken.name, 'iron_ingot');
    furnace.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
    assert.equal(count('iron_ingot'), 1);
    assert.equal(count('iron_ore') + count('coal'), 0);
  });

  it('burns planks as fuel and keeps cooking with the window closed', async () => {
    // A second furnace: the first one still burns the rest of its coal.
    give(server.serv, bot.username, 'furnace', 1);
    give(server.serv, bot.username, 'cobblestone', 1);
    give(server.serv, bot.username, 'oak_planks', 2);
    await waitFor(server.serv, () => count('oak_planks') === 2 && count('cobblestone') === 1 && count('furnace') === 1, 30_000, 'the items given');
    const block = await placeNear(bot, 'furnace', [firstFurnace]);
    const furnace = await openFurnace(block);
    const entry = entryAt(block.position);
    const lit = tickWhen(server.serv, () => entry.data.litTime > 0, 60_000, 'planks to light');
    const cooked = tickWhen(server.serv, () => entry.slots.get(2)?.name === 'stone', 120_000, 'stone in the output');
    await furnace.putInput(id('cobblestone'), null, 1);
    await furnace.putFuel(id('oak_planks'), null, 2);
    await waitFor(server.serv, () => furnace.totalFuel === 300, 30_000, 'planks burning');
    furnace.close();
    const litAt = await lit;
    const doneAt = await cooked;
    assert.equal(doneAt - litAt + 1, COOK_TICKS, 'cooking went on at full speed with the window closed');
    assert.equal(entry.slots.get(1)?.count, 1, 'the second plank is still unburnt');
    const again = await bot.openFurnace(block);
    assert.equal(again.outputItem()?.name, 'stone');
    await again.takeOutput();
    await again.takeFuel();
    again.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
    assert.equal(count('stone'), 1);
    assert.equal(count('oak_planks'), 1);
  });

  it('opens a blast furnace with mineflayer and smelts in 100 server ticks (5 s at 20 ticks/s)', async () => {
    give(server.serv, bot.username, 'blast_furnace', 1);
    give(server.serv, bot.username, 'gold_ore', 1);
    give(server.serv, bot.username, 'coal', 1);
    await waitFor(server.serv, () => count('blast_furnace') === 1 && count('gold_ore') === 1 && count('coal') === 1, 30_000, 'the items given');
    const taken = [firstFurnace, ...(bot.findBlocks({ matching: bot.registry.blocksByName.furnace.id, maxDistance: 6, count: 4 }))];
    const block = await placeNear(bot, 'blast_furnace', taken);
    const furnace = await openFurnace(block);
    assert.equal(furnace.type, 'minecraft:blast_furnace');
    const entry = entryAt(block.position);
    const cooking = tickWhen(server.serv, () => entry.data.cookProgress > 0, 60_000, 'cooking to start');
    const cooked = tickWhen(server.serv, () => entry.slots.get(2)?.name === 'gold_ingot', 120_000, 'the gold ingot (server side)');
    await furnace.putFuel(id('coal'), null, 1);
    await furnace.putInput(id('gold_ore'), null, 1);
    const started = await cooking;
    const finished = await cooked;
    // Twice vanilla furnace speed: 100 server ticks (5 s at 20 ticks/s).
    assert.equal(finished - started + 1, COOK_TICKS / 2, `took ${finished - started + 1} server ticks, vanilla takes 100`);
    await waitFor(server.serv, () => furnace.outputItem()?.name === 'gold_ingot', 30_000, 'the gold ingot in the window');
    assert.equal(furnace.totalProgress, 100);
    assert.equal(furnace.totalFuel, 800);
    await furnace.takeOutput();
    furnace.close();
    await waitFor(server.serv, () => count('gold_ingot') === 1, 30_000, 'the ingot in the inventory');
  });

  it('a client that missed the first window properties learns them once it uses the window', async () => {
    // On a slow server mineflayer can miss the properties sent right after opening (it listens only
    // once its open promise settles); they must be sent again, or its progress stays 0 for good.
    give(server.serv, bot.username, 'furnace', 1);
    give(server.serv, bot.username, 'cobblestone', 1);
    give(server.serv, bot.username, 'stick', 1);
    await waitFor(server.serv, () => count('furnace') === 1 && count('cobblestone') === 1 && count('stick') === 1, 30_000, 'the items given');
    const ids = ['furnace', 'blast_furnace'].map((n) => bot.registry.blocksByName[n].id);
    const taken = [firstFurnace, ...bot.findBlocks({ matching: ids, maxDistance: 6, count: 8 })];
    const block = await placeNear(bot, 'furnace', taken);
    const furnace = await openFurnace(block);
    // Two server ticks: the first full send has gone out (received or, on a slow server, lost).
    const opened = server.serv.tickCount;
    await tickWhen(server.serv, () => server.serv.tickCount >= opened + 2, 30_000, 'two server ticks');
    await bot.waitForTicks(5);
    furnace.totalProgress = null; // as if the first properties had been lost
    furnace.totalFuel = null;
    await furnace.putInput(id('cobblestone'), null, 1);
    await furnace.putFuel(id('stick'), null, 1);
    await waitFor(server.serv, () => furnace.totalProgress === 200 && furnace.totalFuel === 100 && (furnace.progress ?? 0) > 0, 30_000, 'the properties again');
    furnace.close();
  });

  it('reported no server-side errors', () => {
    assert.deepEqual(server.errors.map(String), []);
  });
});
