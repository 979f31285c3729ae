/**
 * A teleport holds until the client confirms it, as on a vanilla server. flying-squid 1.12 sends
 * every teleport with the same id (1) and applies whatever position the client sends next; a client
 * such as mineflayer sends its position every tick, so a packet already on its way when the server
 * teleported the player (from before the client saw the teleport) put the player straight back
 * where it was. A teleport right after login, /tp, or a test moving its bot far from spawn then
 * silently did nothing. Here each teleport gets its own id, and the client's position and
 * position_look packets are ignored until it confirms that id (vanilla's "awaiting teleport");
 * a client that has not confirmed after 20 game ticks is sent the teleport again, as vanilla does.
 *
 * @example
 * // await serv.players[0].teleport(new Vec3(120, 70, 40))   // the player is there, and stays
 */
import type { SquidPlayer, SquidPlugin } from '../plugin.js';

/** Game ticks a teleport waits for its confirmation before it is sent again (vanilla's 20). */
export const TELEPORT_RESEND_TICKS = 20;

const MOVES = ['position', 'position_look'] as const;

function holdUntilConfirmed(player: SquidPlayer, serv: { tickCount?: number; on(e: string, f: () => void): void; off?(e: string, f: () => void): void; removeListener(e: string, f: () => void): void }): void {
  const client = player._client;
  let lastId = 1;
  let awaiting: number | null = null;
  let sentAtTick = 0;

  const send = (): void => {
    client.write('position', {
      x: player.position.x,
      y: player.position.y,
      z: player.position.z,
      yaw: player.yaw,
      pitch: player.pitch,
      flags: 0x00,
      teleportId: awaiting,
    });
    sentAtTick = serv.tickCount ?? 0;
  };

  // flying-squid's own sendSelfPosition (updatePositions), with an id per teleport.
  player.sendSelfPosition = (newPosition?: unknown): void => {
    if (newPosition) player.position = newPosition;
    lastId = (lastId % 0x7fffffff) + 1;
    awaiting = lastId;
    send();
  };

  client.on('teleport_confirm', ({ teleportId }: { teleportId: number } = { teleportId: -1 }) => {
    if (teleportId === awaiting) awaiting = null;
  });

  // flying-squid's move handlers run only once the client stands where the server put it.
  for (const event of MOVES) {
    const theirs = client.listeners(event) as Array<(packet: unknown) => void>;
    client.removeAllListeners(event);
    client.on(event, (packet: unknown) => {
      if (awaiting !== null) return;
      for (const f of theirs) f.call(client, packet);
    });
  }

  const resend = (): void => {
    if (awaiting !== null && (serv.tickCount ?? 0) - sentAtTick >= TELEPORT_RESEND_TICKS) send();
  };
  serv.on('tick', resend);
  player.once('disconnected', () => serv.removeListener('tick', resend));
}

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv) {
    // Runs before flying-squid's own player hooks (see plugin.ts): wrap their move handlers and
    // sendSelfPosition once all of them are in place, which 'asap' marks, before any packet is read.
    player.once('asap', () => holdUntilConfirmed(player, serv));
  },
};
export default plugin;
