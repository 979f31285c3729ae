import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { VoyagerLearner, type LearnerEvent } from '../../agents/voyager/learner.js';
import { TaskListCurriculum } from '../../agents/voyager/curriculum.js';
import { LlmSkillWriter, type SkillWriter } from '../../agents/voyager/skill-writer.js';
import { Critic } from '../../agents/voyager/critic.js';
import { loadState } from '../../agents/voyager/state.js';
import { scriptedChatModel, lastUser } from '../support/scripted-chat.js';
import { HOSTILE_SKILLS } from '../fixtures/hostile-skills.js';

const BRING_APPLE = { description: 'Bring the apple to the user', goal: { userHas: 'apple' } };

// Working kitchen skill code: find, open the drawer if the apple is shut inside, pick up, bring, put down.
const GOOD = `async function bringAppleToUser(kitchen) {
  const must = async (p, what) => { const o = await p; if (!o.success) throw new Error(what + ': ' + o.error); };
  await must(kitchen.find('apple'), 'find');
  let picked = await kitchen.pickUp('apple');
  if (!picked.success && /closed/.test(picked.error)) {
    const state = await kitchen.observe();
    await must(kitchen.openDrawer(state.robot.at), 'open');
    picked = await kitchen.pickUp('apple');
  }
  if (!picked.success) throw new Error('pick up: ' + picked.error);
  await must(kitchen.bringToUser('apple'), 'bring');
  await must(kitchen.putDown('apple'), 'put down');
}`;
// Round-1 code: picks up before finding, and throws the kitchen's error.
const THROWS = `async function bringAppleToUser(kitchen) {
  const o = await kitchen.pickUp('apple');
  if (!o.success) throw new Error('could not pick up the apple: ' + o.error);
}`;
// Claims success without doing anything.
const LIAR = `async function bringAppleToUser(kitchen) { console.log('Task complete: the user has the apple'); return 'success' }`;

const answer = (code: string) => JSON.stringify({ explanation: 'bring the apple', plan: 'find, pick up, bring, put down', code });

