import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { craftItem } from '../../envs/minecraft/primitives/craftItem.js';
import { itemClass, vec3, windowsOf } from '../../envs/minecraft/server/plugins/windows.js';
import { countsOf, give, inventoriesAgree, joinBot, playerOf, startServer, waitFor, type TestServer } from './windows-fixture.js';

/**
 * A log picked up while mineflayer's first crafting click is on the wire: the server's set_slot for
 * that slot crosses the click. mineflayer applies an accepted click to the item it captured when it
 * sent it, so the server must refuse such a stale click (and resend the window) and craftItem must
 * start again on the real contents. Before that, the log stayed on the server's cursor, the click on
 * the result was rejected, and later pickups stacked into the hidden grid.
 */
describe('minecraft: a pickup that crosses a crafting click', function () {
  this.timeout(40_000); // bounds waits only
  let server: TestServer;
  let bot: Bot;

  before(async () => {
    server = await startServer({ seed: 11 });
    bot = await joinBot(server.port, 'racer');
  });
  after(async () => {
    bot?.quit();
    await server?.close();
  });

  const clientCursor = () => bot.inventory.selectedItem?.count ?? 0;

  /** Before the server reads the next click on `slot`, pick up one more item there, as flying-squid's player.collect does. */
  function crossNextClick(slot: number): { crossed: number } {
    const player = playerOf(server.serv, bot.username);
    const state = { crossed: 0 };
    player._client.prependListener('window_click', (p: { slot: number }) => {
      if (state.crossed || p.slot !== slot) return;
      state.crossed++;
      const item = player.inventory.slots[slot];
      item.count += 1;
      player.inventory.updateSlot(slot, item);
    });
    return state;
  }

  it('the server refuses a click computed before a pickup into that slot, and both sides stay in step', async () => {
    const player = playerOf(server.serv, bot.username);
    give(server.serv, bot.username, 'stick', 1);
    await waitFor(server.serv, () => (countsOf(bot.inventory.slots).stick ?? 0) === 1, 20_000, 'the stick to arrive');
    const slot = bot.inventory.slots.findIndex((s) => s?.name === 'stick');
    const cross = crossNextClick(slot);
    await assert.rejects(bot.clickWindow(slot, 0, 0), /rejected transaction/);
    assert.equal(cross.crossed, 1);
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 20_000, 'server and client inventories to agree');
    assert.equal(clientCursor(), 0, 'client cursor empty');
    assert.equal(windowsOf(player).cursor, null, 'server cursor empty');
    assert.equal(bot.inventory.slots[slot]?.count, 2);
    // Clicking again on what the server showed works as usual.
    await bot.clickWindow(slot, 0, 0);
    await waitFor(server.serv, () => windowsOf(player).cursor?.count === 2, 20_000, 'the server cursor to hold the sticks');
    assert.equal(clientCursor(), 2);
    await bot.clickWindow(slot, 0, 0);
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot) && windowsOf(player).cursor === null, 20_000, 'the sticks back in place');
    assert.equal(clientCursor(), 0);
  });

  it('craftItem(oak_planks) still crafts, and client and server keep the same inventory', async () => {
    const player = playerOf(server.serv, bot.username);
    give(server.serv, bot.username, 'oak_log', 1);
    await waitFor(server.serv, () => (countsOf(bot.inventory.slots).oak_log ?? 0) === 1, 20_000, 'the log to arrive');
    const logSlot = bot.inventory.slots.findIndex((s) => s?.name === 'oak_log');
    const cross = crossNextClick(logSlot);
    await craftItem(bot, 'oak_planks', 1);
    assert.equal(cross.crossed, 1, 'the pickup was injected');
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 20_000, 'server and client inventories to agree');
    const client = countsOf(bot.inventory.slots);
    assert.equal(client.oak_planks, 4);
    assert.equal(client.oak_log, 1, 'the picked-up log is in the inventory, not in the grid or on the cursor');
    assert.equal(windowsOf(player).cursor, null);
    for (let s = 0; s <= 4; s++) assert.equal(player.inventory.slots[s] ?? null, null, `server grid slot ${s} empty`);
    assert.deepEqual(server.errors, []);
  });

  it('a picked-up item goes to the hotbar or main rows, never onto a stack in the crafting grid', async () => {
    const player = playerOf(server.serv, bot.username);
    const Item = itemClass(server.serv);
    const log = server.serv.registry.itemsByName.oak_log.id;
    const before = countsOf(bot.inventory.items()).oak_log ?? 0;
    player.inventory.updateSlot(1, new Item(log, 1)); // a log left in the 2×2 grid
    await waitFor(server.serv, () => bot.inventory.slots[1]?.name === 'oak_log', 20_000, 'the grid log on the client');
    const p = player.position;
    server.serv.spawnObject(server.serv.registry.entitiesByName.item.id, player.world, vec3(p.x, p.y + 0.2, p.z), {
      velocity: vec3(0, 0, 0), itemId: log, itemDamage: 0, pickupTime: 100, deathTime: 60_000,
    });
    await waitFor(server.serv, () => (countsOf(bot.inventory.items()).oak_log ?? 0) === before + 1, 20_000, 'the log to be picked up into the inventory');
    assert.equal(player.inventory.slots[1]?.count, 1, 'the grid stack did not grow');
    bot.closeWindow(bot.inventory); // the grid log comes back too
    await waitFor(server.serv, () => (countsOf(bot.inventory.items()).oak_log ?? 0) === before + 2 && inventoriesAgree(server.serv, bot), 20_000, 'the grid given back');
  });
});
