/**
 * Herds keep a population wherever players go: a bot far from spawn sees new herds appear on grass
 * around it until its area holds `perArea` passive mobs, measured in game ticks.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { HERD_AREA, HERD_CHECK_TICKS, herdKinds } from '../../envs/minecraft/server/plugins/mobs.js';
import type { Terrain } from '../../envs/minecraft/server/terrain.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { joinWorld } from './world-fixture.js';

describe('passive herds keep a population around players', function () {
  this.timeout(180_000);
  let world: EmbeddedWorld;
  let bot: Bot;
  const serv = () => world.server as any;

  before(async () => {
    world = await startEmbeddedWorld({ seed: 3, op: true, viewDistance: 4, passiveMobs: { perKind: 1, perArea: 6 } });
    bot = await joinWorld(world, 'herder');
  });
  after(async () => {
    bot?.end();
    await world?.stop();
  });

  it('chooses herd kinds by biome: none in deserts, chickens in jungles', () => {
    assert.deepEqual(herdKinds('desert'), []);
    assert.deepEqual(herdKinds('jungle'), ['chicken']);
    assert.deepEqual([...herdKinds('plains')], ['pig', 'cow', 'sheep', 'chicken']);
  });

  it('fills a bare area 120 blocks from spawn up to 6 mobs, all standing on grass', async () => {
    const terrain = serv().overworld.chunkGenerator.terrain as Terrain;
    // A temperate grass spot 120 blocks out (no hot biome, so any kind may come).
    let spot: Vec3 | null = null;
    for (let k = 0; k < 64 && !spot; k++) {
      const a = (2 * Math.PI * k) / 64;
      const x = Math.round(terrain.spawn.x + 120 * Math.cos(a));
      const z = Math.round(terrain.spawn.z + 120 * Math.sin(a));
      const c = terrain.columnAt(x, z);
      if (c.surface === 'grass' && c.water < 0 && terrain.biomeAt(x, z) === 'plains') spot = new Vec3(x + 0.5, c.height + 1, z + 0.5);
    }
    assert.ok(spot, 'a plains spot 120 blocks out');
    const near = () => (serv().passiveMobs as any[]).filter((m) => m.position.distanceTo(serv().players[0].position) < HERD_AREA);
    await serv().players[0].teleport(spot);
    const start = serv().tickCount;
    while (near().length < 6) {
      assert.ok(serv().tickCount - start < 30 * HERD_CHECK_TICKS, `only ${near().length} mobs near the bot after ${serv().tickCount - start} game ticks`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(near().length, 6, 'no more than perArea');
    for (const m of near()) {
      const ground = await serv().overworld.getBlock(m.position.floored().offset(0, -1, 0));
      assert.equal(ground.name, 'grass_block', `${m.name} at ${m.position} stands on ${ground.name}`);
    }
  });
});
