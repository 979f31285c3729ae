import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKit } from '../../kits/registry.js';
import type { KitSession } from '../../kits/kit.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { VoyagerLearner, type TaskResult } from '../../agents/voyager/learner.js';
import { Critic } from '../../agents/voyager/critic.js';

const quiet = { logger: { warn() {}, info() {} } as never };
// Fast enough for tests: 20 m/s navigation, 60 ms manipulation.
const settings = { simSpeed: 20, manipulationMs: 60 };

function offlineLearner(session: KitSession, library: SkillLibrary, runtime: SkillRuntime, agent: string) {
  const { curriculum, writer } = session.offlineLearner!();
  return new VoyagerLearner({ env: session.env, library, runtime, curriculum, writer, critic: new Critic(session.env), agent, maxRounds: 2, skillTimeoutMs: 60_000 });
}

describe('the learner on the simulated robot (robot kit, offline planner)', function () {
  this.timeout(240_000);
  let dir: string;
  let library: SkillLibrary;
  const runtime = new SkillRuntime({ memoryMb: 64 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-learn-robot-'));
    library = await SkillLibrary.open(join(dir, 'library'), quiet);
  });
  after(async () => {
    await library.close();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('learns skills in the robot call style through the safety layer, then a second learner on a fresh simulator reuses them', async () => {
    const kit = await loadKit('robot');
    assert.equal(kit.kind, 'ros2');
    const first = await kit.open({ seed: '3', settings });
    let results: TaskResult[];
    try {
      results = (await offlineLearner(first, library, runtime, 'robbie').learn({ iterations: 4 })).results;
    } finally {
      await first.close();
    }
    assert.ok(results.length === 4 && results.every((r) => r.success && !r.reused), JSON.stringify(results));
    const learned = await library.list({ env: 'ros2' });
    assert.equal(learned.length, 4);
    assert.ok(learned.every((s) => s.status === 'verified'));
    assert.ok(learned.every((s) => /^robot[A-Z]/.test(s.name)), `names apart from the kitchen's in a shared library: ${learned.map((s) => s.name).join(', ')}`);
    assert.ok(learned.some((s) => /robot\.pickUp\("[^"]+"\)/.test(s.code)), learned.map((s) => s.code).join('\n\n'));

    const second = await kit.open({ seed: '3', settings });
    try {
      const again = (await offlineLearner(second, library, runtime, 'robin').learn({ iterations: 4 })).results;
      assert.deepEqual(again.map((r) => r.task), results.map((r) => r.task));
      assert.ok(again.every((r) => r.success && r.reused && r.rounds === 0), JSON.stringify(again));
      assert.equal((await library.list({ env: 'ros2' })).length, 4, 'nothing new written');
    } finally {
      await second.close();
    }
  });

  it('episodes: fresh(id) and seeded tasks each run on a simulated robot of their own, closed with their environment', async () => {
    const kit = await loadKit('robot');
    const session = await kit.open({ seed: '3', settings });
    try {
      const [t] = session.tasks!('ep', 1, 'train');
      const env = await t!.makeEnv();
      try {
        assert.equal(env.kind, 'ros2');
        assert.equal((await env.check(t!.task)).success, false, 'the instruction is not done at its start');
        assert.notEqual(env, session.env);
      } finally {
        await env.close();
      }
      const fresh = await session.fresh('7');
      await fresh.close();
      assert.deepEqual(session.taskFor!('bring me an apple')?.goal, { userHas: 'apple' });
      assert.equal(session.taskFor!('dance'), null);
    } finally {
      await session.close();
    }
  });

  it('a real robot (settings.url) needs a profile; unknown or malformed settings are refused', async () => {
    const kit = await loadKit('robot');
    await assert.rejects(kit.open({ seed: '0', settings: { url: 'ws://127.0.0.1:9' } }), /needs settings\.profile/);
    await assert.rejects(kit.open({ seed: '0', settings: { url: 'http://x' } }), /robot settings/);
    await assert.rejects(kit.open({ seed: '0', settings: { speed: 3 } }), /robot settings/);
  });
});
