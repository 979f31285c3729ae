/**
 * Sand, red sand and gravel fall, as in vanilla: when such a block has nothing solid under it (after
 * the block below is dug, or when it is placed over a gap) it drops to the first solid block below,
 * replacing air, liquids and plants on the way. It lands at once (vanilla shows a falling entity for
 * about a second); flying-squid's block-update queue drives it, so a column of sand falls block by
 * block as each one below moves.
 *
 * @example
 * // a bot digs the dirt under a sand block: the sand lands where the dirt was
 * await bot.dig(bot.blockAt(sandPos.offset(0, -1, 0)));
 */
import type { SquidPlugin, SquidServer } from '../plugin.js';
import { vec3 } from './windows.js';

export const FALLING_BLOCKS = ['sand', 'red_sand', 'gravel'] as const;
/** What a falling block passes through and replaces. */
const PASSABLE = new Set(['air', 'cave_air', 'void_air', 'water', 'lava', 'grass', 'tall_grass', 'fern', 'large_fern', 'dead_bush', 'snow', 'dandelion', 'poppy']);

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    const registry = serv.registry;
    const passable = (stateId: number | undefined) => stateId !== undefined && PASSABLE.has(registry.blocksByStateId[stateId]?.name ?? '');
    for (const name of FALLING_BLOCKS) {
      if (!registry.blocksByName[name]) continue;
      serv.onBlockUpdate(name, async (world: any, block: { position: { x: number; y: number; z: number }; stateId: number }) => {
        const { x, y, z } = block.position;
        if (y <= 0 || !passable(await world.getBlockStateId(vec3(x, y - 1, z)))) return false;
        let landing = y - 1;
        while (landing > 0 && passable(await world.getBlockStateId(vec3(x, landing - 1, z)))) landing--;
        // serv.setBlock sends both changes to players and queues the neighbours' updates (the block above falls next).
        await serv.setBlock(world, vec3(x, y, z), registry.blocksByName.air.defaultState);
        await serv.setBlock(world, vec3(x, landing, z), block.stateId);
        return false;
      });
    }
  },
};

export default plugin;
