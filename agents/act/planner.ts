/**
 * An environment's exact planner: the calls that reach a task's goal from an observed state. Kits
 * provide one where the world allows it (the kitchen's breadth-first search, Minecraft's tech tree);
 * it guides evolution's exploration and stands in for the language model as a named offline baseline
 * (agents/saycan/planner-say.ts).
 *
 * @example
 *   const plan = await planner(await env.observe(), { description: 'bring me an apple', goal });
 */
import type { Observation, SkillCall } from '../../core/types.js';
import type { Task } from '../../envs/environment.js';

/** The environment's own plan from an observed state to a task's goal (null: no plan found). */
export type Planner = (observation: Observation, task: Task) => SkillCall[] | null | Promise<SkillCall[] | null>;
