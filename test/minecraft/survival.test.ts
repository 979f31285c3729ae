import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { startEmbeddedWorld, MINECRAFT_VERSION, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import type { ChunkGenerator } from '../../envs/minecraft/server/generator.js';
import { harvestDrops, LEAF_DROPS } from '../../envs/minecraft/server/plugins/harvest.js';
import { meleeDamage } from '../../envs/minecraft/server/plugins/combat.js';
import { MOB_HEALTH } from '../../envs/minecraft/server/plugins/mobs.js';
import { FoodState } from '../../envs/minecraft/server/plugins/hunger.js';
import { isNight } from '../../envs/minecraft/server/plugins/hostile.js';
import { squidRequire } from '../../envs/minecraft/server/squid.js';
import { Random } from '../../core/random.js';
import { count, goNear, joinWorld, pickUp, waitFor } from './world-fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const registry = squidRequire('prismarine-registry')(MINECRAFT_VERSION);

describe('survival rules of the embedded world: harvest tiers, drops, mobs, weapons', function () {
  this.timeout(120_000); // bounds waits only: a loaded CI machine runs the server slowly

  describe('harvestDrops (minecraft-data rules, no server)', () => {
    const rng = new Random(7);
    const ctx = { registry, random: () => rng.next() };
    const names = (block: string, tool: string | null) => harvestDrops(ctx, block, tool).map((d) => d.item).sort();

    it('needs the right tool tier', () => {
      assert.deepEqual(names('stone', null), []);
      assert.deepEqual(names('stone', 'wooden_pickaxe'), ['cobblestone']);
      assert.deepEqual(names('stone', 'diamond_shovel'), []);
      assert.deepEqual(names('iron_ore', 'wooden_pickaxe'), []);
      assert.deepEqual(names('iron_ore', 'stone_pickaxe'), ['iron_ore']);
      assert.deepEqual(names('diamond_ore', 'stone_pickaxe'), []);
      assert.deepEqual(names('diamond_ore', 'iron_pickaxe'), ['diamond']);
      assert.deepEqual(names('gold_ore', 'stone_pickaxe'), []);
      assert.deepEqual(names('gold_ore', 'iron_pickaxe'), ['gold_ore']);
    });

    it('drops what vanilla drops for tool-free blocks and ores', () => {
      assert.deepEqual(names('oak_log', null), ['oak_log']);
      assert.deepEqual(names('dirt', null), ['dirt']);
      assert.deepEqual(names('grass_block', null), ['dirt']);
      assert.deepEqual(names('sand', null), ['sand']);
      assert.deepEqual(names('coal_ore', 'wooden_pickaxe'), ['coal']);
      assert.deepEqual(harvestDrops(ctx, 'stone', 'wooden_pickaxe', true).map((d) => d.item), ['stone'], 'silk touch');
      for (let i = 0; i < 50; i++) {
        const d = harvestDrops(ctx, 'redstone_ore', 'iron_pickaxe');
        assert.equal(d.length, 1);
        assert.equal(d[0]!.item, 'redstone');
      }
    });

    it('makes leaves drop saplings sometimes, never the leaf block without shears', () => {
      const seen: Record<string, number> = {};
      const n = 4000;
      for (let i = 0; i < n; i++) for (const d of harvestDrops(ctx, 'oak_leaves', null)) seen[d.item] = (seen[d.item] ?? 0) + d.count;
      assert.equal(seen.oak_leaves, undefined);
      const sapling = (seen.oak_sapling ?? 0) / n;
      assert.ok(sapling > 0.03 && sapling < 0.07, `sapling rate ${sapling}`);
      assert.ok((seen.apple ?? 0) > 0 && (seen.apple ?? 0) / n < 0.015, `apple rate ${(seen.apple ?? 0) / n}`);
      assert.ok(LEAF_DROPS.birch_leaves!.every((d) => d.item !== 'apple'));
      assert.ok(harvestDrops(ctx, 'oak_leaves', 'shears').some((d) => d.item === 'oak_leaves'));
    });

    it('gives weapons their vanilla damage and mobs their vanilla health', () => {
      assert.equal(meleeDamage(null), 1);
      assert.equal(meleeDamage('stone_sword'), 5);
      assert.equal(meleeDamage('diamond_axe'), 9);
      assert.equal(meleeDamage('oak_log'), 1);
      assert.deepEqual(MOB_HEALTH, { pig: 10, cow: 10, sheep: 8, chicken: 4 });
    });
  });

  describe('FoodState (vanilla hunger rules, no server)', () => {
    it('spends saturation before food, 4 exhaustion a point', () => {
      const f = new FoodState(20, 2, 0);
      f.exhaust(3.9);
      assert.deepEqual([f.food, f.saturation], [20, 2]);
      f.exhaust(0.1 + 4);
      assert.deepEqual([f.food, f.saturation], [20, 0]);
      f.exhaust(8);
      assert.equal(f.food, 18);
    });

    it('heals when fed, starves down to the difficulty floor, caps eating at 20', () => {
      const fed = new FoodState(18, 0, 0);
      assert.equal(fed.step(15, 1), 1);
      assert.equal(fed.exhaustion, 2);
      assert.equal(fed.step(20, 1), 0, 'no healing at full health');
      const starving = new FoodState(0, 0, 0);
      assert.equal(starving.step(11, 1), -1);
      assert.equal(starving.step(10, 1), 0, 'easy stops at 10');
      assert.equal(starving.step(2, 2), -1);
      assert.equal(starving.step(1, 2), 0, 'normal stops at 1');
      assert.equal(starving.step(1, 3), -1, 'hard kills');
      const eat = new FoodState(15, 1, 0);
      eat.eat(8, 12.8);
      assert.deepEqual([eat.food, eat.saturation], [20, 13.8]);
    });
  });

  describe('with unmodified mineflayer', () => {
    let world: EmbeddedWorld;
    const bots: Bot[] = [];
    const serv = () => world.server;
    const join = async (name: string) => {
      const bot = await joinWorld(world, name);
      bots.push(bot);
      return bot;
    };
    const itemsNear = (pos: Vec3, r: number) =>
      Object.values(serv().entities as Record<string, any>).filter((e) => e.itemId !== undefined && e.position.distanceTo(pos) < r);

    before(async () => {
      // op: these tests hand out tools with /give; the acceptance runs never use commands.
      world = await startEmbeddedWorld({ seed: 42, op: true, viewDistance: 4, hostileMobs: ['zombie', 'spider'] });
    });
    after(async () => {
      for (const b of bots) b.end();
      await world?.stop();
    });

    it('places herds of the four passive mobs near spawn', () => {
      const mobs = serv().passiveMobs as Array<{ name: string; position: Vec3 }>;
      const spawn = new Vec3(world.spawn.x, world.spawn.y, world.spawn.z);
      for (const kind of ['pig', 'cow', 'sheep', 'chicken']) {
        const herd = mobs.filter((m) => m.name === kind);
        assert.ok(herd.length >= 2, `${herd.length} ${kind}s`);
        for (const m of herd) assert.ok(m.position.distanceTo(spawn) < 30, `${kind} at ${m.position}`);
      }
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
        await waitFor(world, () => count(bot, item) === 1, 30_000, `${item} for ${bot.username}`);
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
      await waitFor(world, () => count(hunter, 'stone_sword') === 1, 30_000, 'a sword');
      await hunter.equip(hunter.registry.itemsByName.stone_sword!.id, 'hand');
      const pig = hunter.nearestEntity((e) => e.name === 'pig');
      assert.ok(pig, `a pig near spawn; the bot sees ${Object.values(hunter.entities).map((e) => `${e.name}@${e.position.floored()}`).join(' ')}; the server has ${(serv().passiveMobs as any[]).map((m) => `${m.name}@${m.position.floored()}`).join(' ')}`);
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
      await waitFor(world, () => !hunter.entities[pig.id], 30_000, 'the dead pig to be removed');
    });
    it('lets a hungry bot eat with bot.consume(): food rises, one item is used', async () => {
      const eater = await join('eater');
      eater.chat('/give eater cooked_porkchop 2');
      await waitFor(world, () => count(eater, 'cooked_porkchop') === 2, 30_000, 'the porkchops');
      await eater.equip(eater.registry.itemsByName.cooked_porkchop!.id, 'hand');
      await assert.rejects(eater.consume(), /Food is full/);
      const player = (serv().players as any[]).find((p) => p.username === 'eater');
      player.foodState.food = 10;
      player.foodState.saturation = 0;
      player.hungerStep(); // sends the new food level (and heals nothing at food 10)
      await waitFor(world, () => eater.food === 10, 30_000, 'hunger to reach the client');
      await eater.consume();
      assert.equal(eater.food, 18);
      assert.equal(count(eater, 'cooked_porkchop'), 1);
      assert.equal(player.foodState.food, 18);
    });
    it('at night, a zombie chases and hurts a bot, which kills it and picks up rotten flesh', async () => {
      assert.equal(isNight(1000), false);
      assert.equal(isNight(14000), true);
      // Alone, so the zombie's nearest player is this one.
      for (const b of bots.splice(0)) b.quit();
      await waitFor(world, () => serv().players.length === 0, 30_000, 'the other bots to leave');
      const fighter = await join('fighter');
      fighter.chat('/give fighter iron_sword 1');
      await waitFor(world, () => count(fighter, 'iron_sword') === 1, 30_000, 'a sword');
      await fighter.equip(fighter.registry.itemsByName.iron_sword!.id, 'hand');
      serv().setTime(14000);
      const p = fighter.entity.position;
      const zombie = serv().spawnHostile('zombie', { x: p.x + 4, y: p.y, z: p.z });
      await waitFor(world, () => fighter.health < 20, 60_000, 'the zombie to reach and hit the bot');
      const seen = fighter.entities[zombie.id];
      assert.equal(seen?.name, 'zombie');
      let dead = false;
      fighter.on('entityDead', (e) => {
        if (e.id === zombie.id) dead = true;
      });
      const end = Date.now() + 60_000;
      let last = seen.position.clone();
      while (!dead) {
        assert.ok(Date.now() < end, 'the zombie did not die within 60 s');
        last = seen.position.clone();
        await fighter.lookAt(seen.position.offset(0, 1.6, 0));
        fighter.attack(seen);
        await new Promise((r) => setTimeout(r, 500));
      }
      await pickUp(fighter, last, 'rotten_flesh', 1);
      assert.ok(!(serv().hostileMobs as unknown[]).includes(zombie));
      // Dawn: the rest burn away.
      serv().setTime(1000);
      await waitFor(world, () => (serv().hostileMobs as unknown[]).length === 0, 30_000, 'hostile mobs to burn at dawn');
    });

  });
});
