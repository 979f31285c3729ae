import assert from 'node:assert/strict';
import {
  INSTRUCTION_FAMILIES,
  KitchenEnvironment,
  generateInstruction,
  kitchenSuite,
  planKitchen,
} from '../../envs/kitchen/index.js';
import { SkillforgeError } from '../../core/errors.js';

describe('kitchen environment wrapper', () => {
  it('observes JSON, text and named features; executes with validation', async () => {
    const env = new KitchenEnvironment({ seed: 3 });
    const obs = await env.observe();
    assert.equal(obs.json['kind'], 'kitchen');
    assert.match(obs.text, /The robot is at the initial location, holding nothing/);
    assert.equal(obs.features.length, obs.featureNames.length);
    const bad = await env.execute({ skill: 'pick up', args: { object: 42 } });
    assert.equal(bad.success, false);
    assert.match(bad.error!, /invalid arguments for 'pick up'/);
    const unknown = await env.execute({ skill: 'teleport', args: {} });
    assert.match(unknown.error!, /unknown kitchen skill/);
    const extra = await env.execute({ skill: 'find', args: { object: 'apple', speed: 'fast' } });
    assert.match(extra.error!, /unknown property 'speed'/);
  });

  it('preconditions() agrees exactly with what execute() does', async () => {
    const env = new KitchenEnvironment({ seed: 5 });
    const calls = env.primitives().flatMap((p) => {
      const props = (p.params['properties'] ?? {}) as Record<string, { enum?: string[] }>;
      const keys = Object.keys(props);
      if (keys.length === 0) return [{ skill: p.name, args: {} }];
      let combos: Record<string, string>[] = [{}];
      for (const k of keys) combos = combos.flatMap((c) => props[k]!.enum!.map((v) => ({ ...c, [k]: v })));
      return combos.map((args) => ({ skill: p.name, args }));
    });
    const obs = await env.observe();
    const pre = env.preconditions(obs, calls);
    let feasible = 0;
    for (let i = 0; i < calls.length; i++) {
      if (calls[i]!.skill === 'done') continue;
      const fresh = new KitchenEnvironment({ state: env.state });
      const out = await fresh.execute(calls[i]!);
      assert.equal(out.success, pre[i], `${calls[i]!.skill} ${JSON.stringify(calls[i]!.args)}`);
      if (pre[i]) feasible++;
    }
    assert.ok(feasible > 5 && feasible < calls.length / 2);
  });

  it('check() validates the goal and judges it', async () => {
    const ins = generateInstruction(11, { family: 'nouns' });
    const env = new KitchenEnvironment({ state: ins.initial });
    assert.equal((await env.check({ description: ins.text, goal: ins.goal as never })).success, false);
    for (const a of planKitchen(env.state, ins.goal)!) assert.ok((await env.execute(a as never)).success);
    assert.equal((await env.check({ description: ins.text, goal: ins.goal as never })).success, true);
    assert.equal((await env.check({ description: 'be nice' })).success, null);
    await assert.rejects(env.check({ description: 'x', goal: { userHas: 3 } }), (e: unknown) => e instanceof SkillforgeError && /kitchen goal/.test(e.message));
  });

  it('the instruction generator is seeded and covers every family; the suite is fixed and solvable', () => {
    assert.deepEqual(generateInstruction('a'), generateInstruction('a'));
    const suite = kitchenSuite();
    assert.equal(suite.length, 5 * INSTRUCTION_FAMILIES.length);
    assert.deepEqual(new Set(suite.map((s) => s.family)), new Set(INSTRUCTION_FAMILIES));
    assert.deepEqual(suite.map((s) => s.text), kitchenSuite().map((s) => s.text));
    for (const ins of suite) {
      assert.ok(ins.optimalSteps >= 1);
      assert.equal(planKitchen(ins.initial, ins.goal)!.length, ins.optimalSteps);
    }
    assert.ok(suite.some((s) => /spilled/.test(s.text)));
  });
});

describe('kitchen goals from free text', () => {
  it('understands the common phrasings of every family, including state-dependent ones', async () => {
    const { goalForText } = await import('../../envs/kitchen/index.js');
    assert.deepEqual(goalForText('Bring me an apple.'), { userHas: 'apple' });
    assert.deepEqual(goalForText('put the coke in the top drawer'), { objectAt: { object: 'coke', location: 'top drawer' } });
    assert.deepEqual(goalForText('I spilled my drink, can you help?'), { userHas: 'sponge' });
    assert.equal((goalForText('throw away the chips') as { any: unknown[] }).any.length, 3);
    assert.equal(goalForText('sing a song'), null);
    for (const ins of kitchenSuite()) assert.deepEqual(goalForText(ins.text, ins.initial), ins.goal, ins.text);
  });
});
