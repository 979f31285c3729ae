/**
 * A bot that dies comes back. mineflayer 4.39 asks to respawn with the action's name
 * (`perform_respawn`), which flying-squid 1.12 ignored (it waits for 0), so a bot that died stayed
 * dead and an agent's run stood still; once respawned, the chunks around the spawn point must come
 * again, or mineflayer's physics stays stopped. Counted in game ticks.
 */
import assert from 'node:assert/strict';
import { pluginFiles } from '../../envs/minecraft/server/world.js';
import { withBotInWorld, untilTicks } from './world-fixture.js';

const ALL = pluginFiles().map((p) => p.name);

interface Outcome {
  respawned: boolean;
  health: number;
  food: number;
  /** Blocks walked in 40 game ticks of holding forward after the respawn. */
  walked: number;
}

async function dieAndWalk(plugins: string[]): Promise<Outcome> {
  return withBotInWorld({ seed: 2, viewDistance: 4, plugins }, 'phoenix', async (world, bot) => {
    const serv = world.server as any;
    await untilTicks(world, 40);
    let spawned = false;
    bot.once('death', () => {
      bot.once('spawn', () => {
        spawned = true;
      });
    });
    serv.players[0].updateFood(3);
    serv.players[0].updateHealth(0);
    if (!(await untilTicks(world, 100, () => spawned))) return { respawned: false, health: bot.health, food: bot.food, walked: 0 };
    let physics = 0;
    bot.on('physicsTick', () => {
      physics++;
    });
    await untilTicks(world, 200, () => physics >= 10);
    const start = bot.entity.position.clone();
    bot.setControlState('forward', true);
    await untilTicks(world, 40);
    bot.setControlState('forward', false);
    return { respawned: true, health: bot.health, food: bot.food, walked: bot.entity.position.distanceTo(start) };
  });
}

describe('a dead bot respawns and walks on', function () {
  this.timeout(120_000);

  it('flying-squid alone ignores mineflayer 4.39\'s named respawn request: the bot stays dead', async () => {
    const r = await dieAndWalk(ALL.filter((p) => p !== 'respawn'));
    assert.equal(r.respawned, false);
  });

  it('with the respawn plugin it comes back with full health and food, and walks', async () => {
    const r = await dieAndWalk(ALL);
    assert.equal(r.respawned, true);
    assert.equal(r.health, 20);
    assert.equal(r.food, 20);
    assert.ok(r.walked > 2, `walked ${r.walked.toFixed(2)} blocks in 40 game ticks`);
  });
});
