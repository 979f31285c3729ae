import assert from 'node:assert/strict';
import { Terrain, SEA_LEVEL, treeBlocks } from '../../envs/minecraft/server/terrain.js';

describe('minecraft terrain (seeded world shape, no server)', () => {
  it('gives every seed a dry grass spawn with oak, birch and spruce trees, a dry quarry and a filled pond', () => {
    for (let seed = 0; seed < 200; seed++) {
      const t = new Terrain(seed);
      const { quarry, pond, trees } = t.landmarks;
      const ctx = `seed ${seed}`;
      const s = t.columnAt(t.spawn.x, t.spawn.z);
      assert.equal(s.surface, 'grass', ctx);
      assert.equal(s.height + 1, t.spawn.y, ctx);
      const woods = (w: string) => trees.filter((tr) => tr.wood === w);
      assert.equal(woods('oak').length, 4, `${ctx}: oaks`);
      assert.ok(woods('oak').every((tr) => Math.hypot(tr.x - t.spawn.x, tr.z - t.spawn.z) <= 20), `${ctx}: oaks near spawn`);
      assert.ok(woods('birch').length >= 1 && woods('spruce').length >= 1, `${ctx}: birch and spruce`);
      for (const tr of trees) {
        const c = t.columnAt(tr.x, tr.z);
        assert.equal(c.surface, 'grass', `${ctx}: tree at ${tr.x},${tr.z} stands on ${c.surface}`);
        assert.equal(c.height + 1, tr.y, ctx);
      }
      assert.ok(t.columnAt(quarry.x, quarry.z).height > SEA_LEVEL, `${ctx}: quarry above sea level`);
      assert.equal(t.columnAt(quarry.x, quarry.z).ore, 'iron_ore', `${ctx}: iron at the quarry centre`);
      for (let dx = -3; dx <= 3; dx++) for (let dz = -3; dz <= 3; dz++) assert.equal(t.columnAt(quarry.x + dx, quarry.z + dz).water, -1, `${ctx}: wet quarry`);
      const p = t.columnAt(pond.x, pond.z);
      assert.ok(p.water > p.height, `${ctx}: pond has water`);
    }
  });

  it('is random-access: a column does not depend on what was asked before', () => {
    const a = new Terrain(99);
    const b = new Terrain(99);
    for (let i = 0; i < 500; i++) a.columnAt(i * 7, -i * 3); // warm a, not b
    for (let x = -40; x < 40; x += 3) for (let z = -40; z < 40; z += 3) assert.deepEqual(a.columnAt(x, z), b.columnAt(x, z));
    assert.deepEqual(a.treesIn(-64, -64, 64, 64), b.treesIn(-64, -64, 64, 64));
    assert.deepEqual(a.veinsOf(3, -2), b.veinsOf(3, -2));
  });

  it('builds trees with a trunk of logs under a crown of leaves', () => {
    for (const wood of ['oak', 'birch', 'spruce'] as const) {
      const blocks = treeBlocks({ x: 0, z: 0, y: 64, wood, trunk: 5 }, 1);
      const logs = blocks.filter((b) => b[3] === 'log');
      assert.deepEqual(logs.map((b) => b[1]), [64, 65, 66, 67, 68], wood);
      const leaves = blocks.filter((b) => b[3] === 'leaves');
      assert.ok(leaves.length > 15, `${wood}: ${leaves.length} leaves`);
      assert.ok(Math.max(...leaves.map((b) => b[1])) > 68, `${wood}: leaves above the trunk`);
    }
  });
});
