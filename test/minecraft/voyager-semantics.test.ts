/**
 * Voyager's semantics for the Voyager-named primitives, in the embedded world: a missing precondition
 * is said in chat and the primitive returns (the 11th in one run throws), while `strict` keeps
 * rejecting; placeItem never clicks a block that opens a window; placeItem without a position finds
 * or digs a spot even when the bot stands in a pit; time limits count game ticks, not wall time.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { MinecraftConnection } from '../../envs/minecraft/connection.js';
import { EventRecorder, inventoryCounts } from '../../envs/minecraft/events.js';
import {
  craftItem,
  mineBlock,
  placeItem,
  runPrimitive,
  setPrimitiveContext,
  setPrimitiveSemantics,
  canPlaceAgainst,
} from '../../envs/minecraft/primitives/index.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';

describe('minecraft primitives: Voyager semantics', function () {
  this.timeout(120_000);
  let world: EmbeddedWorld;
  let conn: MinecraftConnection;
  let bot: Bot;
  const rec = new EventRecorder();
  const serv = () => world.server as any;
  const stone = () => serv().registry.blocksByName.stone.defaultState as number;
  const air = () => serv().registry.blocksByName.air.defaultState as number;
  const setBlock = (p: Vec3, state: number) => serv().setBlock(serv().overworld, p, state);
  async function give(item: string, count: number): Promise<void> {
    const before = inventoryCounts(bot)[item] ?? 0;
    bot.chat(`/give ${bot.username} ${item} ${count}`);
    while ((inventoryCounts(bot)[item] ?? 0) < before + count) await bot.waitForTicks(2);
  }
  async function clear(): Promise<void> {
    bot.chat(`/clear ${bot.username}`);
    while (bot.inventory.items().length > 0) await bot.waitForTicks(2);
  }
  const chatSince = (mark: number) => rec.since(mark).filter((e) => e.type === 'chat').map((e) => e.text);

  before(async () => {
    world = await startEmbeddedWorld({ seed: 3, op: true });
    conn = await MinecraftConnection.open({ host: world.host, port: world.port, username: 'voy' });
    bot = conn.bot;
    rec.attach(bot);
    await bot.waitForTicks(10);
  });
  after(async () => {
    await conn?.close();
    await world?.stop();
  });

  it('voyager: a missing item, tool or ingredient is said in chat and the primitive returns', async () => {
    setPrimitiveSemantics(bot, 'voyager');
    await clear();
    const mark = rec.mark();
    assert.equal(await placeItem(bot, 'furnace', bot.entity.position.offset(1, 0, 0)), undefined);
    await mineBlock(bot, 'stone', 1);
    await craftItem(bot, 'wooden_pickaxe', 1);
    const chat = chatSince(mark);
    assert.ok(chat.includes('No furnace in inventory'), chat.join(' | '));
    assert.ok(chat.includes('I need at least a wooden_pickaxe to mine stone!'), chat.join(' | '));
    assert.ok(chat.some((c) => c.startsWith('I cannot make wooden_pickaxe because I need:')), chat.join(' | '));
    // The critic still sees each as a failed primitive.
    const failed = rec.since(mark).filter((e) => e.type === 'primitive' && (e.data as { ok?: boolean })?.ok === false);
    assert.equal(failed.length, 3, JSON.stringify(failed));
    // What Voyager's primitives throw on still throws.
    await assert.rejects(placeItem(bot, 'furnacee', bot.entity.position), (e: any) => e.code === 'E_MC_UNKNOWN_ITEM');
  });

  it('voyager: the 11th chat-and-return of one primitive in a run throws, as Voyager counts them', async () => {
    const ac = new AbortController();
    setPrimitiveContext(bot, { signal: ac.signal }); // a new run: counters start afresh
    try {
      for (let i = 0; i < 10; i++) await placeItem(bot, 'furnace', bot.entity.position.offset(1, 0, 0));
      await assert.rejects(placeItem(bot, 'furnace', bot.entity.position.offset(1, 0, 0)), (e: any) => e.code === 'E_MC_TOO_MANY_FAILURES' && /placeItem failed too many times/.test(e.message));
    } finally {
      setPrimitiveContext(bot, null);
    }
    await placeItem(bot, 'furnace', bot.entity.position.offset(1, 0, 0)); // counting starts again
  });

  it('strict: the same calls reject with the reason', async () => {
    setPrimitiveSemantics(bot, 'strict');
    try {
      await assert.rejects(placeItem(bot, 'furnace', bot.entity.position.offset(1, 0, 0)), (e: any) => e.code === 'E_MC_MISSING_ITEM');
      await assert.rejects(mineBlock(bot, 'stone', 1), (e: any) => e.code === 'E_MC_NEED_TOOL');
      await assert.rejects(craftItem(bot, 'wooden_pickaxe', 1), (e: any) => e.code === 'E_MC_MISSING_INGREDIENTS');
    } finally {
      setPrimitiveSemantics(bot, 'voyager');
    }
  });

  it('placeItem never places against a crafting table or furnace; any other non-air block will do', async () => {
    assert.equal(canPlaceAgainst('crafting_table'), false);
    assert.equal(canPlaceAgainst('furnace'), false);
    assert.equal(canPlaceAgainst('chest'), false);
    assert.equal(canPlaceAgainst('water'), false);
    assert.equal(canPlaceAgainst('oak_leaves'), true);
    assert.equal(canPlaceAgainst('dirt'), true);
    setPrimitiveSemantics(bot, 'strict');
    try {
      await give('crafting_table', 1);
      await give('dirt', 2);
      const table = await placeItem(bot, 'crafting_table');
      assert.ok(table && bot.blockAt(table)?.name === 'crafting_table');
      // Above the table: its only non-air neighbour is the table itself.
      const above = table!.offset(0, 1, 0);
      const sides = [new Vec3(1, 0, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, -1), new Vec3(0, 1, 0)];
      for (const s of sides) await setBlock(above.plus(s), air());
      await bot.waitForTicks(5);
      await assert.rejects(placeItem(bot, 'dirt', above), (e: any) => e.code === 'E_MC_NO_SUPPORT');
      assert.equal(bot.currentWindow, null, 'no window was opened');
      await setBlock(above.offset(1, 0, 0), stone());
      await bot.waitForTicks(5);
      await placeItem(bot, 'dirt', above);
      assert.equal(bot.blockAt(above)?.name, 'dirt');
    } finally {
      setPrimitiveSemantics(bot, 'voyager');
    }
  });

  it('placeItem without a position digs a spot out of the wall when the bot stands in a pit', async () => {
    await clear();
    await give('furnace', 1);
    await give('stone_pickaxe', 1);
    // Wall the bot in: stone everywhere within 6 blocks, 2 up and down, but its own column.
    const feet = bot.entity.position.floored();
    for (let dx = -6; dx <= 6; dx++) for (let dz = -6; dz <= 6; dz++) for (let dy = -3; dy <= 2; dy++) {
      if (dx === 0 && dz === 0 && dy >= 0) continue;
      await setBlock(feet.offset(dx, dy, dz), stone());
    }
    await bot.waitForTicks(10);
    setPrimitiveSemantics(bot, 'strict');
    try {
      const mark = rec.mark();
      const at = await placeItem(bot, 'furnace');
      assert.ok(at, 'placed somewhere');
      assert.equal(bot.blockAt(at!)?.name, 'furnace');
      assert.ok(at!.distanceTo(feet) <= 1.5, `furnace at ${at}, bot at ${feet}`);
      assert.ok(rec.since(mark).some((e) => e.type === 'dug'), 'it dug a spot');
    } finally {
      setPrimitiveSemantics(bot, 'voyager');
    }
  });

  it('time limits count game ticks: a server at half speed gets twice the wall time', async function () {
    this.timeout(60_000);
    // A stand-in bot whose server sends the time (every 20 ticks) at a chosen rate.
    const fake = (packetEveryMs: number) => {
      const b = new EventEmitter() as EventEmitter & Record<string, unknown>;
      b._client = { ended: false, socket: { destroyed: false } };
      b.entity = {};
      const t = setInterval(() => b.emit('time'), packetEveryMs);
      return { bot: b as unknown as Bot, stop: () => clearInterval(t) };
    };
    const work = (ms: number) => () => new Promise<string>((r) => setTimeout(() => r('done'), ms));
    // The limit is 4 s of game time (80 ticks); the work takes 6 s of wall time.
    const full = fake(1000);
    const half = fake(2000);
    try {
      const [atFull, atHalf] = await Promise.allSettled([
        runPrimitive(full.bot, 'fullSpeed', 4000, undefined, work(6000)),
        runPrimitive(half.bot, 'halfSpeed', 4000, undefined, work(6000)),
      ]);
      assert.equal(atFull.status, 'rejected');
      assert.equal((atFull as PromiseRejectedResult).reason.code, 'E_TIMEOUT');
      assert.deepEqual(atHalf, { status: 'fulfilled', value: 'done' });
    } finally {
      full.stop();
      half.stop();
    }
  });
});
