/**
 * SayCan's instruction families for the kitchen, as a seeded generator and a fixed evaluation
 * suite. Each instruction carries its start state and a checkable goal; the generator only emits
 * instructions the exact planner can solve from that start and that are not already satisfied.
 *
 * Families (after PaLM-SayCan's evaluation): single primitive, nouns, verbs, structured language,
 * embodiment (the answer depends on the robot's own state) and long-horizon (several sub-goals,
 * including indirect requests such as "I spilled my coke, can you help?").
 */
import { Random, hashString } from '../../core/random.js';
import { SkillforgeError } from '../../core/errors.js';
import type { KitchenGoal } from './goals.js';
import { checkGoal } from './goals.js';
import { indexLayout, objectsIn, SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { planKitchen } from './planner.js';
import { initialState, type KitchenState } from './world.js';

export const INSTRUCTION_FAMILIES = ['single', 'nouns', 'verbs', 'structured', 'embodiment', 'long-horizon'] as const;
export type InstructionFamily = (typeof INSTRUCTION_FAMILIES)[number];

export interface KitchenInstruction {
  id: string;
  family: InstructionFamily;
  text: string;
  goal: KitchenGoal;
  /** The world the instruction is given in. */
  initial: KitchenState;
  /** Length of the shortest plan ('done' excluded), from the exact planner. */
  optimalSteps: number;
}

export interface GenerateOptions {
  family?: InstructionFamily;
  noise?: number;
  layout?: KitchenLayout;
}

type Draft = { text: string; goal: KitchenGoal; initial?: KitchenState };

const CATEGORY_NOUNS: [category: 'soda' | 'fruit' | 'chips' | 'bar', noun: string][] = [
  ['soda', 'a soda'],
  ['fruit', 'a piece of fruit'],
  ['chips', 'a bag of chips'],
  ['bar', 'a snack bar'],
];

/** Words that name a category on their own ("throw away the chips"). */
const BARE_CATEGORIES: Record<string, 'soda' | 'fruit' | 'chips' | 'bar' | 'drink'> = {
  chips: 'chips',
  'bag of chips': 'chips',
  soda: 'soda',
  drink: 'drink',
  fruit: 'fruit',
  'snack bar': 'bar',
};

function anyUserHas(objects: string[]): KitchenGoal {
  return objects.length === 1 ? { userHas: objects[0]! } : { any: objects.map((o) => ({ userHas: o })) };
}

function draft(family: InstructionFamily, r: Random, s: KitchenState, layout: KitchenLayout): Draft {
  const ix = indexLayout(layout);
  const objects = ix.objectIds.filter((o) => o !== 'sponge' || family === 'long-horizon');
  const o = r.pick(objects);
  const a = (id: string) => `${ix.object.get(id)!.article} ${id}`;
  const counters = ['close counter', 'far counter', 'table'].filter((l) => ix.location.has(l));
  switch (family) {
    case 'single':
      switch (r.int(0, 3)) {
        case 0:
          return { text: `pick up the ${o}`, goal: { holding: o } };
        case 1: {
          const l = r.pick(ix.locationIds.filter((x) => x !== s.robot.at));
          return { text: `go to the ${l}`, goal: { robotAt: l } };
        }
        case 2:
          return { text: `find the ${o}`, goal: { robotAt: s.objects[o]! } };
        default: {
          const d = r.pick(ix.drawerIds);
          return { text: `open the ${d}`, goal: { drawerOpen: { drawer: d, open: true } } };
        }
      }
    case 'nouns': {
      if (r.next() < 0.3) {
        const [cat, noun] = r.pick(CATEGORY_NOUNS);
        return { text: `bring me ${noun}`, goal: anyUserHas(objectsIn(layout, cat)) };
      }
      return { text: r.pick([`bring me ${a(o)}`, `can you bring me the ${o}?`, `I would like ${a(o)}`]), goal: { userHas: o } };
    }
    case 'verbs':
      switch (r.int(0, 3)) {
        case 0:
          return { text: `throw away the ${o}`, goal: { objectAt: { object: o, location: 'trash can' } } };
        case 1: {
          const l = r.pick(counters.filter((x) => x !== s.objects[o]));
          return { text: `restock the ${o} on the ${l}`, goal: { objectAt: { object: o, location: l } } };
        }
        case 2: {
          const d = r.pick(ix.drawerIds.filter((x) => x !== s.objects[o]));
          return { text: `put the ${o} away in the ${d}`, goal: { objectAt: { object: o, location: d } } };
        }
        default:
          return { text: `rinse the ${o} in the sink`, goal: { objectAt: { object: o, location: 'sink' } } };
      }
    case 'structured':
      switch (r.int(0, 2)) {
        case 0: {
          const from = s.objects[o]!;
          const to = r.pick(ix.surfaceIds.filter((x) => x !== from));
          return { text: `move the ${o} from the ${from} to the ${to}`, goal: { objectAt: { object: o, location: to } } };
        }
        case 1:
          return { text: `pick up the ${o} and bring it to the user`, goal: { userHas: o } };
        default:
          return { text: `pick up the ${o} and put it in the trash can`, goal: { objectAt: { object: o, location: 'trash can' } } };
      }
    case 'embodiment': {
      // The robot already holds something somewhere: the right first step depends on that.
      const at = r.pick(counters);
      const initial: KitchenState = { ...s, robot: { at, holding: o }, objects: { ...s.objects, [o]: 'robot' } };
      switch (r.int(0, 3)) {
        case 0:
          return { initial, text: 'put down what you are holding', goal: { objectAt: { object: o, location: at } } };
        case 1:
          return { initial, text: 'bring me what you are holding', goal: { userHas: o } };
        case 2:
          return { initial, text: 'throw away what you are holding', goal: { objectAt: { object: o, location: 'trash can' } } };
        default: {
          const other = r.pick(objects.filter((x) => x !== o));
          return { initial, text: `bring me ${a(other)}`, goal: { userHas: other } };
        }
      }
    }
    case 'long-horizon': {
      const drinks = objectsIn(layout, 'drink');
      const snacks = objectsIn(layout, 'snack');
      switch (r.int(0, 4)) {
        case 0: {
          const d = r.pick(drinks);
          return { text: `I spilled my ${d}, can you help?`, goal: { userHas: 'sponge' } };
        }
        case 1: {
          const d = r.pick(drinks);
          return {
            text: `I spilled my ${d}, can you throw it away and bring me something to clean up?`,
            goal: { all: [{ objectAt: { object: d, location: 'trash can' } }, { userHas: 'sponge' }] },
          };
        }
        case 2: {
          const d = r.pick(drinks);
          const sn = r.pick(snacks);
          return { text: `bring me ${a(d)} and ${a(sn)}`, goal: { all: [{ userHas: d }, { userHas: sn }] } };
        }
        case 3: {
          const other = r.pick(objects.filter((x) => x !== o));
          return { text: `throw away the ${o} and bring me ${a(other)}`, goal: { all: [{ objectAt: { object: o, location: 'trash can' } }, { userHas: other }] } };
        }
        default: {
          const healthyDrinks = drinks.filter((x) => ix.object.get(x)!.categories.includes('healthy'));
          const healthySnacks = snacks.filter((x) => ix.object.get(x)!.categories.includes('healthy'));
          return {
            text: 'I just worked out, can you bring me a drink and a snack to recover?',
            goal: { all: [anyUserHas(healthyDrinks), anyUserHas(healthySnacks)] },
          };
        }
      }
    }
  }
}

/**
 * One instruction from a seed: the same seed gives the same instruction, start state and goal.
 *
 * @example
 *   const ins = generateInstruction(42, { family: 'nouns' });
 *   // { text: 'bring me an apple', goal: { userHas: 'apple' }, initial: {...}, ... }
 */
export function generateInstruction(seed: number | string, options: GenerateOptions = {}): KitchenInstruction {
  const layout = options.layout ?? SAYCAN_KITCHEN;
  const base = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  const r = new Random(base);
  const family = options.family ?? r.pick(INSTRUCTION_FAMILIES);
  for (let attempt = 0; attempt < 50; attempt++) {
    const world = initialState((base + attempt * 0x9e3779b1) >>> 0, { noise: options.noise, layout });
    const d = draft(family, r, world, layout);
    const initial = d.initial ?? world;
    if (checkGoal(initial, d.goal).success) continue;
    const plan = planKitchen(initial, d.goal, { layout });
    if (!plan) continue;
    return { id: `${family}-${(hashString(`${base}:${attempt}`) >>> 0).toString(16)}`, family, text: d.text, goal: d.goal, initial, optimalSteps: plan.length };
  }
  throw new SkillforgeError('E_KITCHEN_GENERATOR', `could not generate a solvable '${family}' instruction from seed ${String(seed)}`, {
    hint: 'try another seed; if this persists the layout lacks objects the family needs',
  });
}

/** The fixed evaluation suite: `perFamily` instructions per family from fixed seeds (default 5 → 30). */
export function kitchenSuite(options: { perFamily?: number; noise?: number; layout?: KitchenLayout } = {}): KitchenInstruction[] {
  const out: KitchenInstruction[] = [];
  for (const family of INSTRUCTION_FAMILIES) {
    for (let i = 0; i < (options.perFamily ?? 5); i++) {
      out.push(generateInstruction(`saycan-suite-v1:${family}:${i}`, { family, noise: options.noise, layout: options.layout }));
    }
  }
  return out;
}

/**
 * A checkable goal for free text in the common phrasings of the families ("bring me an apple",
 * "throw away the coke", "put the sprite in the top drawer", "I spilled my coke, can you help?"),
 * or null when the text is not understood. Lets `skillforge saycan "<text>"` report success.
 */
export function goalForText(text: string, state?: KitchenState, layout: KitchenLayout = SAYCAN_KITCHEN): KitchenGoal | null {
  const ix = indexLayout(layout);
  const held = state?.robot.holding ?? null;
  const t = text.toLowerCase().trim().replace(/[.?!]+$/, '').replace(/^(please|can you|could you|robot,?)\s+/, '');
  const object = (s: string | undefined): KitchenGoal | null => {
    if (!s) return null;
    const name = s.trim().replace(/^(a|an|the|some|me a|me an|me the)\s+/, '');
    if (ix.object.has(name)) return { userHas: name };
    const noun = CATEGORY_NOUNS.find(([, n]) => n.replace(/^an? /, '') === name || n === name);
    if (noun) return anyUserHas(objectsIn(layout, noun[0]));
    return null;
  };
  const objectId = (s: string | undefined) => {
    const name = s?.trim().replace(/^(a|an|the)\s+/, '');
    return name && ix.object.has(name) ? name : null;
  };
  const locationId = (s: string | undefined) => {
    const name = s?.trim().replace(/^(a|an|the)\s+/, '');
    return name && ix.location.has(name) ? name : null;
  };
  if (/spilled/.test(t)) {
    const d = /spilled my (.+?)(,|$| on )/.exec(t)?.[1];
    const sponge: KitchenGoal = { userHas: 'sponge' };
    return /throw/.test(t) && objectId(d) ? { all: [{ objectAt: { object: objectId(d)!, location: 'trash can' } }, sponge] } : sponge;
  }
  let m: RegExpExecArray | null;
  if (held && /^(bring|give|hand) me what you are holding$/.test(t)) return { userHas: held };
  if (held && /^put down what you are holding$/.test(t)) return { objectAt: { object: held, location: state!.robot.at } };
  if (held && /^throw away what you are holding$/.test(t)) return { objectAt: { object: held, location: 'trash can' } };
  if (state && (m = /^find the (.+)$/.exec(t)) && objectId(m[1])) return { robotAt: state.objects[objectId(m[1])!]! };
  if (/worked out/.test(t)) {
    const healthy = (cat: 'drink' | 'snack') => objectsIn(layout, cat).filter((x) => ix.object.get(x)!.categories.includes('healthy'));
    return { all: [anyUserHas(healthy('drink')), anyUserHas(healthy('snack'))] };
  }
  if ((m = /^(?:bring|get|fetch|hand|give) me (.+?) and (.+)$/.exec(t))) {
    const a = object(m[1]);
    const b = object(m[2]);
    if (a && b) return { all: [a, b] };
  }
  if ((m = /^(?:bring|get|fetch|hand|give) me (.+)$/.exec(t)) || (m = /^i would like (.+)$/.exec(t)) || (m = /^pick up the (.+?) and bring it to (?:me|the user)$/.exec(t))) {
    return object(m[1]);
  }
  if ((m = /^(?:pick up|throw away) the (.+?)(?: and put (?:it|them) in the trash can)?(?: and bring me (.+))?$/.exec(t)) && (t.startsWith('throw') || /trash/.test(t))) {
    const o = objectId(m[1]);
    const category = BARE_CATEGORIES[m[1]!.trim()];
    if (!o && !category) return null;
    const bin: KitchenGoal = o
      ? { objectAt: { object: o, location: 'trash can' } }
      : { any: objectsIn(layout, category!).map((x) => ({ objectAt: { object: x, location: 'trash can' } })) };
    const also = m[2] ? object(m[2]) : null;
    return m[2] ? (also ? { all: [bin, also] } : null) : bin;
  }
  if ((m = /^(?:move|put|place|restock|rinse) the (.+?)(?: from the .+?)?(?: away)? (?:in|on|into|onto|to) the (.+)$/.exec(t))) {
    const o = objectId(m[1]);
    const l = locationId(m[2]);
    return o && l ? { objectAt: { object: o, location: l } } : null;
  }
  if ((m = /^pick up the (.+)$/.exec(t)) && objectId(m[1])) return { holding: objectId(m[1]) };
  if ((m = /^go to the (.+)$/.exec(t)) && locationId(m[1])) return { robotAt: locationId(m[1])! };
  if ((m = /^(open|close) the (.+)$/.exec(t)) && ix.location.get(m[2]!)?.drawer) return { drawerOpen: { drawer: m[2]!, open: m[1] === 'open' } };
  return null;
}
