/**
 * The world's /give and /clear, typed by a player in chat as a person would. flying-squid's own /give
 * kept the count as text, so a second /give of the same item made "16" + 16 = "1616" and the server
 * dropped the player; /clear did not exist.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { count, joinWorld, waitFor } from './world-fixture.js';

describe('embedded world: /give and /clear', function () {
  this.timeout(120_000);
  let world: EmbeddedWorld;
  let bot: Bot;
  const slots = (name: string) => bot.inventory.items().filter((i) => i.name === name).map((i) => i.count);

  before(async () => {
    world = await startEmbeddedWorld({ seed: 5, op: true });
    bot = await joinWorld(world, 'giver');
  });
  after(async () => {
    bot?.end();
    await world?.stop();
  });

  it('adds up two gives of the same item as numbers, in one stack, and keeps the player connected', async () => {
    bot.chat('/give giver oak_log 16');
    await waitFor(world, () => count(bot, 'oak_log') === 16, 30_000, '16 oak_log');
    bot.chat('/give giver oak_log 16');
    await waitFor(world, () => count(bot, 'oak_log') === 32, 30_000, '32 oak_log');
    assert.deepEqual(slots('oak_log'), [32]);
    await bot.waitForTicks(20);
    assert.ok(bot.entity && (bot._client as unknown as { ended: boolean }).ended === false, 'still connected');
  });

  it('splits a give into stacks of the item\'s stack size', async () => {
    bot.chat('/give giver cobblestone 70');
    await waitFor(world, () => count(bot, 'cobblestone') === 70, 30_000, '70 cobblestone');
    assert.deepEqual(slots('cobblestone').sort((a, b) => b - a), [64, 6]);
  });

  it('refuses a count that is not a whole number and gives nothing', async () => {
    const said: string[] = [];
    const onMessage = (m: { toString(): string }) => {
      said.push(m.toString());
    };
    bot.on('message', onMessage);
    bot.chat('/give giver stick 1x');
    await waitFor(world, () => said.some((s) => /whole number/.test(s)), 30_000, 'the refusal');
    bot.removeListener('message', onMessage);
    assert.equal(count(bot, 'stick'), 0);
  });

  it('clears some of one item, then everything', async () => {
    bot.chat('/clear giver oak_log 5');
    await waitFor(world, () => count(bot, 'oak_log') === 27, 30_000, '27 oak_log left');
    assert.equal(count(bot, 'cobblestone'), 70, 'other items stay');
    bot.chat('/clear giver');
    await waitFor(world, () => bot.inventory.items().length === 0, 30_000, 'an empty inventory');
  });
});
