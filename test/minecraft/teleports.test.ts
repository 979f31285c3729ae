/**
 * A teleport holds until the client confirms it. A mineflayer bot sends its position every tick, so
 * one such packet is often on its way when the server teleports the player; flying-squid alone
 * applied it and put the player back (the herds test once saw its bot "teleported" 120 blocks and
 * still standing at spawn). The stale packet is sent here on purpose, right after the teleport and
 * before the bot has read it, which is the race made certain.
 */
import assert from 'node:assert/strict';
import { Vec3 } from 'vec3';
import type { Terrain } from '../../envs/minecraft/server/terrain.js';
import { pluginFiles } from '../../envs/minecraft/server/world.js';
import { withBotInWorld, settleAfterLogin, untilTicks } from './world-fixture.js';

const ALL = pluginFiles().map((p) => p.name);

interface Outcome {
  /** Whether the server put the player back where it was, at any move in the 40 game ticks after the teleport. */
  putBack: boolean;
  to: Vec3;
  /** Whether the bot then stood at the destination, on loaded ground, within 300 game ticks. */
  landed: boolean;
}

async function teleportWithStalePacket(plugins: string[]): Promise<Outcome> {
  return withBotInWorld({ seed: 2, viewDistance: 4, plugins }, 'hopper', async (world, bot) => {
    const serv = world.server as any;
    const player = serv.players[0];
    const terrain = serv.overworld.chunkGenerator.terrain as Terrain;
    const x = terrain.spawn.x + 120;
    const z = terrain.spawn.z;
    const to = new Vec3(x + 0.5, Math.max(terrain.columnAt(x, z).height, terrain.columnAt(x, z).water) + 1, z + 0.5);
    await settleAfterLogin(world, player);
    const from = bot.entity.position.clone();
    // When the teleport reaches the bot, and before mineflayer reads it and confirms, the bot sends
    // its old position: on the wire, a packet that was under way when the server teleported it.
    const client = bot._client;
    const stale = (packet: { x: number }): void => {
      if (Math.abs(packet.x - to.x) > 1) return;
      client.removeListener('position', stale);
      client.write('position', { x: from.x, y: from.y, z: from.z, onGround: true });
    };
    client.prependListener('position', stale);
    let putBack = false;
    const watch = (): void => {
      if (player.position.distanceTo(from) < 1) putBack = true;
    };
    player.on('move_done', watch);
    await player.teleport(to);
    await untilTicks(world, 40);
    player.removeListener('move_done', watch);
    const landed = await untilTicks(
      world,
      300,
      () => bot.entity.position.distanceTo(to) < 3 && player.position.distanceTo(to) < 3 && bot.blockAt(bot.entity.position.offset(0, -1, 0)) !== null,
    );
    return { putBack, to, landed };
  });
}

describe('teleports hold until the client confirms them', function () {
  this.timeout(120_000);

  it('flying-squid alone applies a position sent before the teleport was seen: the player is put back', async () => {
    const r = await teleportWithStalePacket(ALL.filter((p) => p !== 'teleports'));
    assert.equal(r.putBack, true);
  });

  it('with the teleports plugin the stale packet is ignored and the bot lands where it was sent', async () => {
    const r = await teleportWithStalePacket(ALL);
    assert.equal(r.putBack, false, 'the server never put the player back');
    assert.ok(r.landed, 'the bot stands at the destination on loaded ground within 300 game ticks');
  });
});
