import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileComposite, type CompositeSpec } from '../../agents/evolve/index.js';
import { SayCanAgent } from '../../agents/saycan/index.js';
import { sandboxSkillRunner } from '../../agents/act/index.js';
import { initialState, KitchenEnvironment, SAYCAN_KITCHEN } from '../../envs/kitchen/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { preferring, scriptedLogprobModel } from '../support/saycan-models.js';

describe('evolve: composites as SayCan candidates', function () {
  this.timeout(30_000);
  let runtime: SkillRuntime;
  let dir: string;
  let library: SkillLibrary;
  before(async () => {
    runtime = new SkillRuntime();
    dir = mkdtempSync(join(tmpdir(), 'sf-evolve-saycan-'));
    library = await SkillLibrary.open(dir);
  });
  after(async () => {
    await runtime.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a stored composite is offered with its phrase, scored by Say, and one decision does four steps', async () => {
    const env0 = new KitchenEnvironment();
    const spec: CompositeSpec = {
      name: 'findPickUpGoToPutDownAtUser',
      description: 'Find an object, pick it up, go to the user and put it down: hands it over.',
      env: 'kitchen',
      params: [{ name: 'object', schema: { type: 'string', enum: SAYCAN_KITCHEN.objects.map((o) => o.id) } }],
      steps: [
        { skill: 'find', args: { object: { param: 'object' } } },
        { skill: 'pick up', args: { object: { param: 'object' } } },
        { skill: 'go to', args: { location: { value: 'user' } } },
        { skill: 'put down', args: { object: { param: 'object' } } },
      ],
      source: 'evolve:statistical',
    };
    await library.add(compileComposite(spec, env0.primitives(), { status: 'verified' }));
    const s = initialState(5);
    const state = { ...s, objects: { ...s.objects, orange: 'far counter' } };
    const phrase = 'find the orange, pick up the orange, go to the user and put down the orange';
    const task = { description: 'bring me an orange', goal: { userHas: 'orange' } };

    const env = new KitchenEnvironment({ state });
    const agent = new SayCanAgent({ env, model: scriptedLogprobModel(preferring(phrase, 'done')), library, runSkill: sandboxSkillRunner(runtime, library) });
    const candidates = await agent.candidates(task.description);
    assert.ok(candidates.some((c) => c.source === 'library' && c.text === phrase), 'the composite grounds into the phrase SayCan scores');
    const withSkill = await agent.run(task.description, { task });
    assert.equal(withSkill.check?.success, true);
    assert.equal(withSkill.steps.length, 2, 'the composite and done');
    assert.equal(withSkill.steps[0]!.chosen.source, 'library');

    const plain = new SayCanAgent({
      env: new KitchenEnvironment({ state }),
      model: scriptedLogprobModel(preferring('find the orange', 'pick up the orange', 'go to the user', 'put down the orange', 'done')),
    });
    const without = await plain.run(task.description, { task });
    assert.equal(without.check?.success, true);
    assert.equal(without.steps.length, 5, 'four primitives and done');
  });
});
