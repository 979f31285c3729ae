import assert from 'node:assert/strict';
import { formatSuite, runSuite, SayCanAgent } from '../../agents/saycan/index.js';
import { INSTRUCTION_FAMILIES, KitchenEnvironment, describe as describeAction, kitchenSuite, planKitchen, type KitchenInstruction } from '../../envs/kitchen/index.js';
import { scriptedLogprobModel } from '../support/saycan-models.js';

/**
 * A scripted model that "knows" the next step: it asks the exact planner for the current
 * environment and gives that phrase log-score 0, everything else -8. Optionally it also loves one
 * distracting phrase more than the right one, which only Can can veto.
 */
function oracle(current: () => { env: KitchenEnvironment; ins: KitchenInstruction }, distraction?: string) {
  return scriptedLogprobModel((_prompt, options) => {
    const { env, ins } = current();
    const plan = planKitchen(env.state, ins.goal as never);
    const next = plan && plan.length ? describeAction(plan[0]!) : 'done';
    return options.map((o) => (o === distraction ? 1 : o === next ? 0 : -8));
  });
}

describe('SayCan on the kitchen instruction suite', () => {
  it('solves every family with a scripted model, and reports success per family', async () => {
    let current!: { env: KitchenEnvironment; ins: KitchenInstruction };
    const suite = kitchenSuite({ perFamily: 2 });
    const report = await runSuite(
      suite,
      (ins) => {
        current = { env: new KitchenEnvironment({ state: ins.initial }), ins };
        return current.env;
      },
      { model: oracle(() => current), maxSteps: 15 },
    );
    assert.equal(report.entries.length, 2 * INSTRUCTION_FAMILIES.length);
    assert.deepEqual(report.families.map((f) => f.family), [...INSTRUCTION_FAMILIES]);
    const failed = report.entries.filter((e) => !e.success);
    assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
    assert.equal(report.total.rate, 1);
    assert.match(formatSuite(report), /long-horizon\s+2\/2\s+100%/);
  });

  it('a model distracted by an infeasible favourite still succeeds with Can, and fails without it', async () => {
    const ins = kitchenSuite({ perFamily: 1 }).find((i) => i.family === 'long-horizon')!;
    // Never feasible in this episode: the robot never holds an object the goal does not mention.
    const other = ['coke', 'energy bar'].find((o) => !JSON.stringify(ins.goal).includes(o))!;
    const distraction = `bring the ${other} to you`;
    const run = async (grounded: boolean) => {
      const env = new KitchenEnvironment({ state: ins.initial });
      const model = oracle(() => ({ env, ins }), distraction);
      const agent = new SayCanAgent({ env, model, maxSteps: 15, ...(grounded ? {} : { affordance: null, preconditions: false }) });
      return agent.run(ins.text, { task: { description: ins.text, goal: ins.goal as never } });
    };
    const withCan = await run(true);
    const without = await run(false);
    assert.equal(withCan.check?.success, true, withCan.check?.reason);
    assert.equal(without.check?.success, false);
    assert.equal(without.steps[0]!.chosen.text, distraction);
    assert.ok(withCan.steps.every((s) => s.top.some((c) => c.text === distraction && c.can === 0)), 'the favourite is shown, vetoed');
  });
});
