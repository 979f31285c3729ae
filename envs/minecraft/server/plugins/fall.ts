/**
 * Fall damage, as in vanilla: landing after a fall of more than 3 blocks costs ceil(distance - 3)
 * health (a 4-block drop 1, a 10-block drop 7, 23 blocks or more kill from full health). Landing in
 * water or on a ladder or vine, or passing through cobwebs, resets the fall; creative and spectator
 * players take none. The fall is read from the position and on-ground flag the client reports, as
 * vanilla servers do; a jump of more than 5 blocks in one packet is a teleport or respawn, not a fall.
 *
 * flying-squid 1.12 has no fall damage.
 *
 * @example
 * // a bot walks off a 6-block ledge onto grass: its health drops from 20 to 17
 */
import { Vec3 } from 'vec3';
import { hurtPlayer } from '../mob-kit.js';
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

/** Health lost by landing after falling `distance` blocks. */
export function fallDamage(distance: number): number {
  return Math.max(0, Math.ceil(distance - 3));
}

/** Blocks that stop a fall where the player touches them. */
const CUSHION = new Set(['water', 'lava', 'ladder', 'vine', 'cobweb', 'scaffolding', 'bubble_column']);
const TELEPORT = 5;

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv: SquidServer) {
    let top: number | null = null;
    let lastY: number | null = null;
    const onPosition = ({ x, y, z, onGround }: { x: number; y: number; z: number; onGround: boolean }) => {
      const prev = lastY;
      lastY = y;
      if ((player.gameMode !== 0 && player.gameMode !== 2) || player.health <= 0 || (prev !== null && Math.abs(y - prev) > TELEPORT)) {
        top = null;
        return;
      }
      const feet = serv.registry.blocksByStateId[player.world.sync.getBlockStateId(new Vec3(x, y, z).floored()) as number]?.name;
      if (feet && CUSHION.has(feet)) {
        top = null;
        return;
      }
      if (!onGround) {
        top = Math.max(top ?? y, y);
        return;
      }
      if (top !== null) {
        const damage = fallDamage(top - y);
        top = null;
        if (damage > 0) hurtPlayer(player, damage);
      }
    };
    player._client.on('position', onPosition);
    player._client.on('position_look', onPosition);
  },
};
export default plugin;
