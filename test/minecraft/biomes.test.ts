/**
 * Biomes, plants and caves of the embedded world as a spec: the terrain (no server) for seeds 1-10,
 * then a live world where plants pop off and drop when what holds them goes.
 */
import assert from 'node:assert/strict';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { createChunkGenerator } from '../../envs/minecraft/server/generator.js';
import { squidRequire } from '../../envs/minecraft/server/squid.js';
import { CAVE_FREE_RADIUS, SEA_LEVEL, TEMPERATE_RADIUS, Terrain, treeBlocks } from '../../envs/minecraft/server/terrain.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { joinWorld, pickUp, count } from './world-fixture.js';

/** Columns on rings around spawn, every `step` blocks out to `radius`. */
function* ring(t: Terrain, radius: number, step = 4): Generator<[number, number, number]> {
  for (let r = 0; r <= radius; r += step) {
    const n = Math.max(1, Math.ceil((2 * Math.PI * r) / step));
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      yield [Math.round(t.spawn.x + r * Math.cos(a)), Math.round(t.spawn.z + r * Math.sin(a)), r];
    }
  }
}

describe('minecraft biomes and plants (terrain, seeds 1-10)', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('every seed has desert, savanna and jungle within 250 blocks, and none within TEMPERATE_RADIUS of spawn', () => {
    for (const seed of seeds) {
      const t = new Terrain(seed);
      const first: Record<string, number> = {};
      for (const [x, z, r] of ring(t, 250, 8)) first[t.biomeAt(x, z)] ??= r;
      for (const b of ['desert', 'savanna', 'jungle', 'plains']) assert.ok(first[b] !== undefined, `seed ${seed}: no ${b} within 250 blocks (${JSON.stringify(first)})`);
      for (const b of ['desert', 'savanna', 'jungle']) assert.ok(first[b]! >= TEMPERATE_RADIUS, `seed ${seed}: ${b} at ${first[b]} blocks from spawn`);
    }
  });

  it('grows each biome its own plants: cactus and dead bushes on desert sand, acacia in savanna, bamboo and jungle trees in jungle, flowers in plains', () => {
    for (const seed of seeds) {
      const t = new Terrain(seed);
      const seen = new Map<string, Set<string>>();
      for (const [x, z] of ring(t, 250, 3)) {
        const biome = t.biomeAt(x, z);
        const c = t.columnAt(x, z);
        if (biome === 'desert') assert.ok(c.surface === 'sand' || c.surface === 'stone', `seed ${seed}: desert at ${x},${z} is ${c.surface} (sand, or a rocky outcrop)`);
        const p = t.plantOn(x, z, c);
        if (!p) continue;
        if (!seen.has(biome)) seen.set(biome, new Set());
        seen.get(biome)!.add(p.block);
        if (p.block === 'cactus') {
          assert.equal(c.surface, 'sand', `seed ${seed}: cactus at ${x},${z} on ${c.surface}`);
          assert.ok(p.height >= 1 && p.height <= 3);
          for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
            assert.notEqual(t.plantOn(x + dx!, z + dz!)?.block, 'cactus', `seed ${seed}: cactus beside cactus at ${x},${z}`);
            assert.ok(t.columnAt(x + dx!, z + dz!).height <= c.height, `seed ${seed}: cactus at ${x},${z} beside higher ground`);
          }
        }
        if (p.block === 'sugar_cane') {
          const wet = [[1, 0], [-1, 0], [0, 1], [0, -1]].some(([dx, dz]) => t.columnAt(x + dx!, z + dz!).water === c.height);
          assert.ok(wet, `seed ${seed}: sugar cane at ${x},${z} with no water beside its ground`);
        }
        if (p.block === 'bamboo') assert.ok(p.height >= 4 && p.height <= 12);
      }
      const has = (biome: string, plant: string) => assert.ok(seen.get(biome)?.has(plant), `seed ${seed}: no ${plant} in ${biome} (${JSON.stringify([...(seen.get(biome) ?? [])])})`);
      has('desert', 'cactus');
      has('jungle', 'bamboo');
      assert.ok([...seen.values()].some((s) => s.has('sugar_cane')), `seed ${seed}: no sugar cane anywhere`);
      assert.ok(['dandelion', 'poppy', 'azure_bluet', 'oxeye_daisy', 'cornflower'].some((f) => seen.get('plains')?.has(f) || seen.get('forest')?.has(f)), `seed ${seed}: no flowers`);
      const trees = t.treesIn(t.spawn.x - 250, t.spawn.z - 250, t.spawn.x + 250, t.spawn.z + 250);
      const woodIn = (biome: string) => new Set(trees.filter((tr) => t.biomeAt(tr.x, tr.z) === biome).map((tr) => tr.wood));
      assert.deepEqual([...woodIn('savanna')], ['acacia'], `seed ${seed}: savanna trees`);
      assert.ok(woodIn('jungle').has('jungle'), `seed ${seed}: jungle trees`);
      assert.equal(woodIn('desert').size, 0, `seed ${seed}: trees in the desert`);
    }
  });

  it('builds acacia with a leaning trunk under a flat crown', () => {
    const blocks = treeBlocks({ x: 0, z: 0, y: 70, wood: 'acacia', trunk: 6 }, 1);
    const logs = blocks.filter((b) => b[3] === 'log');
    assert.equal(logs.length, 6);
    const top = logs[logs.length - 1]!;
    assert.equal(Math.abs(top[0]) + Math.abs(top[2]), 4, 'the top log is 2 blocks off diagonally');
    const leaves = blocks.filter((b) => b[3] === 'leaves');
    assert.ok(leaves.length > 30 && Math.min(...leaves.map((b) => b[1])) > top[1], 'a wide crown above the top log');
  });

  it('carves caves below the soil away from spawn, exposing ores, and none near spawn', () => {
    const registry = squidRequire('prismarine-registry')('1.16.5');
    const t = new Terrain(1);
    const gen = createChunkGenerator(t, registry);
    const air = registry.blocksByName.air.defaultState;
    const ores = new Set(['coal_ore', 'iron_ore', 'gold_ore', 'redstone_ore', 'diamond_ore', 'lapis_ore'].map((n) => registry.blocksByName[n].defaultState));
    let caveAir = 0;
    let exposedOre = 0;
    const pos = new Vec3(0, 0, 0);
    const at = (chunk: any, x: number, y: number, z: number) => chunk.getBlockStateId(pos.set(x, y, z));
    for (let cx = 6; cx < 12; cx++) {
      for (let cz = 6; cz < 12; cz++) {
        const chunk = gen(cx, cz);
        for (let x = 0; x < 16; x++) {
          for (let z = 0; z < 16; z++) {
            const col = t.columnAt(cx * 16 + x, cz * 16 + z);
            const roof = col.height - t.soilDepth(cx * 16 + x, cz * 16 + z) - 3;
            for (let y = 5; y < col.height; y++) {
              if (at(chunk, x, y, z) !== air) continue;
              assert.ok(y <= roof, `cave air at ${cx * 16 + x},${y},${cz * 16 + z} above the soil line ${roof}`);
              caveAir++;
              if (x > 0 && ores.has(at(chunk, x - 1, y, z))) exposedOre++;
            }
          }
        }
      }
    }
    assert.ok(caveAir > 500, `only ${caveAir} cave blocks in 36 chunks`);
    assert.ok(exposedOre > 0, 'no ore on a cave wall');
    for (let cx = -2; cx <= 2; cx++) for (let cz = -2; cz <= 2; cz++) for (const [x, , z, r] of t.cavesOf(cx, cz)) assert.ok(Math.hypot(x - t.spawn.x, z - t.spawn.z) >= CAVE_FREE_RADIUS + r - 1e-9);
    assert.ok(t.columnAt(t.spawn.x, t.spawn.z).height > SEA_LEVEL);
  });
});

