/**
 * Entities for players who are still logging in. flying-squid 1.12 adds a joining player to the
 * server's player list before it has sent the login packet and the first chunks; a mob or player
 * that moves in that window "finds" the newcomer, sends it a spawn packet it cannot use yet and,
 * worse, fills the newcomer's list of known entities with everything around, so the newcomer's own
 * login spawn step skips them all: the client then sees nameless entities that only ever move.
 * This plugin hides a player from other entities' neighbourhoods until its own first spawn step has
 * run; from then on flying-squid's normal tracking applies.
 */
import type { SquidEntity, SquidPlayer, SquidPlugin } from '../plugin.js';

const plugin: SquidPlugin = {
  entity(entity: SquidEntity) {
    const getNearby = entity.getNearby;
    if (typeof getNearby !== 'function') return;
    entity.getNearby = function (this: unknown, ...args: unknown[]) {
      return (getNearby.apply(this, args) as SquidEntity[]).filter((e) => e.type !== 'player' || e.loggedInForEntities !== false);
    };
  },

  player(player: SquidPlayer) {
    player.loggedInForEntities = false;
    const updateAndSpawn = player.updateAndSpawn;
    if (typeof updateAndSpawn !== 'function') return;
    player.updateAndSpawn = function (this: unknown, ...args: unknown[]) {
      const result = updateAndSpawn.apply(this, args);
      player.loggedInForEntities = true;
      return result;
    };
  },
};
export default plugin;
