/**
 * The kitchen world model: a pure, serialisable state and the transition rules of SayCan's mobile
 * manipulator. No I/O, no clocks, no classes: `step(state, action)` returns a new state and never
 * mutates its input, so the same code drives the Environment wrapper, planners, affordance data
 * generation and the simulated ROS 2 robot.
 *
 * @example
 *   let s = initialState(7);
 *   const r = step(s, { skill: 'find', args: { object: 'apple' } });
 *   if (r.ok) s = r.state;
 */
import { hashString } from '../../core/random.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { HOUSEHOLD_VERB_NAMES } from './vocabulary.js';

export const KITCHEN_STATE_VERSION = 1;

/** Everything that changes. Plain JSON: `JSON.parse(JSON.stringify(s))` is an equal state. */
export interface KitchenState {
  v: typeof KITCHEN_STATE_VERSION;
  /** The layout version this state belongs to. */
  layout: string;
  robot: { at: string; holding: string | null };
  /** Where each object is: a location id, 'robot' while held, 'user' once handed over. */
  objects: Record<string, string>;
  /** Drawer id -> open. */
  drawers: Record<string, boolean>;
  /** Probability scale of a feasible action failing anyway (0 = deterministic). */
  noise: number;
  /** mulberry32 state for the noise; advances only when noise is drawn. */
  rng: number;
  /** Actions attempted so far. */
  t: number;
  done: boolean;
}

/** The kitchen's skills: the household verbs (vocabulary.ts, shared with ROS robots). */
export const KITCHEN_SKILLS = HOUSEHOLD_VERB_NAMES;
export type KitchenSkill = (typeof KITCHEN_SKILLS)[number];

/** One action: the same shape as a SkillCall with the kitchen's argument names. */
export interface KitchenAction {
  skill: string;
  args: { object?: unknown; location?: unknown; drawer?: unknown; [k: string]: unknown };
}

export interface StepResult {
  state: KitchenState;
  ok: boolean;
  /** Why it failed: a precondition (`precondition: true`) or noise. */
  error?: string;
  precondition?: boolean;
  /** One line for traces and language-model feedback. */
  text: string;
}

export interface InitialStateOptions {
  noise?: number;
  layout?: KitchenLayout;
  /** Fraction of objects that start inside a (closed) drawer. Default 0.2. */
  drawerFraction?: number;
}

/** A seeded start: objects scattered over counters, table and drawers; robot at its start, hand empty. */
export function initialState(seed: number | string, options: InitialStateOptions = {}): KitchenState {
  const layout = options.layout ?? SAYCAN_KITCHEN;
  const ix = indexLayout(layout);
  let r = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  const rand = () => {
    const [v, next] = mulberry32(r);
    r = next;
    return v;
  };
  const drawerFraction = options.drawerFraction ?? 0.2;
  const open = layout.startPlaces.filter((p) => !ix.location.get(p)?.drawer);
  const closed = layout.startPlaces.filter((p) => ix.location.get(p)?.drawer);
  const objects: Record<string, string> = {};
  for (const id of ix.objectIds) {
    const pool = closed.length && rand() < drawerFraction ? closed : open;
    objects[id] = pool[Math.floor(rand() * pool.length)]!;
  }
  const drawers: Record<string, boolean> = {};
  for (const d of ix.drawerIds) drawers[d] = false;
  return {
    v: KITCHEN_STATE_VERSION,
    layout: layout.version,
    robot: { at: layout.start, holding: null },
    objects,
    drawers,
    noise: options.noise ?? 0,
    rng: r,
    t: 0,
    done: false,
  };
}

