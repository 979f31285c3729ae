import assert from 'node:assert/strict';
import { HOUSEHOLD_COMMANDS, HOUSEHOLD_VERB_NAMES, HOUSEHOLD_VERBS } from '../../envs/kitchen/vocabulary.js';
import { kitchenPrimitives } from '../../envs/kitchen/primitives.js';
import { KitchenEnvironment } from '../../envs/kitchen/environment.js';
import { buildPrimitives } from '../../robots/environment.js';
import { builtinProfilePath, loadProfile } from '../../robots/profile.js';
import { camelName, methodCallStyle } from '../../agents/evolve/composite.js';

describe('one kitchen vocabulary for the kitchen simulator and ROS robots', () => {
  it('the simulated kitchen and the sim-kitchen robot have the same verbs, parameter schemas and SayCan phrases', async () => {
    const robot = buildPrimitives(await loadProfile(builtinProfilePath('sim-kitchen')));
    const kitchen = kitchenPrimitives();
    assert.deepEqual(kitchen.map((p) => p.name), [...HOUSEHOLD_VERB_NAMES]);
    for (const name of HOUSEHOLD_VERB_NAMES) {
      const r = robot.find((p) => p.name === name);
      assert.ok(r, `the robot has '${name}'`);
      const k = kitchen.find((p) => p.name === name)!;
      const shape = (params: Record<string, unknown>) => JSON.stringify(params, (key, v) => (key === 'description' || key === 'enum' || key === 'x-phrases' ? undefined : v));
      assert.equal(shape(r.params), shape(k.params), `'${name}' takes the same arguments with the same phrase`);
      assert.equal(r.params['x-say'], HOUSEHOLD_VERBS[name].say);
    }
    assert.deepEqual(robot.map((p) => p.name).filter((n) => !(HOUSEHOLD_VERB_NAMES as readonly string[]).includes(n)), ['gripper'], 'the robot adds only its gripper');
  });

  it('skill code calls each verb by the method composed skills are rendered with (kitchen.pickUp, robot.pickUp)', async () => {
    const style = methodCallStyle('kitchen');
    for (const p of kitchenPrimitives().filter((x) => x.name !== 'done')) {
      const method = HOUSEHOLD_VERBS[p.name as keyof typeof HOUSEHOLD_VERBS].method;
      assert.equal(method, camelName(p.name));
      assert.deepEqual(HOUSEHOLD_COMMANDS[method], { skill: p.name, args: style.order(p) }, `${method} takes its arguments in the rendered order`);
    }
    const env = new KitchenEnvironment({ seed: 1 });
    const kitchen = (env.sandboxEndowments() as { kitchen: Record<string, (...a: string[]) => Promise<{ success: boolean }>> }).kitchen;
    assert.deepEqual(Object.keys(kitchen).sort(), ['describe', 'observe', ...Object.keys(HOUSEHOLD_COMMANDS)].sort());
    const at = Object.entries(env.state.objects).find(([, l]) => !/drawer/.test(l))!;
    assert.equal((await kitchen.find!(at[0])).success, true);
    assert.equal(env.state.robot.at, at[1], 'a host-side call goes through execute');
  });
});