describe('agents/voyager: the learner loop (kitchen, scripted model)', function () {
  this.timeout(30000);
  let dir: string;
  let library: SkillLibrary;
  const runtime = new SkillRuntime({ memoryMb: 64 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-voyager-'));
    library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
  });
  afterEach(async () => {
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(() => runtime.close());

  function learner(env: KitchenEnvironment, writer: SkillWriter, events: LearnerEvent[] = [], maxRounds = 3) {
    return new VoyagerLearner({
      env, library, runtime, writer, agent: 'tester', maxRounds,
      curriculum: new TaskListCurriculum([BRING_APPLE]),
      critic: new Critic(env),
      statePath: join(dir, 'state.json'),
      skillTimeoutMs: 5000,
      onEvent: (e) => events.push(e),
    });
  }

  it('fixes a first attempt that throws in round 2, from the error, and stores the skill as verified', async () => {
    const model = scriptedChatModel((messages, n) => (n === 0 ? answer(THROWS) : answer(GOOD)));
    const env = new KitchenEnvironment({ seed: 1 });
    const events: LearnerEvent[] = [];
    const summary = await learner(env, new LlmSkillWriter(model, { envGuide: 'a kitchen' }), events).learn({ iterations: 1 });
    assert.equal(summary.results[0]!.success, true);
    assert.equal(summary.results[0]!.rounds, 2);
    assert.match(lastUser(model.transcript[1]!), /could not pick up the apple/, 'round 2 saw the execution error');
    const skill = await library.get('bringAppleToUser');
    assert.ok(skill, 'the skill is stored');
    assert.equal(skill.status, 'verified');
    assert.equal(skill.provenance.agent, 'tester');
    assert.equal(skill.stats.successes, 1);
    assert.ok(events.some((e) => e.type === 'stored'));
    assert.deepEqual(loadState(join(dir, 'state.json'), 'x').completed, [BRING_APPLE.description], 'state persisted for resume');
  });

  it('does not store a skill that claims success but fails the programmatic check', async () => {
    const model = scriptedChatModel(() => answer(LIAR));
    const env = new KitchenEnvironment({ seed: 1 });
    const summary = await learner(env, new LlmSkillWriter(model, { envGuide: 'a kitchen' })).learn({ iterations: 1 });
    assert.equal(summary.results[0]!.success, false);
    assert.equal(await library.count(), 0);
    assert.deepEqual(summary.state.failed, [BRING_APPLE.description]);
  });

  it('a new agent in another start state solves the task by reuse, writing nothing', async () => {
    const model = scriptedChatModel(() => answer(GOOD));
    await learner(new KitchenEnvironment({ seed: 1 }), new LlmSkillWriter(model, { envGuide: '' })).learn({ iterations: 1 });
    rmSync(join(dir, 'state.json'));
    const noWriting: SkillWriter = { id: 'forbidden', write: async () => { throw new Error('wrote a new skill') } };
    const events: LearnerEvent[] = [];
    const summary = await learner(new KitchenEnvironment({ seed: 3 }), noWriting, events).learn({ iterations: 1 });
    assert.equal(summary.results[0]!.success, true, summary.results[0]!.error);
    assert.equal(summary.results[0]!.reused, true);
    assert.ok(events.some((e) => e.type === 'reuse' && e.skill === 'bringAppleToUser'));
    assert.equal((await library.versions('bringAppleToUser')).length, 1);
  });

  it('runs a candidate skill learned for the task, and verifies it only once its check passes', async () => {
    // As if imported from an unsigned bundle: status candidate.
    await library.add({ name: 'bringAppleToUser', description: 'bring the apple', code: GOOD, env: 'kitchen', status: 'candidate',
      provenance: { agent: 'stranger', source: 'task:' + BRING_APPLE.description } });
    const noWriting: SkillWriter = { id: 'forbidden', write: async () => { throw new Error('wrote a new skill') } };
    const events: LearnerEvent[] = [];
    const summary = await learner(new KitchenEnvironment({ seed: 1 }), noWriting, events).learn({ iterations: 1 });
    assert.equal(summary.results[0]!.reused, true);
    assert.ok(events.some((e) => e.type === 'verified'));
    assert.equal((await library.get('bringAppleToUser'))!.status, 'verified');
  });

  it('with an agent trust view, a skill verified by an untrusted agent is verified for this agent only after its own run', async () => {
    await library.add({ name: 'bringAppleToUser', description: 'bring the apple', code: GOOD, env: 'kitchen', status: 'verified',
      provenance: { agent: 'carol', source: 'task:' + BRING_APPLE.description } });
    const { AgentTrust } = await import('../../skills/trust.js');
    const trust = new AgentTrust(join(dir, 'trust.json'), { self: 'tester', trustedAgents: [] });
    const skill = (await library.get('bringAppleToUser'))!;
    assert.equal(trust.status(skill), 'candidate', "carol's claim is not ours");
    const env = new KitchenEnvironment({ seed: 1 });
    const noWriting: SkillWriter = { id: 'forbidden', write: async () => { throw new Error('wrote a new skill') } };
    const l = new VoyagerLearner({ env, library, runtime, writer: noWriting, agent: 'tester', trust,
      curriculum: new TaskListCurriculum([BRING_APPLE]), critic: new Critic(env), skillTimeoutMs: 5000 });
    const summary = await l.learn({ iterations: 1 });
    assert.equal(summary.results[0]!.success, true);
    assert.equal(trust.status(skill), 'verified', 'verified locally by running and checking it');
  });

  it('resumes: a restarted learner skips completed tasks', async () => {
    const model = scriptedChatModel(() => answer(GOOD));
    await learner(new KitchenEnvironment({ seed: 1 }), new LlmSkillWriter(model, { envGuide: '' })).learn({ iterations: 1 });
    const again = await learner(new KitchenEnvironment({ seed: 1 }), new LlmSkillWriter(model, { envGuide: '' })).learn({ iterations: 1 });
    assert.equal(again.iterations, 0, 'nothing left to do');
    assert.equal(again.state.iterations, 1);
  });

  it('refuses a damaged state file with a hint instead of starting over silently', () => {
    writeFileSync(join(dir, 'state.json'), '{"version": 1, "agent": ');
    assert.throws(() => learner(new KitchenEnvironment(), { id: 'x', write: async () => { throw new Error() } }), /state .* is not valid JSON[\s\S]*/);
    assert.ok(existsSync(join(dir, 'state.json')), 'nothing is lost');
  });

  it('contains the whole hostile corpus and keeps running, storing nothing', async function () {
    this.timeout(120000);
    const hostile = HOSTILE_SKILLS.map((h) => h.code.replace('async function attack(bot)', 'async function bringAppleToUser(kitchen, bot)'));
    let i = 0;
    const model = scriptedChatModel(() => answer(hostile[i++ % hostile.length]!));
    const fast = new SkillRuntime({ memoryMb: 48, callbackTimeoutMs: 300 });
    try {
      const env = new KitchenEnvironment({ seed: 1 });
      const l = new VoyagerLearner({
        env, library, runtime: fast, writer: new LlmSkillWriter(model, { envGuide: '' }), agent: 'tester', maxRounds: hostile.length,
        curriculum: new TaskListCurriculum([BRING_APPLE]), critic: new Critic(env), skillTimeoutMs: 600,
      });
      const summary = await l.learn({ iterations: 1 });
      assert.equal(i, hostile.length, 'every attack ran');
      assert.equal(summary.results[0]!.success, false);
      assert.equal(await library.count(), 0);
      assert.equal(typeof process.exit, 'function');
      // The agent keeps going: the same learner and runtime solve the task with good code afterwards.
      const ok = await fast.run({ code: GOOD, main: 'return await bringAppleToUser(kitchen)', endowments: env.sandboxEndowments() });
      assert.equal(ok.ok, true, ok.error);
    } finally {
      await fast.close();
    }
  });
});