describe('embedded world: plants pop off and drop when their support goes', function () {
  this.timeout(120_000);
  let world: EmbeddedWorld;
  let bot: Bot;
  const serv = () => world.server as any;
  const state = (name: string) => serv().registry.blocksByName[name].defaultState as number;
  const set = (p: Vec3, name: string) => serv().setBlock(serv().overworld, p, state(name));

  before(async () => {
    world = await startEmbeddedWorld({ seed: 13 });
    bot = await joinWorld(world, 'gardener');
  });
  after(async () => {
    bot?.end();
    await world?.stop();
  });

  it('digging the lowest block of a 3-high sugar cane brings the whole stalk down, 3 sugar_cane', async () => {
    const feet = bot.entity.position.floored();
    const base = feet.offset(2, 0, 0);
    // A flat pad: sand ground with water beside it, air above.
    for (let dx = -1; dx <= 1; dx++) for (let dz = -1; dz <= 1; dz++) for (let dy = 0; dy < 5; dy++) await set(base.offset(dx, dy, dz), 'air');
    await set(base.offset(0, -1, 0), 'sand');
    await set(base.offset(0, -1, 1), 'water');
    for (let dy = 0; dy < 3; dy++) await set(base.offset(0, dy, 0), 'sugar_cane');
    await bot.waitForTicks(10);
    assert.equal(bot.blockAt(base.offset(0, 2, 0))?.name, 'sugar_cane', 'cane beside water stays');
    await bot.dig(bot.blockAt(base)!);
    await bot.waitForTicks(20);
    for (let dy = 0; dy < 3; dy++) assert.equal(bot.blockAt(base.offset(0, dy, 0))?.name, 'air', `cane at +${dy} came down`);
    await pickUp(bot, base, 'sugar_cane', 3, 20_000);
    assert.equal(count(bot, 'sugar_cane'), 3);
  });

  it('a cactus whose sand is taken away drops as cactus items', async () => {
    const base = bot.entity.position.floored().offset(-2, 0, 0);
    for (let dx = -1; dx <= 1; dx++) for (let dz = -1; dz <= 1; dz++) for (let dy = 0; dy < 4; dy++) await set(base.offset(dx, dy, dz), 'air');
    await set(base.offset(0, -1, 0), 'sand');
    await set(base, 'cactus');
    await set(base.offset(0, 1, 0), 'cactus');
    await bot.waitForTicks(10);
    assert.equal(bot.blockAt(base.offset(0, 1, 0))?.name, 'cactus');
    await set(base.offset(0, -1, 0), 'air');
    await bot.waitForTicks(20);
    assert.equal(bot.blockAt(base)?.name, 'air');
    assert.equal(bot.blockAt(base.offset(0, 1, 0))?.name, 'air');
    await pickUp(bot, base.offset(0, -1, 0), 'cactus', 2, 20_000);
  });
});
