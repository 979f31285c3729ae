/**
 * Chunks follow a player who moved 16 blocks or more, whatever the way it moved. flying-squid 1.12
 * sends the chunks around a player from its `move` event, but (1) that event fires before the new
 * position is stored, so a teleport (/tp, `player.teleport`) is measured from where the player was
 * and sends nothing, and (2) a move that arrives while a previous batch is still going out is
 * skipped. A client whose feet are then in an unloaded chunk stops its physics (mineflayer emits no
 * physicsTick and sends no position), so no later move comes to repair it: the bot hangs in the void.
 * This plugin checks again after each move is applied (`move_done`) and every 10 game ticks.
 *
 * @example
 * // /tp a bot 150 blocks away: the chunks around it arrive, it lands and walks on
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

/** flying-squid's own threshold for sending the chunks around a player again. */
const RESEND_DISTANCE = 16;
const CHECK_TICKS = 10;

function resendIfMoved(player: SquidPlayer): void {
  if (player.sendingChunks || !player.lastPositionChunkUpdated || typeof player.worldSendRestOfChunks !== 'function') return;
  if (player.position.distanceTo(player.lastPositionChunkUpdated) <= RESEND_DISTANCE) return;
  player.worldSendRestOfChunks().catch(() => {});
}

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    serv.on('tick', (_time: number, tick: number) => {
      if (tick % CHECK_TICKS !== 0) return;
      for (const p of serv.players as SquidPlayer[]) resendIfMoved(p);
    });
  },
  player(player: SquidPlayer) {
    player.on('move_done', () => resendIfMoved(player));
  },
};
export default plugin;
