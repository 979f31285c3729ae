import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SayCanAgent } from '../../agents/saycan/index.js';
import { groundArguments, groundPrimitives, renderCall, sandboxSkillRunner } from '../../agents/act/index.js';
import { KitchenEnvironment, initialState } from '../../envs/kitchen/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { preferring, scriptedLogprobModel } from '../support/saycan-models.js';

const FETCH = `async function fetchForUser(kitchen, object) {
  const must = async (p, what) => { const o = await p; if (!o.success) throw new Error(what + ': ' + o.error); };
  await must(kitchen.find(object), 'find');
  await must(kitchen.pickUp(object), 'pick up');
  await must(kitchen.bringToUser(object), 'bring');
  await must(kitchen.putDown(object), 'put down');
}`;

describe('SayCan with skills from the library', function () {
  this.timeout(30_000);
  let dir: string;
  let library: SkillLibrary;
  let runtime: SkillRuntime;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-saycan-lib-'));
    library = await SkillLibrary.open(dir);
    await library.add({
      name: 'fetchForUser',
      description: 'Fetch an object and hand it to the user.',
      code: FETCH,
      env: 'kitchen',
      status: 'verified',
      params: {
        type: 'object',
        'x-say': 'fetch the {object} for you',
        required: ['object'],
        properties: { object: { type: 'string', enum: ['apple', 'orange', 'coke'] } },
      },
    });
    runtime = new SkillRuntime();
  });
  after(async () => {
    await runtime.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grounds enum parameters and renders x-say / x-phrases templates', () => {
    const params = { type: 'object', 'x-say': 'put the {object} {where}', required: ['object', 'where'], properties: { object: { enum: ['a', 'b'] }, where: { enum: ['t'], 'x-phrases': { t: 'on the table' } } } };
    assert.deepEqual(groundArguments(params), [
      { object: 'a', where: 't' },
      { object: 'b', where: 't' },
    ]);
    assert.equal(renderCall('put', params, { object: 'a', where: 't' }), 'put the a on the table');
    assert.equal(groundArguments({ type: 'object', required: ['n'], properties: { n: { type: 'number' } } }), null, 'an unbounded argument cannot be enumerated');
  });

  it('the kitchen grounds into every well-typed call, phrased exactly as the world describes it', () => {
    const env = new KitchenEnvironment({ seed: 1 });
    const candidates = groundPrimitives(env.primitives());
    // 16 objects, 10 locations, 8 surfaces, 3 drawers: find/pick/put down/bring 4×16, go to 10, place 16×8, open/close 2×3, done.
    assert.equal(candidates.length, 4 * 16 + 10 + 16 * 8 + 6 + 1);
    for (const c of candidates) assert.equal(c.text, env.describe(c.call));
    assert.ok(candidates.some((c) => c.text === 'put the coke in the trash can'));
    assert.ok(candidates.some((c) => c.text === 'put the apple on the table'));
  });

  it('retrieves a library skill, grounds it, picks it by Say × Can, and runs it in the sandbox', async () => {
    const s = initialState(2);
    const env = new KitchenEnvironment({ state: { ...s, objects: { ...s.objects, apple: 'table' } } });
    const model = scriptedLogprobModel(preferring('fetch the apple for you', 'done'));
    const agent = new SayCanAgent({ env, model, library, runSkill: sandboxSkillRunner(runtime, library) });
    const candidates = await agent.candidates('bring me an apple');
    assert.deepEqual(
      candidates.filter((c) => c.source === 'library').map((c) => c.text),
      ['fetch the apple for you', 'fetch the orange for you', 'fetch the coke for you'],
    );
    const result = await agent.run('bring me an apple', { task: { description: 'bring me an apple', goal: { userHas: 'apple' } } });
    assert.equal(result.steps[0]!.chosen.source, 'library');
    assert.equal(result.steps[0]!.chosen.precondition, null, 'the kitchen cannot judge a library skill: unknown');
    assert.equal(result.steps[0]!.outcome?.success, true, result.steps[0]!.outcome?.error);
    assert.equal(result.stopped, 'done');
    assert.equal(result.check?.success, true);
  });

  it('a library skill that fails in the sandbox is a failed step, not a crash', async () => {
    const s = initialState(2);
    const env = new KitchenEnvironment({ state: { ...s, objects: { ...s.objects, coke: 'user' } } });
    const model = scriptedLogprobModel(preferring('fetch the coke for you', 'done'));
    const agent = new SayCanAgent({ env, model, library, runSkill: sandboxSkillRunner(runtime, library), maxSteps: 2 });
    const result = await agent.run('bring me a coke');
    assert.equal(result.steps[0]!.outcome?.success, false);
    assert.match(result.steps[0]!.outcome!.error!, /find: the user already has the coke/);
  });
});
