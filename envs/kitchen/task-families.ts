/**
 * What there is to learn in a kitchen from a given state: candidate tasks with checkable goals,
 * grouped in SayCan's instruction families from simple to long-horizon (single steps, fetching,
 * verbs, long-horizon pairs), phrased as goalForText reads them. The offline curriculum (kits/kitchen.ts)
 * proposes among them the ones the exact planner reaches; nothing here decides reachability.
 * Objects handed to the user or thrown away are out of play: no task asks for them again.
 *
 * @example
 *   kitchenTaskFamilies(env.state)[1];
 *   // { name: 'fetch', tasks: [{ description: 'bring me the apple', goal: { userHas: 'apple' } }, ...] }
 */
import type { Task } from '../environment.js';
import type { KitchenGoal } from './goals.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import type { KitchenState } from './world.js';

export interface KitchenTaskFamily {
  name: 'single' | 'fetch' | 'verbs' | 'long-horizon';
  tasks: Task[];
}

const task = (description: string, goal: KitchenGoal): Task => ({ description, goal: goal as unknown as Record<string, unknown> });

/** Candidate tasks from `state`, in families from simple to hard (the order within a family is the layout's). */
export function kitchenTaskFamilies(state: KitchenState, layout: KitchenLayout = SAYCAN_KITCHEN): KitchenTaskFamily[] {
  const ix = indexLayout(layout);
  // Objects still in play: on a surface, in a drawer, or in the robot's hand.
  const inPlay = ix.objectIds.filter((o) => state.objects[o] !== 'user' && state.objects[o] !== 'trash can');
  const counters = ['close counter', 'far counter', 'table'].filter((l) => ix.location.has(l));
  const single: Task[] = [];
  for (const l of ix.locationIds) if (l !== state.robot.at && !ix.location.get(l)!.drawer) single.push(task(`go to the ${l}`, { robotAt: l }));
  for (const d of ix.drawerIds) single.push(state.drawers[d] ? task(`close the ${d}`, { drawerOpen: { drawer: d, open: false } }) : task(`open the ${d}`, { drawerOpen: { drawer: d, open: true } }));
  for (const o of inPlay) if (state.robot.holding !== o) single.push(task(`pick up the ${o}`, { holding: o }));
  const fetch = inPlay.map((o) => task(`bring me the ${o}`, { userHas: o }));
  const verbs: Task[] = [];
  for (const o of inPlay) {
    verbs.push(task(`throw away the ${o}`, { objectAt: { object: o, location: 'trash can' } }));
    const counter = counters.find((c) => c !== state.objects[o]);
    if (counter) verbs.push(task(`restock the ${o} on the ${counter}`, { objectAt: { object: o, location: counter } }));
    const drawer = ix.drawerIds.find((d) => d !== state.objects[o]);
    if (drawer) verbs.push(task(`put the ${o} away in the ${drawer}`, { objectAt: { object: o, location: drawer } }));
  }
  const longHorizon: Task[] = [];
  for (let i = 0; i + 1 < inPlay.length && longHorizon.length < 8; i += 2) {
    const [a, b] = [inPlay[i]!, inPlay[i + 1]!];
    longHorizon.push(task(`bring me the ${a} and the ${b}`, { all: [{ userHas: a }, { userHas: b }] }));
    longHorizon.push(task(`throw away the ${a} and bring me the ${b}`, { all: [{ objectAt: { object: a, location: 'trash can' } }, { userHas: b }] }));
  }
  return [
    { name: 'single', tasks: single },
    { name: 'fetch', tasks: fetch },
    { name: 'verbs', tasks: verbs },
    { name: 'long-horizon', tasks: longHorizon },
  ];
}
