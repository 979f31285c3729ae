/**
 * Issue acceptance (multi-agent): in the embedded world, agent B completes a task with a skill learned
 * by agent A, without writing it; A's new skills are announced on the bus.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { createMinecraftEnvironment, MinecraftTechTree, minecraftSkillTemplates } from '../../envs/minecraft/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { MessageBus, type BusMessage, type SkillLearned } from '../../agents/bus.js';
import { Critic, LearningTeam, OfflinePlanner, VoyagerLearner, type SkillWriter } from '../../agents/voyager/index.js';

describe('agents/voyager: a team of learners sharing one library in one world', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'sf-team-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('B reuses what A learned, writing nothing, and hears about it on the bus', async () => {
    const world = await startEmbeddedWorld({ seed: 3 });
    const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    const bus = new MessageBus();
    const heard: BusMessage<SkillLearned>[] = [];
    bus.subscribe<SkillLearned>('skill.learned', (m) => void heard.push(m), { agent: 'bob' });
    const tree = new MinecraftTechTree(world.version);
    const runtimes: SkillRuntime[] = [];
    const envs = [];
    try {
      const members = [];
      for (const name of ['alice', 'bob']) {
        const env = await createMinecraftEnvironment({ host: world.host, port: world.port, version: world.version, username: name });
        envs.push(env);
        const runtime = new SkillRuntime();
        runtimes.push(runtime);
        const planner = new OfflinePlanner(tree, minecraftSkillTemplates);
        // Bob may only reuse: any attempt to write a skill fails his task.
        const writer: SkillWriter = name === 'alice' ? planner : { id: 'must-not-write', write: async () => { throw new Error('bob wrote a skill') } };
        members.push({
          name,
          learner: new VoyagerLearner({ env, library, runtime, curriculum: planner, writer, critic: new Critic(env), agent: name, maxRounds: 2, skillTimeoutMs: 120_000 }),
        });
      }
      const results = await new LearningTeam(members, { library, bus }).learn({ rounds: 2 });
      const alice = results.get('alice')!;
      const bob = results.get('bob')!;
      assert.deepEqual(alice.map((r) => [r.task, r.success, r.reused]), [['Mine 1 log', true, false], ['Craft 1 planks', true, false]], JSON.stringify(alice));
      assert.deepEqual(bob.map((r) => [r.task, r.success, r.reused]), [['Mine 1 log', true, true], ['Craft 1 planks', true, true]], JSON.stringify(bob));
      await bus.drain();
      assert.deepEqual(heard.map((m) => [m.from, m.body.name]), [['alice', 'obtainLog'], ['alice', 'obtainPlanks']]);
      const stored = await library.list();
      assert.deepEqual(stored.map((s) => s.provenance.agent).sort(), ['alice', 'alice']);
      assert.equal((await library.get('obtainLog'))!.stats.successes, 2, 'both uses are recorded on the one skill');
    } finally {
      for (const r of runtimes) await r.close();
      for (const e of envs) await e.close();
      await library.close();
      bus.close();
      await world.stop();
    }
  });
});
