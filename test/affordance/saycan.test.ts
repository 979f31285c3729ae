import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SayCanAgent } from '../../agents/saycan/index.js';
import { exploreRandomly } from '../../agents/affordance/explore.js';
import { trainAffordance } from '../../agents/affordance/train.js';
import { OnnxAffordanceModel, exportAffordanceModel } from '../../agents/affordance/onnx-model.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { appleOnTable as kitchen } from '../support/kitchen.js';
import { preferring, scriptedLogprobModel } from '../support/saycan-models.js';

describe('SayCan with a learned ONNX affordance model only (no symbolic preconditions)', function () {
  this.timeout(60_000);
  let dir: string;
  let model: OnnxAffordanceModel;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-aff-saycan-'));
    const memory = EpisodicMemory.open({ dir });
    await exploreRandomly({ attempts: 2500, memory, seed: 9, makeEnv: (e) => new KitchenEnvironment({ seed: `saycan-aff:${e}`, noise: 0.05 }) });
    const result = await trainAffordance(memory.trainingSet({ env: 'kitchen' }), { kind: 'mlp', hidden: [16], epochs: 30, seed: 9 });
    memory.close();
    model = await OnnxAffordanceModel.load(exportAffordanceModel(result, join(dir, 'kitchen')).onnxPath);
  });
  after(async () => {
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the model prefers an infeasible skill; the learned Can steers SayCan to the feasible plan', async () => {
    const say = scriptedLogprobModel(preferring('pick up the apple', 'find the apple', 'bring the apple to you', 'put down the apple', 'done'));
    const env = new KitchenEnvironment({ state: kitchen() });
    const agent = new SayCanAgent({ env, model: say, affordance: model, preconditions: false, maxSteps: 10 });
    const run = await agent.run('bring me an apple', { task: { description: 'bring me an apple', goal: { userHas: 'apple' } } });
    const first = run.steps[0]!;
    const pick = first.top.find((c) => c.text === 'pick up the apple');
    assert.equal(first.chosen.text, 'find the apple');
    if (pick) assert.ok(pick.learned! < 0.2, `learned Can of the infeasible pick ${pick.learned}`);
    assert.ok(first.chosen.learned! > 0.5, `learned Can of find ${first.chosen.learned}`);
    assert.deepEqual(run.history.slice(0, 4), ['find the apple', 'pick up the apple', 'bring the apple to you', 'put down the apple']);
    assert.equal(run.check?.success, true);
  });
});
