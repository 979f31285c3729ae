import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vec3 } from 'vec3';
import type { Bot } from 'mineflayer';
import { containerItems, containersOf } from '../../envs/minecraft/server/plugins/containers.js';
import { windowsOf } from '../../envs/minecraft/server/plugins/windows.js';
import { countsOf, give, inventoriesAgree, joinBot, placeNear, placeOn, playerOf, startServer, waitFor, type TestServer } from './windows-fixture.js';

describe('minecraft chest plugin (flying-squid + unmodified mineflayer)', function () {
  this.timeout(120_000); // bounds waits only: a loaded CI machine runs the server slowly
  let server: TestServer;
  let bot: Bot;
  let other: Bot;
  let chestPos: Vec3;

  const count = (b: Bot, name: string) => countsOf(b.inventory.slots)[name] ?? 0;
  const id = (name: string) => bot.registry.itemsByName[name].id;
  const stored = () => countsOf(containerItems(server.serv, server.serv.overworld, chestPos));

  before(async () => {
    server = await startServer();
    bot = await joinBot(server.port, 'hoarder');
    other = await joinBot(server.port, 'visitor');
  });
  after(async () => {
    bot?.quit();
    if (other?.player) other.quit();
    await server?.close();
  });

  it('places a chest, deposits into it and the items live in the block', async () => {
    give(server.serv, bot.username, 'chest', 1);
    give(server.serv, bot.username, 'cobblestone', 40);
    give(server.serv, bot.username, 'oak_log', 5);
    await waitFor(server.serv, () => count(bot, 'chest') === 1 && count(bot, 'oak_log') === 5);
    const block = await placeNear(bot, 'chest');
    chestPos = block.position;

    const chest = await bot.openContainer(block);
    assert.equal(chest.containerItems().length, 0);
    await chest.deposit(id('cobblestone'), null, 30);
    await chest.deposit(id('oak_log'), null, 5);
    assert.equal(chest.containerCount(id('cobblestone'), null), 30);
    chest.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
    assert.deepEqual(stored(), { cobblestone: 30, oak_log: 5 });
    assert.equal(count(bot, 'cobblestone'), 10);
    assert.equal(count(bot, 'oak_log'), 0);
  });

  it('shows the same contents to another player, who withdraws', async () => {
    const block = other.blockAt(chestPos)!;
    const chest = await other.openContainer(block);
    assert.equal(chest.containerCount(id('cobblestone'), null), 30);
    await chest.withdraw(id('cobblestone'), null, 12);
    chest.close();
    await waitFor(server.serv, () => count(other, 'cobblestone') === 12, 30_000, 'withdrawn items');
    await waitFor(server.serv, () => inventoriesAgree(server.serv, other), 30_000, 'inventories to agree');
    assert.deepEqual(stored(), { cobblestone: 18, oak_log: 5 });
  });

  it('reopens with the contents kept and withdraws everything back (round trip)', async () => {
    const chest = await bot.openChest(bot.blockAt(chestPos)!);
    assert.equal(chest.containerCount(id('cobblestone'), null), 18);
    assert.equal(chest.containerCount(id('oak_log'), null), 5);
    await chest.withdraw(id('oak_log'), null, 5);
    await chest.withdraw(id('cobblestone'), null, 18);
    chest.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
    assert.equal(count(bot, 'cobblestone'), 28);
    assert.equal(count(bot, 'oak_log'), 5);
    assert.deepEqual(stored(), {});
  });

  it('shift-clicks a stack into the chest and saves contents to the world folder', async () => {
    const chest = await bot.openContainer(bot.blockAt(chestPos)!);
    const logs = chest.findInventoryItem(id('oak_log'), null, false)!;
    await bot.clickWindow(logs.slot, 0, 1);
    await waitFor(server.serv, () => (stored().oak_log ?? 0) === 5, 30_000, 'logs in the chest');
    chest.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
    assert.equal(count(bot, 'oak_log'), 0);
    containersOf(server.serv).save();
    const path = join(server.worldFolder, 'skillforge-containers.json');
    assert.ok(existsSync(path), `no ${path}`);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(saved.containers[0].slots.filter(Boolean)[0].name, 'oak_log');
  });

  it('an item that arrives just as the client closes the window still reaches its inventory', async () => {
    const chest = await bot.openContainer(bot.blockAt(chestPos)!);
    const before = count(bot, 'apple');
    chest.close();
    // The server has not read the close yet: this lands in the chest window the client just dropped.
    give(server.serv, bot.username, 'apple', 2);
    await waitFor(server.serv, () => count(bot, 'apple') === before + 2, 30_000, 'the apples on the client');
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');
  });

  it('closes the chest window when the player walks away', async () => {
    const chest = await bot.openContainer(bot.blockAt(chestPos)!);
    const closed = new Promise<void>((resolve) => bot.once('windowClose', () => resolve()));
    const player = playerOf(server.serv, bot.username);
    const home = player.position.clone();
    await player.teleport(home.offset(12, 0, 0));
    await waitFor(server.serv, () => bot.currentWindow === null, 30_000, 'the window to close');
    await closed;
    assert.equal(windowsOf(player).current, null);
    assert.ok(chest);
    await player.teleport(home);
    await waitFor(server.serv, () => bot.entity.position.distanceTo(home) < 1, 30_000, 'back home');
  });

  it('keeps chest contents across a server restart', async () => {
    const folder = server.worldFolder;
    assert.equal(stored().oak_log, 5);
    bot.quit();
    other.quit();
    assert.deepEqual(server.errors.map(String), []);
    await server.close(true);
    server = await startServer({ worldFolder: folder });
    assert.deepEqual(stored(), { oak_log: 5 });
    assert.equal((await server.serv.overworld.getBlock(chestPos)).name, 'chest', 'the world did not keep the chest block');
    bot = await joinBot(server.port, 'hoarder');
    await waitFor(server.serv, () => bot.blockAt(chestPos)?.name === 'chest', 30_000, 'the chest block on the client');
    const block = bot.blockAt(chestPos);
    const chest = await bot.openContainer(block!);
    assert.equal(chest.containerCount(id('oak_log'), null), 5);
    await chest.withdraw(id('oak_log'), null, 5);
    chest.close();
    await waitFor(server.serv, () => count(bot, 'oak_log') === 5, 30_000, 'logs withdrawn');
    assert.deepEqual(stored(), {});
  });

  it('drops the contents when the chest is dug', async () => {
    give(server.serv, bot.username, 'iron_axe', 1);
    give(server.serv, bot.username, 'diamond', 3);
    await waitFor(server.serv, () => count(bot, 'diamond') === 3 && count(bot, 'iron_axe') === 1);
    const block = bot.blockAt(chestPos)!;
    const chest = await bot.openContainer(block);
    await chest.deposit(id('diamond'), null, 3);
    chest.close();
    await waitFor(server.serv, () => stored().diamond === 3, 30_000, 'diamonds stored');
    await bot.equip(id('iron_axe'), 'hand');
    await bot.dig(bot.blockAt(chestPos)!, true);
    await waitFor(server.serv, () => containersOf(server.serv).peek(server.serv.overworld, chestPos) === undefined, 30_000, 'the container to go');
    // Three diamonds come out of the chest as item entities (and the bot may walk over them).
    await waitFor(server.serv, () => {
      const onGround = Object.values(server.serv.entities as Record<string, { itemId?: number }>).filter((e) => e.itemId === id('diamond')).length;
      return onGround + count(bot, 'diamond') === 3;
    }, 3_000, 'three diamonds dropped');
  });

  it('joins two chests side by side into a double chest with one 54-slot window', async () => {
    give(server.serv, bot.username, 'chest', 2);
    give(server.serv, bot.username, 'cobblestone', 20);
    await waitFor(server.serv, () => count(bot, 'chest') === 2 && count(bot, 'cobblestone') >= 20);
    // Two free spots next to each other, sideways to the bot so both chests get the same facing.
    const feet = bot.entity.position.floored();
    let grounds: Array<NonNullable<ReturnType<Bot['blockAt']>>> | null = null;
    for (const dx of [2, -2, 3, -3]) {
      for (const dy of [-1, 0, -2]) {
        const g = [0, 1].map((dz) => bot.blockAt(feet.offset(dx, dy, dz)));
        const free = g.every((b) => b && b.boundingBox === 'block' && !['chest', 'furnace', 'crafting_table'].includes(b.name) &&
          bot.blockAt(b.position.offset(0, 1, 0))?.name === 'air' && bot.blockAt(b.position.offset(0, 2, 0))?.name === 'air');
        if (free && !grounds) grounds = g as unknown as typeof grounds;
      }
    }
    assert.ok(grounds, 'no two free spots');
    const a = await placeOn(bot, 'chest', grounds![0]);
    const b = await placeOn(bot, 'chest', grounds![1]);
    await waitFor(server.serv, () => bot.blockAt(a.position)?.getProperties().type !== 'single', 30_000, 'the first chest to join');
    const [pa, pb] = [bot.blockAt(a.position)!.getProperties(), bot.blockAt(b.position)!.getProperties()];
    assert.equal(pa.facing, pb.facing);
    assert.deepEqual([pa.type, pb.type].sort(), ['left', 'right']);

    const big = await bot.openContainer(bot.blockAt(a.position)!);
    assert.equal(big.type, 'minecraft:generic_9x6');
    assert.equal(big.inventoryStart, 54);
    await big.deposit(id('cobblestone'), null, 20);
    // Move the stack into the second half by hand: slot 40 belongs to the other block.
    const slot = big.findContainerItem(id('cobblestone'), null, false)!.slot;
    await bot.clickWindow(slot, 0, 0);
    await bot.clickWindow(40, 0, 0);
    big.close();
    const at = (p: Vec3) => countsOf(containerItems(server.serv, server.serv.overworld, p)).cobblestone ?? 0;
    await waitFor(server.serv, () => at(a.position) + at(b.position) === 20 && (at(a.position) === 0 || at(b.position) === 0), 30_000, 'stack in one half');
    const full = at(a.position) ? a : b;
    const empty = full === a ? b : a;

    // The same 54 slots from the other half.
    const again = await bot.openContainer(bot.blockAt(empty.position)!);
    assert.equal(again.containerCount(id('cobblestone'), null), 20);
    again.close();
    await waitFor(server.serv, () => inventoriesAgree(server.serv, bot), 30_000, 'inventories to agree');

    // Digging the empty half: the full one becomes a single chest and keeps its stack.
    await bot.equip(id('iron_axe'), 'hand').catch(() => {});
    await bot.dig(bot.blockAt(empty.position)!, true);
    await waitFor(server.serv, () => bot.blockAt(full.position)?.getProperties().type === 'single', 30_000, 'the other half to become single');
    const single = await bot.openContainer(bot.blockAt(full.position)!);
    assert.equal(single.type, 'minecraft:generic_9x3');
    assert.equal(single.containerCount(id('cobblestone'), null), 20);
    single.close();
  });

  it('reported no server-side errors', () => {
    assert.deepEqual(server.errors.map(String), []);
  });
});
