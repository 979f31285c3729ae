import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
  this.timeout(120_000); // bounds waits only: a loaded CI machine runs the server slowly
  let world: EmbeddedWorld;
  const bots: Bot[] = [];
  let dugLog: Vec3 | undefined;
  const serv = () => world.server;
  const join = async (name: string, onCreate?: (bot: Bot) => void) => {
    const bot = await joinWorld(world, name, onCreate);
    bots.push(bot);
    return bot;
  };

  before(async () => {
    world = await startEmbeddedWorld({ seed: 42, viewDistance: 4 });
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

  it('refuses a taken port, a bad seed and unknown plugins with clear errors', async () => {
    await assert.rejects(startEmbeddedWorld({ seed: 1, port: world.port, plugins: [] }), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'E_WORLD_START');
      assert.match(err.hint ?? '', /port \d+ is taken/);
      return true;
    });
    await assert.rejects(startEmbeddedWorld({ seed: 1.5 }), /seed must be an integer/);
    await assert.rejects(startEmbeddedWorld({ seed: 1, plugins: ['nope'] }), /unknown world plugin/);
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
    dugLog = log.position.clone();
  });

  it('keeps what a reconnecting bot carried and the blocks it dug', async () => {
    assert.ok(dugLog, 'needs the oak log test');
    const first = bots.find((b) => b.username === 'lumberjack')!;
    await new Promise<void>((resolve) => {
      first.once('end', () => resolve());
      first.quit();
    });
    bots.splice(bots.indexOf(first), 1);
    await waitFor(world, () => !serv().players.some((p: { username: string }) => p.username === 'lumberjack'), 30_000, 'the server to see the bot leave');
    const again = await join('lumberjack');
    assert.equal(count(again, 'oak_log'), 1);
    assert.equal(again.blockAt(dugLog)?.name, 'air');
  });

  it('serves five bots at once, each walking somewhere and talking', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    // mineflayer reads the tab list (player_info) itself since 4.39: no shim, no protocol reading.
    const five = await Promise.all(names.map((n) => join(n)));
    // Players who joined earlier learn of later ones as they come; each newcomer gets the full list.
    const late = await join('p6');
    // Mobs kept wandering while the five logged in: each still got every mob's spawn packet.
    const mobs = (serv().passiveMobs as Array<{ id: number; name: string }>).map((m) => `${m.id}:${m.name}`).sort();
    for (const b of [...five, late]) {
      const seen = mobs.filter((key) => {
        const [id, name] = key.split(':');
        return b.entities[Number(id)]?.name === name;
      });
      assert.deepEqual(seen, mobs, `${b.username} misses mobs`);
    }
    await waitFor(world, () => [...names, 'p6'].every((n) => late.players[n]), 30_000, 'the newcomer to receive the full player list');
    await waitFor(world, () => five.every((b) => b.players.p6), 30_000, 'earlier players to hear of the newcomer');
    await waitFor(world, () => names.every((n) => late.players[n]?.entity), 30_000, 'the newcomer to see the five players');
    assert.equal(late.player?.username, 'p6');
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
    await waitFor(world, allHeard, 30_000, 'every bot to hear the four others');
  });

  it('knocks a bot back without breaking its physics (mineflayer reads the 1.16 velocity packet)', async () => {
    const bot = await join('kb');
    const player = (serv().players as any[]).find((p) => p.username === 'kb');
    const start = bot.entity.position.clone();
    // flying-squid's own knockback path: what a player-vs-player hit or /velocity sends.
    player.sendVelocity(new Vec3(8, 4, 0), new Vec3(20, 20, 20));
    await waitFor(world, () => bot.entity.position.distanceTo(start) > 0.5, 20_000, 'the bot to be pushed');
    await bot.waitForTicks(20);
    const p = bot.entity.position;
    assert.ok([p.x, p.y, p.z].every(Number.isFinite), `position ${p}`);
    assert.ok(bot.entity.onGround || p.y > 0, 'the bot lands');
  });

  it('ends every connected client when the server stops', async () => {
    const live = bots.filter((b) => b.entity);
    assert.ok(live.length >= 5);
    const ended = live.map((b) => new Promise<void>((resolve) => b.once('end', () => resolve())));
    // One bot is in the middle of digging stone by hand (7.5 s) when the server goes away.
    const digger = live[0]!;
    const stone = digger.findBlock({ matching: digger.registry.blocksByName.stone!.id, maxDistance: 6 });
    assert.ok(stone, 'stone near the digger');
    let digError: Error | undefined;
    digger.dig(stone).catch((e: Error) => (digError = e));
    await waitFor(world, () => (digger as unknown as { targetDigBlock?: unknown }).targetDigBlock != null, 30_000, 'the dig to start');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await world.stop();
    await Promise.race([Promise.all(ended), new Promise((_, reject) => setTimeout(() => reject(new Error('clients did not see end')), 5000))]);
    assert.ok(Date.now() - t0 < 5000);
    await world.stop(); // idempotent
    await new Promise((r) => setTimeout(r, 300)); // let any handler still in flight fail here, not later
    void digError;
    assert.ok(!existsSync(world.worldFolder), 'the temporary world folder is removed');
  });
});
