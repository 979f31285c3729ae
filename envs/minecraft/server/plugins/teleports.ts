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
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

/** Game ticks a teleport waits for its confirmation before it is sent again (vanilla's 20). */
export const TELEPORT_RESEND_TICKS = 20;

const MOVES = ['position', 'position_look'] as const;

/** A player's teleport waiting for its confirmation. */
interface Awaiting {
  id: number;
  sentAtTick: number;
  send(): void;
}

/** Per server: the teleports not yet confirmed, checked by one tick listener for every player. */
const waiting = new WeakMap<object, Map<SquidPlayer, Awaiting>>();

function holdUntilConfirmed(player: SquidPlayer, serv: SquidServer): void {
  const client = player._client;
  const pending = waiting.get(serv)!;
  let lastId = 1;

  // flying-squid's own sendSelfPosition (updatePositions), with an id per teleport.
  player.sendSelfPosition = (newPosition?: unknown): void => {
    if (newPosition) player.position = newPosition;
    lastId = (lastId % 0x7fffffff) + 1;
    const id = lastId;
    const entry: Awaiting = {
      id,
      sentAtTick: 0,
      send() {
        client.write('position', {
          x: player.position.x,
          y: player.position.y,
          z: player.position.z,
          yaw: player.yaw,
          pitch: player.pitch,
          flags: 0x00,
          teleportId: id,
        });
        entry.sentAtTick = serv.tickCount ?? 0;
      },
    };
    pending.set(player, entry);
    entry.send();
  };

  client.on('teleport_confirm', ({ teleportId }: { teleportId: number } = { teleportId: -1 }) => {
    if (pending.get(player)?.id === teleportId) pending.delete(player);
  });
  player.once('disconnected', () => pending.delete(player));

  // flying-squid's move handlers run only once the client stands where the server put it.
  for (const event of MOVES) {
    const theirs = client.listeners(event) as Array<(packet: unknown) => void>;
    client.removeAllListeners(event);
    client.on(event, (packet: unknown) => {
      if (pending.has(player)) return;
      for (const f of theirs) f.call(client, packet);
    });
  }
}

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    const pending = new Map<SquidPlayer, Awaiting>();
    waiting.set(serv, pending);
    serv.on('tick', () => {
      for (const entry of pending.values()) {
        if ((serv.tickCount ?? 0) - entry.sentAtTick >= TELEPORT_RESEND_TICKS) entry.send();
      }
    });
  },
  player(player: SquidPlayer, serv: SquidServer) {
    // Runs before flying-squid's own player hooks (see plugin.ts): wrap their move handlers and
    // sendSelfPosition once all of them are in place, which 'asap' marks, before any packet is read.
    player.once('asap', () => holdUntilConfirmed(player, serv));
  },
};
export default plugin;
