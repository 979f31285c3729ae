/**
 * The safety layer and fault handling against the simulated robot: forbidden interfaces are
 * refused before a byte is sent, twists are clamped, the watchdog fires within 200 ms of a stall,
 * the e-stop latches, a connection dropped mid-navigation cancels the goal and zeroes velocity as
 * soon as the link is back, and malformed frames from the server never crash the client.
 */
import assert from 'node:assert/strict';
import { SkillforgeError } from '../../core/errors.js';
import { Ros2Environment } from '../../robots/environment.js';
import { RosbridgeClient } from '../../robots/rosbridge/client.js';
import { clampTwist, globToRegExp, SafeRobot, type MotionRequest } from '../../robots/safety.js';
import type { SimRobot } from '../../robots/sim/server.js';
import type { RobotProfile } from '../../robots/profile.js';
import { simProfile, sleep, startSim, until } from './helpers.js';


const twist = (x: number, z = 0) => ({ linear: { x, y: 0, z: 0 }, angular: { x: 0, y: 0, z } });

describe('robot safety layer', function () {
  let sim: SimRobot;
  let profile: RobotProfile;
  const robots: SafeRobot[] = [];
  async function connect(extra: Partial<Parameters<typeof SafeRobot.connect>[0]> = {}): Promise<SafeRobot> {
    const r = await SafeRobot.connect({ url: sim.url, profile, reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, ...extra });
    robots.push(r);
    return r;
  }

  before(async () => {
    profile = await simProfile((p) => (p.safety.watchdog.periodMs = 300));
    sim = await startSim({ profile, navSpeed: 2 });
  });
  after(async () => {
    for (const r of robots) await r.close();
    await sim.close();
  });
  beforeEach(async () => {
    sim.reset();
    await sleep(20);
    sim.clearLogs();
  });

  describe('lists', () => {
    it('matches ROS name globs segment-wise', () => {
      assert.ok(globToRegExp('/skillforge/*').test('/skillforge/pick'));
      assert.ok(!globToRegExp('/skillforge/*').test('/skillforge/a/b'));
      assert.ok(globToRegExp('/**/set_parameters').test('/nav2/controller/set_parameters'));
    });

    it('refuses forbidden and unlisted interfaces before anything is sent', async () => {
      const robot = await connect();
      await sleep(50);
      sim.clearLogs();
      await assert.rejects(robot.publish('/rosout', 'rcl_interfaces/msg/Log', { msg: 'x' }), (e: SkillforgeError) => e.code === 'E_SAFETY' && /forbidden/.test(e.message));
      assert.throws(() => robot.subscribe('/robot_description', 'std_msgs/msg/String', () => {}), /forbidden/);
      await assert.rejects(robot.publish('/joint_commands', 'std_msgs/msg/String', { data: 'x' }), /not writable/);
      await assert.rejects(robot.callService('/skillforge/reset', 'std_srvs/srv/Trigger'), /forbidden/);
      await assert.rejects(robot.sendGoal('/follow_joint_trajectory', 'control_msgs/action/FollowJointTrajectory', {}), /not in the profile's allowed actions/);
      await assert.rejects(robot.navigate({ x: 40, y: 2 }), /outside the geofence/);
      await sleep(100);
      assert.deepEqual(
        sim.received.filter((r) => r.frame.op !== 'publish' || r.frame.topic !== '/cmd_vel').map((r) => r.frame.op),
        [],
        'the server received nothing',
      );
    });
  });

  describe('twist limits', () => {
    it('clamps speed and acceleration, never braking', () => {
      const limits = profile.safety.limits;
      const fast = clampTwist(twist(5, 9), twist(0.5, 1), 0.1, limits);
      assert.equal(fast.linear.x, limits.maxLinear);
      assert.equal(fast.angular.z, limits.maxAngular);
      const fromRest = clampTwist(twist(0.5), twist(0), 0.1, limits);
      assert.ok(Math.abs(fromRest.linear.x - limits.maxLinearAccel * 0.1) < 1e-9);
      assert.equal(clampTwist(twist(0.1), twist(0.5), 0.001, limits).linear.x, 0.1, 'slowing down is not limited');
    });

    it('a twist over the limit reaches the robot clamped', async () => {
      const robot = await connect();
      const clamped: unknown[] = [];
      robot.on('clamped', (c) => clamped.push(c));
      for (let k = 0; k < 12; k++) {
        robot.heartbeat();
        await robot.drive(twist(3, 4));
        await sleep(100);
      }
      await robot.drive(twist(0));
      await until(() => sim.twistLog.length >= 13, 1000, 'twists');
      const max = Math.max(...sim.twistLog.map((t) => t.linear));
      const maxTurn = Math.max(...sim.twistLog.map((t) => t.angular));
      assert.ok(max <= profile.safety.limits.maxLinear + 1e-9, `linear ${max}`);
      assert.ok(maxTurn <= profile.safety.limits.maxAngular + 1e-9, `angular ${maxTurn}`);
      assert.ok(sim.twistLog[0]!.linear <= profile.safety.limits.maxLinearAccel * 0.1 + 1e-9, 'ramped from rest');
      assert.ok(clamped.length >= 12);
      assert.equal(sim.twistLog.at(-1)!.linear, 0);
      await assert.rejects(robot.drive(twist(Number.NaN)), /finite/);
    });
  });

  describe('watchdog', () => {
    it('publishes zero velocity and cancels goals within 200 ms of a stall', async () => {
      const robot = await connect();
      const fired: number[] = [];
      robot.on('watchdog', () => fired.push(performance.now()));
      robot.heartbeat();
      await robot.drive(twist(0.3));
      const lastBeat = performance.now();
      // The commander stalls: no heartbeat, no new command.
      await until(() => sim.twistLog.some((t) => t.linear === 0 && t.time > lastBeat), 2000, 'zero twist');
      const zeroAt = sim.twistLog.find((t) => t.linear === 0 && t.time > lastBeat)!.time;
      const late = zeroAt - (lastBeat + profile.safety.watchdog.periodMs);
      assert.equal(fired.length, 1);
      assert.ok(late < 200, `zero twist ${late.toFixed(0)} ms after the heartbeat was due`);
      assert.ok(late > -20, 'did not fire before the period');

      // With a goal running: the goal is cancelled too.
      robot.heartbeat();
      const nav = robot.navigate('far counter');
      await until(() => sim.activeGoals.length === 1, 1000, 'goal running');
      const r = await nav;
      assert.equal(r.status, 5, 'cancelled by the watchdog');
      assert.equal(fired.length, 2);
      assert.equal(sim.velocity.linear, 0);
    });

    it('stays quiet while heartbeats arrive', async () => {
      const robot = await connect();
      let fired = 0;
      robot.on('watchdog', () => fired++);
      const beat = setInterval(() => robot.heartbeat(), 100);
      try {
        const r = await robot.navigate('table');
        assert.equal(r.status, 4);
      } finally {
        clearInterval(beat);
      }
      assert.equal(fired, 0);
    });
  });

  describe('goal time-outs', () => {
    it('a goal that outlives its time-out is cancelled on the robot', async () => {
      const robot = await connect();
      const beat = setInterval(() => robot.heartbeat(), 50);
      try {
        await assert.rejects(robot.navigate('far counter', { timeoutMs: 200 }), (e: SkillforgeError) => e.code === 'E_TIMEOUT');
        await until(() => sim.cancelLog.length === 1, 1000, 'cancel');
        await until(() => sim.activeGoals.length === 0, 1000, 'goal ended');
        assert.equal(sim.velocity.linear, 0);
        assert.deepEqual(robot.activeGoals, []);
      } finally {
        clearInterval(beat);
      }
    });
  });

  describe('e-stop', () => {
    it('latches on a programmatic trigger: stops, cancels, refuses motion until reset', async () => {
      const robot = await connect();
      const beat = setInterval(() => robot.heartbeat(), 50);
      try {
        const nav = robot.navigate('far counter');
        await until(() => sim.activeGoals.length === 1, 1000, 'goal running');
        robot.estop('test');
        const r = await nav;
        assert.ok(r.status === 5 || r.status === 6, `goal ended with ${r.status}`);
        assert.equal(sim.velocity.linear, 0);
        await until(() => sim.estopped, 1000, 'robot e-stop');
        await assert.rejects(robot.navigate('table'), (e: SkillforgeError) => e.code === 'E_ESTOP');
        await assert.rejects(robot.drive(twist(0.1)), (e: SkillforgeError) => e.code === 'E_ESTOP');
        await robot.drive(twist(0)); // stopping is always allowed
        assert.ok(robot.estopped, 'still latched');
        robot.resetEstop();
        sim.reset();
        assert.equal((await robot.navigate('table')).status, 4);
      } finally {
        clearInterval(beat);
      }
    });

    it('latches when any node publishes on the e-stop topic', async () => {
      const robot = await connect();
      await sleep(50);
      sim.publish('/skillforge/estop', { data: true });
      await until(() => robot.estopped, 1000, 'e-stop from topic');
      await assert.rejects(robot.navigate('table'), /e-stop is latched/);
      robot.resetEstop();
    });
  });

  describe('confirm and dry run', () => {
    it('asks before each motion and refuses on no', async () => {
      const asked: MotionRequest[] = [];
      const robot = await connect({ confirm: async (r) => (asked.push(r), false) });
      sim.clearLogs();
      await assert.rejects(robot.navigate('table'), (e: SkillforgeError) => e.code === 'E_NOT_CONFIRMED');
      assert.equal(asked.length, 1);
      assert.match(asked[0]!.description, /navigate to table/);
      assert.equal(sim.received.filter((r) => r.frame.op === 'send_action_goal').length, 0);
    });

    it('dry run logs goals and twists without commanding', async () => {
      const lines: string[] = [];
      const robot = await connect({ dryRun: true, log: (l) => lines.push(l) });
      sim.clearLogs();
      const r = await robot.navigate('table');
      assert.equal(r.dryRun, true);
      await robot.drive(twist(0.2));
      await sleep(50);
      assert.equal(sim.received.filter((f) => f.frame.op === 'send_action_goal' || (f.frame.op === 'publish' && f.frame.topic === '/cmd_vel')).length, 0);
      assert.ok(lines.some((l) => l.startsWith('[dry-run] send_action_goal /navigate_to_pose')));
      assert.ok(lines.some((l) => l.startsWith('[dry-run] publish /cmd_vel')));
    });
  });

  describe('faults', () => {
    it('connection dropped mid-navigation: goal cancelled and zero velocity on reconnect; the environment reports failure', async () => {
      const robot = await connect();
      const env = await Ros2Environment.create(robot, { settleMs: 300 });
      const run = env.execute({ skill: 'go to', args: { location: 'far counter' } });
      await until(() => sim.activeGoals.length === 1 && sim.velocity.linear > 0, 2000, 'navigating');
      const goalId = sim.activeGoals[0]!.id;
      const dropAt = performance.now();
      sim.dropClients();
      const outcome = await run;
      assert.equal(outcome.success, false);
      assert.match(outcome.error ?? '', /connection closed/);
      await until(() => sim.cancelLog.some((c) => c.id === goalId), 3000, 'cancel after reconnect');
      const cancelAt = sim.cancelLog.find((c) => c.id === goalId)!.time;
      const zero = sim.twistLog.find((t) => t.time >= dropAt && t.linear === 0);
      assert.ok(zero, 'zero velocity sent after the reconnect');
      assert.ok(cancelAt - dropAt < 1000, `cancelled ${(cancelAt - dropAt).toFixed(0)} ms after the drop`);
      await until(() => sim.activeGoals.length === 0, 1000, 'goal ended on the robot');
      assert.equal(sim.velocity.linear, 0);
      assert.notEqual(sim.at, 'far counter');
      // The agent may resume: the next command works on the new connection.
      const again = await env.execute({ skill: 'go to', args: { location: 'table' } });
      assert.equal(again.success, true, again.error);
      await env.close();
    });

    it('malformed frames from the server are reported and never crash the client', async () => {
      const client = new RosbridgeClient({ url: sim.url, timeoutMs: 2000 });
      const reports: string[] = [];
      client.on('malformed', (m) => reports.push(m.reason));
      await client.connect();
      await sleep(30);
      sim.sendRaw('this is not json');
      sim.sendRaw('[1,2,3]');
      sim.sendRaw('{"op":"publish"}');
      sim.sendRaw('{"op":"action_result","id":"x","action":"/a","status":"four","result":true}');
      sim.sendRaw('{"op":"service_response","id":7}');
      sim.sendRaw('{"op":"fragment","id":"f","data":"{\\"op\\":","num":3,"total":2}');
      sim.sendRaw('{"op":"fragment","id":"g","data":"{nope","num":0,"total":1}');
      sim.sendRaw('{"op":"launch_missiles"}');
      sim.sendRaw(Buffer.from([0xff, 0xfe, 0x00, 0x13]));
      sim.sendRaw('{"op":"publish","topic":"/odom","msg":null}');
      await until(() => reports.length >= 10, 2000, 'ten reports');
      assert.ok(client.connected);
      assert.equal(client.stats.malformed, 10);
      assert.deepEqual(await client.callService('/add_two_ints', 'example_interfaces/srv/AddTwoInts', { a: 1, b: 1 }), { sum: 2 });
      client.close();
    });

    it('times out where rosbridge stays silent (unknown action, hung service, unknown topic)', async () => {
      const client = new RosbridgeClient({ url: sim.url, timeoutMs: 2000 });
      await client.connect();
      await assert.rejects(client.sendGoal('/nobody_home', 'nav2_msgs/action/NavigateToPose', {}, { timeoutMs: 150 }).result, (e: SkillforgeError) => e.code === 'E_TIMEOUT');
      await assert.rejects(client.callService('/skillforge/hang', 'std_srvs/srv/Trigger', {}, { timeoutMs: 150 }), (e: SkillforgeError) => e.code === 'E_TIMEOUT');
      await assert.rejects(client.nextMessage('/odom', 'std_msgs/msg/String', { timeoutMs: 150 }), (e: SkillforgeError) => e.code === 'E_TIMEOUT');
      assert.ok(client.connected);
      client.close();
    });

    it('reconnects with exponential backoff', async () => {
      const client = new RosbridgeClient({ url: sim.url, reconnect: { initialDelayMs: 20, factor: 2, maxDelayMs: 80 } });
      const delays: number[] = [];
      client.on('reconnecting', (r) => delays.push(r.delayMs));
      await client.connect();
      let got = 0;
      client.subscribe('/odom', 'nav_msgs/msg/Odometry', () => got++);
      sim.dropClients();
      await until(() => client.stats.reconnects === 1, 2000, 'reconnect');
      got = 0;
      await until(() => got > 0, 2000, 'resubscribed after reconnect');
      client.close();
      assert.deepEqual(delays, [20]);
      const unreachable = new RosbridgeClient({ url: 'ws://127.0.0.1:1', reconnect: { initialDelayMs: 10, factor: 2, maxDelayMs: 40 } });
      const d2: number[] = [];
      unreachable.on('reconnecting', (r) => d2.push(r.delayMs));
      await assert.rejects(unreachable.connect({ timeoutMs: 300 }), (e: SkillforgeError) => e.code === 'E_TIMEOUT');
      assert.deepEqual(d2.slice(0, 4), [10, 20, 40, 40]);
    });
  });
});
