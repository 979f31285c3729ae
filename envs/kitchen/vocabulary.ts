/**
 * The kitchen's vocabulary, written once: the household verbs SayCan's robot acts with ('find',
 * 'go to', 'pick up', 'put down', 'place', 'bring to user', 'open drawer', 'close drawer', 'done'),
 * their arguments in call order and what each ranges over, their SayCan phrases (`x-say`), and the
 * method skill code calls (`kitchen.pickUp(object)`, `robot.pickUp(object)`). The kitchen simulator
 * (envs/kitchen/primitives.ts) and ROS robots (robots/environment.ts) both build their primitives,
 * their sandbox commands and their host-side endowments from it, so prompts, skills and affordance
 * data carry over between the simulator and a robot. Descriptions may differ per body (a robot
 * names its ROS actions); names, schemas and phrases do not.
 *
 * @example
 *   householdPrimitives({ objects, locations, surfaces, drawers, placePhrases }, ['find', 'pick up', 'done']);
 *   HOUSEHOLD_COMMANDS.pickUp; // { skill: 'pick up', args: ['object'] }
 */
import type { JsonValue, Outcome } from '../../core/types.js';
import type { CommandSpec } from '../command-sandbox-api.js';
import type { Primitive } from '../environment.js';

export const HOUSEHOLD_VERB_NAMES = ['find', 'go to', 'pick up', 'put down', 'place', 'bring to user', 'open drawer', 'close drawer', 'done'] as const;
export type HouseholdVerbName = (typeof HOUSEHOLD_VERB_NAMES)[number];

/** What an argument ranges over: the body's objects, places, surfaces (where things can be put) or drawers. */
export type HouseholdDomain = 'objects' | 'locations' | 'surfaces' | 'drawers';

export interface HouseholdVerb {
  /** The method skill code calls: `kitchen.<method>(...args)`. */
  method: string;
  /** Arguments in the order skill code passes them. */
  args: { name: 'object' | 'location' | 'drawer'; over: HouseholdDomain }[];
  /** SayCan's phrase, `{arg}` filled from the call ('pick up the {object}'). */
  say: string;
  /** What the verb does, for prompts (a body may say it its own way). */
  description: string;
}

export const HOUSEHOLD_VERBS: Readonly<Record<HouseholdVerbName, HouseholdVerb>> = {
  find: { method: 'find', args: [{ name: 'object', over: 'objects' }], say: 'find the {object}', description: 'Search for an object and drive to where it is (not inside closed drawers or the trash).' },
  'go to': { method: 'goTo', args: [{ name: 'location', over: 'locations' }], say: 'go to the {location}', description: 'Drive to a location (counters, table, sink, trash can, a drawer, the user).' },
  'pick up': { method: 'pickUp', args: [{ name: 'object', over: 'objects' }], say: 'pick up the {object}', description: "Grasp an object that is visible at the robot's location; the gripper must be empty." },
  'put down': { method: 'putDown', args: [{ name: 'object', over: 'objects' }], say: 'put down the {object}', description: 'Put the held object down where the robot is (a drawer must be open; at the user it is handed over).' },
  place: {
    method: 'place',
    args: [{ name: 'object', over: 'objects' }, { name: 'location', over: 'surfaces' }],
    say: 'put the {object} {location}',
    description: 'Carry the held object to a surface and put it there (a drawer must be open).',
  },
  'bring to user': { method: 'bringToUser', args: [{ name: 'object', over: 'objects' }], say: 'bring the {object} to you', description: 'Drive to the user while holding the object (then put it down to hand it over).' },
  'open drawer': { method: 'openDrawer', args: [{ name: 'drawer', over: 'drawers' }], say: 'open the {drawer}', description: 'Open a drawer the robot is at; needs a free hand.' },
  'close drawer': { method: 'closeDrawer', args: [{ name: 'drawer', over: 'drawers' }], say: 'close the {drawer}', description: 'Close a drawer the robot is at; needs a free hand.' },
  done: { method: 'done', args: [], say: 'done', description: 'Declare the instruction finished.' },
};

/** The values each argument ranges over on one body, and how a surface is phrased ("in the trash can"). */
export interface HouseholdDomains {
  objects: readonly string[];
  locations: readonly string[];
  surfaces: readonly string[];
  drawers: readonly string[];
  /** surface -> its words in `place`'s phrase ("on the table", "in the top drawer"). */
  placePhrases: Record<string, string>;
  /** The object argument's description ("an object in the kitchen"). */
  objectDescription?: string;
}

/** The primitives of `verbs` (in that order) over a body's domains, with enum arguments and SayCan phrasing. */
export function householdPrimitives(domains: HouseholdDomains, verbs: readonly HouseholdVerbName[], descriptions: Partial<Record<HouseholdVerbName, string>> = {}): Primitive[] {
  return verbs.map((name) => {
    const verb = HOUSEHOLD_VERBS[name];
    const properties: Record<string, unknown> = {};
    for (const a of verb.args) {
      const schema: Record<string, unknown> = { type: 'string', enum: [...domains[a.over]] };
      if (a.over === 'objects') schema.description = domains.objectDescription ?? 'an object';
      if (a.over === 'surfaces') schema['x-phrases'] = domains.placePhrases;
      properties[a.name] = schema;
    }
    return {
      name,
      description: descriptions[name] ?? verb.description,
      params: { type: 'object', 'x-say': verb.say, required: Object.keys(properties), additionalProperties: false, properties },
    };
  });
}

/** The household commands as skill code calls them (`kitchen.goTo(location)`), for the sandbox API. */
export const HOUSEHOLD_COMMANDS: Readonly<Record<string, CommandSpec>> = Object.fromEntries(
  HOUSEHOLD_VERB_NAMES.filter((n) => n !== 'done').map((n) => [HOUSEHOLD_VERBS[n].method, { skill: n, args: HOUSEHOLD_VERBS[n].args.map((a) => a.name) }]),
);

/** Host-side methods for the same commands (`await kitchen.pickUp('apple')` from a host caller), each through `run`. */
export function householdEndowment(run: (skill: string, args: Record<string, JsonValue>) => Promise<Outcome>): Record<string, (...args: string[]) => Promise<Outcome>> {
  return Object.fromEntries(
    Object.entries(HOUSEHOLD_COMMANDS).map(([method, spec]) => [method, (...values: string[]) => run(spec.skill, Object.fromEntries(spec.args.map((a, i) => [a, values[i]!])))]),
  );
}

/**
 * What a language model is told about skill code for a body with these verbs: the global it calls
 * (`kitchen`, `robot`), each method with its arguments, and what they resolve to.
 */
export function householdGuide(root: string, verbs: readonly HouseholdVerbName[] = HOUSEHOLD_VERB_NAMES): string {
  const calls = verbs.filter((n) => n !== 'done').map((n) => `${root}.${HOUSEHOLD_VERBS[n].method}(${HOUSEHOLD_VERBS[n].args.map((a) => a.name).join(', ')})`);
  return (
    `Skill code calls the global \`${root}\`: ${calls.join(', ')}. Each resolves to {success, error}; ` +
    `a step that fails does not throw, so check \`success\` and throw an Error with the reason. ` +
    `Arguments are the names shown in the observation (objects, places, drawers).`
  );
}
