/**
 * Fail-safe motion state across a bridge outage. The simulated base here keeps its last command
 * for ever (no cmd_vel time-out), as the rospy node did that showed the flaw: while rosbridge is
 * down the watchdog, stop() or estop() fires; nothing can be sent; when the bridge returns the
 * owed stop must be the first thing the robot hears, within 500 ms, and no earlier command stands.
 */
import assert from 'node:assert/strict';
import { SafeRobot } from '../../robots/safety.js';
import type { SimRobot } from '../../robots/sim/server.js';
import type { RobotProfile } from '../../robots/profile.js';
import { simProfile, sleep, startSim, until } from './helpers.js';

const twist = (x: number) => ({ linear: { x, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });

describe('robot outage: the stop is owed and delivered first', function () {
  let sim: SimRobot;
  let profile: RobotProfile;
  before(async () => {
    profile = await simProfile((p) => (p.safety.watchdog.periodMs = 200));
    sim = await startSim({ profile, cmdVelTimeoutMs: 600_000, navSpeed: 1 });
  });
  after(async () => {
    await sim.close();
  });

  it('a navigation goal running when the bridge goes down is cancelled first thing on its return', async () => {
    sim.reset();
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    const beat = setInterval(() => robot.heartbeat(), 50);
    try {
      const nav = robot.navigate('far counter').catch((e: Error) => e);
      const end = Date.now() + 2000;
      while (sim.activeGoals.length === 0 && Date.now() < end) await sleep(5);
      const goalId = sim.activeGoals[0]!.id;
      await sim.stopBridge();
      assert.match(String(await nav), /connection closed/, 'the caller learns the goal is lost');
      await sleep(300);
      assert.equal(sim.activeGoals.length, 1, 'the goal runs on while the bridge is down, as on a robot');
      sim.clearLogs();
      const back = performance.now();
      await sim.startBridge();
      await until(() => sim.cancelLog.some((c) => c.id === goalId), 3000, 'the owed cancel');
      const cancelAt = sim.cancelLog.find((c) => c.id === goalId)!.time;
      assert.ok(cancelAt - back < 500, `cancelled ${(cancelAt - back).toFixed(0)} ms after the bridge came back`);
      const ops = sim.received.map((r) => r.frame.op);
      assert.ok(ops.indexOf('cancel_action_goal') < ops.indexOf('subscribe'), 'before subscriptions are restored');
      await until(() => sim.activeGoals.length === 0, 1000, 'the goal ended on the robot');
      assert.equal(sim.velocity.linear, 0);
    } finally {
      clearInterval(beat);
      await sim.startBridge();
      await robot.close();
    }
  });

  for (const trigger of ['watchdog', 'stop()', 'estop()'] as const) {
    it(`${trigger} while the bridge is down: zero twist within 500 ms of its return, nothing earlier stands`, async () => {
      sim.reset();
      const robot = await SafeRobot.connect({ url: sim.url, profile });
      let outages = 0;
      robot.on('connection-lost', () => outages++);
      try {
        robot.heartbeat();
        await robot.drive(twist(0.3));
        await until(() => sim.velocity.linear > 0, 2000, 'the base moving');
        const moving = sim.velocity.linear;
        await sim.stopBridge();
        if (trigger === 'watchdog') await until(() => robot.stopOwed, 2000, 'the watchdog firing');
        else if (trigger === 'stop()') robot.stop('test');
        else robot.estop('test');
        // The client learns of the drop a moment later; a stop written into the dying socket counts as undelivered.
        await until(() => robot.stopOwed, 2000, 'the stop owed');
        await sleep(600); // several failed reconnect attempts
        assert.equal(sim.velocity.linear, moving, 'the last command stands while the bridge is down');
        sim.clearLogs();
        const back = performance.now();
        await sim.startBridge();
        await until(() => sim.twistLog.some((t) => t.time >= back), 3000, 'a twist after the return');
        const first = sim.twistLog[0]!;
        assert.equal(first.linear, 0, 'the first twist after the return is zero');
        assert.ok(first.time - back < 500, `zero twist ${(first.time - back).toFixed(0)} ms after the bridge came back`);
        const firstPublish = sim.received.find((r) => r.frame.op === 'publish');
        assert.equal(firstPublish?.frame.topic, '/cmd_vel', 'the owed stop is the first publish on the new connection');
        const firstSubscribe = sim.received.findIndex((r) => r.frame.op === 'subscribe');
        assert.ok(sim.received.indexOf(firstPublish!) < firstSubscribe, 'sent before subscriptions are restored');
        assert.equal(sim.velocity.linear, 0);
        assert.ok(sim.twistLog.every((t) => t.linear === 0), 'no earlier command was replayed');
        assert.equal(robot.stopOwed, false);
        assert.equal(outages, 1, 'one connection-lost per outage, not per retry');
        if (trigger === 'estop()') {
          await until(() => sim.estopped, 1000, 'the e-stop re-published to the robot');
          await assert.rejects(robot.drive(twist(0.1)), /e-stop is latched/);
        }
      } finally {
        await sim.startBridge();
        await robot.close();
      }
    });
  }
});

describe('robot reconnect: interfaces are checked again', () => {
  it('a robot that comes back without an interface the profile relies on refuses to move, naming it', async () => {
    const profile = await simProfile((p) => (p.observations.detections = { topic: '/camera/detections', type: 'vision_msgs/msg/Detection3DArray' }));
    const first = await startSim({ profile });
    const port = first.port;
    const robot = await SafeRobot.connect({ url: first.url, profile });
    let second: SimRobot | undefined;
    try {
      await first.close();
      // The robot restarts without its camera node: the default profile declares no /camera/detections.
      second = await startSim({ port });
      await robot.waitConnected(3000);
      robot.heartbeat();
      await assert.rejects(robot.drive(twist(0.1)), /drive refused: robot sim-kitchen will not move: observation detections \/camera\/detections: the topic does not exist/);
      await sleep(50);
      assert.ok(second.twistLog.every((t) => t.linear === 0), 'nothing moved');
    } finally {
      await robot.close();
      await second?.close();
    }
  });
});
