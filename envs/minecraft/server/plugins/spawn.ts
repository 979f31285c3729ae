/**
 * Deterministic spawn point. flying-squid's built-in picks a random column near the origin on
 * every login; a seeded world needs every player, every run, to appear at the same place, on solid
 * ground. If the overworld's generator declares a `spawnPoint` (skillforge's does: dry grass land
 * next to trees), that is used; otherwise the first solid, dry column spiralling out from (0, 0).
 */
import { Vec3 } from 'vec3';
import type { SquidPlugin, SquidServer } from '../plugin.js';

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    const cache = new Map<unknown, Promise<Vec3>>();
    serv.getSpawnPoint = (world: any) => {
      let p = cache.get(world);
      if (!p) {
        p = findSpawn(serv, world);
        cache.set(world, p);
      }
      return p.then((v) => v.clone());
    };
  },
};
export default plugin;

async function findSpawn(serv: SquidServer, world: any): Promise<Vec3> {
  const declared = world.chunkGenerator?.spawnPoint as { x: number; y: number; z: number } | undefined;
  if (declared) return new Vec3(declared.x + 0.5, declared.y, declared.z + 0.5);
  const water = new Set(['water', 'lava']);
  for (let r = 0; r < 64; r += 2) {
    for (let dx = -r; dx <= r; dx += 2) {
      for (const dz of r === 0 ? [0] : [-r, r]) {
        for (const [x, z] of [[dx, dz], [dz, dx]] as const) {
          for (let y = 250; y > 1; y--) {
            const block = await world.getBlock(new Vec3(x, y, z));
            if (!block || block.type === 0 || block.boundingBox === 'empty' && !water.has(block.name)) continue;
            if (water.has(block.name)) break;
            return new Vec3(x + 0.5, y + 1, z + 0.5);
          }
        }
      }
    }
  }
  serv.warn?.('no dry ground found near the origin; spawning at y=100');
  return new Vec3(0.5, 100, 0.5);
}
