/**
 * Chunks follow a teleported player: flying-squid alone measures a teleport from the old position
 * and sends nothing for the new place, so a mineflayer bot lands in an unloaded chunk, its physics
 * stops, and no later move repairs it. With the `chunks` plugin the chunks arrive and the bot lands.
 */
import assert from 'node:assert/strict';
import { Vec3 } from 'vec3';
import type { Terrain } from '../../envs/minecraft/server/terrain.js';
import { pluginFiles } from '../../envs/minecraft/server/world.js';
import { withBotInWorld, settleAfterLogin, untilTicks } from './world-fixture.js';

const ALL = pluginFiles().map((p) => p.name);

async function teleportFar(plugins: string[]): Promise<boolean> {
  return withBotInWorld({ seed: 2, viewDistance: 4, plugins }, 'jumper', async (world, bot) => {
    const serv = world.server as any;
    await settleAfterLogin(world, serv.players[0]);
    const terrain = serv.overworld.chunkGenerator.terrain as Terrain;
    const x = terrain.spawn.x + 150;
    const z = terrain.spawn.z;
    const to = new Vec3(x + 0.5, Math.max(terrain.columnAt(x, z).height, terrain.columnAt(x, z).water) + 1, z + 0.5);
    await serv.players[0].teleport(to);
    return await untilTicks(world, 300, () => bot.entity.position.distanceTo(to) < 3 && bot.blockAt(bot.entity.position.offset(0, -1, 0)) !== null);
  });
}

describe('chunks follow a teleported player', function () {
  this.timeout(180_000);

  it('without the chunks plugin the chunks never come (flying-squid 1.12 alone)', async () => {
    assert.equal(await teleportFar(ALL.filter((p) => p !== 'chunks')), false);
  });

  it('with it, the chunks under a bot teleported 150 blocks arrive within 300 game ticks', async () => {
    assert.equal(await teleportFar(ALL), true);
  });
});
