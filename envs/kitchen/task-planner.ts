/**
 * The kitchen's own knowledge as an offline guide for agents that learn skills bottom-up (and a
 * source of seeded tasks for them): the exact planner's shortest plan from an observed state to a
 * task's goal, phrased the way SayCan's robot acts. Not a language model, and it says so.
 *
 * Among equally short plans the breadth-first planner returns the first it meets, which drives to a
 * place ("go to the table, pick up the apple"); the robot's `find` reaches the same place by naming
 * the object, which is what a skill should be written in terms of, so such pairs are rewritten.
 *
 * @example
 *   const planner = kitchenTaskPlanner();
 *   planner(await env.observe(), { description: 'bring me an apple', goal: { userHas: 'apple' } });
 *   // [find apple, pick up apple, go to user, put down apple]
 */
import type { Observation, SkillCall } from '../../core/types.js';
import type { Task } from '../environment.js';
import { KitchenEnvironment } from './environment.js';
import { validateKitchenGoal } from './goals.js';
import { generateInstruction, type InstructionFamily, type KitchenInstruction } from './instructions.js';
import { SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { stateFromObservation } from './observation.js';
import { planKitchen } from './planner.js';
import { step, whyNot, type KitchenAction, type KitchenState } from './world.js';

/** Replace "go to L, <act on X>" by "find X, <act on X>" where X is at L and findable. */
export function preferFind(state: KitchenState, plan: readonly KitchenAction[], layout: KitchenLayout = SAYCAN_KITCHEN): KitchenAction[] {
  const out: KitchenAction[] = [];
  let s = { ...state, noise: 0 };
  for (let i = 0; i < plan.length; i++) {
    let a = plan[i]!;
    const next = plan[i + 1];
    const object = typeof next?.args.object === 'string' ? next.args.object : undefined;
    if (a.skill === 'go to' && object && s.objects[object] === a.args.location) {
      const find: KitchenAction = { skill: 'find', args: { object } };
      if (whyNot(s, find, layout) === null) a = find;
    }
    out.push(a);
    s = step(s, a, layout).state;
  }
  return out;
}

/** A planner for agents: observation + task (kitchen goal) -> shortest plan, or null. */
export function kitchenTaskPlanner(options: { layout?: KitchenLayout; maxDepth?: number } = {}): (observation: Observation, task: Task) => SkillCall[] | null {
  const layout = options.layout ?? SAYCAN_KITCHEN;
  return (observation, task) => {
    const state = stateFromObservation(observation);
    if (!state || task.goal === undefined) return null;
    const plan = planKitchen(state, validateKitchenGoal(task.goal), { layout, maxDepth: options.maxDepth });
    return plan ? (preferFind(state, plan, layout) as SkillCall[]) : null;
  };
}

export interface KitchenTask {
  id: string;
  task: Task;
  instruction: KitchenInstruction;
  makeEnv: () => KitchenEnvironment;
}

/** `n` seeded instructions (`<prefix>:<i>`), families in turn, each with a fresh environment factory. */
export function kitchenTasks(prefix: string, n: number, options: { families?: readonly InstructionFamily[]; noise?: number; layout?: KitchenLayout } = {}): KitchenTask[] {
  const families = options.families ?? ['nouns', 'structured', 'verbs', 'long-horizon'];
  return Array.from({ length: n }, (_, i) => {
    const instruction = generateInstruction(`${prefix}:${i}`, { family: families[i % families.length], noise: options.noise, layout: options.layout });
    return {
      id: instruction.id,
      task: { description: instruction.text, goal: instruction.goal as unknown as Record<string, unknown> },
      instruction,
      makeEnv: () => new KitchenEnvironment({ state: instruction.initial, layout: options.layout }),
    };
  });
}
