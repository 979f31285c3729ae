/**
 * The safety layer's checks that need no robot, as a spec: the access lists (forbidden wins, the
 * e-stop topic is always open, writable implies readable), the geofence (finite position, the
 * profile's frame, inside the polygon; goals without a pose pass), and the watchdog timer (armed only
 * while moving, a stall reported after the period). test/robots/safety.test.ts checks the same rules
 * through SafeRobot against the simulated robot.
 */
import assert from 'node:assert/strict';
import type { RobotProfile } from '../../robots/profile.js';
import { AccessRules } from '../../robots/safety/access.js';
import { geofenceProblem } from '../../robots/safety/geofence.js';
import { Watchdog } from '../../robots/safety/watchdog.js';
import { simProfile, sleep, until } from './helpers.js';

describe('robot safety checks (no robot)', () => {
  let profile: RobotProfile;
  before(async () => {
    profile = await simProfile((p) => {
      p.safety.services.forbidden = ['/skillforge/reset'];
      p.safety.services.allowed = ['/skillforge/*'];
    });
  });

  describe('access lists', () => {
    it('forbidden wins over allowed', () => {
      const access = new AccessRules(profile);
      assert.equal(access.service('/skillforge/get_state'), null);
      assert.equal(access.service('/skillforge/reset'), 'service /skillforge/reset is forbidden by the robot profile');
      assert.equal(access.service('/reboot'), "service /reboot is not in the profile's allowed services");
    });

    it('a writable topic is readable, a readable one not writable, and the e-stop topic always open', () => {
      const access = new AccessRules({ ...profile, safety: { ...profile.safety, topics: { readable: [], writable: ['/cmd_vel'], forbidden: ['/**'] } } });
      // Forbidding everything still leaves the e-stop: it only ever makes the robot safer.
      assert.equal(access.topic(profile.interfaces.estop.topic, 'write'), null);
      assert.equal(access.topic('/cmd_vel', 'read'), 'topic /cmd_vel is forbidden by the robot profile');
      const open = new AccessRules(profile);
      assert.equal(open.topic('/cmd_vel', 'read'), null);
      assert.equal(open.topic('/odom', 'write'), 'topic /odom is not writable in the robot profile');
      assert.equal(open.topic('/skillforge/anything/deep', 'read'), null, "'**' crosses segments");
    });

    it('actions follow the same rule', () => {
      const access = new AccessRules(profile);
      assert.equal(access.action('/navigate_to_pose'), null);
      assert.equal(access.action('/skillforge/pick'), null);
      assert.equal(access.action('/skillforge/arm/pick'), "action /skillforge/arm/pick is not in the profile's allowed actions", "'*' stays in one segment");
    });
  });

  describe('geofence', () => {
    const goal = (x: unknown, y: unknown, frame?: string) => ({ pose: { header: frame === undefined ? {} : { frame_id: frame }, pose: { position: { x, y } } } });

    it('passes a goal inside the polygon in the profile frame, and a goal without a pose', () => {
      assert.equal(geofenceProblem(goal(1, 1, 'map'), profile), null);
      assert.equal(geofenceProblem(goal(1, 1), profile), null, 'no frame: taken as the profile frame');
      assert.equal(geofenceProblem({ object_id: 'cup' }, profile), null);
    });

    it('refuses a goal outside, in another frame, or without a finite position', () => {
      assert.deepEqual(geofenceProblem(goal(40, 2, 'map'), profile), {
        message: 'goal (40.00, 2.00) is outside the geofence',
        hint: 'pick a location inside the geofence polygon of the robot profile',
      });
      assert.equal(geofenceProblem(goal(1, 1, 'odom'), profile)?.message, "goal pose is in frame 'odom', the geofence is in 'map'");
      assert.equal(geofenceProblem(goal(Number.NaN, 1), profile)?.message, 'goal pose has no finite position');
      assert.equal(geofenceProblem({ target_pose: goal('1', 1).pose }, profile)?.message, 'goal pose has no finite position', "move_base's target_pose is checked too");
    });
  });

  describe('watchdog', () => {
    it('reports a stall once the period passes without a heartbeat while moving', async () => {
      const stalls: number[] = [];
      const dog = new Watchdog(40, (ms) => stalls.push(ms));
      dog.update(true);
      assert.equal(dog.moving, true);
      await until(() => stalls.length > 0, 5_000, 'the watchdog to report a stall');
      assert.ok(stalls[0]! >= 40, `stalled ${stalls[0]} ms, never before the period`);
      dog.dispose();
    });

    it('is disarmed while the robot stands still', async () => {
      const stalls: number[] = [];
      const dog = new Watchdog(20, (ms) => stalls.push(ms));
      dog.update(true);
      dog.update(false);
      await sleep(100);
      dog.heartbeat(); // a heartbeat while still does not arm it either
      await sleep(100);
      assert.deepEqual(stalls, []);
      assert.equal(dog.moving, false);
    });
  });
});
