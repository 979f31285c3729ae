/**
 * Issue acceptance, in the embedded world: the offline learner, from an empty inventory and an empty
 * library, reaches a stone pickaxe; its library, loaded by a new agent in a world with another seed,
 * solves "craft a wooden pickaxe" and "craft a stone pickaxe" by reuse, writing no new skill.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMinecraftEnvironment, MinecraftTechTree, milestonesReached } from '../../envs/minecraft/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { VoyagerLearner, OfflinePlanner, Critic, TaskListCurriculum, taskFor, type LearnerEvent, type SkillWriter } from '../../agents/voyager/index.js';

describe('agents/voyager: offline learner in the embedded Minecraft world', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'sf-mc-learner-'));
  const runtime = new SkillRuntime();
  const tree = new MinecraftTechTree();
  after(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches a stone pickaxe from nothing, then another agent in another world reuses the library', async () => {
    const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    try {
      const env = await createMinecraftEnvironment({ embedded: { seed: 1 }, username: 'first' });
      try {
        const inventory = (await env.observe()).json.inventory as Record<string, number>;
        assert.deepEqual(inventory, {}, 'the bot starts with nothing');
        const planner = new OfflinePlanner(tree);
        const first = new VoyagerLearner({
          env, library, runtime, curriculum: planner, writer: planner, critic: new Critic(env), agent: 'first',
          maxRounds: 3, skillTimeoutMs: 180_000, milestones: milestonesReached,
        });
        const summary = await first.learn({ iterations: 7 });
        const reached = summary.state.milestones.map((m) => m.name);
        assert.ok(reached.includes('stone tool'), `milestones: ${reached.join(', ')}; results: ${JSON.stringify(summary.results)}`);
        assert.ok(summary.state.milestones.find((m) => m.name === 'wooden tool')!.iteration <= 7);
      } finally {
        await env.close();
      }

      const skillsBefore = await library.count({ allVersions: true });
      const env2 = await createMinecraftEnvironment({ embedded: { seed: 9 }, username: 'second' });
      try {
        const noWriting: SkillWriter = { id: 'must-not-write', write: async () => { throw new Error('a new skill was written') } };
        const events: LearnerEvent[] = [];
        const second = new VoyagerLearner({
          env: env2, library, runtime, writer: noWriting, critic: new Critic(env2), agent: 'second', maxRounds: 1, skillTimeoutMs: 180_000,
          curriculum: new TaskListCurriculum([taskFor(tree, 'wooden_pickaxe'), taskFor(tree, 'stone_pickaxe')]),
          onEvent: (e) => events.push(e),
        });
        const summary = await second.learn({ iterations: 2 });
        assert.deepEqual(summary.results.map((r) => [r.task, r.success, r.reused]), [
          ['Craft 1 wooden pickaxe', true, true],
          ['Craft 1 stone pickaxe', true, true],
        ], JSON.stringify(events.filter((e) => e.type === 'verdict' || e.type === 'reuse')));
        assert.equal(await library.count({ allVersions: true }), skillsBefore, 'no new skill or version');
      } finally {
        await env2.close();
      }
    } finally {
      await library.close();
    }
  });
});
