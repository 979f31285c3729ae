/**
 * The tab list for the joining player. flying-squid 1.12's login sends the full player list to
 * everyone except the player who joins (it uses `_writeOthers`), so the last player to join never
 * learns who was already there (nor about itself): mineflayer's `bot.players` misses them and
 * `bot.player` stays undefined, and clients ignore the spawn of players they have no list entry for.
 * This plugin sends the joining player the full list, itself included, right before flying-squid
 * sends it the entities around (its first spawn step), as vanilla orders it.
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv: SquidServer) {
    const updateAndSpawn = player.updateAndSpawn;
    let listed = false;
    player.updateAndSpawn = function (this: unknown, ...args: unknown[]) {
      if (!listed) {
        listed = true;
        sendList();
      }
      return updateAndSpawn.apply(this, args);
    };
    const sendList = () => {
      const everyone = (serv.players as SquidPlayer[]).filter((p) => !p.disconnected);
      if (!everyone.includes(player)) everyone.push(player);
      if (serv.supportFeature('playerInfoActionIsBitfield')) {
        player._client.write('player_info', {
          action: { add_player: true },
          data: everyone.map((p) => ({
            uuid: p.uuid,
            player: { name: p.username, properties: p.profileProperties },
            gamemode: p.gameMode,
            latency: p._client.latency,
          })),
        });
      } else {
        player._client.write('player_info', {
          action: 'add_player',
          data: everyone.map((p) => ({
            uuid: p.uuid,
            name: p.username,
            properties: p.profileProperties,
            gamemode: p.gameMode,
            ping: p._client.latency,
          })),
        });
      }
    };
  },
};
export default plugin;
