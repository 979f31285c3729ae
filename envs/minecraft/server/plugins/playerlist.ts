/**
 * The tab list for the joining player. flying-squid 1.12's login sends the full player list to
 * everyone except the player who joins (it uses `_writeOthers`), so the last player to join never
 * learns who was already there (nor about itself): mineflayer's `bot.players` misses them and
 * `bot.player` stays undefined. This plugin sends the joining player the full list, itself included,
 * once it has spawned.
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv: SquidServer) {
    player.on('spawned', () => {
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
    });
  },
};
export default plugin;
