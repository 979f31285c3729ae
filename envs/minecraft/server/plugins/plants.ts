/**
 * Plants need something to stand on, as in vanilla: cactus on sand (and nothing solid beside it),
 * sugar cane on soil beside water or on more cane, bamboo on soil or on more bamboo, flowers, grass
 * and dead bushes on their soil. When the support goes (the block below is dug, the water beside
 * the cane is taken), the plant pops off and drops its item; flying-squid's block-update queue
 * then reaches the block above, so a whole cactus, cane or bamboo stalk comes down block by block
 * and every piece drops, as in vanilla.
 *
 * flying-squid's own dig handler removes a plant standing on the dug block without a drop; the
 * `dug` listener here adds that plant's drop.
 *
 * @example
 * // a bot digs the lowest block of a 3-high sugar cane: 3 sugar_cane items drop
 * await bot.dig(bot.blockAt(canePos));
 */
import { Vec3 } from 'vec3';
import { Random } from '../../../../core/random.js';
import { dropItems, worldSeed } from '../mob-kit.js';
import type { SquidPlayer, SquidPlugin, SquidServer, SquidSettings } from '../plugin.js';
import { harvestDrops } from './harvest.js';

const SOIL = ['grass_block', 'dirt', 'coarse_dirt', 'podzol'];
/** What each plant may stand on (besides more of itself, for the stacked ones). */
export const PLANT_SUPPORT: Readonly<Record<string, readonly string[]>> = {
  cactus: ['sand', 'red_sand'],
  sugar_cane: [...SOIL, 'sand', 'red_sand'],
  bamboo: [...SOIL, 'sand', 'red_sand', 'gravel', 'mycelium'],
  dead_bush: ['sand', 'red_sand', 'terracotta', ...SOIL],
  grass: SOIL,
  fern: SOIL,
  dandelion: SOIL,
  poppy: SOIL,
  azure_bluet: SOIL,
  oxeye_daisy: SOIL,
  cornflower: SOIL,
};
const STACKED = new Set(['cactus', 'sugar_cane', 'bamboo']);
const SIDES = [new Vec3(1, 0, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, -1)];

/** Whether `name` can stay at `pos`, given a way to read block names around it. */
export async function plantSupported(name: string, pos: Vec3, blockName: (p: Vec3) => Promise<string>): Promise<boolean> {
  const below = await blockName(pos.offset(0, -1, 0));
  if (STACKED.has(name) && below === name) {
    if (name !== 'cactus') return true;
  } else if (!PLANT_SUPPORT[name]?.includes(below)) {
    return false;
  }
  if (name === 'cactus') {
    for (const d of SIDES) {
      const side = await blockName(pos.plus(d));
      if (side !== 'air' && side !== 'cave_air' && !PLANT_SUPPORT[side] && side !== 'water') return false;
    }
  }
  if (name === 'sugar_cane' && below !== 'sugar_cane') {
    let wet = false;
    for (const d of SIDES) if (['water', 'frosted_ice'].includes(await blockName(pos.offset(d.x, -1, d.z)))) wet = true;
    if (!wet) return false;
  }
  return true;
}

const plugin: SquidPlugin = {
  server(serv: SquidServer, settings: SquidSettings) {
    const { registry } = serv;
    const rng = new Random((worldSeed(settings) ^ 0x91a47) >>> 0);
    serv.plantRandom = rng;
    const air = registry.blocksByName.air.defaultState;
    for (const name of Object.keys(PLANT_SUPPORT)) {
      if (!registry.blocksByName[name]) continue;
      serv.onBlockUpdate(name, async (world: any, block: { position: Vec3 }) => {
        const pos = new Vec3(block.position.x, block.position.y, block.position.z);
        const nameAt = async (p: Vec3) => registry.blocksByStateId[await world.getBlockStateId(p)]?.name ?? 'air';
        if (await plantSupported(name, pos, nameAt)) return false;
        // serv.setBlock notifies the neighbours: the block above is checked next and pops in turn.
        await serv.setBlock(world, pos, air);
        dropItems(serv, world, pos.offset(0.5, 0, 0.5), harvestDrops({ registry, random: () => rng.next() }, name, null), rng);
        return false;
      });
    }
  },

  player(player: SquidPlayer, serv: SquidServer) {
    player.on('dug', (data: { position: Vec3; dropBlock: boolean; drops: unknown[] }) => {
      if (!data.dropBlock || player.gameMode === 1) return;
      const { registry } = serv;
      const above = registry.blocksByStateId[player.world.sync.getBlockStateId(data.position.offset(0, 1, 0)) as number]?.name;
      if (!above || !PLANT_SUPPORT[above]) return;
      // flying-squid sets that plant to air with no drop; it pops here instead (and its stack follows).
      for (const { item, count } of harvestDrops({ registry, random: () => serv.plantRandom.next() }, above, null)) {
        for (let i = 0; i < count; i++) {
          data.drops.push({
            blockDropPosition: data.position.offset(0.5, 1.5, 0.5),
            blockDropWorld: player.world,
            blockDropVelocity: new Vec3(0, 2, 0),
            blockDropId: registry.itemsByName[item].id,
            blockDropDamage: 0,
            blockDropPickup: 500,
            blockDropDeath: 5 * 60 * 1000,
          });
        }
      }
    });
  },
};
export default plugin;
