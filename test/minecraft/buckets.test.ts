/**
 * Filling a bucket the way Voyager skills do it (look at the water, use the bucket): the water
 * bucket arrives and the source is gone. flying-squid alone did nothing, so such skills "succeeded"
 * with no water bucket.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { count, joinWorld, waitFor } from './world-fixture.js';

describe('embedded world: buckets', function () {
  this.timeout(120_000);
  let world: EmbeddedWorld;
  let bot: Bot;
  const serv = () => world.server as any;

  before(async () => {
    world = await startEmbeddedWorld({ seed: 11, op: true });
    bot = await joinWorld(world, 'filler');
  });
  after(async () => {
    bot?.end();
    await world?.stop();
  });

  it('fills a bucket from a water source the bot looks at, and takes the source', async () => {
    // A water source two blocks in front of the bot, at its feet level, on a stone floor.
    const feet = bot.entity.position.floored();
    const water = feet.offset(2, 0, 0);
    const reg = serv().registry;
    await serv().setBlock(serv().overworld, water.offset(0, -1, 0), reg.blocksByName.stone.defaultState);
    await serv().setBlock(serv().overworld, feet.offset(1, 0, 0), reg.blocksByName.air.defaultState);
    await serv().setBlock(serv().overworld, feet.offset(1, 1, 0), reg.blocksByName.air.defaultState);
    await serv().setBlock(serv().overworld, water, reg.blocksByName.water.minStateId);
    await waitFor(world, () => bot.blockAt(water)?.name === 'water', 20_000, 'the water to show');
    bot.chat('/give filler bucket 2');
    await waitFor(world, () => count(bot, 'bucket') === 2, 20_000, 'two buckets');
    await bot.equip(bot.inventory.items().find((i) => i.name === 'bucket')!, 'hand');
    await bot.lookAt(water.offset(0.5, 0.5, 0.5), true);
    await bot.waitForTicks(2);
    bot.activateItem();
    await waitFor(world, () => count(bot, 'water_bucket') === 1, 20_000, 'a water bucket');
    assert.equal(count(bot, 'bucket'), 1, 'one empty bucket left');
    await waitFor(world, () => bot.blockAt(water)?.name === 'air', 20_000, 'the source to be taken');
    // Looking at plain ground fills nothing.
    await bot.lookAt(feet.offset(0, -1, 3).offset(0.5, 1, 0.5), true);
    bot.activateItem();
    await bot.waitForTicks(20);
    assert.equal(count(bot, 'water_bucket'), 1);
    assert.equal(count(bot, 'bucket'), 1);
  });
});
