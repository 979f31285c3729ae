/**
 * ACCEPTANCE (evolution): in the kitchen simulator, composites abstracted from repeated
 * sequences shorten later episodes: fewer decisions per solved instruction on the same held-out,
 * seeded instruction set, measured before and after evolution.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followLearnedSkills, MessageBus } from '../../agents/bus.js';
import { EvolvingAgent, SkillEvolver, type EvolveEvent } from '../../agents/evolve/index.js';
import { sandboxSkillRunner } from '../../agents/act/index.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { kitchenTaskPlanner, kitchenTasks } from '../../envs/kitchen/task-planner.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';

describe('evolve: acceptance in the kitchen simulator', function () {
  this.timeout(90_000);
  let runtime: SkillRuntime;
  let dir: string;
  let library: SkillLibrary;
  let memory: EpisodicMemory;
  before(async () => {
    runtime = new SkillRuntime();
    dir = mkdtempSync(join(tmpdir(), 'sf-evolve-acc-'));
    library = await SkillLibrary.open(dir);
    memory = EpisodicMemory.open({ file: join(dir, 'episodic.db') });
  });
  after(async () => {
    memory.close();
    await runtime.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abstracted composites cut decisions per solved held-out instruction; another agent uses them via the bus', async () => {
    const primitives = new KitchenEnvironment().primitives();
    const bus = new MessageBus();
    const heard: string[] = [];
    followLearnedSkills(bus, library, { agent: 'bob', env: 'kitchen', onSkill: (s) => void heard.push(`${s.name}@${s.version}`) });
    const events: EvolveEvent[] = [];
    const evolver = new SkillEvolver({
      env: 'kitchen',
      primitives,
      library,
      memory,
      runSkill: sandboxSkillRunner(runtime, library),
      planner: kitchenTaskPlanner(),
      trialEnv: (i) => new KitchenEnvironment({ seed: `acceptance-trial:${i}` }),
      seed: 7,
      agent: 'alice',
      bus,
      onEvent: (e) => events.push(e),
    });
    const heldOut = kitchenTasks('acceptance-held-out', 12);
    const before = await evolver.evaluate(heldOut);
    assert.ok(before.solved >= 11, `baseline solves ${before.solved}/12`);
    assert.ok(before.results.every((r) => r.steps.every((s) => s.source === 'primitive')), 'no skills yet');

    const counters = await evolver.evolve(kitchenTasks('acceptance-train', 40));
    assert.ok(counters.abstracted >= 2, `abstracted ${counters.abstracted}`);
    assert.ok(memory.count({ env: 'kitchen', agent: 'alice' }) >= counters.decisions - counters.episodes, 'trajectories are in episodic memory');
    const after = await evolver.evaluate(heldOut);
    const ratio = after.decisionsPerSolved / before.decisionsPerSolved;
    console.log(`      decisions per solved instruction: before ${before.decisionsPerSolved.toFixed(2)} (${before.solved}/12), after ${after.decisionsPerSolved.toFixed(2)} (${after.solved}/12), ratio ${ratio.toFixed(2)}; abstracted ${counters.abstracted}, rejected ${counters.rejected}, refined ${counters.refined}, pruned ${counters.pruned}`);
    assert.ok(after.solved >= before.solved, `solved ${after.solved} < ${before.solved}`);
    assert.ok(ratio < 0.8, `decisions per solved instruction fell only to ${ratio.toFixed(2)} of the baseline`);
    // The work is the same (same primitive steps), it is just decided in bigger pieces.
    assert.ok(after.primitiveSteps >= after.decisions);
    assert.ok(after.results.some((r) => r.steps.some((s) => s.source === 'library' && s.success)), 'composites were chosen and worked');

    // Bob heard every skill alice stored and pulled it from the shared library...
    await bus.drain();
    const stored = events.filter((e) => e.type === 'abstracted').map((e) => `${(e as { skill: string }).skill}@${(e as { version: number }).version}`);
    for (const s of stored) assert.ok(heard.includes(s), `bob did not get ${s}`);
    // ...and solves a held-out instruction with one of them, without writing anything.
    const countBefore = await library.count({ allVersions: true });
    const task = heldOut.find((t) => /bring me/.test(t.task.description))!;
    const env = task.makeEnv();
    const bob = new EvolvingAgent({ env, planner: kitchenTaskPlanner(), library, runSkill: sandboxSkillRunner(runtime, library), agent: 'bob', record: false });
    const r = await bob.run(task.task);
    assert.equal(r.solved, true, r.reason);
    assert.ok(r.steps.some((s) => s.source === 'library' && s.success && heard.some((h) => h.startsWith(`${s.call.skill}@`))), 'bob used a skill alice learned');
    assert.equal(await library.count({ allVersions: true }), countBefore, 'bob wrote no skill');
  });
});
