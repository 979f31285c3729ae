import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { recipeBook } from '../../envs/minecraft/server/plugins/crafting.js';
import { countsOf, give, inventoriesAgree, joinBot, placeNear, playerOf, startServer, waitFor, type TestServer } from './windows-fixture.js';

describe('minecraft crafting plugin (flying-squid + unmodified mineflayer)', function () {
  this.timeout(120_000); // bounds waits only: a loaded CI machine runs the server slowly
  let server: TestServer;
  let bot: Bot;

  const count = (name: string) => countsOf(bot.inventory.slots)[name] ?? 0;
  const serverCount = (name: string) => countsOf(playerOf(server.serv, bot.username).inventory.slots)[name] ?? 0;
  const id = (name: string) => bot.registry.itemsByName[name].id;
  const settle = () => waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'server and client inventories to agree');

  before(async () => {
    server = await startServer();
    bot = await joinBot(server.port, 'crafter');
  });
  after(async () => {
    bot?.quit();
    await server?.close();
  });

  it('indexes the shaped and shapeless recipes of minecraft-data', () => {
    const book = recipeBook(server.serv);
    assert.ok(book.size > 1000, `only ${book.size} recipes`);
    const planks = id('oak_planks');
    const stick = id('stick');
    // A pickaxe pattern in the top-left of a 3×3 grid, and mirrored shapes, are found.
    const grid = [planks, planks, planks, null, stick, null, null, stick, null];
    assert.equal(book.match(grid, 3, 3)?.recipe.result.id, id('wooden_pickaxe'));
    assert.equal(book.match([null, planks, null, planks], 2, 2)?.recipe.result.id, stick);
    assert.equal(book.match([planks, null, null, planks], 2, 2), null);
    // Any planks, mixed, as vanilla's #planks tag allows; wood-specific recipes stay specific.
    const [birch, spruce, bamboo] = [id('birch_planks'), id('spruce_planks'), id('bamboo')];
    assert.equal(book.match([planks, birch, spruce, planks], 2, 2)?.recipe.result.id, id('crafting_table'));
    assert.equal(book.match([birch, spruce, spruce, null, stick, null, null, stick, null], 3, 3)?.recipe.result.id, id('wooden_pickaxe'));
    assert.equal(book.match([planks, null, null, planks, planks, null, planks, planks, birch], 3, 3), null);
    assert.equal(book.match([planks, null, null, planks, planks, null, planks, planks, planks], 3, 3)?.recipe.result.id, id('oak_stairs'));
    assert.equal(book.match([planks, null, bamboo, null], 2, 2), null);
  });

  it('crafts planks from logs in the 2×2 inventory grid', async () => {
    give(server.serv, bot.username, 'oak_log', 3);
    await waitFor(server.serv, () => count('oak_log') === 3, 30_000, 'logs to arrive');
    const [recipe] = bot.recipesFor(id('oak_planks'), null, 1, null);
    assert.ok(recipe, 'mineflayer found no recipe for oak_planks');
    await bot.craft(recipe, 2, undefined);
    await settle();
    assert.equal(count('oak_planks'), 8);
    assert.equal(count('oak_log'), 1);
    assert.equal(serverCount('oak_planks'), 8);
    assert.equal(serverCount('oak_log'), 1);
  });

  it('crafts a crafting table (2×2 shaped) and sticks', async () => {
    const [table] = bot.recipesFor(id('crafting_table'), null, 1, null);
    await bot.craft(table, 1, undefined);
    const [sticks] = bot.recipesFor(id('stick'), null, 1, null);
    await bot.craft(sticks, 1, undefined);
    await settle();
    assert.equal(count('crafting_table'), 1);
    assert.equal(count('stick'), 4);
    assert.equal(count('oak_planks'), 2);
    assert.equal(serverCount('oak_planks'), 2);
  });

  it('places the table and crafts a wooden pickaxe in its 3×3 window', async () => {
    const tableBlock = await placeNear(bot, 'crafting_table');
    give(server.serv, bot.username, 'oak_planks', 1);
    await waitFor(server.serv, () => count('oak_planks') === 3);
    const [recipe] = bot.recipesFor(id('wooden_pickaxe'), null, 1, tableBlock);
    assert.ok(recipe?.requiresTable);
    await bot.craft(recipe, 1, tableBlock);
    await settle();
    assert.equal(count('wooden_pickaxe'), 1);
    assert.equal(count('oak_planks'), 0);
    assert.equal(count('stick'), 2);
    assert.equal(bot.currentWindow, null);
  });

  it('crafts a shapeless recipe (flint and steel) and stone tools at the table', async () => {
    give(server.serv, bot.username, 'iron_ingot', 1);
    give(server.serv, bot.username, 'flint', 1);
    give(server.serv, bot.username, 'cobblestone', 3);
    await waitFor(server.serv, () => count('flint') === 1 && count('cobblestone') === 3);
    const [fas] = bot.recipesFor(id('flint_and_steel'), null, 1, null);
    assert.ok(fas && !fas.inShape, 'expected a shapeless recipe');
    await bot.craft(fas, 1, undefined);
    const table = bot.findBlock({ matching: bot.registry.blocksByName.crafting_table.id, maxDistance: 6 })!;
    const [pick] = bot.recipesFor(id('stone_pickaxe'), null, 1, table);
    await bot.craft(pick, 1, table);
    await settle();
    assert.equal(count('flint_and_steel'), 1);
    assert.equal(count('stone_pickaxe'), 1);
    assert.equal(count('cobblestone') + count('iron_ingot') + count('flint') + count('stick'), 0);
  });

  it('fails cleanly without enough ingredients and loses nothing', async () => {
    give(server.serv, bot.username, 'oak_planks', 3);
    await waitFor(server.serv, () => count('oak_planks') === 3);
    assert.equal(bot.recipesFor(id('crafting_table'), null, 1, null).length, 0);
    const [recipe] = bot.recipesAll(id('crafting_table'), null, null);
    await assert.rejects(bot.craft(recipe, 1, undefined), /missing ingredient/);
    await settle();
    // The three planks sit in the grid; closing the inventory gives them back.
    bot.closeWindow(bot.inventory);
    await waitFor(server.serv, () => count('oak_planks') === 3 && !bot.inventory.slots.slice(1, 5).some(Boolean), 30_000, 'grid returned');
    await settle();
    assert.equal(serverCount('oak_planks'), 3);
    assert.equal(serverCount('crafting_table'), 0);
  });

  it('shift-clicking the result crafts as many as the grid allows', async () => {
    give(server.serv, bot.username, 'birch_log', 2);
    await waitFor(server.serv, () => count('birch_log') === 2);
    const logs = bot.inventory.findInventoryItem(id('birch_log'), null, false)!;
    await bot.clickWindow(logs.slot, 0, 0);
    await bot.clickWindow(1, 0, 0);
    await waitFor(server.serv, () => bot.inventory.slots[0]?.name === 'birch_planks', 30_000, 'result slot');
    await bot.clickWindow(0, 0, 1);
    await waitFor(server.serv, () => count('birch_planks') === 8, 30_000, 'eight planks');
    await settle();
    assert.equal(serverCount('birch_planks'), 8);
    assert.equal(serverCount('birch_log'), 0);
    assert.equal(bot.inventory.slots[0], null);
  });

  it('closing the crafting table gives back what is left on its grid', async () => {
    give(server.serv, bot.username, 'stick', 1);
    await waitFor(server.serv, () => count('stick') === 1 && count('oak_planks') === 3);
    const table = bot.findBlock({ matching: bot.registry.blocksByName.crafting_table.id, maxDistance: 6 })!;
    const [recipe] = bot.recipesAll(id('wooden_pickaxe'), null, table).filter((r) => r.inShape?.[0][0].id === id('oak_planks'));
    // Three planks and one stick go onto the grid before the second stick is missing.
    await assert.rejects(bot.craft(recipe, 1, table), /missing ingredient/);
    assert.equal(bot.currentWindow, null);
    await waitFor(server.serv, () => serverCount('oak_planks') === 3 && serverCount('stick') === 1, 30_000, 'the grid given back');
    await settle();
    assert.equal(count('oak_planks'), 3);
    assert.equal(count('stick'), 1);
    assert.equal(serverCount('wooden_pickaxe'), 1);
  });

  it('leaves the buckets behind when a cake is crafted', async () => {
    for (const [name, n] of [['milk_bucket', 3], ['sugar', 2], ['egg', 1], ['wheat', 3]] as const) give(server.serv, bot.username, name, n);
    await waitFor(server.serv, () => count('milk_bucket') === 3 && count('wheat') === 3);
    const table = bot.findBlock({ matching: bot.registry.blocksByName.crafting_table.id, maxDistance: 6 })!;
    const [cake] = bot.recipesFor(id('cake'), null, 1, table);
    await bot.craft(cake, 1, table);
    await waitFor(server.serv, () => serverCount('bucket') === 3, 30_000, 'three buckets back');
    await settle();
    assert.equal(count('cake'), 1);
    assert.equal(count('bucket'), 3);
    assert.equal(count('milk_bucket') + count('sugar') + count('egg') + count('wheat'), 0);
  });

  it('reported no server-side errors', () => {
    assert.deepEqual(server.errors.map(String), []);
  });
});
