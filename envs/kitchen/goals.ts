/**
 * Machine-checkable kitchen goals (what `Task.goal` holds for the kitchen) and the check itself.
 * A goal is one condition or an all/any combination, plain JSON, validated with ajv on entry.
 */
import type { JsonSchema } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import type { KitchenState } from './world.js';

export type KitchenGoal =
  | { userHas: string }
  | { objectAt: { object: string; location: string } }
  | { holding: string | null }
  | { robotAt: string }
  | { drawerOpen: { drawer: string; open: boolean } }
  | { all: KitchenGoal[] }
  | { any: KitchenGoal[] };

export const KITCHEN_GOAL_SCHEMA: JsonSchema = {
  oneOf: [
    { type: 'object', required: ['userHas'], additionalProperties: false, properties: { userHas: { type: 'string' } } },
    {
      type: 'object',
      required: ['objectAt'],
      additionalProperties: false,
      properties: {
        objectAt: {
          type: 'object',
          required: ['object', 'location'],
          additionalProperties: false,
          properties: { object: { type: 'string' }, location: { type: 'string' } },
        },
      },
    },
    { type: 'object', required: ['holding'], additionalProperties: false, properties: { holding: { type: ['string', 'null'] } } },
    { type: 'object', required: ['robotAt'], additionalProperties: false, properties: { robotAt: { type: 'string' } } },
    {
      type: 'object',
      required: ['drawerOpen'],
      additionalProperties: false,
      properties: {
        drawerOpen: {
          type: 'object',
          required: ['drawer', 'open'],
          additionalProperties: false,
          properties: { drawer: { type: 'string' }, open: { type: 'boolean' } },
        },
      },
    },
    { type: 'object', required: ['all'], additionalProperties: false, properties: { all: { type: 'array', minItems: 1, items: { $ref: '#' } } } },
    { type: 'object', required: ['any'], additionalProperties: false, properties: { any: { type: 'array', minItems: 1, items: { $ref: '#' } } } },
  ],
};

export const validateKitchenGoal = validator<KitchenGoal>(
  KITCHEN_GOAL_SCHEMA,
  'kitchen goal',
  'a kitchen goal is e.g. {"userHas":"apple"} or {"all":[{"objectAt":{"object":"coke","location":"trash can"}}]}',
);

/** Does the state satisfy the goal? The reason names what is (not yet) true. */
export function checkGoal(state: KitchenState, goal: KitchenGoal): { success: boolean; reason: string } {
  if ('all' in goal) {
    const parts = goal.all.map((g) => checkGoal(state, g));
    const bad = parts.filter((p) => !p.success);
    return bad.length ? { success: false, reason: bad.map((p) => p.reason).join('; ') } : { success: true, reason: parts.map((p) => p.reason).join('; ') };
  }
  if ('any' in goal) {
    const parts = goal.any.map((g) => checkGoal(state, g));
    const good = parts.find((p) => p.success);
    return good ?? { success: false, reason: `none of: ${parts.map((p) => p.reason).join(' | ')}` };
  }
  if ('userHas' in goal) {
    const ok = state.objects[goal.userHas] === 'user';
    return { success: ok, reason: ok ? `the user has the ${goal.userHas}` : `the user does not have the ${goal.userHas}` };
  }
  if ('objectAt' in goal) {
    const { object, location } = goal.objectAt;
    const place = state.objects[object];
    const ok = place === location;
    return { success: ok, reason: ok ? `the ${object} is at the ${location}` : `the ${object} is ${place === 'robot' ? 'held by the robot' : `at the ${place ?? 'nowhere'}`}, not at the ${location}` };
  }
  if ('holding' in goal) {
    const ok = state.robot.holding === goal.holding;
    return { success: ok, reason: ok ? `the robot holds ${goal.holding ?? 'nothing'}` : `the robot holds ${state.robot.holding ?? 'nothing'}, not ${goal.holding ?? 'nothing'}` };
  }
  if ('robotAt' in goal) {
    const ok = state.robot.at === goal.robotAt;
    return { success: ok, reason: ok ? `the robot is at the ${goal.robotAt}` : `the robot is at the ${state.robot.at}, not the ${goal.robotAt}` };
  }
  const { drawer, open } = goal.drawerOpen;
  const ok = state.drawers[drawer] === open;
  return { success: ok, reason: `the ${drawer} is ${state.drawers[drawer] ? 'open' : 'closed'}` };
}

/** Objects a goal mentions (planners restrict their search to these). */
export function goalObjects(goal: KitchenGoal): string[] {
  const out = new Set<string>();
  const walk = (g: KitchenGoal) => {
    if ('all' in g) g.all.forEach(walk);
    else if ('any' in g) g.any.forEach(walk);
    else if ('userHas' in g) out.add(g.userHas);
    else if ('objectAt' in g) out.add(g.objectAt.object);
    else if ('holding' in g && g.holding) out.add(g.holding);
  };
  walk(goal);
  return [...out];
}
