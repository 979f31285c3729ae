import assert from 'node:assert/strict';
import { SkillforgeError } from '../../core/errors.js';
import type { SkillCall } from '../../core/types.js';
import { SayCanAgent, PreconditionAffordance, formatTrace, resultJson } from '../../agents/saycan/index.js';
import type { LanguageModel } from '../../agents/llm/model.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { appleOnTable as kitchen } from '../support/kitchen.js';
import { fakeListModel, preferring, scriptedLogprobModel } from '../support/saycan-models.js';

const bringApple = { description: 'bring me an apple', goal: { userHas: 'apple' } };

/** Counts what reaches the world. */
class CountingKitchen extends KitchenEnvironment {
  executed: SkillCall[] = [];
  override async execute(call: SkillCall) {
    this.executed.push(call);
    return super.execute(call);
  }
}

// Prefers picking up the apple before finding it: infeasible at the start (the robot is not at the table).
const eagerModel = () => scriptedLogprobModel(preferring('pick up the apple', 'find the apple', 'bring the apple to you', 'put down the apple', 'done'));

describe('SayCan agent', () => {
  it('acceptance: the model prefers an infeasible skill; SayCan chooses the feasible one, and without affordances it fails', async () => {
    const withCan = new SayCanAgent({ env: new KitchenEnvironment({ state: kitchen() }), model: eagerModel(), maxSteps: 10 });
    const grounded = await withCan.run('bring me an apple', { task: bringApple });
    const first = grounded.steps[0]!;
    assert.equal(first.top[0]!.text, 'find the apple');
    const pick = first.top.find((c) => c.text === 'pick up the apple')!;
    assert.ok(pick.say > first.chosen.say, 'the language model liked picking up more');
    assert.equal(pick.can, 0);
    assert.equal(pick.precondition, false);
    assert.equal(grounded.stopped, 'done');
    assert.deepEqual(grounded.history, ['find the apple', 'pick up the apple', 'bring the apple to you', 'put down the apple']);
    assert.equal(grounded.check?.success, true);

    const env = new CountingKitchen({ state: kitchen() });
    const blind = new SayCanAgent({ env, model: eagerModel(), affordance: null, preconditions: false, maxSteps: 10 });
    const ungrounded = await blind.run('bring me an apple', { task: bringApple });
    assert.equal(ungrounded.steps[0]!.chosen.text, 'pick up the apple');
    assert.equal(ungrounded.steps[0]!.chosen.can, 1);
    assert.equal(ungrounded.steps[0]!.outcome?.success, false);
    assert.match(ungrounded.steps[0]!.outcome!.error!, /not here/);
    assert.equal(ungrounded.stopped, 'max-steps');
    assert.equal(ungrounded.check?.success, false);
    assert.ok(env.executed.every((c) => c.skill === 'pick up'), 'it keeps trying what the model says');

    const trace = formatTrace(grounded);
    assert.match(trace, /say×can/);
    assert.match(trace, /> find the apple/);
    assert.match(trace, /task: SUCCESS/);
    assert.doesNotThrow(() => JSON.stringify(resultJson(grounded)));
  });

  it('prefilter: the model is asked only about feasible candidates, and the plan is the same', async () => {
    const seen: number[] = [];
    const script = preferring('pick up the apple', 'find the apple', 'bring the apple to you', 'put down the apple', 'done');
    const model = scriptedLogprobModel((p, options) => (seen.push(options.length), script(p, options)));
    const env = new KitchenEnvironment({ state: kitchen() });
    const result = await new SayCanAgent({ env, model, prefilter: true }).run('bring me an apple', { task: bringApple });
    assert.deepEqual(result.history, ['find the apple', 'pick up the apple', 'bring the apple to you', 'put down the apple']);
    assert.equal(result.check?.success, true);
    assert.ok(seen.every((n) => n < 60), `asked about ${seen.join(', ')} of 209`);
    assert.equal(result.steps[0]!.asked, seen[0]);
    assert.ok(result.steps[0]!.top.every((c) => c.can > 0));
  });

  it('a non-learned PreconditionAffordance as the Can model grounds the same way', async () => {
    const env = new KitchenEnvironment({ state: kitchen() });
    const agent = new SayCanAgent({ env, model: eagerModel(), affordance: new PreconditionAffordance(env), preconditions: false });
    const result = await agent.run('bring me an apple', { task: bringApple });
    assert.equal(result.steps[0]!.chosen.text, 'find the apple');
    assert.equal(result.steps[0]!.chosen.learned, 1);
    assert.equal(result.check?.success, true);
  });

  it('closed loop: a noisy grasp that slips is retried after observing again', async () => {
    const state = { ...kitchen(), noise: 0.9, rng: 4 };
    const env = new KitchenEnvironment({ state });
    const agent = new SayCanAgent({ env, model: eagerModel(), maxSteps: 40 });
    const result = await agent.run('bring me an apple', { task: bringApple });
    const failures = result.steps.filter((s) => s.outcome && !s.outcome.success);
    assert.ok(failures.length > 0, 'noise 0.9 makes something fail');
    assert.ok(failures.every((s) => s.outcome!.error && !/not here/.test(s.outcome!.error)), 'failures are noise, not infeasible choices');
    assert.equal(result.check?.success, true);
  });

  it('the ranking fallback (FakeListChatModel) feeds Say; Can still vetoes the infeasible favourite', async () => {
    const env = new CountingKitchen({ state: kitchen() });
    const probe = new SayCanAgent({ env, model: fakeListModel([]) });
    const texts = (await probe.candidates('bring me an apple')).map((c) => c.text);
    const n = (t: string) => texts.indexOf(t) + 1;
    const model = fakeListModel([`[${n('pick up the apple')}, ${n('find the apple')}, ${n('go to the table')}]`]);
    const result = await new SayCanAgent({ env, model, maxSteps: 1 }).run('bring me an apple');
    assert.equal(result.steps[0]!.sayMethod, 'ranking');
    assert.equal(result.steps[0]!.chosen.text, 'find the apple');
    assert.deepEqual(env.executed, [{ skill: 'find', args: { object: 'apple' } }]);
  });

  it('malformed model output: retried by the llm layer, then a clear error, and nothing is executed', async () => {
    const env = new CountingKitchen({ state: kitchen() });
    const before = JSON.stringify(env.state);
    const model = fakeListModel(['I think you should find the apple', '{"best": 3}', '[0, -4]']);
    const result = await new SayCanAgent({ env, model }).run('bring me an apple', { task: bringApple });
    assert.equal(result.stopped, 'error');
    assert.ok(result.error instanceof SkillforgeError);
    assert.match(result.error.message, /ranking of option numbers/);
    assert.equal(result.steps.length, 0);
    assert.deepEqual(env.executed, []);
    assert.equal(JSON.stringify(env.state), before);
    assert.match(formatTrace(result), /error: /);
  });

  it('Say scores of the wrong shape or NaN stop the run before anything executes', async () => {
    for (const probabilities of [[0.5, 0.5], null]) {
      const env = new CountingKitchen({ state: kitchen() });
      const broken: LanguageModel = {
        id: 'broken:model',
        chat: async () => '',
        structured: async () => {
          throw new Error('unused');
        },
        scoreOptions: async (_p, options) => ({ logScores: [], probabilities: probabilities ?? options.map(() => Number.NaN), method: 'ranking' }),
        usage: () => ({ calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 }),
      };
      const result = await new SayCanAgent({ env, model: broken }).run('bring me an apple');
      assert.equal(result.stopped, 'error');
      assert.equal(result.error?.code, 'E_SAYCAN_SAY');
      assert.deepEqual(env.executed, []);
    }
  });

  it('a provider outage interrupts the run with the provider error; nothing executed, nothing judged', async () => {
    const env = new CountingKitchen({ state: kitchen() });
    const model = scriptedLogprobModel(() => {
      throw Object.assign(new Error('connection refused'), { status: 503 });
    });
    const result = await new SayCanAgent({ env, model }).run('bring me an apple', { task: bringApple });
    assert.equal(result.stopped, 'interrupted');
    assert.equal(result.check, undefined);
    assert.match(result.interrupted!, /language model is unavailable/);
    assert.match(result.error!.message, /connection refused/);
    assert.deepEqual(env.executed, []);
  });

  it('records every executed attempt into episodic memory', async () => {
    const memory = EpisodicMemory.open({ file: ':memory:' });
    const env = new KitchenEnvironment({ state: kitchen() });
    const result = await new SayCanAgent({ env, model: eagerModel(), memory }).run('bring me an apple', { task: bringApple });
    const attempts = memory.query({ episode: result.episode });
    assert.equal(attempts.length, result.steps.filter((s) => s.outcome).length);
    assert.deepEqual(
      attempts.map((a) => a.call.skill),
      ['find', 'pick up', 'bring to user', 'put down'],
    );
    assert.ok(attempts.every((a) => a.success && a.env === 'kitchen' && a.agent === 'saycan' && a.task === 'bring me an apple'));
    assert.equal(attempts[0]!.features.length, (await env.observe()).featureNames.length);
  });

  it('the prompt is the SayCan template file with the plan so far', async () => {
    const env = new KitchenEnvironment({ state: kitchen() });
    const agent = new SayCanAgent({ env, model: eagerModel() });
    const prompt = agent.prompt('bring me an apple', ['find the apple'], await env.observe());
    assert.match(prompt, /Human: bring me an apple\nRobot: 1\. find the apple, 2\. $/);
    assert.match(prompt, /On the table: apple\./);
  });
});
