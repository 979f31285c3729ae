/**
 * Reconnecting keeps what a player carried. flying-squid 1.12 saves player data when a player leaves
 * but does not wait for that save before reading the data of a player who logs in: a bot that
 * reconnects at once (after a kick, a network error, an environment reset) reads the previous save
 * and loses what it picked up since. This plugin makes a login wait for the pending save of the
 * same player (same UUID; offline-mode UUIDs follow from the username).
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    serv.pendingPlayerSaves = new Map<string, Promise<unknown>>();
  },

  player(player: SquidPlayer, serv: SquidServer) {
    // 'asap' fires after every plugin's player hook, so flying-squid's own save and
    // findSpawnPoint exist by then; login (which reads the data) starts right after.
    player.once('asap', () => {
      const pending = serv.pendingPlayerSaves as Map<string, Promise<unknown>>;
      const uuid = (): string => player.uuid ?? player._client.uuid;
      const save = player.save;
      if (typeof save === 'function') {
        player.save = function (this: unknown, ...args: unknown[]) {
          const p = Promise.resolve(save.apply(this, args));
          const settled = p.catch(() => undefined);
          pending.set(uuid(), settled);
          void settled.then(() => {
            if (pending.get(uuid()) === settled) pending.delete(uuid());
          });
          return p;
        };
      }
      const findSpawnPoint = player.findSpawnPoint;
      if (typeof findSpawnPoint === 'function') {
        player.findSpawnPoint = async function (this: unknown, ...args: unknown[]) {
          await pending.get(uuid());
          return findSpawnPoint.apply(this, args);
        };
      }
    });
  },
};
export default plugin;
