import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { windowsOf } from '../../envs/minecraft/server/plugins/windows.js';
import { countsOf, give, inventoriesAgree, joinBot, playerOf, startServer, waitFor, type TestServer } from './windows-fixture.js';

const require = createRequire(import.meta.url);

describe('minecraft window clicks (flying-squid + unmodified mineflayer)', function () {
  this.timeout(120_000); // bounds waits only: a loaded CI machine runs the server slowly
  let server: TestServer;
  let bot: Bot;
  let raw: Bot;
  let action = 20_000;

  const id = (name: string) => bot.registry.itemsByName[name].id;
  const serverSlots = (b: Bot) => playerOf(server.serv, b.username).inventory.slots as Array<{ name: string; count: number } | null>;
  const agree = (b: Bot) => waitFor(server.serv, () => inventoriesAgree(server.serv, b), 30_000, 'server and client inventories to agree');

  /** Send a click the way a vanilla client does, bypassing mineflayer's own bookkeeping. */
  function rawClick(windowId: number, slot: number, mouseButton: number, mode: number): Promise<boolean> {
    const act = ++action;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no transaction for action ${act}`)), 3_000);
      const onTx = (p: { windowId: number; action: number; accepted: boolean }) => {
        if (p.action !== act) return;
        clearTimeout(timer);
        raw._client.removeListener('transaction', onTx);
        resolve(p.accepted);
      };
      raw._client.on('transaction', onTx);
      // Like vanilla, name the item the client shows in the clicked slot: the server refuses clicks on stale views.
      const shown = windowId === 0 && slot >= 0 ? raw.inventory.slots[slot] ?? null : null;
      const Item = require('prismarine-item')(raw.registry);
      raw._client.write('window_click', { windowId, slot, mouseButton, action: act, mode, item: Item.toNotch(shown) });
    });
  }

  before(async () => {
    server = await startServer();
    bot = await joinBot(server.port, 'clicker');
    raw = await joinBot(server.port, 'vanilla');
  });
  after(async () => {
    bot?.quit();
    raw?.quit();
    await server?.close();
  });

  it('swaps with a hotbar key (mode 2) and equips armor through window 0', async () => {
    give(server.serv, bot.username, 'iron_helmet', 1);
    give(server.serv, bot.username, 'dirt', 5);
    await waitFor(server.serv, () => (countsOf(bot.inventory.slots).dirt ?? 0) === 5);
    const dirt = bot.inventory.findInventoryItem(id('dirt'), null, false)!;
    await bot.clickWindow(dirt.slot, 8, 2);
    await agree(bot);
    assert.equal(bot.inventory.slots[44]?.name, 'dirt');
    await bot.equip(id('iron_helmet'), 'head');
    await agree(bot);
    assert.equal(serverSlots(bot)[5]?.name, 'iron_helmet');
    // Dirt is not a helmet: the server refuses the click, and mineflayer says so.
    await bot.clickWindow(44, 0, 0);
    await assert.rejects(bot.clickWindow(5, 0, 0), /rejected/);
    await agree(bot);
    assert.equal(serverSlots(bot)[5]?.name, 'iron_helmet');
    assert.equal(bot.inventory.selectedItem?.name, 'dirt');
    await bot.clickWindow(44, 0, 0);
    await agree(bot);
    assert.equal(bot.inventory.selectedItem, null);
    assert.equal(windowsOf(playerOf(server.serv, bot.username)).cursor, null);
  });

  it('throws one item (mode 4) as an item entity', async () => {
    const dirt = bot.inventory.findInventoryItem(id('dirt'), null, false)!;
    await bot.clickWindow(dirt.slot, 0, 4);
    await agree(bot);
    // Checked within the 2 s pickup delay: the bot stands on the item and takes it back afterwards.
    assert.equal(countsOf(serverSlots(bot)).dirt, 4);
    await waitFor(server.serv, () => Object.values(bot.entities).some((e) => e.name === 'item'), 30_000, 'a dropped item entity');
  });

  it('spreads a stack by dragging (mode 5) and gathers it by double click (mode 6), resyncing the client', async () => {
    give(server.serv, raw.username, 'cobblestone', 8);
    await waitFor(server.serv, () => (countsOf(raw.inventory.slots).cobblestone ?? 0) === 8);
    const from = raw.inventory.findInventoryItem(raw.registry.itemsByName.cobblestone.id, null, false)!.slot;
    assert.equal(await rawClick(0, from, 0, 0), true);
    for (const [slot, button] of [[-999, 0], [9, 1], [10, 1], [11, 1], [12, 1], [-999, 2]]) {
      assert.equal(await rawClick(0, slot, button, 5), true);
    }
    await waitFor(server.serv, () => [9, 10, 11, 12].every((s) => raw.inventory.slots[s]?.count === 2), 30_000, 'dragged stacks on the client');
    assert.deepEqual([9, 10, 11, 12].map((s) => serverSlots(raw)[s]?.count), [2, 2, 2, 2]);
    assert.equal(windowsOf(playerOf(server.serv, raw.username)).cursor, null);
    assert.equal(await rawClick(0, 9, 0, 0), true); // pick up two
    assert.equal(await rawClick(0, 9, 0, 6), true); // gather the rest
    assert.equal(windowsOf(playerOf(server.serv, raw.username)).cursor?.count, 8);
    assert.equal(await rawClick(0, 20, 0, 0), true);
    assert.equal(serverSlots(raw)[20]?.count, 8);
    assert.equal(countsOf(serverSlots(raw)).cobblestone, 8);
  });

  it('refuses at once a click for a window that is not open', async () => {
    assert.equal(await rawClick(42, 10, 0, 0), false);
  });

  it('gives back the crafting grid and cursor when a player disconnects', async () => {
    give(server.serv, bot.username, 'oak_planks', 6);
    await waitFor(server.serv, () => (countsOf(bot.inventory.slots).oak_planks ?? 0) === 6);
    const planks = bot.inventory.findInventoryItem(id('oak_planks'), null, false)!;
    await bot.clickWindow(planks.slot, 0, 0);
    await bot.clickWindow(1, 1, 0);
    await bot.clickWindow(2, 1, 0);
    const player = playerOf(server.serv, bot.username);
    assert.equal(player.inventory.slots[1]?.name, 'oak_planks');
    bot.quit();
    await waitFor(server.serv, () => !server.serv.players.includes(player), 30_000, 'disconnect');
    const slots = player.inventory.slots as Array<{ name: string; count: number } | null>;
    assert.deepEqual(slots.slice(0, 5).map((s) => s?.name ?? null), [null, null, null, null, null]);
    assert.equal(countsOf(slots).oak_planks, 6);
  });

  it('reported no server-side errors', () => {
    assert.deepEqual(server.errors.map(String), []);
  });
});
