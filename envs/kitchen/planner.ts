/**
 * An exact breadth-first planner over the kitchen's noise-free transitions. It finds a shortest
 * action sequence to a goal, restricted to the objects the goal (and the robot's hand) involve so
 * the search stays small. Used to check that generated instructions are solvable, to produce
 * demonstrations and training attempts, and as an oracle in tests. It is environment knowledge,
 * not a language model.
 */
import { checkGoal, goalObjects, type KitchenGoal } from './goals.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { step, type KitchenAction, type KitchenState } from './world.js';

export interface PlanOptions {
  layout?: KitchenLayout;
  /** Longest plan considered (default 14 actions, 'done' excluded). */
  maxDepth?: number;
  /** Give up after expanding this many states (default 200k). */
  maxStates?: number;
}

/** Grounded actions that could matter for these objects. */
export function relevantActions(objects: readonly string[], layout: KitchenLayout = SAYCAN_KITCHEN): KitchenAction[] {
  const ix = indexLayout(layout);
  const acts: KitchenAction[] = [];
  for (const location of ix.locationIds) acts.push({ skill: 'go to', args: { location } });
  for (const drawer of ix.drawerIds) {
    acts.push({ skill: 'open drawer', args: { drawer } }, { skill: 'close drawer', args: { drawer } });
  }
  for (const object of objects) {
    acts.push({ skill: 'find', args: { object } }, { skill: 'pick up', args: { object } }, { skill: 'put down', args: { object } }, { skill: 'bring to user', args: { object } });
    for (const location of ix.surfaceIds) acts.push({ skill: 'place', args: { object, location } });
  }
  return acts;
}

function key(s: KitchenState, objects: readonly string[]): string {
  let k = `${s.robot.at}|${s.robot.holding}|`;
  for (const o of objects) k += `${s.objects[o]},`;
  for (const d in s.drawers) k += s.drawers[d] ? '1' : '0';
  return k;
}

/**
 * Shortest plan (without the final 'done') from `state` to `goal`, or null when none exists within
 * the limits. Noise is ignored: the plan is what would work if nothing slipped.
 */
export function planKitchen(state: KitchenState, goal: KitchenGoal, options: PlanOptions = {}): KitchenAction[] | null {
  const layout = options.layout ?? SAYCAN_KITCHEN;
  const maxDepth = options.maxDepth ?? 14;
  const maxStates = options.maxStates ?? 200_000;
  const objects = [...new Set([...goalObjects(goal), ...(state.robot.holding ? [state.robot.holding] : [])])];
  const actions = relevantActions(objects, layout);
  const start: KitchenState = { ...state, noise: 0, done: false };
  if (checkGoal(start, goal).success) return [];
  interface Node {
    s: KitchenState;
    parent: Node | null;
    action: KitchenAction | null;
    depth: number;
  }
  const seen = new Set<string>([key(start, objects)]);
  let frontier: Node[] = [{ s: start, parent: null, action: null, depth: 0 }];
  while (frontier.length) {
    const next: Node[] = [];
    for (const node of frontier) {
      if (node.depth >= maxDepth) continue;
      for (const action of actions) {
        const r = step(node.s, action, layout);
        if (!r.ok) continue;
        const k = key(r.state, objects);
        if (seen.has(k)) continue;
        seen.add(k);
        const child: Node = { s: r.state, parent: node, action, depth: node.depth + 1 };
        if (checkGoal(r.state, goal).success) {
          const plan: KitchenAction[] = [];
          for (let n: Node | null = child; n && n.action; n = n.parent) plan.unshift(n.action);
          return plan;
        }
        if (seen.size > maxStates) return null;
        next.push(child);
      }
    }
    frontier = next;
  }
  return null;
}
