import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import { builtinProfilePath, fillTemplate, loadProfile, parseProfile } from '../../robots/profile.js';
import { buildPrimitives } from '../../robots/environment.js';

describe('robot profiles', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'sf-profile-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped profiles validate and map the skills they promise', async () => {
    const sim = await loadProfile(builtinProfilePath('sim-kitchen'));
    const nav2 = await loadProfile(builtinProfilePath('nav2-mobile-manipulator'));
    assert.equal(sim.interfaces.navigate?.type, 'nav2_msgs/action/NavigateToPose');
    assert.equal(sim.ros, 2, 'ROS 2 unless the profile says otherwise');
    assert.equal(nav2.interfaces.gripper?.type, 'control_msgs/action/GripperCommand');
    assert.equal(nav2.interfaces.cmdVel.type, 'geometry_msgs/msg/Twist');
    assert.deepEqual(
      buildPrimitives(sim).map((p) => p.name),
      ['go to', 'find', 'pick up', 'put down', 'place', 'bring to user', 'open drawer', 'close drawer', 'gripper', 'done'],
    );
    assert.ok(!buildPrimitives(nav2).some((p) => p.name === 'open drawer'), 'drawers only when mapped');
    assert.equal(sim.locations['table']!.surface, true, 'defaults filled in');
  });

  it('names the bad field of an invalid profile', async () => {
    const sim = await loadProfile(builtinProfilePath('sim-kitchen'));
    const bad = structuredClone(sim) as unknown as Record<string, any>;
    bad.safety.limits.maxLinear = -1;
    bad.interfaces.navigate.type = 'NavigateToPose';
    delete bad.interfaces.cmdVel;
    assert.throws(
      () => parseProfile(bad),
      (e: SkillforgeError) =>
        e.code === 'E_INVALID' && /maxLinear/.test(e.message) && /navigate\/type/.test(e.message) && /cmdVel/.test(e.message) && !!e.hint,
    );
    assert.throws(() => parseProfile({ ...sim, drawers: ['attic'] }), /drawer 'attic' is not a location/);
  });

  it('reports unreadable and unparsable files with a hint', async () => {
    await assert.rejects(loadProfile(join(dir, 'missing.yaml')), (e: SkillforgeError) => e.code === 'E_PROFILE' && !!e.hint);
    const f = join(dir, 'broken.yaml');
    writeFileSync(f, 'name: [unclosed');
    await assert.rejects(loadProfile(f), /not valid YAML/);
  });

  it('fills goal templates', () => {
    assert.deepEqual(fillTemplate({ object_id: '{object}', note: 'at {location}', n: 3 }, { object: 'apple', location: 'table' }), {
      object_id: 'apple',
      note: 'at table',
      n: 3,
    });
  });
});
