/**
 * A dead player can respawn. flying-squid 1.12 respawns a player when its `client_command` carries
 * action 0, but minecraft-protocol 1.68 (mineflayer 4.39) sends the action by its name,
 * `perform_respawn`, so the request was ignored: a bot that died stayed dead, asking again at every
 * health update, and an agent's run stood still from its first death. This plugin answers the
 * named request as vanilla does: the player comes back at its spawn point with full health and food,
 * with the chunks around it sent again (the numeric form stays flying-squid's own). Inventory is
 * kept, as flying-squid has no death drops.
 *
 * @example
 * // a bot killed by a fall gets 'death', then 'spawn' at the world spawn, and walks on
 */
import type { SquidPlayer, SquidPlugin } from '../plugin.js';

/** The named form of the respawn action in client_command (minecraft-protocol ≥ 1.5x). */
const PERFORM_RESPAWN = 'perform_respawn';

function respawn(player: SquidPlayer): Promise<void> {
  return player.behavior('requestRespawn', {}, async () => {
    // As flying-squid's own changeWorld orders it: a respawn packet makes the client drop every
    // chunk it had, so the server forgets them too and sends the ones around the spawn point
    // before the position; without them mineflayer's physics stays stopped after the respawn.
    player._unloadAllChunks();
    player._sendRespawn();
    if (player.spawnPoint) player.position = player.spawnPoint.clone();
    player.food = 20;
    player.foodSaturation = 5;
    player.updateHealth(20);
    player.nearbyEntities = [];
    player.updateAndSpawn();
    await player.worldSendInitialChunks();
    player.sendSelfPosition();
    await player.worldSendRestOfChunks();
  }).catch(() => {
    // The player left during its respawn: nothing to send it any more.
  });
}

const plugin: SquidPlugin = {
  player(player: SquidPlayer) {
    // mineflayer repeats its request at every health update while dead: one respawn at a time (its
    // health is restored only after flying-squid's behaviour hooks have run, a few awaits later).
    let respawning = false;
    player._client.on('client_command', (data: { actionId?: unknown; payload?: unknown } = {}) => {
      const action = data.actionId ?? data.payload;
      // A living player's request is ignored, as vanilla does.
      if (action !== PERFORM_RESPAWN || player.health > 0 || respawning) return;
      respawning = true;
      void respawn(player).finally(() => {
        respawning = false;
      });
    });
  },
};
export default plugin;
