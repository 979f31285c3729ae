/**
 * Hostile mobs as a spec: what each kind does to a bot standing in the open at night, measured in
 * the server's game ticks, and how the kinds are chosen.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { explosionDamage, HOSTILE_MOBS, parseHostileKinds } from '../../envs/minecraft/server/plugins/hostile.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { joinWorld, withinTicks } from './world-fixture.js';

describe('hostile mobs', function () {
  this.timeout(180_000);

  it('has vanilla creeper blast damage: 43 at point blank on normal, none from 6 blocks', () => {
    assert.deepEqual(explosionDamage(0), [22.5, 43, 64.5]);
    assert.equal(explosionDamage(3)[1], 16);
    assert.deepEqual(explosionDamage(6), [0, 0, 0]);
  });

  it('knows zombie, spider, skeleton, creeper and enderman, and names an unknown kind', () => {
    assert.deepEqual([...HOSTILE_MOBS], ['zombie', 'spider', 'skeleton', 'creeper', 'enderman']);
    assert.deepEqual(parseHostileKinds(['creeper', ' skeleton', 'creeper']), ['creeper', 'skeleton']);
    assert.throws(() => parseHostileKinds(['ghast']), /unknown hostile mob "ghast" \(known: zombie, spider, skeleton, creeper, enderman\)/);
  });

  it('refuses an unknown kind before the world opens a port', async () => {
    await assert.rejects(startEmbeddedWorld({ seed: 1, hostileMobs: ['zombie', 'wither'] as never }), (err: Error & { code?: string }) => err.code === 'E_INVALID' && /wither/.test(err.message));
  });

  describe('in a world at night (seed 42, one bot in the open)', () => {
    let world: EmbeddedWorld;
    let bot: Bot;
    const serv = () => world.server as any;
    const heal = async () => {
      const player = serv().players.find((p: any) => p.username === bot.username);
      player.updateHealth(20);
      await withinTicks(world, () => bot.health === 20, 100, 'healing the bot');
    };
    const spawnNear = (kind: string, dx: number, dz: number) => {
      const p = bot.entity.position;
      return serv().spawnHostile(kind, { x: p.x + dx, y: p.y, z: p.z + dz });
    };
    const clear = () => {
      for (const m of [...serv().hostileMobs]) m.takeDamage({ damage: 100 });
    };

    before(async () => {
      // No natural spawns (maxPerPlayer 0): each test places the mob it is about.
      world = await startEmbeddedWorld({ seed: 42, op: true, viewDistance: 4, hostileMobs: { maxPerPlayer: 0 } });
      bot = await joinWorld(world, 'target');
      serv().setTime(14000);
    });
    after(async () => {
      bot?.end();
      await world?.stop();
    });
    afterEach(clear);

    it('a skeleton shoots from a distance: the bot is hurt while the skeleton stays 4 or more blocks away', async () => {
      await heal();
      const skeleton = spawnNear('skeleton', 8, 0);
      let closest = Infinity;
      await withinTicks(world, () => {
        closest = Math.min(closest, skeleton.position.distanceTo(serv().players[0].position));
        return bot.health < 20;
      }, 400, 'an arrow');
      assert.ok(closest >= 3.5, `the skeleton came to ${closest.toFixed(1)} blocks`);
    });

    it('a creeper walks up, hisses, and explodes: heavy damage, a crater, and no creeper left', async () => {
      await heal();
      const creeper = spawnNear('creeper', 6, 0);
      const below = creeper.position.floored().offset(0, -1, 0);
      await withinTicks(world, () => !serv().hostileMobs.includes(creeper), 600, 'the creeper to explode');
      // 3 blocks from the blast: 16 damage on normal, 9 on easy (the world's default difficulty).
      await withinTicks(world, () => bot.health <= 11, 100, 'the blast to reach the bot');
      const player = serv().players.find((p: any) => p.username === bot.username);
      if (player.health <= 0) player.updateHealth(20); // a blast at point blank kills, as in vanilla
      await withinTicks(world, () => bot.blockAt(below) !== null, 20, 'the chunk');
      const dug = [0, 1, 2].filter((d) => {
        const b = bot.blockAt(below.offset(d, 0, 0));
        return b?.name === 'air';
      });
      assert.ok(dug.length > 0, 'the ground around the blast is gone');
    });

    it('an enderman leaves the bot alone until the bot hits it, then comes for it', async () => {
      await heal();
      const enderman = spawnNear('enderman', 3, 0);
      const t0 = serv().tickCount;
      await withinTicks(world, () => serv().tickCount >= t0 + 100, 200, 'waiting');
      assert.equal(bot.health, 20, 'an enderman that was not hit does not attack');
      await withinTicks(world, () => !!bot.entities[enderman.id], 100, 'the bot to see the enderman');
      bot.attack(bot.entities[enderman.id]!);
      await withinTicks(world, () => bot.health < 20, 1200, 'the provoked enderman to hit the bot');
    });
  });

  it('spawns only the kinds it is given, at night, around survival players', async () => {
    const world = await startEmbeddedWorld({ seed: 7, viewDistance: 4, hostileMobs: { kinds: ['enderman'], maxPerPlayer: 3, minDistance: 6, maxDistance: 10 } });
    const bot = await joinWorld(world, 'watcher');
    try {
      const serv = world.server as any;
      serv.setTime(14000);
      const end = serv.tickCount + 1200;
      while (serv.hostileMobs.length < 3 && serv.tickCount < end) await new Promise((r) => setTimeout(r, 100));
      const kinds = serv.hostileMobs.map((m: any) => m.name);
      assert.equal(serv.hostileMobs.length, 3, `spawned ${kinds.join(', ')}`);
      for (const m of serv.hostileMobs) assert.equal(m.name, 'enderman');
    } finally {
      bot.end();
      await world.stop();
    }
  });
});
