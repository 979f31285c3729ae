/**
 * What rosbridge_suite really does, on the simulated robot's real-server mode: interfaces are
 * verified through rosapi before anything moves (a mistyped e-stop topic is refused, naming it),
 * ROS 1 has no action operations (navigation runs over move_base's actionlib topics, and asking
 * for a ROS 2 action says why it cannot), and a twist-only base reaches a pose closed-loop through
 * the clamps and the geofence.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { SkillforgeError } from '../../core/errors.js';
import { Ros2Environment } from '../../robots/environment.js';
import { builtinProfilePath, loadProfile, type RobotProfile } from '../../robots/profile.js';
import { RosbridgeClient } from '../../robots/rosbridge/client.js';
import { SafeRobot } from '../../robots/safety.js';
import type { SimRobot } from '../../robots/sim/server.js';
import { simProfile, startSim } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('interfaces verified through rosapi (fail closed)', () => {
  let sim: SimRobot;
  before(async () => {
    sim = await startSim({ realServer: true });
  });
  after(async () => {
    await sim.close();
  });

  it('an e-stop topic of the wrong type: connect refuses, naming the topic and both types; nothing moves', async () => {
    const profile = await simProfile((p) => (p.interfaces.estop.type = 'std_msgs/msg/Empty'));
    sim.clearLogs();
    await assert.rejects(SafeRobot.connect({ url: sim.url, profile }), (e: SkillforgeError) => {
      assert.equal(e.code, 'E_INTERFACE');
      assert.match(e.message, /will not move: e-stop \(subscribed and advertised\) \/skillforge\/estop: the robot has type std_msgs\/msg\/Bool, we use std_msgs\/msg\/Empty/);
      return true;
    });
    assert.ok(sim.rejected.some((r) => /\/skillforge\/estop/.test(r.reason)), 'the bridge refused the subscription in silence');
    assert.equal(sim.twistLog.length, 0);
    for (let k = 0; k < 100 && sim.clientCount > 0; k++) await sleep(10);
    assert.equal(sim.clientCount, 0, 'the connection is closed');
  });

  it('an observation topic nobody publishes is named too', async () => {
    const profile = await simProfile((p) => (p.observations.detections = { topic: '/camera/detections', type: 'vision_msgs/msg/Detection3DArray' }));
    await assert.rejects(SafeRobot.connect({ url: sim.url, profile }), /observation detections \/camera\/detections: the topic does not exist/);
  });

  it('the shipped profile verifies', async () => {
    const lines: string[] = [];
    const robot = await SafeRobot.connect({ url: sim.url, profile: await simProfile(), log: (l) => lines.push(l) });
    assert.ok(lines.some((l) => /verified \d+ interface\(s\) through rosapi/.test(l)));
    await robot.close();
  });
});

describe('ROS 1 (rosbridge_suite behaviour)', () => {
  let sim: SimRobot;
  let profile: RobotProfile;
  before(async () => {
    profile = await loadProfile(builtinProfilePath('ros1-move-base'));
    sim = await startSim({ profile, ros: 1, realServer: true, navSpeed: 4 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => sim.reset());

  it('asking for a ROS 2 action says why it cannot, at once', async () => {
    const ros = new RosbridgeClient({ url: sim.url, ros: 1 });
    await ros.connect();
    try {
      await assert.rejects(ros.sendGoal('/move_base', 'move_base_msgs/action/MoveBase', {}).result, (e: SkillforgeError) => {
        assert.equal(e.code, 'E_UNSUPPORTED');
        assert.match(e.message, /rosbridge on ROS 1 has no action operations/);
        assert.match(e.hint ?? '', /actionlib topics/);
        return true;
      });
    } finally {
      ros.close();
    }
  });

  it('the bridge answers send_action_goal with silence, or a status frame once set_level asked for errors', async () => {
    const ws = new WebSocket(sim.url);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'send_action_goal', id: 'g1', action: '/move_base', action_type: 'move_base_msgs/action/MoveBase', args: {} }));
    await sleep(150);
    assert.deepEqual(frames, []);
    ws.send(JSON.stringify({ op: 'set_level', level: 'error' }));
    ws.send(JSON.stringify({ op: 'send_action_goal', id: 'g2', action: '/move_base', action_type: 'move_base_msgs/action/MoveBase', args: {} }));
    await sleep(150);
    assert.deepEqual(frames, [{ op: 'status', level: 'error', msg: 'Unknown operation: send_action_goal', id: 'g2' }]);
    ws.terminate();
  });

  it('a profile spelled for ROS 2 is refused with the reason (pkg/msg/Type is not loadable on ROS 1)', async () => {
    const statuses: string[] = [];
    const ros2Spelled = { ...profile, ros: 2 as const };
    await assert.rejects(SafeRobot.connect({ url: sim.url, profile: ros2Spelled, log: (l) => statuses.push(l) }), /\/skillforge\/estop: the robot has type std_msgs\/Bool, we use std_msgs\/msg\/Bool \(same type, spelled for ROS 1: set 'ros: 1' in the profile\?\)/);
  });

  it('navigates through move_base actionlib topics, with feedback; the environment arrives', async () => {
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    const statuses: string[] = [];
    robot.on('status', (s) => statuses.push(s.msg));
    const env = await Ros2Environment.create(robot, { settleMs: 100 });
    try {
      sim.clearLogs();
      const out = await env.execute({ skill: 'go to', args: { location: 'table' } });
      assert.equal(out.success, true, out.error);
      assert.equal(sim.at, 'table');
      const ops = sim.received.map((r) => `${r.frame.op} ${String(r.frame.topic ?? r.frame.action ?? '')}`);
      assert.ok(ops.includes('publish /move_base/goal'), 'goal published on the actionlib topic');
      assert.ok(!ops.some((o) => o.startsWith('send_action_goal')), 'no ROS 2 action op sent');
      assert.ok(out.events.some((e) => e.type === 'progress'), 'move_base feedback reached the environment');
      assert.deepEqual(statuses, [], 'the bridge refused nothing');
    } finally {
      await env.close();
      await robot.close();
    }
  });

  it('stop() cancels a move_base goal over /move_base/cancel (CANCELED, 5)', async () => {
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    const beat = setInterval(() => robot.heartbeat(), 50);
    try {
      const nav = robot.navigate('far counter');
      const end = Date.now() + 2000;
      while (sim.activeGoals.length === 0 && Date.now() < end) await sleep(5);
      const id = sim.activeGoals[0]!.id;
      robot.stop('test');
      const r = await nav;
      assert.equal(r.status, 5);
      assert.ok(sim.cancelLog.some((c) => c.id === id && c.action === '/move_base'));
      assert.equal(sim.velocity.linear, 0);
    } finally {
      clearInterval(beat);
      await robot.close();
    }
  });
});

describe('twist-only base: closed-loop go-to-pose', function () {
  let sim: SimRobot;
  let profile: RobotProfile;
  before(async () => {
    profile = await loadProfile(builtinProfilePath('twist-base'));
    sim = await startSim({ profile, realServer: true });
  });
  after(async () => {
    await sim.close();
  });

  it('goes to the table on /cmd_vel with odometry feedback: clamped to the limits, refused beyond the geofence', async () => {
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    let clamped = 0;
    robot.on('clamped', () => clamped++);
    const env = await Ros2Environment.create(robot, { settleMs: 100 });
    try {
      sim.clearLogs();
      const out = await env.execute({ skill: 'go to', args: { location: 'table' } });
      assert.equal(out.success, true, out.error);
      await sleep(120); // the simulator names its place on its next physics tick at rest
      assert.equal(sim.at, 'table');
      const p = profile.locations['table']!;
      assert.ok(Math.hypot(sim.pose.x - p.x, sim.pose.y - p.y) < 0.1, `stopped at (${sim.pose.x.toFixed(2)}, ${sim.pose.y.toFixed(2)})`);
      assert.ok(clamped > 0, 'the controller asked for more than the limits; the safety layer clamped it');
      const fastest = Math.max(...sim.twistLog.map((t) => Math.abs(t.linear)));
      assert.ok(fastest <= profile.safety.limits.maxLinear + 1e-9, `fastest ${fastest}`);
      assert.ok(fastest > profile.safety.limits.maxLinear * 0.9, 'reached cruise speed');
      assert.equal(sim.velocity.linear, 0, 'ends at rest');
      assert.ok(out.events.some((e) => e.type === 'progress'), 'odometry feedback as progress');

      // The far counter lies outside this profile's geofence: refused before a byte moves the base.
      const obs = await env.observe();
      assert.deepEqual(env.preconditions(obs, [{ skill: 'go to', args: { location: 'far counter' } }]), [false]);
      sim.clearLogs();
      const refused = await env.execute({ skill: 'go to', args: { location: 'far counter' } });
      assert.equal(refused.success, false);
      assert.match(refused.error ?? '', /outside the geofence/);
      await sleep(100);
      assert.equal(sim.twistLog.length, 0);
    } finally {
      await env.close();
      await robot.close();
    }
  });

  it('turns an angle and drives a distance on odometry', async () => {
    sim.reset();
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    const beat = setInterval(() => robot.heartbeat(), 50);
    try {
      const yaw0 = sim.pose.yaw;
      assert.equal((await robot.turn(Math.PI / 2)).status, 4);
      const turned = Math.atan2(Math.sin(sim.pose.yaw - yaw0), Math.cos(sim.pose.yaw - yaw0));
      assert.ok(Math.abs(turned - Math.PI / 2) < 0.1, `turned ${turned.toFixed(3)} rad`);
      const { x, y } = sim.pose;
      assert.equal((await robot.driveDistance(0.5)).status, 4);
      const moved = Math.hypot(sim.pose.x - x, sim.pose.y - y);
      assert.ok(Math.abs(moved - 0.5) < 0.08, `moved ${moved.toFixed(3)} m`);
      await assert.rejects(robot.driveDistance(10), /outside the geofence/, 'a distance that would leave the fence is refused up front');
    } finally {
      clearInterval(beat);
      await robot.close();
    }
  });

  it('the watchdog cancels closed-loop motion when the commander stalls', async () => {
    sim.reset();
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    try {
      let fired = 0;
      robot.on('watchdog', () => fired++);
      robot.heartbeat();
      const r = await robot.navigate('close counter');
      assert.equal(r.status, 5, 'cancelled');
      assert.equal(fired, 1);
      await sleep(100);
      assert.equal(sim.velocity.linear, 0);
      assert.notEqual(sim.at, 'close counter');
    } finally {
      await robot.close();
    }
  });
});
