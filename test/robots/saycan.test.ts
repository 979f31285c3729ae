/**
 * End to end: the SayCan agent drives the simulated robot through rosbridge (safe client, ROS 2
 * environment, kitchen world inside the simulator) on the kitchen instruction suite, with a
 * scripted language model. The model is an oracle that reads the simulator's ground truth (test
 * tooling only); everything the agent sees and does goes over the wire.
 */
import assert from 'node:assert/strict';
import { SayCanAgent } from '../../agents/saycan/index.js';
import { checkGoal, describe as describeAction, INSTRUCTION_FAMILIES, kitchenSuite, planKitchen, type KitchenGoal, type KitchenState } from '../../envs/kitchen/index.js';
import type { Task } from '../../envs/environment.js';
import { Ros2Environment, type TaskChecker } from '../../robots/environment.js';
import { SafeRobot } from '../../robots/safety.js';
import type { KitchenSimWorld } from '../../robots/sim/kitchen.js';
import type { SimRobot } from '../../robots/sim/server.js';
import { scriptedLogprobModel } from '../support/saycan-models.js';
import { simProfile, startSim } from './helpers.js';

const kitchenChecker: TaskChecker = (task: Task, state: Record<string, unknown>) => checkGoal(state.world as KitchenState, task.goal as KitchenGoal);

describe('SayCan on the simulated robot through rosbridge', function () {
  let sim: SimRobot;
  let robot: SafeRobot;
  before(async () => {
    const profile = await simProfile();
    sim = await startSim({ profile, navSpeed: 25, manipulationMs: 30, gripperMs: 20, tickMs: 20, detectionsEvery: 2 });
    robot = await SafeRobot.connect({ url: sim.url, profile, log: process.env.SF_DEBUG ? (l) => console.log(l) : undefined });
  });
  after(async () => {
    await robot.close();
    await sim.close();
  });

  it('solves two instructions of every family', async () => {
    const world = sim.world as KitchenSimWorld;
    let goal: KitchenGoal | undefined;
    // Oracle Say: the exact planner's next step on the simulator's true state gets log-score 0.
    const model = scriptedLogprobModel((_prompt, options) => {
      const plan = planKitchen(world.state, goal!);
      const next = plan && plan.length ? describeAction(plan[0]!) : 'done';
      return options.map((o) => (o === next ? 0 : -8));
    });
    const results: { family: string; text: string; success: boolean; steps: number; reason: string }[] = [];
    for (const ins of kitchenSuite({ perFamily: 2 })) {
      world.state = structuredClone(ins.initial);
      sim.teleport(ins.initial.robot.at);
      goal = ins.goal;
      const env = await Ros2Environment.create(robot, { checker: kitchenChecker, settleMs: 500 });
      try {
        const agent = new SayCanAgent({ env, model, maxSteps: 20 });
        const r = await agent.run(ins.text, { task: { description: ins.text, goal: ins.goal as unknown as Record<string, unknown> } });
        results.push({ family: ins.family, text: ins.text, success: r.check?.success === true, steps: r.steps.length, reason: r.error?.message ?? r.check?.reason ?? '' });
      } finally {
        await env.close();
      }
    }
    assert.deepEqual([...new Set(results.map((r) => r.family))], [...INSTRUCTION_FAMILIES]);
    const failed = results.filter((r) => !r.success);
    assert.deepEqual(failed, [], JSON.stringify(failed, null, 1));
    assert.ok(results.every((r) => r.steps >= 2));
  });

  it('a connection dropped mid-navigation: the agent sees the failed step, the goal is cancelled, and it resumes to success', async () => {
    const world = sim.world as KitchenSimWorld;
    const ins = kitchenSuite({ perFamily: 1 }).find((i) => i.family === 'nouns')!;
    world.state = structuredClone(ins.initial);
    sim.teleport(ins.initial.robot.at);
    sim.clearLogs();
    const goal = ins.goal;
    const model = scriptedLogprobModel((_prompt, options) => {
      const plan = planKitchen(world.state, goal);
      const next = plan && plan.length ? describeAction(plan[0]!) : 'done';
      return options.map((o) => (o === next ? 0 : -8));
    });
    let dropped = false;
    const env = await Ros2Environment.create(robot, {
      checker: kitchenChecker,
      settleMs: 500,
      onEvent: (e) => {
        if (!dropped && e.type === 'progress') {
          dropped = true;
          sim.dropClients();
        }
      },
    });
    try {
      const r = await new SayCanAgent({ env, model, maxSteps: 20 }).run(ins.text, { task: { description: ins.text, goal: ins.goal as unknown as Record<string, unknown> } });
      assert.ok(dropped, 'the fault was injected');
      const failed = r.steps.filter((s) => s.outcome && !s.outcome.success);
      assert.ok(failed.length >= 1 && /connection closed|not connected/.test(failed[0]!.outcome!.error ?? ''), JSON.stringify(failed.map((s) => s.outcome?.error)));
      assert.ok(sim.cancelLog.length >= 1, 'the interrupted goal was cancelled after the reconnect');
      assert.equal(r.check?.success, true, r.check?.reason);
    } finally {
      await env.close();
    }
  });

  it('preconditions come from the robot belief: the agent cannot pick what it does not see', async () => {
    const world = sim.world as KitchenSimWorld;
    const ins = kitchenSuite({ perFamily: 1 })[0]!;
    world.state = structuredClone(ins.initial);
    sim.teleport('initial location');
    const env = await Ros2Environment.create(robot, { settleMs: 500 });
    try {
      const obs = await env.observe();
      assert.equal(obs.json.at, 'initial location');
      assert.equal(obs.features.length, obs.featureNames.length);
      const pre = env.preconditions(obs, [
        { skill: 'pick up', args: { object: 'apple' } },
        { skill: 'go to', args: { location: 'table' } },
        { skill: 'go to', args: { location: 'initial location' } },
        { skill: 'done', args: {} },
      ]);
      assert.deepEqual(pre, [false, true, false, true]);
      const where = world.state.objects['apple']!;
      if (!where.includes('drawer')) {
        assert.equal((await env.execute({ skill: 'go to', args: { location: where } })).success, true);
        const seen = await env.observe();
        assert.ok((seen.json.visible as string[]).includes('apple'), seen.text);
        assert.deepEqual(env.preconditions(seen, [{ skill: 'pick up', args: { object: 'apple' } }]), [true]);
      }
    } finally {
      await env.close();
    }
  });
});
