/**
 * The kitchen's skills as Environment primitives with JSON-schema parameters: the household verbs of
 * vocabulary.ts (shared with ROS robots) over this layout's objects, places and drawers.
 *
 * Every argument is an `enum`, so an agent can ground each primitive into all well-typed calls
 * without knowing the kitchen. Two schema annotations (ignored by validators) give SayCan-style
 * language: `x-say` on the params schema is a template ("pick up the {object}"), and `x-phrases`
 * on a property maps a value to the words that replace its placeholder ("trash can" -> "in the
 * trash can"). They render exactly what `describe()` in world.ts says.
 */
import type { Primitive } from '../environment.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { HOUSEHOLD_VERB_NAMES, householdPrimitives } from './vocabulary.js';

const cache = new WeakMap<KitchenLayout, Primitive[]>();

export function kitchenPrimitives(layout: KitchenLayout = SAYCAN_KITCHEN): Primitive[] {
  let list = cache.get(layout);
  if (list) return list;
  const ix = indexLayout(layout);
  list = householdPrimitives(
    {
      objects: ix.objectIds,
      locations: ix.locationIds,
      surfaces: ix.surfaceIds,
      drawers: ix.drawerIds,
      placePhrases: Object.fromEntries(layout.locations.filter((l) => l.surface).map((l) => [l.id, `${l.prep} the ${l.id}`])),
      objectDescription: 'an object in the kitchen',
    },
    HOUSEHOLD_VERB_NAMES,
  );
  cache.set(layout, list);
  return list;
}
