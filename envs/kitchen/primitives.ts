/**
 * The kitchen's skills as Environment primitives with JSON-schema parameters.
 *
 * Every argument is an `enum`, so an agent can ground each primitive into all well-typed calls
 * without knowing the kitchen. Two schema annotations (ignored by validators) give SayCan-style
 * language: `x-say` on the params schema is a template ("pick up the {object}"), and `x-phrases`
 * on a property maps a value to the words that replace its placeholder ("trash can" -> "in the
 * trash can"). They render exactly what `describe()` in world.ts says.
 */
import type { Primitive } from '../environment.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';

const cache = new WeakMap<KitchenLayout, Primitive[]>();

export function kitchenPrimitives(layout: KitchenLayout = SAYCAN_KITCHEN): Primitive[] {
  let list = cache.get(layout);
  if (list) return list;
  const ix = indexLayout(layout);
  const object = { type: 'string', enum: ix.objectIds, description: 'an object in the kitchen' };
  const params = (say: string, props: Record<string, unknown>) => ({
    type: 'object',
    'x-say': say,
    required: Object.keys(props),
    additionalProperties: false,
    properties: props,
  });
  const placePhrases = Object.fromEntries(layout.locations.filter((l) => l.surface).map((l) => [l.id, `${l.prep} the ${l.id}`]));
  list = [
    { name: 'find', description: 'Search for an object and drive to where it is (not inside closed drawers or the trash).', params: params('find the {object}', { object }) },
    {
      name: 'go to',
      description: 'Drive to a location (counters, table, sink, trash can, a drawer, the user).',
      params: params('go to the {location}', { location: { type: 'string', enum: ix.locationIds } }),
    },
    { name: 'pick up', description: 'Grasp an object that is visible at the robot\'s location; the gripper must be empty.', params: params('pick up the {object}', { object }) },
    { name: 'put down', description: 'Put the held object down where the robot is (a drawer must be open; at the user it is handed over).', params: params('put down the {object}', { object }) },
    {
      name: 'place',
      description: 'Carry the held object to a surface and put it there (a drawer must be open).',
      params: params('put the {object} {location}', { object, location: { type: 'string', enum: ix.surfaceIds, 'x-phrases': placePhrases } }),
    },
    { name: 'bring to user', description: 'Drive to the user while holding the object (then put it down to hand it over).', params: params('bring the {object} to you', { object }) },
    {
      name: 'open drawer',
      description: 'Open a drawer the robot is at; needs a free hand.',
      params: params('open the {drawer}', { drawer: { type: 'string', enum: ix.drawerIds } }),
    },
    {
      name: 'close drawer',
      description: 'Close a drawer the robot is at; needs a free hand.',
      params: params('close the {drawer}', { drawer: { type: 'string', enum: ix.drawerIds } }),
    },
    { name: 'done', description: 'Declare the instruction finished.', params: params('done', {}) },
  ];
  cache.set(layout, list);
  return list;
}
