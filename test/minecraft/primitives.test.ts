import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { MinecraftConnection } from '../../envs/minecraft/connection.js';
import { EventRecorder, inventoryCounts } from '../../envs/minecraft/events.js';
import {
  checkItemInsideChest,
  craftItem,
  exploreUntil,
  killMob,
  mineBlock,
  placeItem,
  setPrimitiveContext,
  setPrimitiveSemantics,
  smeltItem,
} from '../../envs/minecraft/primitives/index.js';
import { freeSpotNextTo, startTestWorld, type TestWorld } from './helpers.js';

async function give(bot: Bot, item: string, count: number): Promise<void> {
  const before = inventoryCounts(bot)[item] ?? 0;
  bot.chat(`/give ${bot.username} ${item} ${count}`);
  const t0 = Date.now();
  while ((inventoryCounts(bot)[item] ?? 0) < before + count) {
    if (Date.now() - t0 > 5000) throw new Error(`/give ${item} did not arrive`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Teleport to open ground a few blocks away (earlier digging leaves the bot in a pit). */
async function toSurface(bot: Bot, dx = 4): Promise<void> {
  const p = bot.entity.position.floored();
  for (const [ox, oz] of [[dx, 0], [0, dx], [-dx, 0], [0, -dx], [dx, dx]]) {
    let y = p.y + 12;
    while (y > 0 && bot.blockAt(new Vec3(p.x + ox!, y, p.z + oz!))?.boundingBox !== 'block') y--;
    const ground = bot.blockAt(new Vec3(p.x + ox!, y, p.z + oz!));
    if (!ground || ground.name === 'water') continue;
    bot.chat(`/tp ${bot.username} ${p.x + ox! + 0.5} ${y + 1} ${p.z + oz! + 0.5}`);
    const t0 = Date.now();
    while (bot.entity.position.distanceTo(new Vec3(p.x + ox! + 0.5, y + 1, p.z + oz! + 0.5)) > 1.5 && Date.now() - t0 < 3000) await bot.waitForTicks(2);
    await bot.waitForTicks(10);
    return;
  }
  throw new Error('no surface found');
}

function clearInventory(bot: Bot): Promise<void> {
  bot.chat(`/clear ${bot.username}`);
  return new Promise((r) => setTimeout(r, 300));
}

describe('minecraft primitives (plain flying-squid world)', function () {
  this.timeout(30_000);
  let world: TestWorld;
  let conn: MinecraftConnection;
  let bot: Bot;
  const rec = new EventRecorder();

  before(async () => {
    world = await startTestWorld({ plain: true, seed: 7 });
    conn = await MinecraftConnection.open({ host: world.host, port: world.port, username: 'prim' });
    bot = conn.bot;
    // These specs check the errors themselves; Voyager's chat-and-return is voyager-semantics.test.ts.
    setPrimitiveSemantics(bot, 'strict');
    rec.attach(bot);
    await bot.waitForTicks(10);
  });
  after(async () => {
    await conn?.close();
    await world?.stop();
  });

  it('mineBlock digs dirt and picks up the drop, recording an inventory event', async () => {
    const mark = rec.mark();
    const before = inventoryCounts(bot).dirt ?? 0;
    await mineBlock(bot, 'dirt', 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((inventoryCounts(bot).dirt ?? 0) >= before + 1, 'dirt picked up');
    const inv = rec.since(mark).filter((e) => e.type === 'inventory');
    assert.ok(inv.some((e) => /\+\d+ dirt/.test(e.text)), JSON.stringify(inv));
    assert.ok(rec.since(mark).some((e) => e.type === 'primitive' && /^mineBlock\(dirt, 1\) done in \d+\.\d s$/.test(e.text)));
  });

  it('mineBlock says which tool stone needs, and what is missing nearby', async () => {
    const mark = rec.mark();
    await assert.rejects(mineBlock(bot, 'stone', 1), (e: any) => e.code === 'E_MC_NEED_TOOL' && /need a wooden_pickaxe to mine stone/.test(e.message));
    await assert.rejects(mineBlock(bot, 'oak_log', 3), (e: any) => e.code === 'E_MC_NOT_FOUND' && e.message === 'no oak_log within 32 blocks');
    await assert.rejects(mineBlock(bot, 'oak_logg', 1), (e: any) => e.code === 'E_MC_UNKNOWN_BLOCK' && /oak_log/.test(e.hint));
    await assert.rejects(mineBlock(bot, 'dirt', 0), /count for mineBlock must be a whole number/);
    assert.ok(rec.since(mark).some((e) => e.type === 'primitive' && e.text === 'mineBlock(oak_log, 3) failed: no oak_log within 32 blocks'));
    const chat = rec.since(mark).filter((e) => e.type === 'chat').map((e) => e.text);
    assert.ok(chat.includes('I need at least a wooden_pickaxe to mine stone!'), chat.join('|'));
    assert.ok(chat.includes('No oak_log nearby, please explore first'));
  });

  it('mineBlock stone with a pickaxe', async () => {
    await give(bot, 'wooden_pickaxe', 1);
    const before = inventoryCounts(bot);
    await mineBlock(bot, 'stone', 1);
    await new Promise((r) => setTimeout(r, 300));
    const after = inventoryCounts(bot);
    const gained = (after.cobblestone ?? 0) - (before.cobblestone ?? 0) + (after.stone ?? 0) - (before.stone ?? 0);
    assert.ok(gained >= 1, `gained ${gained}`);
  });

  it('placeItem places a block next to the bot; clear errors for missing items and floating blocks', async () => {
    await give(bot, 'dirt', 2);
    await toSurface(bot);
    const spot = freeSpotNextTo(bot);
    const n = inventoryCounts(bot).dirt!;
    await placeItem(bot, 'dirt', spot);
    assert.equal(bot.blockAt(spot)?.name, 'dirt');
    assert.equal(inventoryCounts(bot).dirt, n - 1);
    await assert.rejects(placeItem(bot, 'dirt', spot), (e: any) => e.code === 'E_MC_OCCUPIED');
    await assert.rejects(placeItem(bot, 'furnace', spot.offset(0, 1, 0)), (e: any) => e.code === 'E_MC_MISSING_ITEM' && e.message === 'no furnace in inventory');
    await assert.rejects(placeItem(bot, 'dirt', bot.entity.position.offset(0, 12, 0)), (e: any) => e.code === 'E_MC_NO_SUPPORT' && /floating/.test(e.message));
    await assert.rejects(placeItem(bot, 'dirt', 'here' as any), /position for placeItem must be a Vec3/);
  });

  it('craftItem explains missing ingredients and a missing crafting table', async () => {
    await clearInventory(bot);
    const mark = rec.mark();
    await assert.rejects(craftItem(bot, 'wooden_pickaxe', 1), (e: any) => e.code === 'E_MC_MISSING_INGREDIENTS' && /need 3 \w+_planks, have 0; need 2 stick, have 0/.test(e.message));
    assert.ok(rec.since(mark).some((e) => e.type === 'chat' && /^I cannot make wooden_pickaxe because I need: /.test(e.text)));
    await give(bot, 'oak_planks', 3);
    await give(bot, 'stick', 2);
    await assert.rejects(craftItem(bot, 'wooden_pickaxe', 1), (e: any) => e.code === 'E_MC_NO_TABLE' && e.message === 'no crafting_table nearby: place one first');
    await assert.rejects(craftItem(bot, 'wooden_pickaxe', 2), (e: any) => /need 6 oak_planks, have 3; need 4 stick, have 2/.test(e.message));
    await assert.rejects(craftItem(bot, 'glass', 1), (e: any) => e.code === 'E_MC_NOT_CRAFTABLE' && /smelt sand/.test(e.message));
    await assert.rejects(craftItem(bot, 'woden_pickaxe', 1), (e: any) => e.code === 'E_MC_UNKNOWN_ITEM');
  });

  it('smeltItem, killMob and chests fail clearly when what they need is absent', async () => {
    await assert.rejects(smeltItem(bot, 'iron_ore', 'oak_planks', 1), (e: any) => e.code === 'E_MC_MISSING_ITEM' && e.message === 'need 1 iron_ore, have 0');
    await give(bot, 'iron_ore', 1);
    await assert.rejects(smeltItem(bot, 'iron_ingot', 'oak_planks', 1), (e: any) => e.code === 'E_MC_NO_FURNACE' && /no furnace nearby/.test(e.message));
    await assert.rejects(smeltItem(bot, 'iron_ore', 'dirt', 1), (e: any) => e.code === 'E_MC_NOT_FUEL');
    await assert.rejects(killMob(bot, 'pig', 5), (e: any) => e.code === 'E_MC_NOT_FOUND' && e.message === 'no pig within 48 blocks');
    const below = bot.entity.position.floored().offset(0, -1, 0);
    await assert.rejects(checkItemInsideChest(bot, below), (e: any) => e.code === 'E_MC_NO_CHEST' && /no chest at/.test(e.message));
  });

  it('exploreUntil walks in a direction, returns the callback value or null, validates the direction', async () => {
    await toSurface(bot, 6);
    const start = bot.entity.position.clone();
    const r = await exploreUntil(bot, new Vec3(1, 0, 0), 4, () => false);
    assert.equal(r, null);
    assert.ok(bot.entity.position.x - start.x > 1.5, `moved ${bot.entity.position.x - start.x} in +x`);
    assert.equal(await exploreUntil(bot, new Vec3(0, 0, 1), 5, () => 'found'), 'found');
    let calls = 0;
    assert.equal(await exploreUntil(bot, new Vec3(0, 0, -1), 10, () => (++calls >= 2 ? { at: calls } : null)).then((v: any) => v.at), 2);
    await assert.rejects(exploreUntil(bot, new Vec3(2, 0, 0), 1), /direction must be a Vec3 only with values -1, 0 or 1/);
    await assert.rejects(exploreUntil(bot, new Vec3(0, 0, 0), 1), /cannot be 0, 0, 0/);
  });

  it('time-out: a long primitive rejects within its limit and the bot stops moving', async () => {
    const t0 = Date.now();
    await assert.rejects(mineBlock(bot, 'dirt', 40, { timeoutMs: 700 }), (e: any) => e.code === 'E_TIMEOUT' && /mineBlock\(dirt, 40\) timed out after 700 ms/.test(e.message));
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    await bot.waitForTicks(5);
    assert.equal((bot as any).pathfinder.isMoving(), false);
    assert.equal((bot as any).targetDigBlock ?? null, null);
  });

  it('AbortSignal: passed directly or set as the bot context', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user pressed stop')), 300);
    const t0 = Date.now();
    await assert.rejects(exploreUntil(bot, new Vec3(1, 0, 0), 30, () => false, { signal: ac.signal }), (e: any) => e.code === 'E_ABORTED' && /user pressed stop/.test(e.message));
    assert.ok(Date.now() - t0 < 1000);
    const ac2 = new AbortController();
    setPrimitiveContext(bot, { signal: ac2.signal });
    try {
      setTimeout(() => ac2.abort(), 300);
      await assert.rejects(mineBlock(bot, 'dirt', 40), (e: any) => e.code === 'E_ABORTED');
      await assert.rejects(mineBlock(bot, 'dirt', 1), (e: any) => e.code === 'E_ABORTED', 'an aborted context stops later calls at once');
    } finally {
      setPrimitiveContext(bot, null);
    }
    setPrimitiveContext(bot, { maxTimeoutMs: 400 });
    try {
      await assert.rejects(mineBlock(bot, 'dirt', 40), (e: any) => e.code === 'E_TIMEOUT' && /400 ms/.test(e.message));
    } finally {
      setPrimitiveContext(bot, null);
    }
  });

  it('a bot kicked mid-primitive rejects at once with a clear error', async () => {
    const c2 = await MinecraftConnection.open({ host: world.host, port: world.port, username: 'kickme', reconnect: false });
    try {
      const b2 = c2.bot;
      await b2.waitForTicks(5);
      const p = exploreUntil(b2, new Vec3(-1, 0, 0), 30, () => false);
      setTimeout(() => world.serv.players.find((x: any) => x.username === 'kickme').kick('maintenance'), 400);
      const t0 = Date.now();
      await assert.rejects(p, (e: any) => e.code === 'E_MC_DISCONNECTED' && /lost its connection to the server \(kicked: maintenance\)/.test(e.message));
      assert.ok(Date.now() - t0 < 3000);
      await assert.rejects(mineBlock(b2, 'dirt', 1), (e: any) => e.code === 'E_MC_DISCONNECTED' && /not connected/.test(e.message));
    } finally {
      await c2.close();
    }
  });
});
