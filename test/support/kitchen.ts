/**
 * Kitchen start states shared by the SayCan tests.
 */
import { initialState, type KitchenState } from '../../envs/kitchen/index.js';

/** Apple on the table, everything else on the far counter, robot at its start. */
export function appleOnTable(): KitchenState {
  const s = initialState(1);
  const objects = Object.fromEntries(Object.keys(s.objects).map((o) => [o, 'far counter']));
  objects['apple'] = 'table';
  return { ...s, objects };
}
