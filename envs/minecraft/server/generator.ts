/**
 * A flying-squid world generation: turns terrain.ts's seeded world shape into prismarine chunks.
 * flying-squid calls a generation module as `generation({ seed, registry, ... })` and then the
 * returned function once per chunk column; we register ours in flying-squid's table of generations
 * under GENERATION_NAME, so `createMCServer({ generation: { name: 'skillforge', options: { seed } } })`
 * uses it like any built-in one.
 *
 * The returned chunk generator also carries `spawnPoint` and `terrain`: the spawn plugin reads the
 * former (`serv.overworld.chunkGenerator.spawnPoint`), tests and the mobs plugin may read the latter.
 */
import { createRequire } from 'node:module';
import { squidRequire as require } from './squid.js';
import { Terrain, SEA_LEVEL, treeBlocks, type Column, type PlantName, type WoodType } from './terrain.js';

export const GENERATION_NAME = 'skillforge';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface ChunkGenerator {
  (chunkX: number, chunkZ: number): any;
  spawnPoint: { x: number; y: number; z: number };
  terrain: Terrain;
}

/** flying-squid generation module: `options.seed` (number) and `options.registry` (prismarine-registry). */
export function skillforgeGeneration(options: { seed?: number; skillforgeSeed?: number; registry?: any; version?: string }): ChunkGenerator {
  const registry = options.registry ?? require('prismarine-registry')(options.version ?? '1.16.5');
  // flying-squid replaces a seed of 0 with a random one, so world.ts passes the real seed aside.
  const seed = Number(options.skillforgeSeed ?? options.seed ?? 0);
  if (!Number.isFinite(seed)) throw new TypeError(`world seed must be a number, got ${String(options.seed)}`);
  return createChunkGenerator(new Terrain(seed), registry);
}

