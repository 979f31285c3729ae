/**
 * Filling buckets, as vanilla does: a player holding an empty bucket who uses it (mineflayer's
 * `bot.activateItem()`, the right click) while looking at a water or lava source within 5 blocks
 * gets a water_bucket or lava_bucket, and the source is taken from the world. flying-squid 1.12 has
 * no bucket logic at all, so a Voyager skill that "fills a bucket" used to succeed with no water
 * bucket appearing. Emptying a filled bucket is not implemented.
 *
 * @example
 * // bot side: look at the pond, then use the bucket
 * await bot.equip(bucket, 'hand'); await bot.lookAt(water.position.offset(0.5, 0.5, 0.5), true); bot.activateItem();
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';
import { giveOrDrop, itemClass, vec3 } from './windows.js';

/** How far a bucket reaches (vanilla's block reach in survival). */
const REACH = 5;
const STEP = 0.05;
const EYE_HEIGHT = 1.62;

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv: SquidServer) {
    // flying-squid keeps the look as byte angles; the packets carry degrees, which aim exactly.
    let yaw = 0;
    let pitch = 0;
    const onLook = (p: { yaw?: number; pitch?: number }) => {
      if (typeof p.yaw === 'number') yaw = p.yaw;
      if (typeof p.pitch === 'number') pitch = p.pitch;
    };
    player._client.on('look', onLook);
    player._client.on('position_look', onLook);

    player._client.on('use_item', () => {
      const slot = 36 + player.heldItemSlot;
      const held = player.inventory.slots[slot] as { type: number; count: number; name?: string } | null;
      const bucket = serv.registry.itemsByName.bucket;
      if (!held || !bucket || held.type !== bucket.id || player.gameMode === 3) return;
      const source = liquidInSight(serv, player, yaw, pitch);
      if (!source) return;
      const filled = serv.registry.itemsByName[`${source.name}_bucket`];
      if (!filled) return;
      const Item = itemClass(serv);
      void serv.setBlock(player.world, source.position, serv.registry.blocksByName.air.defaultState);
      if (player.gameMode === 1) return; // creative keeps its empty bucket and gets nothing
      if (held.count <= 1) player.inventory.updateSlot(slot, new Item(filled.id, 1));
      else {
        held.count -= 1;
        player.inventory.updateSlot(slot, held);
        giveOrDrop(serv, player, new Item(filled.id, 1));
      }
    });
  },
};

/**
 * The first block the player's line of sight meets within REACH: a water or lava source (level 0)
 * there, else null (a solid block or flowing liquid in the way, or nothing in reach).
 */
function liquidInSight(serv: SquidServer, player: SquidPlayer, yawDeg: number, pitchDeg: number): { name: 'water' | 'lava'; position: any } | null {
  const yaw = (yawDeg * Math.PI) / 180;
  const pitch = (pitchDeg * Math.PI) / 180;
  // Notchian angles: yaw 0 looks south (+z) and grows clockwise; pitch > 0 looks down.
  const dx = -Math.sin(yaw) * Math.cos(pitch);
  const dy = -Math.sin(pitch);
  const dz = Math.cos(yaw) * Math.cos(pitch);
  const eye = { x: player.position.x, y: player.position.y + EYE_HEIGHT, z: player.position.z };
  const water = serv.registry.blocksByName.water;
  const lava = serv.registry.blocksByName.lava;
  let last = '';
  for (let t = 0; t <= REACH; t += STEP) {
    const x = Math.floor(eye.x + dx * t);
    const y = Math.floor(eye.y + dy * t);
    const z = Math.floor(eye.z + dz * t);
    const key = `${x},${y},${z}`;
    if (key === last) continue;
    last = key;
    const position = vec3(x, y, z);
    // The player stands within reach, so these chunks are loaded: prismarine-world's synchronous view.
    const state = player.world.sync.getBlockStateId(position) as number | undefined;
    if (state === undefined || state === null) return null;
    if (water && state === water.minStateId) return { name: 'water', position };
    if (lava && state === lava.minStateId) return { name: 'lava', position };
    const block = serv.registry.blocksByStateId[state];
    if (block && block.name !== 'air' && block.name !== 'cave_air' && block.name !== 'water' && block.name !== 'lava' && block.boundingBox !== 'empty') return null;
  }
  return null;
}

export default plugin;
