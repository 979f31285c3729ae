/**
 * The Minecraft skill templates: what the offline planner writes for each tech-tree item. The planner's
 * skills are stored in libraries by hash, so moving or refactoring the templates must not change a byte
 * of them; test/fixtures/minecraft-offline-skills.json holds the written skills (code, explanation,
 * plan) of the milestones and everything they need, as the planner wrote them before the templates
 * left agents/voyager. Regenerate it only for an intended change of the skills, and say so.
 *
 * @example
 *   npx mocha test/minecraft/skill-templates.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Observation } from '../../core/types.js';
import { OfflinePlanner, taskFor } from '../../agents/voyager/offline-planner.js';
import type { WrittenSkill } from '../../agents/voyager/skill-writer.js';
import { MinecraftTechTree } from '../../envs/minecraft/tech-tree.js';
import { minecraftSkillTemplates } from '../../envs/minecraft/skill-templates.js';

const golden = JSON.parse(readFileSync(new URL('../fixtures/minecraft-offline-skills.json', import.meta.url), 'utf8')) as Record<string, WrittenSkill>;
const obs = { json: {}, text: '', features: new Float32Array(0), featureNames: [] } as Observation;

describe('envs/minecraft: the skill templates of the offline planner', () => {
  const tree = new MinecraftTechTree();
  const planner = new OfflinePlanner(tree, minecraftSkillTemplates);

  it('the fixture covers every milestone of the tech tree', () => {
    for (const item of tree.milestones) assert.ok(item in golden, item);
  });

  for (const item of Object.keys(golden)) {
    it(`writes ${item} byte for byte as before`, async () => {
      const written = await planner.write({ task: taskFor(tree, item), env: 'minecraft', observation: obs, primitives: [], skills: [], round: 1 });
      assert.deepEqual(written, golden[item]);
    });
  }
});
