/**
 * Tool durability and fall damage as a spec, seen by a bot: a pickaxe wears by one per block and
 * breaks at its maxDurability (its last block still drops); a 6-block fall costs 3 health, a fall
 * into water nothing.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { wearOf } from '../../envs/minecraft/server/plugins/durability.js';
import { fallDamage } from '../../envs/minecraft/server/plugins/fall.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { count, joinWorld, pickUp, withinTicks } from './world-fixture.js';

describe('tool durability and fall damage', function () {
  this.timeout(180_000);

  it('costs vanilla wear and fall damage', () => {
    assert.equal(wearOf('wooden_pickaxe', 'dig', 1.5), 1);
    assert.equal(wearOf('wooden_pickaxe', 'dig', 0), 0, 'instant blocks cost nothing');
    assert.equal(wearOf('stone_sword', 'dig', 1.5), 2);
    assert.equal(wearOf('stone_sword', 'hit'), 1);
    assert.equal(wearOf('iron_axe', 'hit'), 2);
    assert.equal(wearOf('oak_planks', 'dig', 2), 0);
    assert.deepEqual([3, 3.5, 4, 6, 10, 23].map(fallDamage), [0, 1, 1, 3, 7, 20]);
  });

  describe('in a world (seed 5, op)', () => {
    let world: EmbeddedWorld;
    let bot: Bot;
    const serv = () => world.server as any;
    const player = () => serv().players.find((p: any) => p.username === bot.username);
    const set = (p: Vec3, name: string) => serv().setBlock(serv().overworld, p, serv().registry.blocksByName[name].defaultState);

    before(async () => {
      world = await startEmbeddedWorld({ seed: 5, op: true, viewDistance: 4 });
      bot = await joinWorld(world, 'miner');
    });
    after(async () => {
      bot?.end();
      await world?.stop();
    });

    it('wears a wooden pickaxe by one per stone and breaks it at 59 uses; the last stone still drops cobblestone', async () => {
      bot.chat('/give miner wooden_pickaxe 1');
      await withinTicks(world, () => count(bot, 'wooden_pickaxe') === 1, 200, 'the pickaxe');
      await bot.equip(bot.registry.itemsByName.wooden_pickaxe!.id, 'hand');
      // 57 uses already spent (server side, as 57 digs would leave it).
      const slot = 36 + player().heldItemSlot;
      const item = player().inventory.slots[slot];
      item.durabilityUsed = 57;
      player().inventory.updateSlot(slot, item);
      await withinTicks(world, () => bot.heldItem?.durabilityUsed === 57, 100, 'the client to see the wear');
      const feet = bot.entity.position.floored();
      const a = feet.offset(1, 0, 0);
      const b = feet.offset(-1, 0, 0);
      await set(a, 'stone');
      await set(b, 'stone');
      await withinTicks(world, () => bot.blockAt(a)?.name === 'stone' && bot.blockAt(b)?.name === 'stone', 100, 'the stone');
      await bot.dig(bot.blockAt(a)!);
      await withinTicks(world, () => bot.heldItem?.durabilityUsed === 58, 100, 'wear after one stone');
      await bot.dig(bot.blockAt(b)!);
      await withinTicks(world, () => count(bot, 'wooden_pickaxe') === 0, 100, 'the pickaxe to break on its 59th use');
      assert.equal(bot.heldItem, null);
      await pickUp(bot, feet, 'cobblestone', 2, 20_000);
    });

    it('a 6-block fall onto grass costs 3 health; the same fall into water costs nothing', async () => {
      const start = bot.entity.position.floored();
      const fall = async (landing: 'ground' | 'water'): Promise<number> => {
        const column = start.offset(0, 0, landing === 'ground' ? 3 : -3);
        let g = column.y + 4;
        while (bot.blockAt(new Vec3(column.x, g, column.z))?.boundingBox !== 'block') g--;
        for (let y = g + 1; y <= g + 9; y++) await set(new Vec3(column.x, y, column.z), 'air');
        if (landing === 'water') {
          await set(new Vec3(column.x, g, column.z), 'water');
          await set(new Vec3(column.x, g - 1, column.z), 'stone');
        }
        const platform = new Vec3(column.x, g + 6, column.z);
        await set(platform, 'stone');
        player().updateHealth(20);
        await player().teleport(new Vec3(column.x + 0.5, g + 7, column.z + 0.5));
        await withinTicks(world, () => Math.abs(bot.entity.position.y - (g + 7)) < 0.01 && bot.entity.onGround, 200, 'standing on the platform');
        await withinTicks(world, () => bot.health === 20, 100, 'full health');
        await set(platform, 'air');
        await withinTicks(world, () => bot.entity.position.y < g + 2 && bot.entity.onGround, 200, 'landing');
        const t = serv().tickCount;
        await withinTicks(world, () => serv().tickCount > t + 20, 100, 'the landing to be reported');
        return 20 - bot.health;
      };
      assert.equal(await fall('ground'), 3);
      assert.equal(await fall('water'), 0);
    });
  });
});
