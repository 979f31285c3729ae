/**
 * How a kitchen state is shown to agents: JSON (the state itself), a text rendering for prompts,
 * and a fixed-length numeric feature vector with names for affordance models.
 *
 * Feature encoding `kitchen-features-v1` (the order is part of the version):
 *   robot_at=<location>            one-hot over layout locations
 *   holding=<object>, holding=none one-hot
 *   drawer_open=<drawer>           1 when open
 *   visible=<object>               1 when the object is at the robot's location and not shut in a drawer
 *   place=<object>@<location>      one-hot per object over locations ('user' = handed over; all 0 while held)
 *   done                           1 after 'done'
 */
import type { JsonValue, Observation } from '../../core/types.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { visible, type KitchenState } from './world.js';

export const KITCHEN_FEATURES_VERSION = 'kitchen-features-v1';

const nameCache = new WeakMap<KitchenLayout, readonly string[]>();

/** Feature names for a layout, in vector order (frozen, cached). */
export function kitchenFeatureNames(layout: KitchenLayout = SAYCAN_KITCHEN): readonly string[] {
  let names = nameCache.get(layout);
  if (!names) {
    const ix = indexLayout(layout);
    const n: string[] = [];
    for (const l of ix.locationIds) n.push(`robot_at=${l}`);
    for (const o of ix.objectIds) n.push(`holding=${o}`);
    n.push('holding=none');
    for (const d of ix.drawerIds) n.push(`drawer_open=${d}`);
    for (const o of ix.objectIds) n.push(`visible=${o}`);
    for (const o of ix.objectIds) for (const l of ix.locationIds) n.push(`place=${o}@${l}`);
    n.push('done');
    names = Object.freeze(n);
    nameCache.set(layout, names);
  }
  return names;
}

/** Encode a state as features (into `out` when given, to avoid allocation in hot loops). */
export function kitchenFeatures(state: KitchenState, layout: KitchenLayout = SAYCAN_KITCHEN, out?: Float32Array): Float32Array {
  const ix = indexLayout(layout);
  const L = ix.locationIds.length;
  const O = ix.objectIds.length;
  const D = ix.drawerIds.length;
  const f = out ?? new Float32Array(kitchenFeatureNames(layout).length);
  f.fill(0);
  let i = 0;
  const at = ix.locationIds.indexOf(state.robot.at);
  if (at >= 0) f[i + at] = 1;
  i += L;
  const held = state.robot.holding === null ? O : ix.objectIds.indexOf(state.robot.holding);
  if (held >= 0) f[i + held] = 1;
  i += O + 1;
  for (let d = 0; d < D; d++) f[i + d] = state.drawers[ix.drawerIds[d]!] ? 1 : 0;
  i += D;
  for (let o = 0; o < O; o++) f[i + o] = visible(state, ix.objectIds[o]!, layout) ? 1 : 0;
  i += O;
  for (let o = 0; o < O; o++) {
    const p = ix.locationIds.indexOf(state.objects[ix.objectIds[o]!] ?? '');
    if (p >= 0) f[i + o * L + p] = 1;
  }
  i += O * L;
  f[i] = state.done ? 1 : 0;
  return f;
}

/** A compact English rendering for prompts. */
export function kitchenText(state: KitchenState, layout: KitchenLayout = SAYCAN_KITCHEN): string {
  const ix = indexLayout(layout);
  const byPlace = new Map<string, string[]>();
  for (const o of ix.objectIds) {
    const p = state.objects[o];
    if (p === undefined) continue;
    let list = byPlace.get(p);
    if (!list) byPlace.set(p, (list = []));
    list.push(o);
  }
  const lines = [`The robot is at the ${state.robot.at}, holding ${state.robot.holding ? `the ${state.robot.holding}` : 'nothing'}.`];
  for (const l of layout.locations) {
    if (!l.surface) continue;
    const things = byPlace.get(l.id) ?? [];
    const status = l.drawer ? ` (${state.drawers[l.id] ? 'open' : 'closed'})` : '';
    lines.push(`${l.prep === 'in' ? 'In' : 'On'} the ${l.id}${status}: ${things.length ? things.join(', ') : 'nothing'}.`);
  }
  const user = byPlace.get('user') ?? [];
  lines.push(`The user has: ${user.length ? user.join(', ') : 'nothing'}.`);
  return lines.join('\n');
}

/** The full Observation of a state. `json.state` is the state itself (decode with `stateFromObservation`). */
export function kitchenObservation(state: KitchenState, layout: KitchenLayout = SAYCAN_KITCHEN): Observation {
  return {
    json: { kind: 'kitchen', layout: layout.version, featuresVersion: KITCHEN_FEATURES_VERSION, state: state as unknown as JsonValue },
    text: kitchenText(state, layout),
    features: kitchenFeatures(state, layout),
    featureNames: kitchenFeatureNames(layout),
  };
}

/** The state inside a kitchen observation, or null when the observation is from somewhere else. */
export function stateFromObservation(observation: Observation): KitchenState | null {
  const s = observation.json?.state as unknown as KitchenState | undefined;
  if (observation.json?.kind !== 'kitchen' || !s || typeof s !== 'object' || !s.robot || !s.objects) return null;
  return s;
}
