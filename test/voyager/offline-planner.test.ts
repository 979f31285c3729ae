import assert from 'node:assert/strict';
import { MinecraftTechTree } from '../../envs/minecraft/tech-tree.js';
import { minecraftSkillTemplates } from '../../envs/minecraft/skill-templates.js';
import { OfflinePlanner, taskFor, obtainSkillName } from '../../agents/voyager/offline-planner.js';
import { checkWritten } from '../../agents/voyager/skill-writer.js';
import { parseSkillCode } from '../../skills/code.js';
import type { Observation } from '../../core/types.js';

const obs = { json: {}, text: '', features: new Float32Array(0), featureNames: [] } as Observation;

describe('agents/voyager: the offline planner (tech tree from minecraft-data)', () => {
  const tree = new MinecraftTechTree();
  const planner = new OfflinePlanner(tree, minecraftSkillTemplates, 2);

  it('reads the tech tree from minecraft-data: drops, tools, recipes, smelting', () => {
    assert.deepEqual(tree.obtain('cobblestone'), tree.obtain('cobblestone'));
    const cobble = tree.obtain('cobblestone')!;
    assert.equal(cobble.kind, 'mine');
    assert.deepEqual(cobble.kind === 'mine' && cobble.blocks, ['stone'], 'stone drops cobblestone (loot table, not silk touch)');
    assert.equal(cobble.kind === 'mine' && cobble.cheapestTool, 'wooden_pickaxe');
    assert.deepEqual(tree.obtain('wooden_pickaxe'), { kind: 'craft', ingredients: { planks: 3, stick: 2 }, perCraft: 1, table: true });
    assert.deepEqual(tree.obtain('stick'), { kind: 'craft', ingredients: { planks: 2 }, perCraft: 4, table: false }, 'not from leaves: a chance drop');
    assert.deepEqual(tree.obtain('iron_ingot'), { kind: 'smelt', input: 'iron_ore', fuel: 'coal' });
    assert.equal(tree.obtain('iron_ore')!.kind === 'mine' && (tree.obtain('iron_ore') as { cheapestTool: string }).cheapestTool, 'stone_pickaxe');
    assert.equal(tree.obtain('no_such_item'), undefined);
  });

  it('proposes milestones in order, with checkable goals, and gives up on one that keeps failing', async () => {
    const completed: string[] = [];
    const seen: string[] = [];
    for (let i = 0; i < tree.milestones.length; i++) {
      const task = (await planner.next({ observation: obs, completed, failed: [], iteration: i }))!;
      seen.push(task.description);
      completed.push(task.description);
    }
    assert.deepEqual(seen.slice(0, 5), ['Mine 1 log', 'Craft 1 planks', 'Craft 1 crafting table', 'Craft 1 stick', 'Craft 1 wooden pickaxe']);
    assert.equal(await planner.next({ observation: obs, completed, failed: [], iteration: 99 }), null, 'nothing left');
    assert.deepEqual(taskFor(tree, 'log').goal, { inventoryAny: { items: tree.groups[0]!.members, count: 1 } });
    const fresh = new OfflinePlanner(tree, minecraftSkillTemplates, 2);
    const ctx = { observation: obs, completed: [], failed: ['Mine 1 log'], iteration: 0 };
    assert.ok(await fresh.next(ctx));
    assert.ok(await fresh.next(ctx));
    assert.equal(await fresh.next(ctx), null, 'stops after maxTries proposals of the same milestone');
  });

  it('writes valid skill code for every milestone, calling the skills of its ingredients', async () => {
    for (const item of tree.milestones) {
      const w = await planner.write({ task: taskFor(tree, item), env: 'minecraft', observation: obs, primitives: [], skills: [], round: 1 });
      assert.equal(w.name, obtainSkillName(item));
      assert.equal(checkWritten(w.code), w.name);
      const calls = parseSkillCode(w.code, w.name).calls;
      const method = tree.obtain(item)!;
      if (method.kind === 'craft') for (const ingredient of Object.keys(method.ingredients)) assert.ok(calls.has(obtainSkillName(ingredient)), `${w.name} calls ${obtainSkillName(ingredient)}`);
      if (method.kind === 'craft' && method.table) assert.ok(calls.has('obtainCraftingTable'), `${w.name} can get a table`);
    }
    const pickaxe = await planner.write({ task: taskFor(tree, 'wooden_pickaxe'), env: 'minecraft', observation: obs, primitives: [], skills: [], round: 1 });
    assert.match(pickaxe.code, /Math\.max\(/, 'planks are counted per wood type');
    assert.ok(pickaxe.code.indexOf('ensureNearby(bot') < pickaxe.code.indexOf('await obtainPlanks'), 'the table comes before the ingredients it would use up');
  });

  it('refuses tasks outside the tech tree and says what to configure instead', async () => {
    await assert.rejects(
      planner.write({ task: { description: 'Build a house' }, env: 'minecraft', observation: obs, primitives: [], skills: [], round: 1 }),
      (e: Error & { hint?: string }) => /only knows tech-tree items/.test(e.message) && /--llm/.test(e.hint ?? ''),
    );
  });
});
