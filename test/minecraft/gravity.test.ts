/** Sand and gravel fall when nothing holds them up, as a bot sees it. */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { joinWorld, waitFor } from './world-fixture.js';

describe('embedded world: gravity for sand and gravel', function () {
  this.timeout(120_000);
  let world: EmbeddedWorld;
  let bot: Bot;
  const serv = () => world.server as any;
  const state = (name: string) => serv().registry.blocksByName[name].defaultState as number;

  before(async () => {
    world = await startEmbeddedWorld({ seed: 13 });
    bot = await joinWorld(world, 'faller');
  });
  after(async () => {
    bot?.end();
    await world?.stop();
  });

  it('sand placed over a gap falls to the ground; gravel on a pillar falls when the pillar is dug', async () => {
    const feet = bot.entity.position.floored();
    const column = feet.offset(3, 0, 0);
    let ground = column.y + 3;
    while (bot.blockAt(column.offset(0, ground - column.y - 1, 0))?.boundingBox !== 'block') ground--;
    const groundPos = column.offset(0, ground - column.y, 0); // the first free block above the ground
    for (let dy = 0; dy < 6; dy++) await serv().setBlock(serv().overworld, groundPos.offset(0, dy, 0), state('air'));
    await serv().setBlock(serv().overworld, groundPos.offset(0, 4, 0), state('sand'));
    await waitFor(world, () => bot.blockAt(groundPos)?.name === 'sand', 30_000, 'the sand to land');
    assert.equal(bot.blockAt(groundPos.offset(0, 4, 0))?.name, 'air');

    // A stone pillar with gravel on top, next to it; digging the pillar's top lets the gravel down.
    const pillar = groundPos.offset(0, 0, 2);
    for (let dy = 0; dy < 5; dy++) await serv().setBlock(serv().overworld, pillar.offset(0, dy, 0), state('air'));
    await serv().setBlock(serv().overworld, pillar, state('stone'));
    await serv().setBlock(serv().overworld, pillar.offset(0, 1, 0), state('stone'));
    await serv().setBlock(serv().overworld, pillar.offset(0, 2, 0), state('gravel'));
    await bot.waitForTicks(10);
    assert.equal(bot.blockAt(pillar.offset(0, 2, 0))?.name, 'gravel', 'held up by the pillar');
    await serv().setBlock(serv().overworld, pillar.offset(0, 1, 0), state('air'));
    await waitFor(world, () => bot.blockAt(pillar.offset(0, 1, 0))?.name === 'gravel', 30_000, 'the gravel to drop one block');
    assert.equal(bot.blockAt(pillar.offset(0, 2, 0))?.name, 'air');
  });
});