export function createChunkGenerator(terrain: Terrain, registry: any): ChunkGenerator {
  const Chunk = require('prismarine-chunk')(registry);
  const state = (name: string): number => {
    const b = registry.blocksByName[name];
    if (!b) throw new Error(`block ${name} is not in Minecraft ${registry.version.minecraftVersion}`);
    return b.defaultState;
  };
  const S = {
    bedrock: state('bedrock'),
    stone: state('stone'),
    dirt: state('dirt'),
    grass_block: stateWith(registry, 'grass_block', { snowy: false }),
    sand: state('sand'),
    gravel: state('gravel'),
    water: state('water'),
    grass: state('grass'),
  };
  const wood: Record<WoodType, { log: number; leaves: number }> = {
    oak: { log: stateWith(registry, 'oak_log', { axis: 'y' }), leaves: stateWith(registry, 'oak_leaves', { distance: 1, persistent: true }) },
    birch: { log: stateWith(registry, 'birch_log', { axis: 'y' }), leaves: stateWith(registry, 'birch_leaves', { distance: 1, persistent: true }) },
    spruce: { log: stateWith(registry, 'spruce_log', { axis: 'y' }), leaves: stateWith(registry, 'spruce_leaves', { distance: 1, persistent: true }) },
    acacia: { log: stateWith(registry, 'acacia_log', { axis: 'y' }), leaves: stateWith(registry, 'acacia_leaves', { distance: 1, persistent: true }) },
    jungle: { log: stateWith(registry, 'jungle_log', { axis: 'y' }), leaves: stateWith(registry, 'jungle_leaves', { distance: 1, persistent: true }) },
  };
  const plants: Record<PlantName, number> = {
    grass: S.grass,
    dandelion: state('dandelion'),
    poppy: state('poppy'),
    azure_bluet: state('azure_bluet'),
    oxeye_daisy: state('oxeye_daisy'),
    cornflower: state('cornflower'),
    dead_bush: state('dead_bush'),
    cactus: state('cactus'),
    sugar_cane: state('sugar_cane'),
    bamboo: stateWith(registry, 'bamboo', { leaves: 'none' }),
  };
  // Bamboo carries leaves at its top two blocks, as grown bamboo does.
  const bambooTop = [stateWith(registry, 'bamboo', { leaves: 'large' }), stateWith(registry, 'bamboo', { leaves: 'small' })];
  const carvable = new Set([S.stone, S.dirt, S.gravel]);
  const ores: Record<string, number> = {};
  for (const n of ['coal_ore', 'iron_ore', 'gold_ore', 'redstone_ore', 'diamond_ore', 'lapis_ore']) {
    ores[n] = state(n);
    carvable.add(ores[n]!);
  }
  const biomeIds: Record<string, number> = {};
  for (const n of ['plains', 'forest', 'birch_forest', 'taiga', 'beach', 'river', 'desert', 'savanna', 'jungle']) biomeIds[n] = registry.biomesByName[n]?.id ?? 1;

  function generate(chunkX: number, chunkZ: number): any {
    const chunk = new Chunk();
    const x0 = chunkX * 16;
    const z0 = chunkZ * 16;
    const pos = { x: 0, y: 0, z: 0 };
    const set = (x: number, y: number, z: number, id: number) => {
      pos.x = x; pos.y = y; pos.z = z;
      chunk.setBlockStateId(pos, id);
    };
    const columns: Column[] = new Array(256);
    // Trees whose crowns can reach into this chunk (acacia crowns reach 5 blocks from the trunk).
    const trees = terrain.treesIn(x0 - 5, z0 - 5, x0 + 21, z0 + 21);
    const trunks = new Set(trees.map((t) => `${t.x},${t.z}`));
    for (let lx = 0; lx < 16; lx++) {
      for (let lz = 0; lz < 16; lz++) {
        const x = x0 + lx;
        const z = z0 + lz;
        const c = terrain.columnAt(x, z);
        columns[lx * 16 + lz] = c;
        const soil = c.surface === 'stone' ? 0 : terrain.soilDepth(x, z);
        const under = c.surface === 'grass' ? S.dirt : c.surface === 'gravel' ? S.gravel : S.sand;
        const top = c.surface === 'grass' ? S.grass_block : c.surface === 'stone' ? S.stone : under;
        for (let y = 0; y <= c.height; y++) {
          let id: number;
          if (terrain.bedrockAt(x, y, z)) id = S.bedrock;
          else if (y === c.height) id = c.ore ? ores[c.ore]! : top;
          else if (y > c.height - 1 - soil) id = under;
          else id = S.stone;
          set(lx, y, lz, id);
        }
        // The quarry's iron continues just under the surface: shallow ore to dig for.
        if (c.ore === 'iron_ore') set(lx, c.height - 1, lz, ores.iron_ore!);
        for (let y = c.height + 1; y <= c.water; y++) set(lx, y, lz, S.water);
        const lightFrom = Math.max(c.height, c.water) + 1;
        for (let y = lightFrom; y < 256; y++) {
          pos.x = lx; pos.y = y; pos.z = lz;
          chunk.setSkyLight(pos, 15);
        }
        const plant = trunks.has(`${x},${z}`) ? null : terrain.plantOn(x, z, c);
        if (plant) {
          for (let i = 0; i < plant.height; i++) {
            const top = plant.height - 1 - i;
            set(lx, c.height + 1 + i, lz, plant.block === 'bamboo' && top < 2 ? bambooTop[top]! : plants[plant.block]);
          }
        }
      }
    }

    // Ore veins from this chunk and its neighbours (veins wander a few blocks across borders);
    // they only ever replace stone, so they stay underground or in exposed rock.
    for (let dx = -1; dx <= 1; dx++) {
      for (let dz = -1; dz <= 1; dz++) {
        for (const vein of terrain.veinsOf(chunkX + dx, chunkZ + dz)) {
          const id = ores[vein.ore]!;
          for (const [x, y, z] of vein.blocks) {
            const lx = x - x0;
            const lz = z - z0;
            if (lx < 0 || lx > 15 || lz < 0 || lz > 15 || y < 1) continue;
            pos.x = lx; pos.y = y; pos.z = lz;
            if (chunk.getBlockStateId(pos) === S.stone) chunk.setBlockStateId(pos, id);
          }
        }
      }
    }

    // Caves from this chunk and the ones around it, carved below each column's soil only.
    for (let dx = -3; dx <= 3; dx++) {
      for (let dz = -3; dz <= 3; dz++) {
        for (const [cx, cy, cz, r] of terrain.cavesOf(chunkX + dx, chunkZ + dz)) {
          if (cx + r < x0 || cx - r >= x0 + 16 || cz + r < z0 || cz - r >= z0 + 16) continue;
          for (let x = Math.max(x0, Math.floor(cx - r)); x <= Math.min(x0 + 15, Math.ceil(cx + r)); x++) {
            for (let z = Math.max(z0, Math.floor(cz - r)); z <= Math.min(z0 + 15, Math.ceil(cz + r)); z++) {
              const col = columns[(x - x0) * 16 + (z - z0)]!;
              if (col.water >= 0) continue;
              const roof = col.height - terrain.soilDepth(x, z) - 3;
              for (let y = Math.max(5, Math.floor(cy - r)); y <= Math.min(roof, Math.ceil(cy + r)); y++) {
                if ((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 > r * r) continue;
                pos.x = x - x0; pos.y = y; pos.z = z - z0;
                if (carvable.has(chunk.getBlockStateId(pos))) chunk.setBlockStateId(pos, 0);
              }
            }
          }
        }
      }
    }

    for (const tree of trees) {
      const ids = wood[tree.wood];
      for (const [x, y, z, part] of treeBlocks(tree, terrain.seed)) {
        const lx = x - x0;
        const lz = z - z0;
        if (lx < 0 || lx > 15 || lz < 0 || lz > 15) continue;
        pos.x = lx; pos.y = y; pos.z = lz;
        if (part === 'log') {
          chunk.setBlockStateId(pos, ids.log);
          if (y === tree.y) {
            pos.y = y - 1;
            chunk.setBlockStateId(pos, S.dirt); // vanilla turns the grass under a trunk to dirt
          }
        } else {
          const here = chunk.getBlockStateId(pos);
          if (here === 0 || here === S.grass) chunk.setBlockStateId(pos, ids.leaves);
        }
      }
    }

    // Biomes are stored per 4x4x4 cell in 1.16.
    for (let bx = 0; bx < 16; bx += 4) {
      for (let bz = 0; bz < 16; bz += 4) {
        const id = biomeIds[terrain.biomeAt(x0 + bx + 2, z0 + bz + 2)]!;
        for (let y = 0; y < 256; y += 4) {
          pos.x = bx; pos.y = y; pos.z = bz;
          chunk.setBiome(pos, id);
        }
      }
    }
    return chunk;
  }

  const generator = generate as ChunkGenerator;
  generator.spawnPoint = { ...terrain.spawn };
  generator.terrain = terrain;
  return generator;
}

/** State id of a block with the given properties (others at their defaults). */
function stateWith(registry: any, name: string, props: Record<string, string | number | boolean>): number {
  if (!registry.blocksByName[name]) throw new Error(`block ${name} is not in Minecraft ${registry.version.minecraftVersion}`);
  // prismarine-block is prismarine-chunk's dependency: resolve it from there.
  const Block = createRequire(require.resolve('prismarine-chunk'))('prismarine-block')(registry);
  return Block.fromProperties(name, props, 0).stateId as number;
}

export { SEA_LEVEL };
