import assert from 'node:assert/strict';
import {
  checkGoal,
  initialState,
  kitchenFeatureNames,
  kitchenFeatures,
  planKitchen,
  step,
  whyNot,
  type KitchenAction,
  type KitchenState,
} from '../../envs/kitchen/index.js';

/** A hand-made start so every test knows exactly where things are. */
function world(over: Partial<KitchenState> = {}): KitchenState {
  const s = initialState(1);
  const objects = Object.fromEntries(Object.keys(s.objects).map((o) => [o, 'far counter']));
  objects['apple'] = 'table';
  objects['rxbar blueberry'] = 'top drawer';
  return { ...s, objects, ...over };
}

function run(s: KitchenState, ...actions: KitchenAction[]): KitchenState {
  for (const a of actions) {
    const r = step(s, a);
    assert.ok(r.ok, `${a.skill} ${JSON.stringify(a.args)} failed: ${r.error}`);
    s = r.state;
  }
  return s;
}

describe('kitchen world: preconditions and effects', () => {
  it('pick up needs the robot at the object, a free gripper, and the object in view', () => {
    const s = world();
    assert.match(whyNot(s, { skill: 'pick up', args: { object: 'apple' } })!, /not here/);
    const atTable = run(s, { skill: 'find', args: { object: 'apple' } });
    assert.equal(atTable.robot.at, 'table');
    assert.equal(whyNot(atTable, { skill: 'pick up', args: { object: 'apple' } }), null);
    const holding = run(atTable, { skill: 'pick up', args: { object: 'apple' } });
    assert.equal(holding.robot.holding, 'apple');
    assert.equal(holding.objects['apple'], 'robot');
    const atFar = run(holding, { skill: 'go to', args: { location: 'far counter' } });
    assert.match(whyNot(atFar, { skill: 'pick up', args: { object: 'coke' } })!, /gripper is holding the apple/);
  });

  it('drawers: closed contents cannot be found or picked; opening needs a free hand; placing inside needs it open', () => {
    const s = world();
    assert.match(whyNot(s, { skill: 'find', args: { object: 'rxbar blueberry' } })!, /closed top drawer/);
    const atDrawer = run(s, { skill: 'go to', args: { location: 'top drawer' } });
    assert.match(whyNot(atDrawer, { skill: 'pick up', args: { object: 'rxbar blueberry' } })!, /closed top drawer/);
    const open = run(atDrawer, { skill: 'open drawer', args: { drawer: 'top drawer' } });
    assert.equal(open.drawers['top drawer'], true);
    const got = run(open, { skill: 'pick up', args: { object: 'rxbar blueberry' } });
    assert.match(whyNot(got, { skill: 'close drawer', args: { drawer: 'top drawer' } })!, /free hand/);
    assert.match(whyNot(got, { skill: 'place', args: { object: 'rxbar blueberry', location: 'middle drawer' } })!, /middle drawer is closed/);
    const back = run(got, { skill: 'place', args: { object: 'rxbar blueberry', location: 'top drawer' } });
    assert.equal(back.objects['rxbar blueberry'], 'top drawer');
  });

  it('bring to user then put down hands the object over; step never mutates its input', () => {
    const s = world();
    const frozen = JSON.stringify(s);
    const end = run(
      s,
      { skill: 'find', args: { object: 'apple' } },
      { skill: 'pick up', args: { object: 'apple' } },
      { skill: 'bring to user', args: { object: 'apple' } },
      { skill: 'put down', args: { object: 'apple' } },
    );
    assert.equal(JSON.stringify(s), frozen);
    assert.equal(end.objects['apple'], 'user');
    assert.deepEqual(checkGoal(end, { userHas: 'apple' }).success, true);
    assert.equal(checkGoal(s, { userHas: 'apple' }).success, false);
  });

  it('infeasible and unknown actions fail without changing the world', () => {
    const s = world();
    for (const a of [
      { skill: 'pick up', args: { object: 'unicorn' } },
      { skill: 'go to', args: { location: 'initial location' } },
      { skill: 'put down', args: { object: 'apple' } },
      { skill: 'fly', args: {} },
    ]) {
      const r = step(s, a);
      assert.equal(r.ok, false);
      assert.equal(r.precondition, true);
      assert.deepEqual(r.state.objects, s.objects);
      assert.deepEqual(r.state.robot, s.robot);
    }
  });

  it('is deterministic for a seed, including noisy failures', () => {
    assert.deepEqual(initialState(9), initialState(9));
    assert.notDeepEqual(initialState(9).objects, initialState(10).objects);
    const trace = (seed: number) => {
      let s = { ...world(), noise: 0.5, rng: seed };
      const oks: boolean[] = [];
      for (let i = 0; i < 40; i++) {
        const r = step(s, i % 2 ? { skill: 'go to', args: { location: 'table' } } : { skill: 'go to', args: { location: 'sink' } });
        oks.push(r.ok);
        s = r.state;
      }
      return oks;
    };
    assert.deepEqual(trace(3), trace(3));
    const t = trace(3);
    assert.ok(t.includes(false) && t.includes(true), 'noise 0.5 gives both outcomes');
  });

  it('noise makes grasping deformable objects fail more often than cans', () => {
    const rate = (object: string) => {
      let fails = 0;
      let s: KitchenState = { ...world(), noise: 0.3, robot: { at: 'far counter', holding: null } };
      for (let i = 0; i < 2000; i++) {
        const r = step(s, { skill: 'pick up', args: { object } });
        if (!r.ok) fails++;
        s = { ...s, rng: r.state.rng };
      }
      return fails / 2000;
    };
    assert.ok(rate('kettle chips') > rate('coke') + 0.1, `${rate('kettle chips')} vs ${rate('coke')}`);
  });

  it('features are named, fixed-length and reflect the state', () => {
    const names = kitchenFeatureNames();
    const s = run(world(), { skill: 'find', args: { object: 'apple' } });
    const f = kitchenFeatures(s);
    assert.equal(f.length, names.length);
    assert.equal(f[names.indexOf('robot_at=table')], 1);
    assert.equal(f[names.indexOf('visible=apple')], 1);
    assert.equal(f[names.indexOf('visible=coke')], 0);
    assert.equal(f[names.indexOf('holding=none')], 1);
    assert.equal(f[names.indexOf('place=apple@table')], 1);
  });

  it('the planner finds shortest plans, including drawer handling', () => {
    const s = world();
    const plan = planKitchen(s, { objectAt: { object: 'apple', location: 'middle drawer' } })!;
    const skills = plan.map((a) => a.skill);
    assert.equal(plan.length, 5);
    assert.deepEqual(skills.slice(0, 2), ['go to', 'open drawer'], 'opens the drawer while the hand is free');
    assert.deepEqual(skills.slice(3), ['pick up', 'place']);
    assert.equal(planKitchen(s, { userHas: 'apple' })!.length, 4);
    const end = run(s, ...plan);
    assert.equal(end.objects['apple'], 'middle drawer');
  });
});