/** One mulberry32 draw (same generator as core/random.ts) from an explicit state. */
export function mulberry32(state: number): [value: number, next: number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

/** Can the robot see this object where it is now (at its location, not inside a closed drawer)? */
export function visible(state: KitchenState, object: string, layout: KitchenLayout = SAYCAN_KITCHEN): boolean {
  const place = state.objects[object];
  if (place === undefined || place !== state.robot.at) return false;
  return !indexLayout(layout).location.get(place)?.drawer || state.drawers[place] === true;
}

/** Where an object can be found by searching: on a surface in view (not held, given away, binned or shut in). */
function findable(state: KitchenState, object: string, layout: KitchenLayout): string | null {
  const place = state.objects[object];
  if (place === undefined) return `there is no ${object} in this kitchen`;
  if (place === 'robot') return `the robot is already holding the ${object}`;
  if (place === 'user') return `the user already has the ${object}`;
  if (place === 'trash can') return `the ${object} is in the trash can`;
  const l = indexLayout(layout).location.get(place);
  if (l?.drawer && !state.drawers[place]) return `the ${object} is inside the closed ${place}`;
  return null;
}

/**
 * The exact preconditions: null when the action is feasible now, else the reason it is not.
 * Feasible actions can still fail when the state has noise.
 */
export function whyNot(state: KitchenState, action: KitchenAction, layout: KitchenLayout = SAYCAN_KITCHEN): string | null {
  const ix = indexLayout(layout);
  const { robot } = state;
  const a = action.args ?? {};
  const object = typeof a.object === 'string' ? a.object : undefined;
  const location = typeof a.location === 'string' ? a.location : undefined;
  const drawer = typeof a.drawer === 'string' ? a.drawer : undefined;
  const needObject = () => (object === undefined ? 'missing argument object' : ix.object.has(object) ? null : `unknown object '${object}'`);
  if (state.done) return 'the episode is over';
  switch (action.skill) {
    case 'find':
      return needObject() ?? findable(state, object!, layout);
    case 'go to':
      if (location === undefined) return 'missing argument location';
      if (!ix.location.has(location)) return `unknown location '${location}'`;
      if (location === robot.at) return `the robot is already at the ${location}`;
      return null;
    case 'pick up': {
      const bad = needObject();
      if (bad) return bad;
      if (robot.holding !== null) return `the gripper is holding the ${robot.holding}`;
      const place = state.objects[object!]!;
      if (place === 'user') return `the user has the ${object}`;
      if (place === 'trash can') return `the ${object} is in the trash can`;
      if (place !== robot.at) return `the ${object} is not here (it is ${place === 'robot' ? 'held' : `at the ${place}`}, the robot is at the ${robot.at})`;
      if (!visible(state, object!, layout)) return `the ${object} is inside the closed ${place}`;
      return null;
    }
    case 'put down': {
      const bad = needObject();
      if (bad) return bad;
      if (robot.holding !== object) return `the robot is not holding the ${object}`;
      const here = ix.location.get(robot.at);
      if (here?.drawer && !state.drawers[robot.at]) return `the ${robot.at} is closed`;
      return null;
    }
    case 'place': {
      const bad = needObject();
      if (bad) return bad;
      if (location === undefined) return 'missing argument location';
      const l = ix.location.get(location);
      if (!l) return `unknown location '${location}'`;
      if (!l.surface) return `objects cannot be placed at the ${location}`;
      if (robot.holding !== object) return `the robot is not holding the ${object}`;
      if (l.drawer && !state.drawers[location]) return `the ${location} is closed`;
      return null;
    }
    case 'bring to user': {
      const bad = needObject();
      if (bad) return bad;
      if (robot.holding !== object) return `the robot is not holding the ${object}`;
      if (robot.at === 'user') return 'the robot is already at the user';
      return null;
    }
    case 'open drawer':
    case 'close drawer': {
      if (drawer === undefined) return 'missing argument drawer';
      if (!ix.location.get(drawer)?.drawer) return `'${drawer}' is not a drawer`;
      if (robot.at !== drawer) return `the robot is not at the ${drawer}`;
      if (robot.holding !== null) return `the gripper is holding the ${robot.holding}; it needs a free hand for the handle`;
      const open = action.skill === 'open drawer';
      if (state.drawers[drawer] === open) return `the ${drawer} is already ${open ? 'open' : 'closed'}`;
      return null;
    }
    case 'done':
      return null;
    default:
      return `unknown skill '${action.skill}'`;
  }
}

/** Per-skill scale of the noise: driving rarely fails, grasping deformable things often does. */
function failureProbability(state: KitchenState, action: KitchenAction, layout: KitchenLayout): number {
  if (state.noise <= 0 || action.skill === 'done') return 0;
  const o = typeof action.args.object === 'string' ? indexLayout(layout).object.get(action.args.object) : undefined;
  const scale =
    action.skill === 'go to' ? 0.3 : action.skill === 'find' ? 0.6 : action.skill === 'pick up' ? (o?.grip ?? 1) : action.skill.endsWith('drawer') ? 0.8 : 0.5 * (o?.grip ?? 1);
  return Math.min(0.95, state.noise * scale);
}

const NOISE_ERRORS: Record<string, string> = {
  find: 'searched but did not find the object',
  'go to': 'navigation was blocked',
  'pick up': 'the grasp slipped',
  'put down': 'the object fell off the gripper before release',
  place: 'the object fell off the gripper on the way',
  'bring to user': 'navigation was blocked',
  'open drawer': 'the handle slipped',
  'close drawer': 'the handle slipped',
};

/**
 * Apply one action. Infeasible actions and noisy failures leave the world unchanged (apart from the
 * step counter and the noise generator); a dropped object stays where the robot is.
 */
export function step(state: KitchenState, action: KitchenAction, layout: KitchenLayout = SAYCAN_KITCHEN): StepResult {
  const reason = whyNot(state, action, layout);
  if (reason !== null) {
    return { state: { ...state, t: state.t + 1 }, ok: false, error: reason, precondition: true, text: `${describe(action)}: failed (${reason})` };
  }
  let rng = state.rng;
  const p = failureProbability(state, action, layout);
  if (p > 0) {
    const [u, next] = mulberry32(rng);
    rng = next;
    if (u < p) {
      const error = NOISE_ERRORS[action.skill] ?? 'the action failed';
      const next: KitchenState = { ...state, t: state.t + 1, rng };
      // Things slip out of the hand during transport: the object ends up where the robot stands.
      if ((action.skill === 'put down' || action.skill === 'place') && state.robot.holding) {
        const here = state.robot.at === 'user' ? 'user' : state.robot.at;
        next.objects = { ...state.objects, [state.robot.holding]: here };
        next.robot = { at: state.robot.at, holding: null };
      }
      return { state: next, ok: false, error, precondition: false, text: `${describe(action)}: failed (${error})` };
    }
  }
  const a = action.args;
  const s: KitchenState = { ...state, t: state.t + 1, rng };
  switch (action.skill) {
    case 'find':
      s.robot = { at: state.objects[a.object as string]!, holding: state.robot.holding };
      break;
    case 'go to':
      s.robot = { at: a.location as string, holding: state.robot.holding };
      break;
    case 'pick up':
      s.robot = { at: state.robot.at, holding: a.object as string };
      s.objects = { ...state.objects, [a.object as string]: 'robot' };
      break;
    case 'put down':
      s.robot = { at: state.robot.at, holding: null };
      s.objects = { ...state.objects, [a.object as string]: state.robot.at };
      break;
    case 'place':
      s.robot = { at: a.location as string, holding: null };
      s.objects = { ...state.objects, [a.object as string]: a.location as string };
      break;
    case 'bring to user':
      s.robot = { at: 'user', holding: state.robot.holding };
      break;
    case 'open drawer':
    case 'close drawer':
      s.drawers = { ...state.drawers, [a.drawer as string]: action.skill === 'open drawer' };
      break;
    case 'done':
      s.done = true;
      break;
  }
  return { state: s, ok: true, text: `${describe(action)}: ok` };
}

/** SayCan-style language for an action: "pick up the apple", "put the coke in the top drawer". */
export function describe(action: KitchenAction, layout: KitchenLayout = SAYCAN_KITCHEN): string {
  const a = action.args ?? {};
  const o = String(a.object ?? '?');
  const l = String(a.location ?? '?');
  switch (action.skill) {
    case 'find':
      return `find the ${o}`;
    case 'go to':
      return `go to the ${l}`;
    case 'pick up':
      return `pick up the ${o}`;
    case 'put down':
      return `put down the ${o}`;
    case 'place': {
      const prep = indexLayout(layout).location.get(l)?.prep ?? 'on';
      return `put the ${o} ${prep === 'near' ? 'near' : prep} the ${l}`;
    }
    case 'bring to user':
      return `bring the ${o} to you`;
    case 'open drawer':
      return `open the ${String(a.drawer ?? '?')}`;
    case 'close drawer':
      return `close the ${String(a.drawer ?? '?')}`;
    case 'done':
      return 'done';
    default:
      return `${action.skill} ${JSON.stringify(a)}`;
  }
}
