import assert from 'node:assert/strict';
import { Ros2Environment } from '../../robots/environment.js';
import { SafeRobot } from '../../robots/safety.js';
import type { SimRobot } from '../../robots/sim/server.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { simProfile, startSim } from '../robots/helpers.js';

/** Stopping means stopping: a skill's robot commands end with the run, on the simulated robot over rosbridge. */
describe('skills/runtime: robot commands end with the skill run', function () {
  this.timeout(30_000);
  let sim: SimRobot;
  let robot: SafeRobot;
  let env: Ros2Environment;
  const runtime = new SkillRuntime({ memoryMb: 48 });
  before(async () => {
    const profile = await simProfile();
    // Slow navigation: a trip outlives the skill's time limit.
    sim = await startSim({ profile, navSpeed: 0.2, tickMs: 20 });
    robot = await SafeRobot.connect({ url: sim.url, profile });
    env = await Ros2Environment.create(robot, { settleMs: 100 });
  });
  after(async () => {
    await runtime.close();
    await env?.close();
    await robot?.close();
    await sim?.close();
  });

  const far = async () => {
    const here = (await env.observe()).json.at as string | null;
    return Object.keys(sim.profile.locations).find((l) => l !== here && l !== sim.profile.userLocation)!;
  };

  it('a timed-out skill leaves no navigation goal and the base at zero velocity', async () => {
    const target = await far();
    const r = await runtime.run({
      code: `async function go(robot, to) { robot.goTo(to); for (;;) {} }`,
      main: `return await go(robot, ${JSON.stringify(target)})`,
      endowments: (signal) => env.sandboxEndowments(signal),
      timeoutMs: 500,
    });
    assert.equal(r.failure, 'timeout', r.error);
    const deadline = Date.now() + 3000;
    while (sim.activeGoals.length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(sim.activeGoals, [], 'the navigation goal was cancelled');
    assert.equal(sim.velocity.linear, 0);
    assert.ok(sim.cancelLog.length > 0);
  });

  it('an aborted skill stops the robot, and its later commands are refused', async () => {
    const target = await far();
    const ac = new AbortController();
    setTimeout(() => ac.abort('operator stop'), 300);
    const r = await runtime.run({
      code: `async function go(robot, to) { for (;;) { await robot.goTo(to); } }`,
      main: `return await go(robot, ${JSON.stringify(target)})`,
      endowments: (signal) => env.sandboxEndowments(signal),
      timeoutMs: 5000,
      signal: ac.signal,
    });
    assert.equal(r.failure, 'aborted', r.error);
    const goalsAfter = sim.received.length;
    await new Promise((res) => setTimeout(res, 300));
    assert.deepEqual(sim.activeGoals, []);
    assert.equal(sim.velocity.linear, 0);
    const late = sim.received.slice(goalsAfter).filter((f) => (f.frame as { op?: string }).op === 'send_action_goal');
    assert.deepEqual(late, [], 'no goal sent after the run ended');
  });
});
