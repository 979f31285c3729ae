import assert from 'node:assert/strict';
import { Vec3 } from 'vec3';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import { freeSpotNextTo } from './helpers.js';
import { inventoryCounts } from '../../envs/minecraft/events.js';
import {
  MINECRAFT_FEATURE_NAMES,
  MINECRAFT_FEATURE_VERSION,
  featureVector,
  renderObservationText,
  timeOfDayName,
} from '../../envs/minecraft/observation.js';
import { checkItemInsideChest, depositItemIntoChest, exploreUntil, getItemFromChest, placeItem } from '../../envs/minecraft/primitives/index.js';

describe('minecraft observation (embedded survival world)', function () {
  this.timeout(30_000);
  let env: MinecraftEnvironment;
  before(async () => {
    // op so this file can /give what it observes; the acceptance chain runs without it.
    env = await createMinecraftEnvironment({ embedded: { seed: 1, op: true }, username: 'watcher', primitiveSemantics: 'strict' });
    await env.bot.waitForTicks(10);
  });
  after(async () => {
    await env?.close();
  });

  async function give(item: string, n: number) {
    const bot = env.bot;
    const before = inventoryCounts(bot)[item] ?? 0;
    bot.chat(`/give ${bot.username} ${item} ${n}`);
    for (let i = 0; i < 100 && (inventoryCounts(bot)[item] ?? 0) < before + n; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((inventoryCounts(bot)[item] ?? 0) >= before + n, `/give ${item}`);
  }

  it("has Voyager's fields as JSON", async () => {
    const o = await env.observe();
    const j = o.json as any;
    assert.equal(j.featureVersion, MINECRAFT_FEATURE_VERSION);
    assert.equal(typeof j.biome, 'string');
    assert.notEqual(j.biome, '');
    assert.ok(['sunrise', 'day', 'noon', 'sunset', 'night', 'midnight'].includes(j.timeOfDay));
    assert.ok(Array.isArray(j.voxels) && j.voxels.length > 0 && !j.voxels.includes('air'));
    assert.deepEqual([...j.voxels].sort(), j.voxels);
    assert.equal(typeof j.entities, 'object');
    assert.equal(j.health, 20);
    assert.equal(j.food, 20);
    for (const k of ['x', 'y', 'z']) assert.equal(typeof j.position[k], 'number');
    assert.equal(j.equipment.length, 6);
    assert.deepEqual(j.inventory, {});
    assert.equal(j.inventoryUsed, 0);
    assert.ok(j.blockCounts.log > 0, 'the seed-1 spawn has trees within 32 blocks');
    assert.ok(JSON.parse(JSON.stringify(j)), 'plain JSON');
  });

  it("renders Voyager's prompt layout", async () => {
    const o = await env.observe();
    const heads = ['Biome: ', 'Time: ', 'Nearby blocks: ', 'Nearby entities (nearest to farthest): ', 'Health: 20.0/20', 'Hunger: 20.0/20', 'Position: x=', 'Equipment: [None, None, None, None, None, None]', 'Inventory (0/36): Empty', 'Chests: None'];
    let at = -1;
    for (const h of heads) {
      const i = o.text.indexOf(h);
      assert.ok(i > at, `${h} after the previous heading in:\n${o.text}`);
      at = i;
    }
    assert.equal(o.text.split('\n\n').length, 10);
    const t = renderObservationText({ ...o.json, inventory: { oak_log: 3, stick: 2 }, inventoryUsed: 2, entities: { cow: 9.5, pig: 3.1 } });
    assert.match(t, /Inventory \(2\/36\): \{'oak_log': 3, 'stick': 2\}/);
    assert.match(t, /Nearby entities \(nearest to farthest\): pig, cow/);
  });

  it('has a fixed-length, named, versioned feature vector that follows the inventory', async () => {
    const o = await env.observe();
    assert.ok(o.features instanceof Float32Array);
    assert.equal(o.features.length, MINECRAFT_FEATURE_NAMES.length);
    assert.equal(o.featureNames, MINECRAFT_FEATURE_NAMES);
    assert.equal(new Set(MINECRAFT_FEATURE_NAMES).size, MINECRAFT_FEATURE_NAMES.length);
    for (const v of o.features) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1);
    const f = (obs: typeof o, n: string) => obs.features[obs.featureNames.indexOf(n)]!;
    assert.equal(f(o, 'health'), 1);
    assert.equal(f(o, 'inv.log'), 0);
    assert.equal(f(o, 'tool.pickaxe'), 0);
    assert.ok(f(o, 'near.log') > 0);
    await give('oak_log', 8);
    await give('stone_pickaxe', 1);
    const o2 = await env.observe();
    assert.equal(f(o2, 'inv.log'), Math.fround(8 / 64));
    assert.equal(f(o2, 'tool.pickaxe'), Math.fround(2 / 5));
    assert.deepEqual(Array.from(featureVector(o2.json)), Array.from(o2.features), 're-featurising stored JSON gives the same vector');
    assert.ok(MINECRAFT_FEATURE_NAMES.includes('near.iron_ore') && MINECRAFT_FEATURE_NAMES.includes('mobs.passive') && MINECRAFT_FEATURE_NAMES.includes('y'));
  });

  it('maps ticks to Voyager time names', () => {
    assert.deepEqual([0, 999, 1000, 6000, 12500, 13000, 18000, 22500].map(timeOfDayName), ['sunrise', 'sunrise', 'day', 'noon', 'sunset', 'night', 'midnight', 'sunrise']);
  });

  it('lists nearby chests, with contents once a chest primitive has opened them', async () => {
    const bot = env.bot;
    await give('chest', 1);
    await give('dirt', 5);
    const spot = freeSpotNextTo(bot);
    await placeItem(bot, 'chest', spot);
    const key = `(${spot.x}, ${spot.y}, ${spot.z})`;
    let o = await env.observe();
    assert.equal((o.json.chests as any)[key], 'Unknown');
    assert.match(o.text, new RegExp(`Chests:\\n\\${key.slice(0, -1)}\\): Unknown items inside`));
    assert.deepEqual(await depositItemIntoChest(bot, spot, { dirt: 3 }), { dirt: 3 });
    o = await env.observe();
    assert.deepEqual((o.json.chests as any)[key], { dirt: 3 });
    assert.ok(o.text.includes(`${key}: {'dirt': 3}`), o.text);
    assert.deepEqual(await getItemFromChest(bot, new Vec3(spot.x, spot.y, spot.z), { dirt: 2 }), { dirt: 2 });
    assert.deepEqual(await checkItemInsideChest(bot, spot), { dirt: 1 });
    await assert.rejects(getItemFromChest(bot, spot, { diamond: 1 }), /took nothing from the chest: no diamond in the chest/);
    assert.equal(inventoryCounts(bot).dirt, 4);
  });

  it('death mid-primitive: the primitive rejects with E_MC_DIED and damage/death events are recorded', async () => {
    const bot = env.bot;
    const mark = env.recorder.mark();
    const running = exploreUntil(bot, new Vec3(1, 0, 0), 20, () => false);
    setTimeout(() => bot.chat(`/kill ${bot.username}`), 300);
    await assert.rejects(running, (e: any) => e.code === 'E_MC_DIED' && /exploreUntil\(1, 0, 0\) failed: the bot died/.test(e.message));
    await new Promise((r) => setTimeout(r, 300));
    const types = env.recorder.since(mark).map((e) => e.type);
    assert.ok(types.includes('death'), types.join(','));
    assert.ok(types.includes('damage'), types.join(','));
  });
});
