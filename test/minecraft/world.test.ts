import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { startEmbeddedWorld, MINECRAFT_VERSION, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { skillforgeGeneration, type ChunkGenerator } from '../../envs/minecraft/server/generator.js';
import { squidRequire } from '../../envs/minecraft/server/squid.js';
import { count, goNear, joinWorld, pickUp, waitFor } from './world-fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const registry = squidRequire('prismarine-registry')(MINECRAFT_VERSION);

/** Every block of the chunks within `radius` chunks of the spawn chunk, by name, with positions. */
function scan(gen: ChunkGenerator, radius: number): { at: (x: number, y: number, z: number) => string; find: (name: string) => Vec3[] } {
  const cx0 = Math.floor(gen.spawnPoint.x / 16);
  const cz0 = Math.floor(gen.spawnPoint.z / 16);
  const chunks = new Map<string, any>();
  for (let cx = cx0 - radius; cx <= cx0 + radius; cx++) for (let cz = cz0 - radius; cz <= cz0 + radius; cz++) chunks.set(`${cx},${cz}`, gen(cx, cz));
  const at = (x: number, y: number, z: number) => {
    const c = chunks.get(`${Math.floor(x / 16)},${Math.floor(z / 16)}`);
    if (!c) return 'unloaded';
    return registry.blocksByStateId[c.getBlockStateId({ x: x & 15, y, z: z & 15 })]?.name ?? 'unknown';
  };
  const index = new Map<string, Vec3[]>();
  for (const [key, c] of chunks) {
    const [cx, cz] = key.split(',').map(Number) as [number, number];
    for (let x = 0; x < 16; x++) for (let z = 0; z < 16; z++) for (let y = 0; y < 100; y++) {
      const name = registry.blocksByStateId[c.getBlockStateId({ x, y, z })]?.name;
      if (name === 'air' || name === 'stone' || name === 'dirt') continue;
      let list = index.get(name);
      if (!list) index.set(name, (list = []));
      list.push(new Vec3(cx * 16 + x, y, cz * 16 + z));
    }
  }
  return { at, find: (name) => index.get(name) ?? [] };
}

describe('embedded Minecraft world (flying-squid + unmodified mineflayer)', function () {
  this.timeout(40_000);
  let world: EmbeddedWorld;
  const bots: Bot[] = [];
  const serv = () => world.server;
  const join = async (name: string) => {
    const bot = await joinWorld(world, name);
    bots.push(bot);
    return bot;
  };
  const itemsNear = (pos: Vec3, r: number) =>
    Object.values(serv().entities as Record<string, any>).filter((e) => e.name === 'item' && e.position.distanceTo(pos) < r);

  before(async () => {
    // op: the harvest test hands out pickaxes with /give; nothing else here uses commands.
    world = await startEmbeddedWorld({ seed: 42, op: true, viewDistance: 4 });
  });
  after(async () => {
    for (const b of bots) b.end();
    await world?.stop();
  });

  it('generates the same world for the same seed and a different one for another seed', async () => {
    const a = skillforgeGeneration({ seed: 42, registry });
    const b = skillforgeGeneration({ seed: 42, registry });
    const c = skillforgeGeneration({ seed: 43, registry });
    assert.deepEqual(a.spawnPoint, b.spawnPoint);
    for (const [x, z] of [[0, 0], [-3, 5], [7, -2]] as const) {
      assert.ok(a(x, z).dump().equals(b(x, z).dump()), `chunk ${x},${z} differs between two generators of seed 42`);
      assert.ok(!a(x, z).dump().equals(c(x, z).dump()), `chunk ${x},${z} is the same for seeds 42 and 43`);
    }
    // The running server generated its chunks through flying-squid with the same result.
    const far = await serv().overworld.getColumn(20, 20);
    assert.ok(far.dump().equals(a(20, 20).dump()), 'the server world differs from the generator');
    assert.equal(world.seed, 42);
    assert.equal(world.version, MINECRAFT_VERSION);
  });

  it('puts trees of three woods, shallow ores, water and bare stone near spawn, ores at their depths', () => {
    for (const seed of [1, 42, 1234]) {
      const gen = skillforgeGeneration({ seed, registry });
      const s = new Vec3(gen.spawnPoint.x, gen.spawnPoint.y, gen.spawnPoint.z);
      const w = scan(gen, 2);
      const flat = (p: Vec3) => Math.hypot(p.x - s.x, p.z - s.z);
      const near = (name: string, r: number) => w.find(name).filter((p) => flat(p) <= r);
      const ctx = `seed ${seed}`;
      assert.match(w.at(s.x, s.y - 1, s.z), /grass_block|dirt/, `${ctx}: spawn stands on ${w.at(s.x, s.y - 1, s.z)}`);
      assert.equal(w.at(s.x, s.y, s.z), 'air', `${ctx}: spawn is inside a block`);
      assert.ok(near('oak_log', 10).length >= 4, `${ctx}: oak logs within 10 blocks`);
      assert.ok(near('oak_leaves', 12).length > 10, `${ctx}: oak leaves`);
      assert.ok(near('birch_log', 32).length > 0 && near('birch_leaves', 34).length > 0, `${ctx}: birch trees within 32 blocks`);
      assert.ok(near('spruce_log', 32).length > 0 && near('spruce_leaves', 34).length > 0, `${ctx}: spruce trees within 32 blocks`);
      assert.ok(near('water', 24).length > 0, `${ctx}: water within 24 blocks`);
      assert.ok(w.find('sand').length > 0, `${ctx}: sand`);
      const surface = (p: Vec3) => w.at(p.x, p.y + 1, p.z) === 'air';
      assert.ok(near('iron_ore', 16).some(surface), `${ctx}: exposed iron ore within 16 blocks`);
      assert.ok(near('coal_ore', 16).some(surface), `${ctx}: exposed coal ore within 16 blocks`);
      // exposed stone: scan() leaves stone out of its index, so test the quarry floor directly
      const { quarry } = gen.terrain.landmarks;
      const qh = gen.terrain.columnAt(quarry.x + 2, quarry.z).height;
      assert.match(w.at(quarry.x + 2, qh, quarry.z), /stone|_ore/, `${ctx}: bare rock in the quarry`);
      assert.equal(w.at(quarry.x + 2, qh + 1, quarry.z), 'air');
      for (const p of w.find('diamond_ore')) assert.ok(p.y <= 17, `${ctx}: diamond at y=${p.y}`);
      for (const p of w.find('redstone_ore')) assert.ok(p.y <= 17, `${ctx}: redstone at y=${p.y}`);
      for (const p of w.find('gold_ore')) assert.ok(p.y <= 33, `${ctx}: gold at y=${p.y}`);
      assert.ok(w.find('diamond_ore').length > 0, `${ctx}: some diamond ore in 25 chunks`);
      assert.ok(w.find('iron_ore').filter((p) => p.y < 50).length > 10, `${ctx}: iron ore underground`);
      assert.equal(w.find('bedrock').filter((p) => p.y === 0).length, 25 * 256, `${ctx}: bedrock floor`);
      const heights = [];
      for (let dx = -30; dx <= 30; dx += 5) for (let dz = -30; dz <= 30; dz += 5) heights.push(gen.terrain.columnAt(s.x + dx, s.z + dz).height);
      assert.ok(Math.max(...heights) - Math.min(...heights) >= 3, `${ctx}: flat terrain ${Math.min(...heights)}..${Math.max(...heights)}`);
    }
  });

  it('spawns a bot at the seeded spawn point and lets it dig an oak log by hand and pick it up', async () => {
    const bot = await join('lumberjack');
    assert.equal(bot.game.gameMode, 'survival');
    assert.ok(bot.entity.position.distanceTo(new Vec3(world.spawn.x + 0.5, world.spawn.y, world.spawn.z + 0.5)) < 1.5);
    const oakLog = bot.registry.blocksByName.oak_log!.id;
    const log = bot.findBlock({
      matching: oakLog,
      maxDistance: 16,
      useExtraInfo: (b) => bot.blockAt(b.position.offset(0, -1, 0))?.name === 'dirt',
    });
    assert.ok(log, 'an oak trunk within 16 blocks of spawn');
    await goNear(bot, log.position, 2);
    await bot.dig(log);
    assert.equal(bot.blockAt(log.position)?.name, 'air');
    await pickUp(bot, log.position, 'oak_log', 1);
    assert.equal(count(bot, 'oak_log'), 1);
  });

  it('applies harvest tiers: stone needs a pickaxe, iron ore a stone pickaxe', async () => {
    const [quarrier, ironer] = await Promise.all([join('quarrier'), join('ironer')]);
    const { quarry } = (serv().overworld.chunkGenerator as ChunkGenerator).terrain.landmarks;
    const terrain = (serv().overworld.chunkGenerator as ChunkGenerator).terrain;
    const h = terrain.columnAt(quarry.x, quarry.z).height;
    const ironTop = new Vec3(quarry.x, h, quarry.z);
    const ironBelow = new Vec3(quarry.x, h - 1, quarry.z);
    const stones: Vec3[] = [];
    for (let dx = -3; dx <= 3; dx++) for (let dz = -3; dz <= 3; dz++) {
      const c = terrain.columnAt(quarry.x + dx, quarry.z + dz);
      if (c.surface === 'stone' && !c.ore && Math.hypot(dx, dz) >= 2) stones.push(new Vec3(quarry.x + dx, c.height, quarry.z + dz));
    }
    assert.ok(stones.length >= 2, 'bare stone in the quarry');
    assert.equal(quarrier.blockAt(ironTop)?.name, 'iron_ore');
    assert.equal(quarrier.blockAt(stones[0]!)?.name, 'stone');

    const giveAndHold = async (bot: Bot, item: string) => {
      bot.chat(`/give ${bot.username} ${item} 1`);
      await waitFor(() => count(bot, item) === 1, 5000, `${item} for ${bot.username}`);
      await bot.equip(bot.registry.itemsByName[item]!.id, 'hand');
    };
    // Wrong tools first, both bots at once (each dig takes 7.5 s in vanilla time).
    await giveAndHold(ironer, 'wooden_pickaxe');
    await Promise.all([goNear(quarrier, stones[0]!, 3), goNear(ironer, ironTop, 3)]);
    await Promise.all([quarrier.dig(quarrier.blockAt(stones[0]!)!), ironer.dig(ironer.blockAt(ironTop)!)]);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(itemsNear(stones[0]!, 4).length, 0, 'stone dug by hand dropped something');
    assert.equal(itemsNear(ironTop, 3).length, 0, 'iron ore dug with a wooden pickaxe dropped something');
    assert.equal(count(quarrier, 'cobblestone'), 0);
    assert.equal(count(ironer, 'iron_ore'), 0);

    // Right tools.
    await Promise.all([giveAndHold(quarrier, 'wooden_pickaxe'), giveAndHold(ironer, 'stone_pickaxe')]);
    // One after the other: a drop goes to whichever player stands closest.
    await goNear(quarrier, stones[1]!, 3);
    await quarrier.dig(quarrier.blockAt(stones[1]!)!);
    await pickUp(quarrier, stones[1]!, 'cobblestone', 1);
    await ironer.dig(ironer.blockAt(ironBelow)!);
    await pickUp(ironer, ironBelow, 'iron_ore', 1);
    assert.equal(count(quarrier, 'stone'), 0, 'stone without silk touch must drop cobblestone, not stone');
  });

  it('lets a bot kill a pig and pick up its porkchop', async () => {
    const hunter = await join('hunter');
    hunter.chat('/give hunter stone_sword 1');
    await waitFor(() => count(hunter, 'stone_sword') === 1, 5000, 'a sword');
    await hunter.equip(hunter.registry.itemsByName.stone_sword!.id, 'hand');
    const pig = hunter.nearestEntity((e) => e.name === 'pig');
    assert.ok(pig, 'a pig near spawn');
    assert.ok(pig.position.distanceTo(hunter.entity.position) < 32, 'the pig is near spawn');
    let last = pig.position.clone();
    let dead = false;
    hunter.on('entityDead', (e) => {
      if (e.id === pig.id) dead = true;
    });
    const end = Date.now() + 20000;
    while (!dead && hunter.entities[pig.id]) {
      assert.ok(Date.now() < end, 'the pig did not die within 20 s');
      last = pig.position.clone();
      if (pig.position.distanceTo(hunter.entity.position) > 3) await goNear(hunter, pig.position.floored(), 2, 4000).catch(() => {});
      else {
        await hunter.lookAt(pig.position.offset(0, 0.5, 0));
        hunter.attack(pig);
        await new Promise((r) => setTimeout(r, 350));
      }
    }
    await pickUp(hunter, last, 'porkchop', 1);
    await waitFor(() => !hunter.entities[pig.id], 3000, 'the dead pig to be removed');
  });

  it('serves five bots at once, each walking somewhere and talking', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const five = await Promise.all(names.map((n) => join(n)));
    await waitFor(() => five.every((b) => names.every((n) => b.players[n])), 5000, 'every bot to list the four others');
    const heard = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
    for (const b of five) {
      b.on('chat', (username) => {
        heard.get(b.username)!.add(username);
      });
    }
    await Promise.all(
      five.map(async (b, i) => {
        const a = (2 * Math.PI * i) / five.length;
        const target = b.entity.position.offset(Math.round(4 * Math.cos(a)), 0, Math.round(4 * Math.sin(a)));
        await goNear(b, target, 1.5);
        assert.ok(b.entity.position.distanceTo(target) <= 2.5, `${b.username} did not get there`);
        b.chat(`hello from ${b.username}`);
      }),
    );
    const allHeard = () => names.every((me) => names.every((other) => other === me || heard.get(me)!.has(other)));
    await waitFor(allHeard, 5000, 'every bot to hear the four others');
  });

  it('ends every connected client when the server stops', async () => {
    const live = bots.filter((b) => b.entity);
    assert.ok(live.length >= 5);
    const ended = live.map((b) => new Promise<void>((resolve) => b.once('end', () => resolve())));
    const t0 = Date.now();
    await world.stop();
    await Promise.race([Promise.all(ended), new Promise((_, reject) => setTimeout(() => reject(new Error('clients did not see end')), 5000))]);
    assert.ok(Date.now() - t0 < 5000);
    await world.stop(); // idempotent
  });
});
